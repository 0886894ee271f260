/**
 * The HTML around each rendered page: a chapter sidebar that folds behind a button on phones, search,
 * a light/dark switch, "On this page", previous/next links, and for notebook chapters a download of the
 * .ipynb with how to run it; and the print version (title page, contents with page numbers, chapters
 * on named pages for running heads).
 */

export interface BookInfo {
  title: string;
  subtitle?: string;
  author: string;
  date: string;
  /** File name of the PDF in the book root, when one is made. */
  pdf?: string;
}

export interface NavEntry {
  title: string;
  number?: number;
  /** Path from the book root. */
  output: string;
  part?: string;
  /** For a notebook chapter: its .ipynb file name, copied next to the page. */
  notebook?: string;
  /** The page's h2 sections (id, title), for the printed contents. */
  sections?: { id: string; title: string }[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const label = (e: NavEntry) => (e.number !== undefined ? `<span class="chapter-number">${e.number}</span> ` : "") + esc(e.title);

function sidebar(info: BookInfo, nav: NavEntry[], current: number, root: string): string {
  let part: string | undefined;
  const items = nav.map((e, i) => {
    const heading = e.part && e.part !== part ? `<li class="part">${esc(e.part)}</li>` : "";
    part = e.part;
    return `${heading}<li${i === current ? ' class="active"' : ""}><a href="${root}${e.output}">${label(e)}</a></li>`;
  });
  const pdf = info.pdf ? `<a class="download" href="${root}${info.pdf}">Download PDF</a>` : "";
  const search =
    `<div class="search" role="search"><input type="search" id="search-input" placeholder="Search the book" aria-label="Search the book" autocomplete="off">` +
    `<ol id="search-results" class="search-results" aria-live="polite"></ol></div>`;
  return (
    `<nav class="sidebar" id="sidebar" aria-label="Chapters"><a class="book-title" href="${root}${nav[0].output}">${esc(info.title)}</a>${search}` +
    `<ul>${items.join("")}</ul>${pdf}<button type="button" class="theme-toggle" aria-label="Switch between light and dark theme">◐ Light / dark</button></nav>`
  );
}

/** The bar a phone shows instead of the sidebar: the book's title and a button that opens the chapters. */
function topbar(info: BookInfo, root: string, first: string): string {
  return (
    `<input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true" tabindex="-1">` +
    `<header class="topbar"><label for="nav-toggle" class="nav-button" role="button" aria-controls="sidebar" aria-label="Chapters and search">☰</label>` +
    `<a class="topbar-title" href="${root}${first}">${esc(info.title)}</a></header>`
  );
}

/** For a notebook chapter: its .ipynb and how to run it. */
function runBox(notebook: string): string {
  return (
    `<aside class="run-box"><a class="download-ipynb" href="${esc(notebook)}" download>Download this notebook (${esc(notebook)})</a>` +
    `<details><summary>Run this chapter yourself</summary><ol>` +
    `<li>In a clone of the project, install everything once: <code>npm run setup</code></li>` +
    `<li>Start Jupyter: <code>jupyter notebook notebooks/</code> and open <code>${esc(notebook)}</code></li>` +
    `<li>Pick the kernel <strong>TypeScript (tslab, vae-gan)</strong>, then run all cells.</li></ol>` +
    `<p>Trained weights are cached under <code>runs/</code>; set <code>VAE_GAN_PROFILE=quick</code> for a run of minutes instead of hours.</p></details></aside>`
  );
}

/**
 * The page's h2/h3 headings with their anchors: pandoc puts the id on the heading, or with section
 * divs on the <section> around it.
 */
export function pageHeadings(body: string): { level: number; id: string; title: string }[] {
  return Array.from(body.matchAll(/(?:<section[^>]*?\sid="([^"]+)"[^>]*>\s*)?<h([23])([^>]*)>([\s\S]*?)<\/h\2>/g), (m) => ({
    level: Number(m[2]),
    id: /\sid="([^"]+)"/.exec(m[3])?.[1] ?? m[1] ?? "",
    // Formulas keep their visible text only (KaTeX also writes MathML with the TeX source).
    title: m[4].replace(/<math[\s\S]*?<\/math>/g, "").replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim(),
  })).filter((h) => h.id);
}

