/**
 * `npx tsx scripts/diagrams.ts`: writes the report's schematic diagrams as plain SVG into images/.
 *
 *   images/autoencoder-diagram.svg  x → encoder → code z → decoder → x̂, reconstruction loss
 *   images/vae-diagram.svg          x → encoder → μ, log σ² → z = μ + σ ⊙ ε → decoder → x̂; KL and reconstruction
 *   images/gan-diagram.svg          z → generator → fake; real images; both → discriminator → real/fake; losses
 *
 * The GAN and VAE figures recreate the two diagrams of the original thesis README (GAN1.PNG, VAE.png).
 * No dependencies: the SVG is written by hand from a few drawing helpers, so the output is deterministic
 * and diff-friendly. Check the result by rasterising, e.g.
 *   node -e "require('sharp')('images/gan-diagram.svg').png().toFile('/tmp/gan.png')"
 */
import * as fs from "fs";
import * as path from "path";

const FONT = "DejaVu Sans, Arial, sans-serif";

/** The palette: one colour per role, used the same way in every diagram. */
const C = {
  ink: "#1f2933",
  muted: "#52606d",
  encoder: "#dbeafe", // blue: networks that read images
  encoderStroke: "#2563eb",
  decoder: "#dcfce7", // green: networks that write images (decoder = generator)
  decoderStroke: "#16a34a",
  code: "#fef3c7", // amber: latent codes and noise
  codeStroke: "#d97706",
  loss: "#fee2e2", // red: loss terms
  lossStroke: "#dc2626",
  paper: "#ffffff",
};

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const f = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

interface TextOpts {
  size?: number;
  weight?: "normal" | "bold";
  anchor?: "start" | "middle" | "end";
  fill?: string;
  italic?: boolean;
}

/** Escapes `s` and turns `_{…}` into a lowered, smaller tspan (a subscript that every SVG renderer draws). */
function markup(s: string, size: number): string {
  const shift = Math.round(size * 0.3);
  return s
    .split(/(_\{[^}]*\})/)
    .map((part) => {
      const sub = /^_\{([^}]*)\}$/.exec(part);
      return sub ? `<tspan dy="${shift}" font-size="${Math.round(size * 0.75)}">${esc(sub[1])}</tspan><tspan dy="-${shift}"></tspan>` : esc(part);
    })
    .join("");
}

/** One line of text; `x`, `y` is the anchor point on the baseline. `_{…}` marks a subscript. */
function text(x: number, y: number, s: string, o: TextOpts = {}): string {
  const { size = 14, weight = "normal", anchor = "middle", fill = C.ink, italic = false } = o;
  return `<text x="${f(x)}" y="${f(y)}" font-size="${size}" font-weight="${weight}" text-anchor="${anchor}" fill="${fill}"${italic ? ' font-style="italic"' : ""}>${markup(s, size)}</text>`;
}

/** Several centred lines, `gap` apart, the block centred vertically on `cy`. */
function lines(cx: number, cy: number, rows: string[], o: TextOpts & { gap?: number } = {}): string {
  const size = o.size ?? 14;
  const gap = o.gap ?? size * 1.3;
  const top = cy - ((rows.length - 1) * gap) / 2 + size * 0.35;
  return rows.map((r, i) => text(cx, top + i * gap, r, o)).join("\n");
}

function rect(x: number, y: number, w: number, h: number, fill: string, stroke: string, o: { rx?: number; dash?: boolean } = {}): string {
  return `<rect x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${f(h)}" rx="${o.rx ?? 8}" fill="${fill}" stroke="${stroke}" stroke-width="1.6"${o.dash ? ' stroke-dasharray="6 4"' : ""}/>`;
}

/** A network drawn as a trapezoid from left edge height `h0` to right edge height `h1`, centred on `cy`. */
function trapezoid(x0: number, x1: number, cy: number, h0: number, h1: number, fill: string, stroke: string): string {
  const pts = [[x0, cy - h0 / 2], [x1, cy - h1 / 2], [x1, cy + h1 / 2], [x0, cy + h0 / 2]];
  return `<polygon points="${pts.map(([a, b]) => `${f(a)},${f(b)}`).join(" ")}" fill="${fill}" stroke="${stroke}" stroke-width="1.8" stroke-linejoin="round"/>`;
}

