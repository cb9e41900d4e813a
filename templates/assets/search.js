// Search with Pagefind (extended build, Chinese segmentation). Pagefind segments the index but
// not the query, so the typed phrase is segmented here with Intl.Segmenter and every word must
// match; 文号 brackets in any form are reduced to the words Pagefind indexed.
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const bundle = form.dataset.bundle;
let pagefind = null;

export function queryWords(text) {
  const cleaned = text.normalize("NFKC").replace(/[\[\]()（）【】〔〕［］「」《》“”"',，。、:：;；!?！？\s]+/g, " ").trim();
  if (!cleaned) return [];
  const words = [];
  const segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "word" }) : null;
  for (const part of cleaned.split(" ")) {
    if (!segmenter) { words.push(part); continue; }
    for (const piece of segmenter.segment(part)) {
      if (piece.isWordLike) words.push(piece.segment);
    }
  }
  return words;
}

async function load() {
  if (!pagefind) {
    pagefind = await import(bundle + "pagefind.js");
    await pagefind.options({ baseUrl: document.querySelector("link[rel=canonical]") ? new URL(bundle + "../", location.href).pathname : "/" });
    pagefind.init();
  }
  return pagefind;
}

function render(results) {
  list.replaceChildren();
  for (const result of results) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = result.url;
    a.textContent = result.meta.title || result.url;
    li.append(a);
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [result.meta.doc_no, result.meta.issuer, result.meta.date].filter(Boolean).join(" · ");
    li.append(meta);
    list.append(li);
  }
}

export async function search(text) {
  const words = queryWords(text);
  if (!words.length) { list.replaceChildren(); status.textContent = ""; return []; }
  const pf = await load();
  const found = await pf.search(words.join(" "));
  const data = await Promise.all(found.results.map((r) => r.data()));
  return data;
}

async function run(text) {
  status.textContent = "正在搜索…";
  const data = await search(text);
  render(data);
  status.textContent = data.length ? `找到 ${data.length} 条结果` : "没有找到相关信息。";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  history.replaceState(null, "", "?q=" + encodeURIComponent(text));
  run(text);
});
const initial = new URLSearchParams(location.search).get("q");
if (initial) { input.value = initial; run(initial); }
