/** Quarto's conditional content (`.content-visible`/`.content-hidden` with `when-format`) in the project's renderer. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";

const pandocMissing = spawnSync("pandoc", ["--version"]).error ? "pandoc is not installed (npm run setup)" : false;
const FILTER = path.join(__dirname, "..", "scripts", "render", "formats.lua");
const SOURCE = [
  "Everywhere.",
  '::: {.content-visible when-format="html"}\nLive panels.\n:::',
  '::: {.content-visible when-format="pdf"}\nStatic figure.\n:::',
  '::: {.content-hidden when-format="pdf"}\nNot in print.\n:::',
].join("\n\n");

function render(format: string): string {
  const run = spawnSync("pandoc", ["-f", "markdown", "-t", "html5", "--lua-filter", FILTER, "--metadata", `output_format=${format}`], { input: SOURCE, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test("content-visible and content-hidden keep or drop blocks by output format", { skip: pandocMissing }, () => {
  const html = render("html");
  assert.match(html, /Everywhere/);
  assert.match(html, /Live panels/);
  assert.doesNotMatch(html, /Static figure/);
  assert.match(html, /Not in print/);
  const pdf = render("pdf");
  assert.match(pdf, /Everywhere/);
  assert.doesNotMatch(pdf, /Live panels/);
  assert.match(pdf, /Static figure/);
  assert.doesNotMatch(pdf, /Not in print/);
  assert.doesNotMatch(html + pdf, /content-(visible|hidden)/, "the wrapping divs go too");
});