/** A straight arrow; `dash` marks gradient / loss flows. */
function arrow(x1: number, y1: number, x2: number, y2: number, o: { color?: string; dash?: boolean } = {}): string {
  const color = o.color ?? C.ink;
  const id = color === C.ink ? "arrow" : color === C.lossStroke ? "arrow-loss" : "arrow-muted";
  return `<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}" stroke="${color}" stroke-width="1.8"${o.dash ? ' stroke-dasharray="6 4"' : ""} marker-end="url(#${id})"/>`;
}

/** A polyline arrow through the given points. */
function pathArrow(points: [number, number][], o: { color?: string; dash?: boolean } = {}): string {
  const color = o.color ?? C.ink;
  const id = color === C.ink ? "arrow" : color === C.lossStroke ? "arrow-loss" : "arrow-muted";
  const d = points.map(([x, y], i) => `${i ? "L" : "M"}${f(x)},${f(y)}`).join(" ");
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round"${o.dash ? ' stroke-dasharray="6 4"' : ""} marker-end="url(#${id})"/>`;
}

/** A plain line (no arrow head). */
function line(x1: number, y1: number, x2: number, y2: number, o: { color?: string; dash?: boolean } = {}): string {
  return `<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}" stroke="${o.color ?? C.ink}" stroke-width="1.6"${o.dash ? ' stroke-dasharray="6 4"' : ""}/>`;
}

/** An 8×8 "garment": a T-shirt silhouette, 1 = cloth. */
const SHIRT = [
  "00000000",
  "01100110",
  "11111111",
  "11111111",
  "00111100",
  "00111100",
  "00111100",
  "00111100",
];

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), for pixel noise. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small grey image of `size`×`size` pixels at (x, y): the shirt, with `noise` in [0, 1] blending
 * in random grey levels (0 = clean "real" image, larger = an early generator's blotchy fake).
 */
function pixelImage(x: number, y: number, size: number, o: { noise?: number; seed?: number; blur?: boolean } = {}): string {
  const n = SHIRT.length;
  const cell = size / n;
  const r = rng(o.seed ?? 1);
  const out: string[] = [`<rect x="${f(x)}" y="${f(y)}" width="${f(size)}" height="${f(size)}" fill="#111827"/>`];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let v = SHIRT[i][j] === "1" ? 0.92 : 0.05;
      if (o.blur) {
        // Average with the 4-neighbourhood: the soft look of a VAE reconstruction.
        let s = v;
        let k = 1;
        for (const [di, dj] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
          const a = i + di;
          const b = j + dj;
          if (a >= 0 && a < n && b >= 0 && b < n) {
            s += SHIRT[a][b] === "1" ? 0.92 : 0.05;
            k++;
          }
        }
        v = 0.5 * v + 0.5 * (s / k);
      }
      const noise = o.noise ?? 0;
      v = (1 - noise) * v + noise * r();
      const g = Math.round(255 * Math.min(1, Math.max(0, v)));
      if (g < 20) continue;
      out.push(`<rect x="${f(x + j * cell)}" y="${f(y + i * cell)}" width="${f(cell + 0.3)}" height="${f(cell + 0.3)}" fill="rgb(${g},${g},${g})"/>`);
    }
  }
  out.push(`<rect x="${f(x)}" y="${f(y)}" width="${f(size)}" height="${f(size)}" fill="none" stroke="${C.ink}" stroke-width="1.2"/>`);
  return out.join("\n");
}

/** A stack of three images (a data set / batch), front image at (x, y). */
function imageStack(x: number, y: number, size: number, o: { noise?: number; seed?: number } = {}): string {
  return [
    pixelImage(x + 12, y - 12, size, { ...o, seed: (o.seed ?? 1) + 2 }),
    pixelImage(x + 6, y - 6, size, { ...o, seed: (o.seed ?? 1) + 1 }),
    pixelImage(x, y, size, o),
  ].join("\n");
}