/** "On this page": open beside the text on screens, folded at the top on phones (book.js). */
function pageToc(body: string): string {
  const items = pageHeadings(body).map((h) => `<li class="toc-h${h.level}"><a href="#${h.id}">${h.title}</a></li>`);
  return items.length ? `<details class="page-toc" open><summary>On this page</summary><ul>${items.join("")}</ul></details>` : "";
}

function head(title: string, root: string, plotly: boolean, web = true): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><link rel="stylesheet" href="${root}site_libs/katex/katex.min.css"><link rel="stylesheet" href="${root}site_libs/book.css">` +
    // The theme is set before the page paints, so a dark-theme reader never sees a white flash.
    (web ? `<script>try { const t = localStorage.getItem("book-theme"); if (t) document.documentElement.dataset.theme = t; } catch (e) {}</script><script src="${root}site_libs/book.js" defer></script>` : "") +
    (plotly ? `<script src="${root}site_libs/plotly.min.js"></script>` : "") +
    `</head>`
  );
}

/** `html` inserted after the page's title (its first h1), or first when it has none. */
function afterTitle(body: string, html: string): string {
  const end = body.indexOf("</h1>");
  return end < 0 ? html + body : body.slice(0, end + 5) + html + body.slice(end + 5);
}

export function webPage(o: { info: BookInfo; nav: NavEntry[]; current: number; body: string; rootPrefix: string; plotly: boolean }): string {
  const { info, nav, current, rootPrefix: root } = o;
  const prev = nav[current - 1];
  const next = nav[current + 1];
  const pager =
    `<nav class="pager">${prev ? `<a class="prev" href="${root}${prev.output}">← ${label(prev)}</a>` : "<span></span>"}` +
    `${next ? `<a class="next" href="${root}${next.output}">${label(next)} →</a>` : "<span></span>"}</nav>`;
  const notebook = nav[current].notebook;
  return (
    head(`${nav[current].title} – ${info.title}`, root, o.plotly) +
    `<body data-root="${root}">${topbar(info, root, nav[0].output)}${sidebar(info, nav, current, root)}<label for="nav-toggle" class="nav-scrim" aria-hidden="true"></label>` +
    `<main>${pageToc(o.body)}<article>${notebook ? afterTitle(o.body, runBox(notebook)) : o.body}</article>${pager}</main></body></html>\n`
  );
}

/**
 * The book for print. `pages` maps element ids to PDF page numbers once a first print has been made
 * (the contents then shows them); each chapter is a named page so its running head carries its title.
 */
export function printPage(o: { info: BookInfo; nav: NavEntry[]; bodies: string[]; plotly?: boolean; pages?: Record<string, number> }): string {
  const { info, nav } = o;
  const pageOf = (id: string) => `<span class="toc-page">${o.pages?.[id] ?? ""}</span>`;
  const toc = nav.map((e, i) => {
    const sections = (e.sections ?? []).map((s) => `<li><a href="#${s.id}"><span class="toc-title">${esc(s.title)}</span>${pageOf(s.id)}</a></li>`).join("");
    const part = e.part && e.part !== nav[i - 1]?.part ? `<li class="toc-part">${esc(e.part)}</li>` : "";
    return `${part}<li class="toc-chapter"><a href="#chapter-${i}"><span class="toc-title">${label(e)}</span>${pageOf(`chapter-${i}`)}</a>${sections ? `<ol>${sections}</ol>` : ""}</li>`;
  }).join("");
  const heads = nav.map((e, i) => `@page chapter-${i} { @top-right { content: ${JSON.stringify((e.number !== undefined ? `${e.number}  ` : "") + e.title)}; } }`).join("\n");
  const title =
    `<section class="title-page"><h1 class="title">${esc(info.title)}</h1>${info.subtitle ? `<p class="subtitle">${esc(info.subtitle)}</p>` : ""}` +
    `<p class="author">${esc(info.author)}</p><p class="date">${esc(info.date)}</p></section><section class="contents"><h2>Contents</h2><ol class="contents-list">${toc}</ol></section>`;
  const bodies = o.bodies.map((b, i) => b.replace(/^<section class="chapter"/, `<section class="chapter" style="page: chapter-${i}"`));
  return head(info.title, "../", o.plotly ?? false, false) + `<style>${heads}</style><body class="print">${title}${bodies.join("\n")}</body></html>\n`;
}
