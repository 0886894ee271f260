/**
 * The book's full-text search index: one document per section (h2/h3) of every page, as plain text.
 * book.js feeds them to MiniSearch in the browser; the file is a script (not JSON) so a book opened
 * from file:// can load it, where fetch() is refused.
 */
import { pageHeadings } from "./page";

export interface SearchDocument {
  id: number;
  /** "Chapter title › Section title". */
  title: string;
  /** From the book root, with the section's anchor. */
  href: string;
  text: string;
}

const decode = (s: string) => s.replace(/&nbsp;|&#160;/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** Visible text of an HTML fragment: no scripts (plotly specs), no second copy of formulas (KaTeX's MathML). */
export function plainText(html: string): string {
  const stripped = html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<math[\s\S]*?<\/math>/g, " ")
    .replace(/<[^>]+>/g, " ");
  return decode(stripped).replace(/\s+/g, " ").trim();
}

/** Splits a page body at its headings into search documents; ids continue from `firstId`. */
export function searchDocuments(body: string, output: string, pageTitle: string, firstId: number): SearchDocument[] {
  const headings = pageHeadings(body);
  const cuts = headings.map((h) => ({ ...h, at: body.lastIndexOf("<", body.search(new RegExp(`id="${h.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`))) })).filter((h) => h.at > 0).sort((a, b) => a.at - b.at);
  const parts = [{ id: "", title: "", at: 0 }, ...cuts];
  return parts
    .map((p, i) => ({
      title: p.title ? `${pageTitle} › ${p.title}` : pageTitle,
      href: p.id ? `${output}#${p.id}` : output,
      text: plainText(body.slice(p.at, parts[i + 1]?.at ?? body.length)),
    }))
    .filter((d) => d.text)
    .map((d, i) => ({ id: firstId + i, ...d }));
}

/** The index as a script for the page. */
export function searchIndexScript(docs: SearchDocument[]): string {
  return `window.BOOK_SEARCH_INDEX = ${JSON.stringify(docs).replace(/</g, "\\u003c")};\n`;
}
