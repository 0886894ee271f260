/** Fitting a figure that Chromium pushed to the next page into the room it left (the PDF has no floats). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyFits, figureFits } from "../scripts/render/print-fit";

const text = (yMin: number, yMax: number, words = "Some text of the chapter") => ({ yMin, yMax, text: words });
// A page that ends at y = 500 pt (A4 box: 62.4 to 779.5 pt), then a figure whose caption (two lines) starts at 300 pt.
const pushed = () => [
  [text(70, 80), text(490, 500)],
  [text(300, 312, "Figure 3.2: Samples of the GAN"), text(316, 328, "at step 4000."), text(350, 362)],
];

test("a figure at the top of a page after a page with room is fitted into that room, by its number", () => {
  const natural = new Map<string, number>();
  const fits = figureFits(pushed(), new Set(), natural);
  // image 300 - 62.4 - 18 = 219.6; figure 328 - 62.4 = 265.6; room 779.5 - 500 - 36 = 243.5
  assert.deepEqual([...fits], [["3.2", 197]]);
  assert.ok(Math.abs(natural.get("3.2")! - 219.6) < 0.1);
});

test("no fit on a chapter's first page, under text on the same page, or below 60% of the first size", () => {
  assert.equal(figureFits(pushed(), new Set([2]), new Map()).size, 0, "the previous page is a chapter's last");
  const underText = pushed();
  underText[1].unshift(text(70, 80));
  assert.equal(figureFits(underText, new Set(), new Map()).size, 0, "the figure does not open its page");
  const full = pushed();
  full[0].push(text(700, 712));
  assert.equal(figureFits(full, new Set(), new Map()).size, 0, "too little room: the figure would become a thumbnail");
  // Fitted once to 197 pt and still pushed (the page above grew): a second fit is bounded by the first size.
  const natural = new Map([["3.2", 219.6]]);
  const grown = pushed();
  grown[0].push(text(560, 600));
  assert.equal(figureFits(grown, new Set(), natural).size, 0);
});

test("fits go to the images of the figures they name", () => {
  const html = '<figure id="a"><img src="a.png"><figcaption><strong>Figure 3.2:</strong> A.</figcaption></figure><figure><img src="b.png"><figcaption><strong>Figure 3.3:</strong> B.</figcaption></figure>';
  const out = applyFits(html, new Map([["3.2", 197]]));
  assert.match(out, /<img style="max-height: 197pt" src="a.png">/);
  assert.match(out, /<img src="b.png">/);
});
