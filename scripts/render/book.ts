/**
 * The project's own book renderer, for machines without Quarto: reads `_quarto.yml` (book chapters,
 * parts, bibliography), turns notebooks into markdown with their stored outputs, runs pandoc per page
 * (citations, numbering, cross-references), typesets math with KaTeX at build time (no network, no
 * JavaScript needed to read it), wraps pages with navigation, and prints the whole book to PDF with
 * headless Chromium.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import katex from "katex";
import YAML from "yaml";
import { PROJECT_ROOT } from "../../lib/paths";
import { CrossrefIndex, indexChapterTitle, indexPage } from "./crossref";
import { notebookToMarkdown, NotebookJson } from "./notebook-markdown";
import { applyFits, figureFits, pdfTextBlocks } from "./print-fit";
import { BookInfo, NavEntry, pageHeadings, printPage, webPage } from "./page";
import { SearchDocument, searchDocuments, searchIndexScript } from "./search-index";

interface QuartoChapterList { part?: string; chapters?: (string | QuartoChapterList)[] }
interface QuartoConfig {
  /** `resources`: files or folders copied into the book as they are (Quarto's key; e.g. an explorer's models). */
  project?: { "output-dir"?: string; resources?: string | string[] };
  book?: { title?: string; subtitle?: string; author?: string | string[]; date?: string; chapters?: (string | QuartoChapterList)[]; appendices?: string[] };
  bibliography?: string | string[];
  format?: { html?: { "code-fold"?: boolean | "show" } };
}

interface Page {
  source: string;
  /** Output path from the book root, e.g. `chapters/02-autoencoders-and-vae.html`. */
  output: string;
  part?: string;
  number?: number;
  title: string;
  /** Markdown with print figures written to a scratch folder: for numbering and cross-references. */
  plain: string;
  markdown: (interactive: boolean, figureDir: string, figureHref: string) => { markdown: string; hasPlotly: boolean };
}

export interface BookResult {
  html: string;
  pdf?: string;
  pages: number;
}

function readQuarto(file: string): QuartoConfig {
  try {
    return YAML.parse(fs.readFileSync(file, "utf8")) as QuartoConfig;
  } catch (err) {
    throw new Error(`${file}: cannot read the book configuration (${(err as Error).message}).`);
  }
}

function flatten(items: (string | QuartoChapterList)[], part?: string): { file: string; part?: string }[] {
  return items.flatMap((item) => (typeof item === "string" ? [{ file: item, part }] : flatten(item.chapters ?? [], item.part ?? part)));
}

const firstHeading = (md: string) => /^#\s+(.*?)\s*(\{[^}]*\})?\s*$/m.exec(md);
const unnumbered = (md: string) => /\.unnumbered|\{-\}/.test(firstHeading(md)?.[2] ?? "");
const stripFrontMatter = (md: string) => md.replace(/^---\n[\s\S]*?\n---\n/, "");

function pandocHtml(markdown: string, page: Page, root: string, meta: object, bibliography: string[], numbered: boolean): string {
  const metaFile = path.join(root, ".render-meta.json");
  fs.writeFileSync(metaFile, JSON.stringify(meta));
  const args = ["-f", "markdown+raw_html+tex_math_dollars", "-t", "html5", "--katex", "--wrap=none", "--lua-filter", path.join(__dirname, "formats.lua"), "--lua-filter", path.join(__dirname, "crossref.lua"), "--metadata-file", metaFile, "--citeproc", "--metadata", "link-citations=true", ...bibliography.flatMap((b) => ["--bibliography", b])];
  if (numbered && page.number !== undefined) args.push("--number-sections", `--number-offset=${page.number - 1}`);
  const run = spawnSync("pandoc", args, { input: markdown, encoding: "utf8", maxBuffer: 256 << 20 });
  fs.rmSync(metaFile, { force: true });
  if (run.error) throw new Error(`pandoc not found (${run.error.message}): run npm run setup, or apt-get install pandoc.`);
  if (run.status !== 0) throw new Error(`pandoc failed on ${page.source}:\n${run.stderr}`);
  if (run.stderr.trim()) process.stderr.write(`${page.source}: ${run.stderr}`);
  return typesetMath(run.stdout, page.source);
}

const decode = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** Replaces pandoc's `--katex` math spans (raw TeX) with KaTeX markup; a TeX error names the page and formula. */
function typesetMath(html: string, source: string): string {
  return html.replace(/<span class="math (inline|display)">([\s\S]*?)<\/span>/g, (_, kind: string, tex: string) => {
    try {
      return katex.renderToString(decode(tex), { displayMode: kind === "display", throwOnError: true, output: "htmlAndMathml" });
    } catch (err) {
      throw new Error(`${source}: cannot typeset ${kind} math "${decode(tex).slice(0, 80)}": ${(err as Error).message}`);
    }
  });
}

