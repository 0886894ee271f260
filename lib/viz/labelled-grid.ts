/**
 * Sample grids a reader can judge: blocks of images (each a PNG grid, e.g. one run's samples) stacked
 * top to bottom, scaled up without blurring (nearest neighbour: a 28-pixel sample becomes 3 × 28), each
 * with its label at the left ("scratch · seed 1 · step 11,244") and optional column labels on top
 * (class names of a conditional generator's columns).
 */
import * as fs from "fs";
import sharp from "sharp";
import { Figure } from "./figure";

export interface LabelledBlock {
  /** One or more lines, e.g. `["G from VAE", "seed 1 · step 11,244"]`. */
  label: string | string[];
  /** A PNG file or buffer. */
  image: string | Buffer;
}

export interface LabelledGridOptions {
  /** Integer upscaling of every block (default 2). */
  scale?: number;
  /** Labels centred over `columnLabels.length` equal columns of the blocks. */
  columnLabels?: string[];
  /** Width of the label margin in pixels (default 190). */
  labelWidth?: number;
  gap?: number;
  fontSize?: number;
}

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function textSvg(width: number, height: number, lines: string[], fontSize: number, anchor: "start" | "middle", x: number): Buffer {
  const lineHeight = fontSize * 1.3;
  const top = height / 2 - ((lines.length - 1) * lineHeight) / 2;
  const tspans = lines.map((l, i) => `<text x="${x}" y="${(top + i * lineHeight).toFixed(1)}" dominant-baseline="middle" text-anchor="${anchor}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="#222">${escapeXml(l)}</text>`);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${tspans.join("")}</svg>`);
}

/** The blocks as one labelled PNG figure; blocks of different widths are left-aligned. */
export async function labelledGridFigure(blocks: LabelledBlock[], options: LabelledGridOptions = {}): Promise<Figure> {
  if (!blocks.length) throw new Error("labelledGridFigure needs at least one block.");
  const { scale = 2, labelWidth = 190, gap = 10, fontSize = 15, columnLabels } = options;
  if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`labelledGridFigure: scale must be a positive integer, got ${scale}.`);
  const images = await Promise.all(blocks.map(async (b, i) => {
    if (typeof b.image === "string" && !fs.existsSync(b.image)) throw new Error(`labelledGridFigure: block ${i + 1} ("${[b.label].flat().join(" ")}"): no image file ${b.image}.`);
    const meta = await sharp(b.image).metadata();
    if (!meta.width || !meta.height) throw new Error(`labelledGridFigure: block ${i + 1} is not an image.`);
    const png = await sharp(b.image).resize(meta.width * scale, meta.height * scale, { kernel: "nearest" }).png().toBuffer();
    return { png, width: meta.width * scale, height: meta.height * scale };
  }));
  const header = columnLabels?.length ? Math.round(fontSize * 2) : 0;
  const width = labelWidth + Math.max(...images.map((i) => i.width));
  const height = header + images.reduce((h, i) => h + i.height, 0) + gap * (images.length - 1);
  const layers: { input: Buffer; left: number; top: number }[] = [];
  if (columnLabels?.length) {
    const blockWidth = images[0].width;
    const col = blockWidth / columnLabels.length;
    columnLabels.forEach((name, c) => layers.push({ input: textSvg(Math.round(col), header, [name], fontSize * 0.8, "middle", col / 2), left: Math.round(labelWidth + c * col), top: 0 }));
  }
  let top = header;
  images.forEach((img, i) => {
    layers.push({ input: textSvg(labelWidth - 8, img.height, [blocks[i].label].flat(), fontSize, "start", 4), left: 0, top });
    layers.push({ input: img.png, left: labelWidth, top });
    top += img.height + gap;
  });
  const png = await sharp({ create: { width, height, channels: 3, background: "#ffffff" } }).composite(layers).png().toBuffer();
  return { kind: "png", png };
}