/** A column vector of `k` cells (a latent code) centred on (cx, cy), with shades of amber. */
function vector(cx: number, cy: number, k: number, o: { cell?: number; seed?: number } = {}): string {
  const cell = o.cell ?? 16;
  const r = rng(o.seed ?? 3);
  const x = cx - cell / 2;
  const y0 = cy - (k * cell) / 2;
  const out: string[] = [];
  for (let i = 0; i < k; i++) {
    const t = r();
    const col = `rgb(${Math.round(254 - 20 * t)},${Math.round(243 - 90 * t)},${Math.round(199 - 150 * t)})`;
    out.push(`<rect x="${f(x)}" y="${f(y0 + i * cell)}" width="${f(cell)}" height="${f(cell)}" fill="${col}" stroke="${C.codeStroke}" stroke-width="1.2"/>`);
  }
  return out.join("\n");
}

function svg(width: number, height: number, title: string, body: string[]): string {
  const marker = (id: string, color: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<title>${esc(title)}</title>`,
    `<defs>${marker("arrow", C.ink)}${marker("arrow-loss", C.lossStroke)}${marker("arrow-muted", C.muted)}</defs>`,
    `<rect width="${width}" height="${height}" fill="${C.paper}"/>`,
    ...body,
    `</svg>`,
    "",
  ].join("\n");
}

/** x → encoder → code → decoder → x̂, trained by the reconstruction error. */
export function autoencoderDiagram(): string {
  const W = 820;
  const H = 300;
  const cy = 110;
  const img = 84;
  const b: string[] = [];
  // Input image.
  b.push(pixelImage(40, cy - img / 2, img, { seed: 11 }));
  b.push(text(82, cy + img / 2 + 24, "input x", { size: 15 }));
  // Encoder.
  b.push(arrow(130, cy, 168, cy));
  b.push(trapezoid(175, 325, cy, 150, 60, C.encoder, C.encoderStroke));
  b.push(lines(250, cy, ["encoder", "f_{φ}"], { size: 15, weight: "bold" }));
  // Code.
  b.push(arrow(330, cy, 388, cy));
  b.push(vector(410, cy, 6, { cell: 18, seed: 5 }));
  b.push(text(410, cy + 78, "code z = f_{φ}(x)", { size: 15 }));
  b.push(text(410, cy + 97, "(d numbers, d ≪ pixels)", { size: 12, fill: C.muted }));
  // Decoder.
  b.push(arrow(432, cy, 490, cy));
  b.push(trapezoid(495, 645, cy, 60, 150, C.decoder, C.decoderStroke));
  b.push(lines(570, cy, ["decoder", "g_{θ}"], { size: 15, weight: "bold" }));
  // Output.
  b.push(arrow(650, cy, 688, cy));
  b.push(pixelImage(696, cy - img / 2, img, { seed: 12, blur: true }));
  b.push(text(738, cy + img / 2 + 24, "reconstruction x̂", { size: 15 }));
  // Loss.
  const ly = 258;
  b.push(rect(250, ly - 22, 320, 44, C.loss, C.lossStroke));
  b.push(text(410, ly + 5, "reconstruction loss ‖x − x̂‖²", { size: 15 }));
  b.push(pathArrow([[82, cy + img / 2 + 36], [82, ly], [246, ly]], { color: C.lossStroke, dash: true }));
  b.push(pathArrow([[738, cy + img / 2 + 36], [738, ly], [574, ly]], { color: C.lossStroke, dash: true }));
  return svg(W, H, "Autoencoder: encoder, code layer, decoder and reconstruction loss", b);
}

/** The VAE of seed 000's VAE.png: encoder → μ, log σ² → z = μ + σ ⊙ ε → decoder; KL and reconstruction. */
export function vaeDiagram(): string {
  const W = 980;
  const H = 430;
  const cy = 190;
  const img = 84;
  const b: string[] = [];
  // Input.
  b.push(pixelImage(30, cy - img / 2, img, { seed: 21 }));
  b.push(text(72, cy + img / 2 + 24, "input x", { size: 15 }));
  // Encoder.
  b.push(arrow(120, cy, 153, cy));
  b.push(trapezoid(160, 300, cy, 160, 80, C.encoder, C.encoderStroke));
  b.push(lines(230, cy, ["encoder", "q_{φ}(z | x)"], { size: 15, weight: "bold" }));
  // Heads μ and log σ².
  const hx = 345;
  const hw = 86;
  const muY = cy - 52;
  const lvY = cy + 52;
  b.push(pathArrow([[300, cy - 20], [322, cy - 20], [322, muY], [hx - 4, muY]]));
  b.push(pathArrow([[300, cy + 20], [322, cy + 20], [322, lvY], [hx - 4, lvY]]));
  b.push(rect(hx, muY - 20, hw, 40, C.code, C.codeStroke));
  b.push(text(hx + hw / 2, muY + 6, "μ", { size: 17, weight: "bold" }));
  b.push(rect(hx, lvY - 20, hw, 40, C.code, C.codeStroke));
  b.push(text(hx + hw / 2, lvY + 6, "log σ²", { size: 16, weight: "bold" }));
  // Sampling node.
  const sx = 490;
  const sw = 170;
  b.push(pathArrow([[hx + hw, muY], [468, muY], [468, cy - 14], [sx - 4, cy - 14]]));
  b.push(pathArrow([[hx + hw, lvY], [468, lvY], [468, cy + 14], [sx - 4, cy + 14]]));
  b.push(rect(sx, cy - 34, sw, 68, C.code, C.codeStroke, { rx: 14 }));
  b.push(lines(sx + sw / 2, cy, ["z = μ + σ ⊙ ε", "(reparameterisation)"], { size: 14, gap: 22 }));
  // Noise ε from below.
  const ey = cy + 118;
  b.push(`<circle cx="${sx + sw / 2}" cy="${ey}" r="27" fill="${C.paper}" stroke="${C.codeStroke}" stroke-width="1.6"/>`);
  b.push(text(sx + sw / 2, ey + 6, "ε", { size: 18, weight: "bold" }));
  b.push(text(sx + sw / 2 + 38, ey + 5, "ε ~ N(0, I)", { size: 14, anchor: "start", fill: C.muted }));
  b.push(arrow(sx + sw / 2, ey - 28, sx + sw / 2, cy + 38));
  // Decoder.
  b.push(arrow(sx + sw, cy, 703, cy));
  b.push(trapezoid(710, 850, cy, 80, 160, C.decoder, C.decoderStroke));
  b.push(lines(780, cy, ["decoder", "p_{θ}(x | z)"], { size: 15, weight: "bold" }));
  b.push(text(780, cy + 100, "= the GAN's generator", { size: 13, fill: C.decoderStroke }));
  // Output.
  b.push(arrow(850, cy, 873, cy));
  b.push(pixelImage(880, cy - img / 2, img, { seed: 22, blur: true }));
  b.push(text(922, cy + img / 2 + 24, "x̂", { size: 16 }));
  // KL term above the heads.
  const ky = 42;
  b.push(rect(hx - 75, ky - 24, 236, 48, C.loss, C.lossStroke));
  b.push(lines(hx + hw / 2, ky, ["KL( q_{φ}(z | x) ‖ N(0, I) )", "regularisation term"], { size: 13, gap: 18 }));
  b.push(arrow(hx + hw / 2, muY - 22, hx + hw / 2, ky + 28, { color: C.lossStroke, dash: true }));
  // Reconstruction term along the bottom, joining x and x̂.
  const ry = 390;
  b.push(rect(250, ry - 24, 300, 48, C.loss, C.lossStroke));
  b.push(lines(400, ry, ["−log p_{θ}(x | z)", "reconstruction term"], { size: 13, gap: 18 }));
  b.push(pathArrow([[72, cy + img / 2 + 36], [72, ry], [246, ry]], { color: C.lossStroke, dash: true }));
  b.push(pathArrow([[922, cy + img / 2 + 36], [922, ry], [554, ry]], { color: C.lossStroke, dash: true }));
  // The total.
  b.push(text(hx + hw / 2 + 70 + 190, ky + 6, "loss = reconstruction + β · KL", { size: 15, weight: "bold", anchor: "start" }));
  return svg(W, H, "Variational autoencoder: encoder heads, reparameterised sampling, decoder, KL and reconstruction terms", b);
}

/** The GAN of seed 000's GAN1.PNG: noise → generator → fake; real; both → discriminator → real/fake; losses. */
export function ganDiagram(): string {
  const W = 960;
  const H = 460;
  const img = 80;
  const b: string[] = [];
  // Noise.
  const gy = 300;
  b.push(vector(70, gy, 6, { cell: 18, seed: 9 }));
  b.push(text(70, gy + 78, "noise z", { size: 15 }));
  b.push(text(70, gy + 96, "z ~ N(0, I)", { size: 13, fill: C.muted }));
  // Generator.
  b.push(arrow(92, gy, 143, gy));
  b.push(trapezoid(150, 300, gy, 60, 140, C.decoder, C.decoderStroke));
  b.push(lines(225, gy, ["generator", "G(z)"], { size: 15, weight: "bold" }));
  // Fake images.
  const fx = 355;
  b.push(arrow(300, gy, fx - 6, gy));
  b.push(imageStack(fx, gy - img / 2, img, { noise: 0.45, seed: 31 }));
  b.push(text(fx + 46, gy + img / 2 + 24, "fake images G(z)", { size: 15 }));
  // Real images.
  const ry = 118;
  b.push(imageStack(fx, ry - img / 2, img, { seed: 41 }));
  b.push(text(fx + 46, ry - img / 2 - 24, "real images x ~ p_{data}", { size: 15 }));
  // Discriminator.
  const dcy = (gy + ry) / 2;
  const dx0 = 545;
  const dx1 = 690;
  b.push(pathArrow([[fx + img + 18, ry], [510, ry], [510, dcy - 30], [dx0 - 4, dcy - 30]]));
  b.push(pathArrow([[fx + img + 18, gy], [510, gy], [510, dcy + 30], [dx0 - 4, dcy + 30]]));
  b.push(trapezoid(dx0, dx1, dcy, 150, 64, C.encoder, C.encoderStroke));
  b.push(lines((dx0 + dx1) / 2, dcy, ["discriminator", "D(·)"], { size: 15, weight: "bold" }));
  // Output.
  const ox = 735;
  b.push(arrow(dx1, dcy, ox - 4, dcy));
  b.push(rect(ox, dcy - 34, 190, 68, C.paper, C.ink));
  b.push(lines(ox + 95, dcy, ["D(·) ∈ (0, 1)", "real (1) or fake (0)?"], { size: 14, gap: 22 }));
  // Losses.
  const ly = 320;
  b.push(rect(ox, ly - 36, 190, 72, C.loss, C.lossStroke));
  b.push(lines(ox + 95, ly, ["binary cross-entropy", "D: real → 1, fake → 0", "G: fake → 1"], { size: 13, gap: 19 }));
  b.push(arrow(ox + 95, dcy + 34, ox + 95, ly - 40));
  // Step 1: update D.
  b.push(pathArrow([[ox, ly - 12], [(dx0 + dx1) / 2, ly - 12], [(dx0 + dx1) / 2, dcy + 40]], { color: C.lossStroke, dash: true }));
  b.push(lines(676, ly + 20, ["step 1:", "update D"], { size: 13, fill: C.lossStroke, gap: 17 }));
  // Step 2: update G through the frozen D.
  const by = 425;
  b.push(pathArrow([[ox + 95, ly + 36], [ox + 95, by], [225, by], [225, gy + 74]], { color: C.lossStroke, dash: true }));
  b.push(text(480, by - 10, "step 2: update G through D (D's weights frozen)", { size: 13, fill: C.lossStroke }));
  return svg(W, H, "GAN: generator, discriminator and the two training steps", b);
}

/** Writes the diagrams into images/ (npm run render calls this before rendering the book). */
export function writeDiagrams(log: (line: string) => void = console.log): void {
  const out = path.resolve(__dirname, "..", "images");
  fs.mkdirSync(out, { recursive: true });
  const files: [string, string][] = [
    ["autoencoder-diagram.svg", autoencoderDiagram()],
    ["vae-diagram.svg", vaeDiagram()],
    ["gan-diagram.svg", ganDiagram()],
  ];
  for (const [name, content] of files) {
    fs.writeFileSync(path.join(out, name), content);
    log(`wrote images/${name} (${content.length.toLocaleString("en")} bytes)`);
  }
}

if (require.main === module) writeDiagrams();