function copyDir(from: string, to: string, filter: (f: string) => boolean = () => true): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.isFile() && filter(e.name)) fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
    else if (e.isDirectory() && filter(e.name)) copyDir(path.join(from, e.name), path.join(to, e.name), filter);
  }
}

/**
 * A page body for the one-file print version: its ids get the prefix `c<chapter>-` (pages reuse ids such
 * as "summary" or pandoc's "cb1"; the charts' scripts follow), links to a page of the book become links inside the print file, and
 * other relative `src`/`href` are rebased from the page's folder to the print folder.
 */
function printBody(html: string, chapter: number, pageDir: string, outDir: string, printDir: string, pageIndex: Map<string, number>): string {
  return html
    .replace(/(<[a-z][^>]*?\s)id="([^"]+)"/g, (_, tag: string, id: string) => `${tag}id="c${chapter}-${id}"`)
    .replace(/getElementById\("([^"]+)"\)/g, (_, id: string) => `getElementById("c${chapter}-${id}")`)
    .replace(/(src|href)="(?![a-z]+:|\/)([^"]*)"/g, (_, attr: string, url: string) => {
      const [file, anchor] = url.split("#");
      if (!file) return `${attr}="#c${chapter}-${anchor}"`;
      const target = path.resolve(pageDir, file);
      const page = pageIndex.get(path.relative(outDir, target));
      if (attr === "href" && page !== undefined) return `href="#${anchor ? `c${page}-${anchor}` : `chapter-${page}`}"`;
      return `${attr}="${path.relative(printDir, target) + (anchor ? "#" + anchor : "")}"`;
    });
}

/** Links to a chapter's source (`notebooks/05-….ipynb`, `chapters/03-gans.qmd`) lead to its page, as in Quarto. */
function sourceLinks(html: string, sourceDir: string, sources: Set<string>): string {
  return html.replace(/href="(?![a-z]+:|#|\/)([^"#]+)\.(qmd|ipynb|md)(#[^"]*)?"/g, (m, stem: string, ext: string, anchor = "") =>
    sources.has(path.normalize(path.join(sourceDir, `${stem}.${ext}`))) ? `href="${stem}.html${anchor}"` : m);
}

/**
 * Touches pandoc does not make: a heading over a chapter's references (not on the page that places them
 * itself with `::: {#refs}`), tables that scroll in their box.
 */
function finishBody(html: string, refsHeading: boolean): string {
  const headed = refsHeading ? html.replace(/(<div id="refs"[^>]*class="[^"]*references)/, `<h2 class="unnumbered references-heading" id="references">References</h2>\n$1`) : html;
  return headed
    // A long table may break across printed pages (between rows, its header repeated) rather than leave one half empty.
    .replace(/<table\b[\s\S]*?<\/table>/g, (table) => `<div class="table-scroll${(table.match(/<tr\b/g) ?? []).length > 10 ? " long" : ""}">${table}</div>`)
    // "0.453 ± 0.043" is one value: it must not break across lines.
    .replace(/<td([^>]*)>([^<]*?) ± ([^<]*?)<\/td>/g, (_, a: string, l: string, r: string) => `<td${a}>${l}\u00a0±\u00a0${r}</td>`);
}

/** Named destinations of a PDF (an element id → its page), read with poppler's pdfinfo; empty without it. */
function pdfDestinations(pdf: string): Record<string, number> {
  const run = spawnSync("pdfinfo", ["-dests", pdf], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.error || run.status !== 0) return {};
  return Object.fromEntries(Array.from(run.stdout.matchAll(/^\s*(\d+)\s+\[[^\]]*\]\s+"([^"]+)"$/gm), (m) => [m[2], Number(m[1])]));
}

