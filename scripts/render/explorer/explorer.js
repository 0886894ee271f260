/*
 * The latent explorer of the book: the thesis' trained decoders and generators, run in the reader's
 * browser with TensorFlow.js (tf.min.js beside this file). models.js sets window.VAEGAN_EXPLORER:
 *   { models: { key: { meta, topology, weightSpecs, weightData (base64) } }, compare: [key…], plane?: {…} }
 * Weights are inlined so the book works when opened from disk (Chromium blocks fetch of file:// URLs).
 * Every <div class="vg-explorer" data-panel="sliders|interpolate|compare|plane"> becomes a panel.
 */
(function () {
  "use strict";
  const data = window.VAEGAN_EXPLORER;
  const CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  function base64ToBuffer(b64) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return bytes.buffer;
  }

  const loaded = {};
  function model(key) {
    if (!loaded[key]) {
      const m = data.models[key];
      if (!m) throw new Error(`explorer: no model "${key}" in models.js`);
      loaded[key] = tf.loadLayersModel(tf.io.fromMemory({ modelTopology: m.topology, weightSpecs: m.weightSpecs, weightData: base64ToBuffer(m.weightData) }));
    }
    return loaded[key];
  }

  /** Decodes one code (an array of latentDim numbers) into the model's raw output pixels. */
  async function decode(key, z) {
    const net = await model(key);
    const out = tf.tidy(() => net.predict(tf.tensor2d([Array.from(z)])));
    const values = await out.data();
    const shape = out.shape.slice(1);
    out.dispose();
    return { values, shape };
  }

  /** The same standard-normal code the Node side draws: tf.randomNormal with the given seed. */
  function seededCode(latentDim, seed) {
    return tf.tidy(() => Array.from(tf.randomNormal([1, latentDim], 0, 1, "float32", seed).dataSync()));
  }

  function draw(canvas, key, decoded) {
    const [lo, hi] = data.models[key].meta.pixelRange;
    const [h, w, c] = decoded.shape;
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      for (let k = 0; k < 3; k++) {
        const v = decoded.values[i * c + (c === 1 ? 0 : k)];
        img.data[i * 4 + k] = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
      }
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  async function render(canvas, key, z) {
    draw(canvas, key, await decode(key, z));
  }

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children || []) e.appendChild(c);
    return e;
  }

  const canvas = (label) => el("figure", { class: "vg-tile" }, [el("canvas", { "aria-label": label }), el("figcaption", { text: label })]);

  function modelSelect(keys, onChange) {
    const select = el("select", { "aria-label": "model" }, keys.map((k) => el("option", { value: k, text: data.models[k].meta.title })));
    select.addEventListener("change", () => onChange(select.value));
    return select;
  }

  function seedField(value, onChange) {
    const input = el("input", { type: "number", value: String(value), min: "0", step: "1", "aria-label": "seed" });
    input.addEventListener("change", () => onChange(Number(input.value) || 0));
    return input;
  }

  /** A seed field and a "Random z" button that moves to the next seed; both call `onChange(seed)`. */
  function seedControls(seed, onChange) {
    const input = seedField(seed, onChange);
    const random = el("button", { type: "button", text: "Random z" });
    random.addEventListener("click", () => {
      input.value = String(Number(input.value) + 1);
      onChange(Number(input.value));
    });
    return [el("label", {}, [el("span", { text: "seed" }), input]), random];
  }

  /** Runs `fn` at most once per animation frame, with the latest arguments. */
  function throttled(fn) {
    let pending = false;
    return () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        fn();
      });
    };
  }

  const codeModels = () => Object.keys(data.models).filter((k) => data.models[k].meta.latentDim > 2);

  function slidersPanel(root) {
    let key = root.dataset.model || codeModels()[0];
    let seed = Number(root.dataset.seed || 1);
    let z = [];
    const tile = canvas("decoded image");
    const sliders = el("div", { class: "vg-sliders" });
    const redraw = throttled(() => render(tile.querySelector("canvas"), key, z));
    const build = () => {
      z = seededCode(data.models[key].meta.latentDim, seed);
      sliders.replaceChildren(...z.map((v, i) => {
        const input = el("input", { type: "range", min: "-3", max: "3", step: "0.05", value: v.toFixed(2), "aria-label": `z${i + 1}` });
        input.addEventListener("input", () => {
          z[i] = Number(input.value);
          redraw();
        });
        return el("label", {}, [el("span", { text: `z${i + 1}` }), input]);
      }));
      return render(tile.querySelector("canvas"), key, z);
    };
    root.append(el("div", { class: "vg-controls" }, [modelSelect(codeModels(), (k) => ((key = k), build())), ...seedControls(seed, (s) => ((seed = s), build()))]), el("div", { class: "vg-row" }, [tile, sliders]));
    root.querySelector("select").value = key;
    return build();
  }

  function slerp(a, b, t) {
    const dot = a.reduce((s, v, i) => s + v * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));
    const omega = Math.acos(Math.max(-1, Math.min(1, dot)));
    if (omega < 1e-6) return a.map((v, i) => v + t * (b[i] - v));
    return a.map((v, i) => (Math.sin((1 - t) * omega) * v + Math.sin(t * omega) * b[i]) / Math.sin(omega));
  }

  function interpolatePanel(root) {
    let key = root.dataset.model || codeModels()[0];
    let seeds = [1, 2];
    let mode = "slerp";
    const n = 9;
    const strip = el("div", { class: "vg-strip" }, Array.from({ length: n }, (_, i) => canvas(i === 0 ? "A" : i === n - 1 ? "B" : `${Math.round((i / (n - 1)) * 100)}%`)));
    const update = async () => {
      const d = data.models[key].meta.latentDim;
      const [a, b] = seeds.map((s) => seededCode(d, s));
      for (let i = 0; i < n; i++) {
        const t = i / (n - 1);
        const z = mode === "slerp" ? slerp(a, b, t) : a.map((v, j) => v + t * (b[j] - v));
        await render(strip.children[i].querySelector("canvas"), key, z);
      }
    };
    const modeSelect = el("select", { "aria-label": "interpolation" }, [el("option", { value: "slerp", text: "spherical (slerp)" }), el("option", { value: "linear", text: "linear" })]);
    modeSelect.addEventListener("change", () => ((mode = modeSelect.value), update()));
    root.append(
      el("div", { class: "vg-controls" }, [
        modelSelect(codeModels(), (k) => ((key = k), update())),
        el("label", {}, [el("span", { text: "seed A" }), seedField(seeds[0], (s) => ((seeds[0] = s), update()))]),
        el("label", {}, [el("span", { text: "seed B" }), seedField(seeds[1], (s) => ((seeds[1] = s), update()))]),
        modeSelect,
      ]),
      strip,
    );
    root.querySelector("select").value = key;
    return update();
  }

  function comparePanel(root) {
    const keys = data.compare.filter((k) => data.models[k]);
    let seed = Number(root.dataset.seed || 1);
    const tiles = keys.map((k) => canvas(data.models[k].meta.title));
    const update = async () => {
      const z = seededCode(data.models[keys[0]].meta.latentDim, seed);
      for (let i = 0; i < keys.length; i++) await render(tiles[i].querySelector("canvas"), keys[i], z);
    };
    root.append(el("div", { class: "vg-controls" }, seedControls(seed, (s) => ((seed = s), update()))), el("div", { class: "vg-strip" }, tiles));
    return update();
  }

  function planePanel(root) {
    const plane = data.plane;
    const size = 320;
    const map = el("canvas", { class: "vg-plane", width: String(size), height: String(size), "aria-label": "latent plane: click to decode" });
    const tile = canvas("click the plane");
    const [lo, hi] = plane.extent;
    const toPixel = (v) => ((v - lo) / (hi - lo)) * size;
    const ctx = map.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, size, size);
    for (const [x, y, label] of plane.codes) {
      ctx.fillStyle = CLASS_COLOURS[label % CLASS_COLOURS.length];
      ctx.fillRect(toPixel(x) - 1, size - toPixel(y) - 1, 2, 2);
    }
    const base = ctx.getImageData(0, 0, size, size);
    map.addEventListener("click", async (event) => {
      const rect = map.getBoundingClientRect();
      const px = ((event.clientX - rect.left) / rect.width) * size;
      const py = ((event.clientY - rect.top) / rect.height) * size;
      const z = [lo + (px / size) * (hi - lo), lo + ((size - py) / size) * (hi - lo)];
      ctx.putImageData(base, 0, 0);
      ctx.strokeStyle = "#000";
      ctx.strokeRect(px - 4, py - 4, 8, 8);
      tile.querySelector("figcaption").textContent = `z = (${z[0].toFixed(2)}, ${z[1].toFixed(2)})`;
      await render(tile.querySelector("canvas"), plane.model, z);
    });
    const legend = el("ul", { class: "vg-legend" }, plane.classes.map((name, i) => el("li", {}, [el("span", { class: "vg-swatch", style: `background:${CLASS_COLOURS[i]}` }), document.createTextNode(name)])));
    root.append(el("div", { class: "vg-row" }, [map, tile]), legend);
    return render(tile.querySelector("canvas"), plane.model, [0, 0]);
  }

  const PANELS = { sliders: slidersPanel, interpolate: interpolatePanel, compare: comparePanel, plane: planePanel };

  /** Decodes `count` times and returns the mean milliseconds per image (after one warm-up). */
  async function timeDecode(key, count) {
    const z = seededCode(data.models[key].meta.latentDim, 1);
    await decode(key, z);
    const start = performance.now();
    for (let i = 0; i < count; i++) await decode(key, z);
    return (performance.now() - start) / count;
  }

  /** Resolves once every panel has drawn its first images. */
  const ready = (async () => {
    if (!data) throw new Error("explorer: models.js did not load (window.VAEGAN_EXPLORER is missing)");
    await tf.ready();
    const drawn = Array.from(document.querySelectorAll(".vg-explorer"), (root) => {
      const panel = PANELS[root.dataset.panel];
      if (!panel) throw new Error(`explorer: unknown panel "${root.dataset.panel}"`);
      root.classList.add("vg-live");
      return panel(root);
    });
    await Promise.all(drawn);
  })();
  ready.catch((err) => console.error(err));
  window.VAEGAN_EXPLORER_API = { ready, decode, seededCode, timeDecode, backend: () => tf.getBackend() };
})();
