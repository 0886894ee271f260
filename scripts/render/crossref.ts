/**
 * Quarto-style cross-references without Quarto: `{#sec-…}`, `{#fig-…}` and `{#eq-…}` labels are
 * numbered per chapter here, and crossref.lua turns `@sec-x` / `@fig-x` / `@eq-x` into links
 * ("Section 3.2", "Figure 3.1", "Equation (3.4)") across pages.
 */

export interface CrossrefEntry {
  label: string;
  /** Page path from the book root, with the anchor. */
  href: string;
  /** The number shown next to the target (caption prefix, equation tag). */
  number: string;
}

export type CrossrefIndex = Record<string, CrossrefEntry>;

/** Adds the labels of one page's markdown. `chapter` is undefined for unnumbered pages. */
export function indexPage(markdown: string, page: string, chapter: number | undefined, index: CrossrefIndex): void {
  const levels: number[] = [];
  let figures = 0;
  let equations = 0;
  const prefix = chapter === undefined ? "" : `${chapter}.`;
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (/^(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const heading = /^(#{2,6})\s+(.*?)\s*(\{[^}]*\})?\s*$/.exec(line);
    if (heading) {
      const attrs = heading[3] ?? "";
      if (/\.unnumbered|(^|\s|\{)-(\s|\})/.test(attrs)) continue;
      const depth = heading[1].length - 2;
      levels.length = depth + 1;
      levels[depth] = (levels[depth] ?? 0) + 1;
      for (let i = 0; i < depth; i++) levels[i] = levels[i] ?? 0;
      const id = /#(sec-[\w-]+)/.exec(attrs)?.[1];
      const number = prefix + levels.join(".");
      if (id) index[id] = { label: chapter === undefined ? heading[2] : `Section ${number}`, href: `${page}#${id}`, number };
    }
    for (const m of line.matchAll(/\{#(fig-[\w-]+)[^}]*\}/g)) {
      const number = `${prefix}${++figures}`;
      index[m[1]] = { label: `Figure ${number}`, href: `${page}#${m[1]}`, number };
    }
    for (const m of line.matchAll(/\$\$\s*\{#(eq-[\w-]+)\}/g)) {
      const number = `${prefix}${++equations}`;
      index[m[1]] = { label: `Equation (${number})`, href: `${page}#${m[1]}`, number };
    }
  }
}

/** A chapter's own label (`{#sec-…}` on its H1) points to the chapter. */
export function indexChapterTitle(markdown: string, page: string, chapter: number | undefined, title: string, index: CrossrefIndex): void {
  const m = /^#\s+.*\{[^}]*#(sec-[\w-]+)[^}]*\}\s*$/m.exec(markdown);
  if (m) index[m[1]] = { label: chapter === undefined ? title : `Chapter ${chapter}`, href: page, number: chapter === undefined ? "" : String(chapter) };
}
