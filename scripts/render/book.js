// The book's few behaviours on the web: light/dark switch, "On this page" folded on phones, copy buttons
// on code, and full-text search (MiniSearch over an index written by the renderer, loaded on first use
// with <script> tags so it works from file:// without a server or a network).
(function () {
  "use strict";
  const root = document.body.dataset.root || "";
  const html = document.documentElement;

  const theme = () => html.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  for (const button of document.querySelectorAll(".theme-toggle")) {
    button.addEventListener("click", () => {
      html.dataset.theme = theme() === "dark" ? "light" : "dark";
      try { localStorage.setItem("book-theme", html.dataset.theme); } catch (e) { /* private mode: the choice lasts this page */ }
    });
  }

  if (matchMedia("(max-width: 900px)").matches) for (const toc of document.querySelectorAll("details.page-toc")) toc.open = false;
  // Following a link in the opened chapter list closes it (a same-page anchor would otherwise leave it over the text).
  const navToggle = document.getElementById("nav-toggle");
  for (const a of document.querySelectorAll(".sidebar a")) a.addEventListener("click", () => { if (navToggle) navToggle.checked = false; });

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // file:// pages may not get the clipboard API: fall back to a selection.
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
  }
  for (const block of document.querySelectorAll("div.sourceCode")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the code");
    button.addEventListener("click", async () => {
      await copy(block.querySelector("code").innerText);
      button.textContent = "Copied";
      setTimeout(() => (button.textContent = "Copy"), 1500);
    });
    block.prepend(button);
  }

  const input = document.getElementById("search-input");
  const results = document.getElementById("search-results");
  if (!input || !results) return;
  let engine;
  const script = (src) => new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error("cannot load " + src));
    document.head.appendChild(s);
  });
  function load() {
    engine = engine || script(root + "site_libs/minisearch.min.js").then(() => script(root + "site_libs/search-index.js")).then(() => {
      const search = new window.MiniSearch({ fields: ["title", "text"], storeFields: ["title", "href", "text"], searchOptions: { boost: { title: 3 }, prefix: true, fuzzy: 0.15, combineWith: "AND" } });
      search.addAll(window.BOOK_SEARCH_INDEX);
      return search;
    });
    return engine;
  }
  const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  function snippet(text, terms) {
    const lower = text.toLowerCase();
    const found = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0);
    const at = found.length ? Math.min(...found) : 0;
    const start = Math.max(0, at - 60);
    let out = escape((start > 0 ? "…" : "") + text.slice(start, start + 180) + (start + 180 < text.length ? "…" : ""));
    for (const t of terms) if (t.length > 1) out = out.replace(new RegExp("(" + t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "gi"), "<mark>$1</mark>");
    return out;
  }
  let pending = 0;
  async function show() {
    const query = input.value.trim();
    const ticket = ++pending;
    if (!query) {
      results.innerHTML = "";
      return;
    }
    const search = await load();
    if (ticket !== pending) return;
    const hits = search.search(query).slice(0, 10);
    const terms = [...new Set(hits.flatMap((h) => h.terms))];
    results.innerHTML = hits.length
      ? hits.map((h) => `<li><a href="${root}${h.href}">${escape(h.title)}</a><p>${snippet(h.text, terms)}</p></li>`).join("")
      : `<li class="search-none">No match for “${escape(query)}”.</li>`;
  }
  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", show);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      input.value = "";
      show();
    }
  });
})();
