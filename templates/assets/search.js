// Chinese search over Pagefind's extended (segmented) index.
// Pagefind segments the pages but not the query, so a typed phrase is segmented here with
// Intl.Segmenter, searched as words, and each candidate page is then checked to contain every
// typed term as written: a phrase finds exactly the pages that contain it and an absent term
// finds nothing. 文号 match whatever brackets are typed (〔2022〕, [2022], (2022) or none).
// Results are ranked: an exact 文号 or 索引号 first, then pages whose title holds every term, then
// the rest; within each, 现行有效 before 废止/失效, then the pages that use the terms most.
// Excerpts are cut around the typed terms and mark them; they are built as DOM text, never as HTML.
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const filterBox = document.getElementById("search-filters");
const bundle = form.dataset.bundle;
const siteName = form.dataset.site || "";
const FILTERS = ["类别", "发布机构", "年份", "主题分类", "有效性"];
const BATCH = 10; // results a page shows: each costs the phone its fragment
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

// The index is in small bundles, newest first (pagefind/bundles.json); each bundle searched costs
// the phone its metadata and an index chunk for every word, so a query searches the newest bundles
// (at least `front` pages) and the bundles of any year it names (a 文号 or 索引号 carries its year),
// and older bundles a few at a time, only while those give fewer results than a page shows.
// Pagefind starts on pagefind/core/ (its script, its WebAssembly and an index that matches nothing).
let listing = null;
const merged = new Set();
const WIDEN = 4; // older bundles a page of results may add before it asks to search on

/** bundles.json: the bundles, newest first ({name, pages, years}), and the site's filter counts. */
async function bundles() {
  if (!listing) {
    listing = fetch(bundle + "bundles.json")
      .then((response) => response.json())
      .then((data) => ({
        ...data,
        bundles: data.bundles.map(([name, pages, first, last]) => ({ name, pages, years: first === null ? null : [first, last] })),
      }));
  }
  return listing;
}

/** Pagefind, started on pagefind/core/ (in the page's thread: a worker would cost a download). */
async function load() {
  if (!pagefind) {
    pagefind = (async () => {
      const pf = await import(bundle + "core/pagefind.js");
      await pf.options({ baseUrl: new URL(bundle + "../", location.href).pathname, noWorker: true });
      await pf.init();
      return pf;
    })();
  }
  return pagefind;
}

/** Merge the bundles `wanted` picks that are not merged yet (at most `most`); returns how many. */
async function merge(pf, wanted, most = Infinity) {
  const { bundles: all } = await bundles();
  const baseUrl = new URL(bundle + "../", location.href).pathname;
  const adding = all.filter((b) => !merged.has(b.name) && wanted(b)).slice(0, most);
  for (const b of adding) merged.add(b.name);
  await Promise.all(adding.map((b) => pf.mergeIndex(bundle + b.name + "/", { baseUrl })));
  return adding.length;
}

/** Years a query or the 年份 filter names: a 文号 〔2019〕, a 索引号 …/2019-00002, 2019年. */
export function namedYears(query, filters = {}) {
  const years = [...((query || "").normalize("NFKC").match(/(?<!\d)(?:19|20)\d\d(?!\d)/g) || [])].map(Number);
  if (filters["年份"]) years.push(Number(filters["年份"]));
  return years;
}

/** The bundles a new query starts with: the newest ones (at least `front` pages) and those of named years. */
async function start(pf, years) {
  const { bundles: all, front: least } = await bundles();
  let pages = 0;
  const front = new Set();
  for (const b of all) {
    if (pages >= least) break;
    front.add(b.name);
    pages += b.pages;
  }
  const named = (b) => b.years && years.some((y) => b.years[0] <= y && y <= b.years[1]);
  await merge(pf, (b) => front.has(b.name) || named(b));
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n >>> 0;
});

/** Which file of pagefind/ids/ holds an identifier: the CRC-32 of its UTF-8 (as search_index.id_file). */
export function idFile(key, files) {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(key)) crc = CRC[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return ((crc ^ 0xffffffff) >>> 0) % files;
}

/** The bundles holding a page whose 文号 or 索引号 is the whole query (pagefind/ids/), or null. */
async function identified(query) {
  const { ids } = await bundles();
  const key = normalize(query);
  if (!ids || !key || !namedYears(query).length) return null;
  const response = await fetch(bundle + "ids/" + idFile(key, ids) + ".json");
  return response.ok ? (await response.json())[key] || null : null;
}

/** Whether a bundle can hold pages of the chosen 年份 (every bundle can when none is chosen). */
function holdsYear(b, filters) {
  const year = Number(filters["年份"]);
  return !year || !b.years || (b.years[0] <= year && year <= b.years[1]);
}

