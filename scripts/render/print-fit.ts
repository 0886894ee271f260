/**
 * Chromium prints without floats: a figure taller than the room left on a page moves whole to the next
 * one and leaves the bottom of the page empty. From a print, this finds each numbered figure that opens
 * a page after a page with room to spare and tells how tall its image may be to fit in that room; the
 * next print draws it that tall (a figure shrinks by at most `MIN_SCALE`, so none becomes a thumbnail).
 */
import { spawnSync } from "child_process";

/** The print's page box in PDF points (A4, 22 mm top and bottom margins: see book.css `@page`). */
const PAGE = { top: (22 / 25.4) * 72, bottom: 841.92 - (22 / 25.4) * 72 };
/** Room kept for the spacing around the figure and the box of the text above it (margins, padding). */
const SLACK = 36;
const MIN_SCALE = 0.6;
/** Lines of one paragraph lie closer than this (points); a larger step starts another block. */
const LINE_GAP = 6;

interface Block { yMin: number; yMax: number; text: string }

/** Text blocks inside the page box of every page of a PDF, from poppler's `pdftotext -bbox-layout`. */
export function pdfTextBlocks(pdf: string): Block[][] {
  const run = spawnSync("pdftotext", ["-bbox-layout", pdf, "-"], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (run.error || run.status !== 0) return [];
  return run.stdout.split(/<page\b/).slice(1).map((page) =>
    Array.from(page.matchAll(/<block xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([\s\S]*?)<\/block>/g), (m) => ({
      yMin: Number(m[1]),
      yMax: Number(m[2]),
      text: Array.from(m[3].matchAll(/<word[^>]*>([^<]*)<\/word>/g), (w) => w[1]).join(" "),
    })).filter((b) => b.yMin >= PAGE.top - 2 && b.yMax <= PAGE.bottom + 2));
}

/**
 * Image heights (points) for figures, by number ("12.4"), that fit them on the page before the one they
 * were pushed to. Only a figure at the very top of its page, under a page that ends with text (not a
 * chapter's last page: `chapterStarts` are 1-based page numbers), is considered. `natural` keeps each
 * figure's first printed image height across prints, so fitting it again never shrinks it below
 * `MIN_SCALE` of that.
 */
export function figureFits(pages: Block[][], chapterStarts: Set<number>, natural: Map<string, number>): Map<string, number> {
  const fits = new Map<string, number>();
  pages.forEach((blocks, p) => {
    if (p === 0 || chapterStarts.has(p + 1) || pages[p - 1].length === 0) return;
    const first = blocks[0];
    const caption = first && /^Figure (\d+\.\d+):/.exec(first.text);
    if (!caption) return;
    // The figure's image sits above its caption: nothing else precedes it on the page.
    let end = 0;
    while (end + 1 < blocks.length && blocks[end + 1].yMin - blocks[end].yMax < LINE_GAP) end++;
    const height = blocks[end].yMax - PAGE.top;
    const image = first.yMin - PAGE.top - SLACK / 2;
    const room = PAGE.bottom - Math.max(...pages[p - 1].map((b) => b.yMax)) - SLACK;
    const fitted = image - (height - room);
    if (!natural.has(caption[1])) natural.set(caption[1], image);
    if (room > 0 && fitted < image && fitted >= MIN_SCALE * natural.get(caption[1])!) fits.set(caption[1], Math.floor(fitted));
  });
  return fits;
}

/** Gives the images of the numbered figures in `fits` their height (points) in a print body. */
export function applyFits(html: string, fits: Map<string, number>): string {
  if (fits.size === 0) return html;
  return html.replace(/<figure\b[\s\S]*?<\/figure>/g, (figure) => {
    const number = /<strong>Figure (\d+\.\d+):<\/strong>/.exec(figure)?.[1];
    const height = number !== undefined ? fits.get(number) : undefined;
    return height === undefined ? figure : figure.replace(/<img\b/g, `<img style="max-height: ${height}pt"`);
  });
}
