/** The HTML around each rendered page: sidebar of chapters, page contents, previous/next links; and the print version. */

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
  return `<nav class="sidebar"><a class="book-title" href="${root}${nav[0].output}">${esc(info.title)}</a><ul>${items.join("")}</ul>${pdf}</nav>`;
}

/** "On this page": the page's h2/h3 headings. */
function pageToc(body: string): string {
  const items = Array.from(body.matchAll(/<h([23]) [^>]*?id="([^"]+)"[^>]*>([\s\S]*?)<\/h\1>/g), (m) => `<li class="toc-h${m[1]}"><a href="#${m[2]}">${m[3].replace(/<[^>]+>/g, "").trim()}</a></li>`);
  return items.length ? `<nav class="page-toc"><div>On this page</div><ul>${items.join("")}</ul></nav>` : "";
}

function head(title: string, root: string, plotly: boolean): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><link rel="stylesheet" href="${root}site_libs/katex/katex.min.css"><link rel="stylesheet" href="${root}site_libs/book.css">` +
    (plotly ? `<script src="${root}site_libs/plotly.min.js"></script>` : "") +
    `</head>`
  );
}

export function webPage(o: { info: BookInfo; nav: NavEntry[]; current: number; body: string; rootPrefix: string; plotly: boolean }): string {
  const { info, nav, current, rootPrefix: root } = o;
  const prev = nav[current - 1];
  const next = nav[current + 1];
  const pager =
    `<nav class="pager">${prev ? `<a class="prev" href="${root}${prev.output}">← ${label(prev)}</a>` : "<span></span>"}` +
    `${next ? `<a class="next" href="${root}${next.output}">${label(next)} →</a>` : "<span></span>"}</nav>`;
  return (
    head(`${nav[current].title} – ${info.title}`, root, o.plotly) +
    `<body>${sidebar(info, nav, current, root)}<main>${pageToc(o.body)}<article>${o.body}</article>${pager}</main></body></html>\n`
  );
}

export function printPage(o: { info: BookInfo; nav: NavEntry[]; bodies: string[] }): string {
  const { info, nav } = o;
  const toc = nav.map((e, i) => `<li><a href="#chapter-${i}">${label(e)}</a></li>`).join("");
  const title =
    `<section class="title-page"><h1 class="title">${esc(info.title)}</h1>${info.subtitle ? `<p class="subtitle">${esc(info.subtitle)}</p>` : ""}` +
    `<p class="author">${esc(info.author)}</p><p class="date">${esc(info.date)}</p></section><section class="contents"><h2>Contents</h2><ol class="contents-list">${toc}</ol></section>`;
  return head(info.title, "../", false) + `<body class="print">${title}${o.bodies.join("\n")}</body></html>\n`;
}