/** Merge the next older bundle that can hold results; false when there is none left. */
async function widen(pf, filters) {
  return (await merge(pf, (b) => holdsYear(b, filters), 1)) > 0;
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
 * page can lack one of our words as a word of its own and still contain the phrase). Pages in
 * `seen` (found before more bundles were merged) are left out; the new ones are added to it.
 */
async function candidates(pf, query, filters, seen = new Set()) {
  const found = [];
  const words = queryWords(query);
  const tries = [words.join(" "), terms(query).join(" "), ...(words.length > 1 ? words : [])];
  for (const text of tries) {
    if (!text) continue;
    const response = await pf.search(text, { filters });
    for (const result of response.results) {
      if (!seen.has(result.id)) {
        seen.add(result.id);
        found.push(result);
      }
    }
  }
  return found;
}

/** A result's address: the page's `href` meta (the index is built from files named by number). */
function located(data) {
  return { ...data, url: data.meta.href };
}

const STALE = new Set(["废止", "失效"]);

function occurrences(text, term) {
  let count = 0;
  for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) count++;
  return count;
}

/**
 * How well a page matches, as a sort key (smaller first): [tier, stale, -uses].
 * tier 0: the whole query is the page's 文号 or 索引号; 1: the title holds every term; 2: the text holds
 * them; uses: how often the text uses the terms. The site's own name, which every annual report's
 * title carries, counts for neither: a search for 政务公开 on 政务公开示例网站 is not about the reports.
 * Returns null when the page lacks a term (Pagefind found it by other words or by a prefix).
 */
export function rank(data, wanted, site = siteName) {
  const meta = data.meta || {};
  const body = normalize(data.content);
  const haystack = normalize([meta.title, meta.doc_no, meta.index_no].join(" ")) + body;
  if (!wanted.every((term) => haystack.includes(term))) return null;
  const own = (text) => (site ? text.split(normalize(site)).join("\u0000") : text);
  const title = own(normalize(meta.title));
  const whole = wanted.join("");
  const ids = [meta.doc_no, meta.index_no].map(normalize).filter(Boolean);
  const tier = ids.includes(whole) ? 0 : wanted.every((term) => title.includes(term)) ? 1 : 2;
  const uses = wanted.reduce((sum, term) => sum + occurrences(own(body), term), 0);
  return [tier, STALE.has(meta.validity) ? 1 : 0, -uses];
}

function compareRanks(a, b) {
  for (let i = 0; i < a.rank.length; i++) if (a.rank[i] !== b.rank[i]) return a.rank[i] - b.rank[i];
  return a.order - b.order;
}

/**
 * Search like the page does. Returns {results, checked, rest}: `rest` continues the search (pass it
 * back as `start` for the next page), null when nothing is left. `all` searches every bundle and
 * checks every candidate (the search-quality test uses it); otherwise checking stops once `limit`
 * results are found, and older bundles are merged only while the ones searched give too few.
 */
export async function search(query, { filters = {}, all = false, limit = BATCH, start: from = null } = {}) {
  const pf = await load();
  const wanted = terms(query);
  if (!wanted.length && !Object.keys(filters).length) return { results: [], checked: 0, rest: null };
  const state = from || { queue: [], seen: new Set(), order: 0, widen: WIDEN };
  if (!from) {
    const owners = all || !wanted.length ? null : await identified(query);
    if (all || !wanted.length) await merge(pf, (b) => holdsYear(b, filters));
    else if (owners) await merge(pf, (b) => owners.includes(b.name));
    else await start(pf, namedYears(query, filters));
    // a 文号 or 索引号 found: its page comes first; the pages citing it wait for the citizen
    if (owners) state.widen = 0;
    state.queue = await fresh(pf, query, filters, state.seen);
  } else state.widen = WIDEN;
  const results = [];
  let checked = 0;
  let widened = 0;
  for (;;) {
    while (state.queue.length && (all || (results.length < limit && checked < CHECK_LIMIT))) {
      const step = all ? BATCH : Math.max(1, limit - results.length);
      const chunk = state.queue.splice(0, step);
      for (const data of await Promise.all(chunk.map((r) => r.data()))) {
        const order = state.order++;
        const found = !data.meta.href ? null : wanted.length ? rank(data, wanted) : [0, 0, 0];
        if (found) results.push({ ...located(data), rank: found, order, terms: wanted });
      }
      checked += chunk.length;
    }
    if (state.queue.length || (!all && (results.length >= limit || checked >= CHECK_LIMIT))) break;
    if (!all && widened >= state.widen) break; // light steps: the citizen asks for the older bundles
    if (!(await widen(pf, filters))) break;
    widened++;
    state.queue = await fresh(pf, query, filters, state.seen);
  }
  // Pagefind's order (its weights put 文号 and titles high) decides which pages are checked first;
  // the checked ones are shown in rank order.
  results.sort(compareRanks);
  const left = state.queue.length || (await bundles()).bundles.some((b) => !merged.has(b.name) && holdsYear(b, filters));
  return { results, checked, rest: left ? state : null };
}

