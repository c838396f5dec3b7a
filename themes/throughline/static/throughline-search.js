// throughline's search page: Pagefind's index, searched as the reader
// submits the form (not on every key press, so screen readers are not
// flooded), results announced through a status message, the address
// updated so a search can be shared and the back button works.
const form = document.querySelector("form[data-search-bundle]");
if (form) {
  const bundle = form.dataset.searchBundle;
  const input = form.querySelector("input[type=search]");
  const box = document.querySelector(".search-results");
  const heading = document.getElementById("search-results-heading");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const nojs = document.querySelector(".search-nojs");
  form.hidden = false;
  if (nojs) nojs.hidden = true;
  let pagefind = null;

  const load = async () => {
    if (!pagefind) {
      pagefind = await import(bundle + "pagefind.js");
      await pagefind.options({ baseUrl: "/" });
    }
    return pagefind;
  };

  const show = async (query, moveFocus) => {
    list.replaceChildren();
    box.hidden = false;
    if (!query.trim()) {
      status.textContent = "Type a word to search for.";
      return;
    }
    status.textContent = "Searching…";
    let found;
    try {
      const pf = await load();
      const search = await pf.search(query);
      found = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
    } catch (e) {
      status.textContent = "Search is not working at the moment. Try the A to Z of pages below.";
      return;
    }
    for (const r of found) {
      const li = document.createElement("li");
      li.className = "search-results__item";
      const h = document.createElement("h3");
      h.className = "search-results__title";
      const a = document.createElement("a");
      a.href = r.url;
      a.textContent = (r.meta && r.meta.title) || r.url;
      h.append(a);
      const p = document.createElement("p");
      // Pagefind's excerpt is plain text with <mark> around the matches.
      p.innerHTML = r.excerpt;
      li.append(h, p);
      list.append(li);
    }
    const n = found.length;
    status.textContent =
      n === 0
        ? `No pages found for “${query}”. Check the spelling, or try a different word.`
        : `${n}${n === 20 ? " or more" : ""} page${n === 1 ? "" : "s"} found for “${query}”.`;
    if (moveFocus) heading.focus();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value;
    const url = new URL(window.location.href);
    url.searchParams.set("q", q);
    history.pushState({ q }, "", url);
    show(q, true);
  });
  window.addEventListener("popstate", () => {
    const q = new URL(window.location.href).searchParams.get("q") || "";
    input.value = q;
    if (q) show(q, false);
    else box.hidden = true;
  });
  const initial = new URL(window.location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    show(initial, false);
  }
}