/** Prints `html` to `pdf` with headless Chromium, with the document outline (bookmarks) from the headings. */
function printPdf(chromium: string, html: string, pdf: string, outDir: string): void {
  const run = spawnSync(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${path.join(outDir, ".chromium")}`, "--no-pdf-header-footer", "--generate-pdf-document-outline", "--virtual-time-budget=20000", `--print-to-pdf=${pdf}`, "file://" + html], { encoding: "utf8" });
  fs.rmSync(path.join(outDir, ".chromium"), { recursive: true, force: true });
  if (run.status !== 0 || !fs.existsSync(pdf)) throw new Error(`Chromium could not print the PDF:\n${run.stderr}`);
}

export function chromiumPath(): string | undefined {
  return ["chromium", "chromium-browser", "google-chrome"].find((c) => !spawnSync(c, ["--version"], { encoding: "utf8" }).error);
}

/** Renders `_quarto.yml`'s book into `<project>/<output-dir>` (default `_book/`). */
export function renderBook(options: { projectDir?: string; pdf?: boolean; log?: (line: string) => void } = {}): BookResult {
  const projectDir = options.projectDir ?? PROJECT_ROOT;
  const log = options.log ?? console.log;
  const config = readQuarto(path.join(projectDir, "_quarto.yml"));
  const outDir = path.join(projectDir, config.project?.["output-dir"] ?? "_book");
  const entries = [...flatten(config.book?.chapters ?? []), ...(config.book?.appendices ?? []).map((file) => ({ file, part: "Appendices" }))];
  if (entries.length === 0) throw new Error(`${path.join(projectDir, "_quarto.yml")}: book.chapters lists no chapter.`);
  const bibliography = [config.bibliography ?? []].flat().map((b) => path.join(projectDir, b));
  const info: BookInfo = {
    title: config.book?.title ?? "Untitled",
    subtitle: config.book?.subtitle,
    author: [config.book?.author ?? []].flat().join(", "),
    date: config.book?.date === "last-modified" || !config.book?.date ? new Date().toISOString().slice(0, 10) : config.book.date,
    pdf: undefined,
  };
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  let chapter = 0;
  const pages: Page[] = entries.map(({ file, part }) => {
    const source = path.join(projectDir, file);
    if (!fs.existsSync(source)) throw new Error(`_quarto.yml lists ${file}, which does not exist.`);
    const output = file.replace(/\.(qmd|md|ipynb)$/, ".html");
    const stem = path.basename(file).replace(/\.\w+$/, "");
    const markdown = file.endsWith(".ipynb")
      ? (interactive: boolean, figureDir: string, figureHref: string) => notebookToMarkdown(JSON.parse(fs.readFileSync(source, "utf8")) as NotebookJson, { interactive, figureDir, figureHref, stem, codeFold: config.format?.html?.["code-fold"] })
      : () => ({ markdown: stripFrontMatter(fs.readFileSync(source, "utf8")), hasPlotly: false });
    const plain = markdown(false, path.join(outDir, ".scratch"), "figures").markdown;
    const heading = firstHeading(plain);
    if (!heading) throw new Error(`${file}: a chapter must start with a level-1 heading (# Title).`);
    // Appendices (Quarto letters them) are not numbered as chapters here.
    const number = unnumbered(plain) || part === "Appendices" ? undefined : ++chapter;
    return { source: file, output, part, number, title: heading[1].replace(/[*_`]/g, ""), plain, markdown };
  });
  fs.rmSync(path.join(outDir, ".scratch"), { recursive: true, force: true });

  const index: CrossrefIndex = {};
  for (const p of pages) {
    indexPage(p.plain, p.output, p.number, index);
    indexChapterTitle(p.plain, p.output, p.number, p.title, index);
  }

  const assets = path.join(outDir, "site_libs");
  copyDir(path.join(path.dirname(require.resolve("katex/package.json")), "dist"), path.join(assets, "katex"), (f) => f === "fonts" || /^katex\.min\.css$|\.woff2$/.test(f));
  fs.copyFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), path.join(assets, "plotly.min.js"));
  fs.copyFileSync(path.join(path.dirname(require.resolve("minisearch")), "..", "umd", "index.js"), path.join(assets, "minisearch.min.js"));
  for (const f of ["book.css", "book.js"]) fs.copyFileSync(path.join(__dirname, f), path.join(assets, f));
  const images = path.join(projectDir, "images");
  if (fs.existsSync(images)) copyDir(images, path.join(outDir, "images"), (f) => f !== "generated");
  for (const resource of [config.project?.resources ?? []].flat()) {
    // A folder glob (`dir/**`, as Quarto takes it) is that folder; one a build step skipped is left out.
    const rel = resource.replace(/\/\*\*?$/, "");
    const from = path.join(projectDir, rel);
    if (!fs.existsSync(from)) {
      log(`  resource ${resource}: not there, not copied`);
      continue;
    }
    fs.cpSync(from, path.join(outDir, rel), { recursive: true });
  }

  const nav: NavEntry[] = pages.map((p) => ({ title: p.title, number: p.number, output: p.output, part: p.part, notebook: p.source.endsWith(".ipynb") ? path.basename(p.source) : undefined }));
  const pageIndex = new Map(pages.map((p, i) => [p.output, i]));
  const sources = new Set(pages.map((p) => path.normalize(p.source)));
  const pdfName = info.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") + ".pdf";
  const wantPdf = options.pdf !== false;
  if (wantPdf) info.pdf = pdfName;
  const printDir = path.join(outDir, "print");
  const printBodies: string[] = [];
  let printPlotly = false;
  const search: SearchDocument[] = [];
  pages.forEach((p, i) => {
    const pageDir = path.dirname(path.join(outDir, p.output));
    fs.mkdirSync(pageDir, { recursive: true });
    const root = path.relative(pageDir, outDir);
    const rootPrefix = root ? root + "/" : "";
    const isRefs = /\{#refs\}/.test(p.plain);
    const meta = { crossref: index, page_root: rootPrefix, output_format: "html", ...(isRefs ? { nocite: "@*" } : {}) };
    const web = p.markdown(true, path.join(pageDir, "figures"), "figures");
    const body = sourceLinks(finishBody(pandocHtml(web.markdown, p, outDir, meta, bibliography, p.number !== undefined), !isRefs), path.dirname(p.source), sources);
    fs.writeFileSync(path.join(outDir, p.output), webPage({ info, nav, current: i, body, rootPrefix, plotly: web.hasPlotly }));
    if (nav[i].notebook) fs.copyFileSync(path.join(projectDir, p.source), path.join(pageDir, nav[i].notebook!));
    search.push(...searchDocuments(body, p.output, nav[i].number !== undefined ? `${nav[i].number} ${p.title}` : p.title, search.length));
    if (wantPdf) {
      const print = p.markdown(false, path.join(printDir, "figures"), "figures");
      printPlotly ||= print.hasPlotly;
      const html = sourceLinks(finishBody(pandocHtml(print.markdown, p, outDir, { ...meta, output_format: "pdf" }, bibliography, p.number !== undefined), !isRefs), path.dirname(p.source), sources).replace(/src="figures\//g, `src="${path.relative(pageDir, printDir)}/figures/`);
      const chapterBody = printBody(html, i, pageDir, outDir, printDir, pageIndex);
      nav[i].sections = pageHeadings(chapterBody).filter((h) => h.level === 2 && h.id !== `c${i}-references`).map((h) => ({ id: h.id, title: h.title }));
      printBodies.push(`<section class="chapter" id="chapter-${i}">${chapterBody}</section>`);
    }
    log(`  page ${p.output}`);
  });
  fs.writeFileSync(path.join(assets, "search-index.js"), searchIndexScript(search));

  let pdf: string | undefined;
  if (wantPdf) {
    const printHtml = path.join(printDir, "book.html");
    const chromium = chromiumPath();
    if (!chromium) throw new Error("No Chromium for the PDF: run npm run setup (apt-get install chromium), or render with --no-pdf.");
    pdf = path.join(outDir, pdfName);
    // The first print tells on which page each chapter and section starts (for the contents) and which
    // figures were pushed to a page of their own (they are fitted into the room they left); print again
    // until the layout holds still.
    const fits = new Map<string, number>();
    const natural = new Map<string, number>();
    let pages: Record<string, number> | undefined;
    for (let pass = 1; ; pass++) {
      fs.writeFileSync(printHtml, printPage({ info, nav, bodies: printBodies.map((b) => applyFits(b, fits)), plotly: printPlotly, pages }));
      printPdf(chromium, printHtml, pdf, outDir);
      const printed = pdfDestinations(pdf);
      const chapterStarts = new Set(Object.entries(printed).filter(([id]) => /^chapter-\d+$/.test(id)).map(([, page]) => page));
      const more = pass <= 3 ? [...figureFits(pdfTextBlocks(pdf), chapterStarts, natural)] : [];
      const moved = Object.keys(printed).some((id) => printed[id] !== pages?.[id]);
      if ((more.length === 0 && !moved) || Object.keys(printed).length === 0 || pass === 5) break;
      for (const [n, h] of more) fits.set(n, h);
      pages = printed;
    }
    if (fits.size > 0) log(`  PDF: ${fits.size} figure(s) fitted into the room left above them (${[...fits.keys()].join(", ")})`);
    log(`PDF: ${pdf}`);
  }
  const html = path.join(outDir, pages[0].output === "index.html" ? "index.html" : pages[0].output);
  log(`HTML: ${html}`);
  return { html, pdf, pages: pages.length };
}