/** Candidates from the bundles merged so far that were not found before. */
async function fresh(pf, query, filters, seen) {
  if (terms(query).length) return candidates(pf, query, filters, seen);
  const found = (await pf.search(null, { filters })).results.filter((r) => !seen.has(r.id));
  for (const r of found) seen.add(r.id);
  return found;
}

const WINDOW_BEFORE = 30;
const WINDOW_AFTER = 60;

/** Where each typed term occurs in `text`, as [start, end) in the original text, merged and sorted. */
export function spans(text, wanted) {
  let flat = "";
  const from = [];
  const to = [];
  let at = 0;
  for (const ch of text) {
    const reduced = normalize(ch);
    for (let k = 0; k < reduced.length; k++) { from.push(at); to.push(at + ch.length); }
    flat += reduced;
    at += ch.length;
  }
  const found = [];
  for (const term of wanted) {
    for (let i = flat.indexOf(term); i !== -1; i = flat.indexOf(term, i + term.length)) {
      found.push([from[i], to[i + term.length - 1]]);
    }
  }
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged = [];
  for (const span of found) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

/** Nodes for `text` with the given spans wrapped in <mark> (text nodes only: nothing is parsed). */
function marked(text, marks) {
  const nodes = [];
  let at = 0;
  for (const [start, end] of marks) {
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    nodes.push(mark);
    at = end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

/**
 * Pagefind's excerpt (HTML in which it marks words) reduced to text and <mark>: every other tag is
 * dropped, keeping its text; scripts, styles and attributes never survive. DOMParser runs nothing.
 */
export function safeExcerpt(html) {
  const nodes = [];
  const walk = (parent) => {
    for (const node of parent.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) nodes.push(document.createTextNode(node.data));
      else if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        nodes.push(mark);
      } else if (node.nodeType === Node.ELEMENT_NODE && !["SCRIPT", "STYLE", "TEMPLATE"].includes(node.nodeName)) walk(node);
    }
  };
  walk(new DOMParser().parseFromString(html || "", "text/html").body);
  return nodes;
}

/** The excerpt shown under a result: the page's text around the first typed term, terms marked. */
export function excerptNodes(result) {
  // Pagefind joins blocks with ". ", which in Chinese text reads as a stray full stop.
  const text = (result.content || "").replace(/\u200b/g, "").replace(/(?<=[\u3000-\u9fff\uff00-\uffef])\. /g, " ");
  const marks = result.terms && result.terms.length ? spans(text, result.terms) : [];
  if (!marks.length) return safeExcerpt(result.excerpt);
  const start = Math.max(0, marks[0][0] - WINDOW_BEFORE);
  let end = Math.min(text.length, marks[0][1] + WINDOW_AFTER);
  for (const [s, e] of marks) if (s < end && e > end) end = e;
  const inside = marks.filter(([s]) => s < end).map(([s, e]) => [s - start, e - start]);
  const nodes = marked(text.slice(start, end), inside);
  if (start > 0) nodes.unshift(document.createTextNode("…"));
  if (end < text.length) nodes.push(document.createTextNode("…"));
  return nodes;
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
    text.className = "excerpt";
    text.append(...excerptNodes(result));
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
  more.hidden = !pending;
  // fewer than a page: the newer bundles are searched, the older ones wait for the citizen
  const older = pending && found.results.length < BATCH;
  more.textContent = older ? "继续搜索其余信息" : "显示更多结果";
  if (!shown && !pending) statusLine.textContent = "没有找到相关信息。可以换个说法，或按栏目浏览。";
  else if (older) statusLine.textContent = `已找到 ${shown} 条结果，其余信息还未搜索`;
  else if (pending) statusLine.textContent = `已显示 ${shown} 条结果，还有更多`;
  else statusLine.textContent = `找到 ${shown} 条结果`;
}

/** The filter menus, from the counts bundles.json carries (no bundle is loaded for them). */
async function buildFilters() {
  if (!filterBox) return;
  const available = (await bundles()).filters || {};
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
window.discloseSearch = { search, idFile, normalize, terms, queryWords, namedYears, rank, spans, safeExcerpt, excerptNodes };
input.addEventListener("focus", () => load(), { once: true }); // start Pagefind while the query is typed
buildFilters();
const initial = new URLSearchParams(location.search).get("q");
if (initial) { input.value = initial; run(initial); }
