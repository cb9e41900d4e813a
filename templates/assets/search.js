// Chinese search over Pagefind's extended (segmented) index.
// Pagefind segments the pages but not the query, so a typed phrase is segmented here with
// Intl.Segmenter, searched as words, and each candidate page is then checked to contain every
// typed term as written: a phrase finds exactly the pages that contain it and an absent term
// finds nothing. 文号 match whatever brackets are typed (〔2022〕, [2022], (2022) or none).
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const filterBox = document.getElementById("search-filters");
const bundle = form.dataset.bundle;
const FILTERS = ["类别", "发布机构", "年份", "主题分类", "有效性"];
const BATCH = 20;
const CHECK_LIMIT = 200; // candidates checked per step, so an old phone never loads the whole index
let pagefind = null;
let pending = null;

const STRIP = /[\u200b\s\[\]()（）【】〔〕［］「」《》<>“”"'‘’,，.。、:：;；!！?？·・\-—_]/g;

/** Text reduced to what matching compares: NFKC, lower case, no spaces, brackets or punctuation. */
export function normalize(text) {
  return (text || "").normalize("NFKC").toLowerCase().replace(STRIP, "");
}

/** The terms a citizen typed (space separated), each reduced by normalize(). */
export function terms(query) {
  return (query || "").normalize("NFKC").split(/\s+/).map(normalize).filter(Boolean);
}

/** Words to hand Pagefind: every term segmented as Chinese words. */
export function queryWords(query) {
  const segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "word" }) : null;
  const words = [];
  for (const term of terms(query)) {
    if (!segmenter) { words.push(term); continue; }
    for (const piece of segmenter.segment(term)) if (piece.isWordLike) words.push(piece.segment);
  }
  return words;
}

/** Pagefind, with every bundle of the site's index merged in (bundles.json lists them). */
async function load() {
  if (!pagefind) {
    const { bundles } = await (await fetch(bundle + "bundles.json")).json();
    const baseUrl = new URL(bundle + "../", location.href).pathname;
    pagefind = await import(bundle + bundles[0] + "/pagefind.js");
    await pagefind.options({ baseUrl });
    await pagefind.init();
    await Promise.all(bundles.slice(1).map((name) => pagefind.mergeIndex(bundle + name + "/", { baseUrl })));
  }
  return pagefind;
}

function selectedFilters() {
  const chosen = {};
  for (const select of filterBox ? filterBox.querySelectorAll("select") : []) {
    if (select.value) chosen[select.name] = select.value;
  }
  return chosen;
}

/**
 * Candidate results, most likely first: all segmented words together, the typed text as is, then
 * each word alone (the index may have cut the phrase into other words than the browser did, so a
 * page can lack one of our words as a word of its own and still contain the phrase).
 */
async function candidates(pf, query, filters) {
  const seen = new Map();
  const words = queryWords(query);
  const tries = [words.join(" "), terms(query).join(" "), ...(words.length > 1 ? words : [])];
  for (const text of tries) {
    if (!text) continue;
    const found = await pf.search(text, { filters });
    for (const result of found.results) if (!seen.has(result.id)) seen.set(result.id, result);
  }
  return [...seen.values()];
}

/** A result's address: the page's `href` meta (the index is built from files named by number). */
function located(data) {
  return { ...data, url: data.meta.href || data.url };
}

function contains(data, wanted) {
  const haystack = normalize([data.meta.title, data.meta.doc_no, data.content].join(" "));
  return wanted.every((term) => haystack.includes(term));
}

/**
 * Search like the page does. Returns {results, checked, total}; `all` checks every candidate
 * (the search-quality test uses it), otherwise checking stops once `limit` results are found.
 */
export async function search(query, { filters = {}, all = false, limit = BATCH, start = null } = {}) {
  const pf = await load();
  const wanted = terms(query);
  if (!wanted.length) {
    if (!Object.keys(filters).length) return { results: [], checked: 0, total: 0, rest: [] };
    const found = await pf.search(null, { filters });
    const results = (await Promise.all(found.results.slice(0, all ? undefined : limit).map((r) => r.data()))).map(located);
    return { results, checked: results.length, total: found.results.length, rest: found.results.slice(results.length) };
  }
  const queue = start || (await candidates(pf, query, filters));
  const results = [];
  let index = 0;
  while (index < queue.length && (all || (results.length < limit && index < CHECK_LIMIT))) {
    const chunk = queue.slice(index, index + BATCH);
    index += chunk.length;
    for (const data of await Promise.all(chunk.map((r) => r.data()))) if (contains(data, wanted)) results.push(located(data));
  }
  return { results, checked: index, total: null, rest: queue.slice(index) };
}

function excerpt(html) {
  // Pagefind's excerpt is HTML with <mark>; DOMParser documents never run scripts.
  return new DOMParser().parseFromString(html || "", "text/html").body.textContent;
}

function show(results, append) {
  if (!append) list.replaceChildren();
  for (const result of results) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = result.url;
    a.textContent = result.meta.title || result.url;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [result.meta.doc_no, result.meta.issuer, result.meta.date].filter(Boolean).join(" · ");
    const text = document.createElement("p");
    text.textContent = excerpt(result.excerpt);
    li.append(a, meta, text);
    list.append(li);
  }
}

async function run(query, append = false) {
  statusLine.textContent = "正在搜索…";
  const found = await search(query, { filters: selectedFilters(), start: append ? pending : null });
  pending = found.rest;
  show(found.results, append);
  const shown = list.children.length;
  more.hidden = !pending.length;
  if (!shown) statusLine.textContent = "没有找到相关信息。可以换个说法，或按栏目浏览。";
  else if (pending.length) statusLine.textContent = `已显示 ${shown} 条结果，还有更多`;
  else statusLine.textContent = `找到 ${shown} 条结果`;
}

async function buildFilters() {
  if (!filterBox) return;
  const pf = await load();
  const available = await pf.filters();
  for (const name of FILTERS) {
    const values = available[name];
    if (!values || !Object.keys(values).length) continue;
    const label = document.createElement("label");
    label.textContent = name;
    const select = document.createElement("select");
    select.name = name;
    select.append(new Option("全部", ""));
    for (const value of Object.keys(values).sort().reverse()) select.append(new Option(`${value}（${values[value]}）`, value));
    select.addEventListener("change", () => run(input.value));
    label.append(select);
    filterBox.append(label);
  }
  filterBox.hidden = false;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
  run(input.value);
});
more.addEventListener("click", () => run(input.value, true));
window.discloseSearch = { search, normalize, terms, queryWords };
buildFilters();
const initial = new URLSearchParams(location.search).get("q");
if (initial) { input.value = initial; run(initial); }
