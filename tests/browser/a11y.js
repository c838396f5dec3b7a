// The accessibility gate: every HTML page of a built site, in Chromium.
//
//   node a11y.js SITE_DIR PORT [--skip PATH_PREFIX]...
//
// (--skip leaves out pages a test fixture renders with its own test
// templates, which are not themes and are not meant to pass.)
// SITE_DIR must have been built with `--base-url http://127.0.0.1:PORT`.
// For each page, at 1280 and at 320 CSS px wide:
//   - axe-core finds no WCAG 2.0–2.2 A or AA violation;
//   - nothing scrolls sideways (WCAG 1.4.10 reflow; a wide table scrolls
//     inside its own region instead);
//   - the plan on a page fits, or scrolls in a region Tab reaches, named
//     by its caption, with a cue at its edge that a screenshot shows;
//   - a chart's text is drawn at least 11 px high at that width;
//   - a chart of several series draws each differently in more than colour
//     (line style and marker shape), names each in it, inside the picture,
//     and its table has a column per series;
// and at 1280:
//   - <html lang> is set, there is one h1, headings do not skip levels;
//   - the first focusable element is a skip link to <main>;
//   - every chart (svg[role=img]) has a name and a description that exist;
//   - on a page with the plan on a page, every cell has a name that says
//     what it means;
//   - every status badge is read as its status word alone (from Chromium's
//     accessibility tree: no shape glyph, nothing left to colour);
//   - the first Tab lands on the skip link, and it is visibly focused;
//   - Tab on through every stop to the end of the page: focus is visible
//     on each;
// and the Nu HTML Checker (vnu, with the machine's Java) finds no errors
// in any page.
// `--min-series-charts N` fails unless at least N charts of several series
// were seen (so the check above is known to have run).
// Exits 1 listing every failure.
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { chromium } = require("playwright-core");
const { PNG } = require("pngjs");
const { serve } = require("./serve");

const args = process.argv.slice(2);
const skip = [];
let minSeriesCharts = 0;
{
  const at = args.indexOf("--min-series-charts");
  if (at !== -1) {
    minSeriesCharts = parseInt(args[at + 1], 10);
    args.splice(at, 2);
  }
}
for (let i = args.indexOf("--skip"); i !== -1; i = args.indexOf("--skip")) {
  skip.push(args[i + 1]);
  args.splice(i, 2);
}
const [siteDir, portArg] = args;
if (!siteDir || !portArg) {
  console.error("usage: node a11y.js SITE_DIR PORT [--skip PATH_PREFIX]...");
  process.exit(2);
}
const port = Number(portArg);
const root = path.resolve(siteDir);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Every page to check: HTML files that are not redirects. */
function pages(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pages(p));
    else if (entry.name.endsWith(".html")) {
      const html = fs.readFileSync(p, "utf8");
      if (!/http-equiv="refresh"/i.test(html)) out.push(path.relative(root, p).split(path.sep).join("/"));
    }
  }
  return out.filter((rel) => !skip.some((prefix) => rel.startsWith(prefix))).sort();
}

async function structure(page) {
  return page.evaluate(() => {
    const problems = [];
    if (!document.documentElement.lang) problems.push("<html> has no lang");
    const h1s = document.querySelectorAll("h1");
    if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements (want 1)`);
    let last = 0;
    for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
      const level = Number(h.tagName[1]);
      if (level > last + 1) {
        problems.push(`heading level skips from ${last ? "h" + last : "the start"} to h${level}: "${h.textContent.trim()}"`);
      }
      last = level;
    }
    const focusable = document.querySelector("a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])");
    const main = document.querySelector("main");
    if (!main) problems.push("no <main>");
    if (!focusable || !focusable.classList.contains("skip-link")) {
      problems.push("the first focusable element is not the skip link");
    } else if (main && focusable.getAttribute("href") !== "#" + main.id) {
      problems.push(`the skip link points at ${focusable.getAttribute("href")}, not at <main>`);
    }
    for (const svg of document.querySelectorAll("svg[role='img']")) {
      const named = (svg.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      const described = (svg.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      for (const id of [...named, ...described]) {
        const el = document.getElementById(id);
        if (!el || !el.textContent.trim()) problems.push(`chart refers to #${id}, which is missing or empty`);
      }
      if (!named.length && !svg.getAttribute("aria-label")) problems.push("a chart has no name");
      if (!described.length) problems.push("a chart has no text summary (aria-describedby)");
    }
    return problems;
  });
}

/** A chart of several series (content model §6): series that differ in
 *  line style or marker shape, not only colour; each named inside the
 *  picture (a key or direct labels, not clipped); and the table after it
 *  with a column per series. Returns the problems and how many such charts
 *  there were. */
async function seriesCharts(page) {
  return page.evaluate(() => {
    const problems = [];
    let count = 0;
    for (const figure of document.querySelectorAll("figure.tl-chart")) {
      // The drawing shown at this width (a chart may be drawn for a
      // column and for a phone, one of them hidden).
      const svg = [...figure.querySelectorAll("svg")].find((el) => el.getBoundingClientRect().width > 0);
      if (!svg) {
        problems.push(`the chart #${figure.id} shows no drawing`);
        continue;
      }
      // Its text is drawn at a readable size at this width.
      const scale = svg.getScreenCTM() ? svg.getScreenCTM().a : 1;
      const px = parseFloat(svg.getAttribute("font-size") || "16") * scale;
      if (px < 11) problems.push(`the chart #${figure.id}'s text is drawn ${px.toFixed(1)} px high: too small to read`);
      const groups = [...svg.querySelectorAll("g.tl-chart__series")];
      if (groups.length < 2) continue;
      count += 1;
      const where = `the chart #${figure.id}`;
      const looks = groups.map((g) => {
        const line = g.querySelector("path[fill='none']");
        const dash = line ? getComputedStyle(line).strokeDasharray : "no line";
        const mark = [...g.children].find((c) => c !== line);
        const shape = mark ? `${mark.tagName}:${mark.getAttribute("fill") || "filled"}` : "no marker";
        return `${dash} ${shape}`;
      });
      if (new Set(looks).size !== looks.length) problems.push(`${where}: two series are drawn alike (${looks.join(" / ")})`);
      const table = figure.parentElement.querySelector(`#${CSS.escape(figure.id)} ~ .tl-table-scroll table, #${CSS.escape(figure.id)} ~ * table`);
      if (!table) {
        problems.push(`${where}: no table follows it`);
        continue;
      }
      const names = [...table.querySelectorAll("thead th")]
        .map((th) => th.textContent.trim())
        .filter((t) => !["Period", "Published in", "Note"].includes(t))
        .map((t) => t.replace(/\s*\([^)]*\)$/, ""));
      if (names.length !== groups.length) problems.push(`${where}: ${groups.length} series but ${names.length} figure columns in its table`);
      const box = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll("text")];
      for (const name of names) {
        const shown = texts.filter((t) => t.textContent.trim() === name);
        if (!shown.length) problems.push(`${where}: the series "${name}" is not named in the chart`);
        for (const t of shown) {
          const r = t.getBoundingClientRect();
          if (r.width === 0 || r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
            problems.push(`${where}: the name "${name}" is cut off or not drawn`);
          }
        }
      }
    }
    return { problems, count };
  });
}

/** The plan's cells must each say what they mean: a mark says which
 *  programme delivers which priority, a status cell is a status, and an
 *  empty cell is empty (its row and column headers say what it is: the
 *  content model keeps it to an empty <td>). Every row has a row header
 *  and every column a column header. */
async function planCells(page) {
  const problems = [];
  const tables = page.locator("table.tl-plan__table");
  if ((await tables.count()) === 0) return problems;
  const table = tables.first();
  const snapshot = await table.ariaSnapshot();
  const cells = snapshot.split("\n").filter((l) => /^\s*- 'cell|^\s*- cell/.test(l));
  if (cells.length === 0) problems.push("the plan on a page has no cells in the accessibility tree");
  const marks = cells.filter((c) => /delivers: /.test(c));
  if (marks.length === 0) problems.push("no plan cell says that a programme delivers a priority");
  for (const c of cells) {
    const text = c.replace(/^\s*- '?cell:?\s*/, "").replace(/'$/, "").replace(/^"|"$/g, "").trim();
    const ok = text === "" || /delivers: /.test(c) || STATUS_WORDS.some((w) => text.includes(w)) || /No status/.test(text);
    if (!ok) problems.push(`a plan cell's name does not say what it means: ${c.trim()}`);
  }
  const rows = await table.locator("tbody tr:not(.tl-plan__group)").count();
  const rowHeaders = await table.locator("tbody th[scope=row]").count();
  if (rows !== rowHeaders) problems.push(`${rows - rowHeaders} plan rows have no row header`);
  if ((await table.locator("thead th[scope=col]").count()) === 0) problems.push("the plan has no column headers");
  return problems;
}

/** The plan on a page fits its screen (content model §6): every column can
 *  be read, because the table fits, or because it scrolls inside a region
 *  that Tab reaches, named by the caption, with a cue that more is to the
 *  side that a screenshot shows: the region's right edge is darker while
 *  there is more to that side than once scrolled to the end. */
async function planFits(page) {
  const problems = [];
  const regions = page.locator(".tl-plan__scroll");
  const n = await regions.count();
  for (let i = 0; i < n; i++) {
    const region = regions.nth(i);
    const m = await region.evaluate((el) => ({
      overflow: el.scrollWidth - el.clientWidth,
      tabindex: el.getAttribute("tabindex"),
      role: el.getAttribute("role"),
      labelledby: el.getAttribute("aria-labelledby"),
      caption: el.querySelector("caption") && el.querySelector("caption").id,
    }));
    if (m.overflow <= 1) continue;
    if (m.tabindex !== "0") problems.push("the plan scrolls sideways but Tab does not reach its region");
    if (m.role !== "region" || !m.labelledby || m.labelledby !== m.caption) problems.push("the plan's scroll region is not named by the table's caption");
    await region.evaluate((el) => { el.scrollLeft = 0; });
    const before = await edgeShade(region);
    await region.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
    const after = await edgeShade(region);
    await region.evaluate((el) => { el.scrollLeft = 0; });
    if (!(before < after - 8)) problems.push(`the plan scrolls sideways with no visible cue at its right edge (edge brightness ${before.toFixed(0)} with more to see, ${after.toFixed(0)} at the end)`);
  }
  return problems;
}

/** The mean brightness (0–255) of the rightmost 6 px of an element, from a
 *  screenshot. */
async function edgeShade(locator) {
  const png = PNG.sync.read(await locator.screenshot());
  let sum = 0;
  let count = 0;
  for (let y = 0; y < png.height; y++) {
    for (let x = Math.max(0, png.width - 6); x < png.width; x++) {
      const i = (png.width * y + x) * 4;
      sum += (png.data[i] + png.data[i + 1] + png.data[i + 2]) / 3;
      count++;
    }
  }
  return count ? sum / count : 255;
}

/** Each status badge is read as its word alone, from Chromium's
 *  accessibility tree: the shape is hidden, the colour carries nothing. */
const STATUS_WORDS = ["Not started", "On track", "At risk", "Off track", "Complete", "Paused"];
async function statusBadges(page) {
  const problems = [];
  const badges = page.locator(".tl-status");
  const n = await badges.count();
  for (let i = 0; i < n; i++) {
    const snap = (await badges.nth(i).ariaSnapshot()).trim();
    // "- strong: At risk"
    const name = snap.replace(/^- [a-z]+:\s*/, "").replace(/^"|"$/g, "");
    if (!STATUS_WORDS.includes(name)) problems.push(`a status badge is read as ${JSON.stringify(snap)}, not a status word`);
  }
  return { problems, count: n };
}

/** The first Tab stop is the skip link, and focus on it can be seen. */
async function firstTab(page) {
  await page.keyboard.press("Tab");
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || !el.classList.contains("skip-link")) {
      return [`the first Tab lands on ${el ? el.tagName.toLowerCase() + "." + el.className : "nothing"}, not the skip link`];
    }
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    if (r.right <= 0 || r.bottom <= 0 || r.width < 1) return ["the focused skip link is off screen"];
    if (cs.outlineStyle === "none" && cs.boxShadow === "none" && cs.backgroundColor === "rgba(0, 0, 0, 0)") {
      return ["the focused skip link shows no focus indicator"];
    }
    return [];
  });
}

/** Tab through every stop after the skip link, to the end of the page:
 *  each focused element must show a focus indicator (a visible outline,
 *  a box shadow, or the focus yellow behind it). */
async function keyboardPass(page) {
  const problems = [];
  let stops = 0;
  for (let i = 0; i < 500; i++) {
    await page.keyboard.press("Tab");
    const r = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body || el.dataset.tlKeyboardSeen) return { done: true };
      el.dataset.tlKeyboardSeen = "1";
      const cs = getComputedStyle(el);
      const clear = (c) => c === "transparent" || /rgba\(.*,\s*0\)$/.test(c);
      const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2 && !clear(cs.outlineColor);
      const shadow = cs.boxShadow !== "none";
      const yellow = cs.backgroundColor === "rgb(255, 221, 0)";
      const what = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${(el.textContent || el.value || "").trim().slice(0, 40)}"`;
      return { what, visible: outline || shadow || yellow };
    });
    if (r.done) break;
    stops++;
    if (!r.visible) problems.push(`focus cannot be seen on ${r.what}`);
  }
  return { problems, stops };
}

/** Nu HTML Checker errors, one line each. */
function validate(files) {
  const jar = path.join(path.dirname(require.resolve("vnu-jar/package.json")), "build", "dist", "vnu.jar");
  try {
    execFileSync("java", ["-jar", jar, "--errors-only", "--format", "gnu", ...files], { stdio: "pipe" });
    return [];
  } catch (e) {
    const out = (e.stderr || "").toString() + (e.stdout || "").toString();
    const prefix = `"file:${root}${path.sep}`;
    return out
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => (l.startsWith(prefix) ? l.slice(prefix.length).replace('"', "") : l));
  }
}

(async () => {
  const server = serve(root, port);
  const list = pages(root);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const failures = [];
  let badgeCount = 0;
  let tabStops = 0;
  let seriesChartCount = 0;
  for (const width of [1280, 320]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    for (const rel of list) {
      const url = `http://127.0.0.1:${port}/${rel.replace(/index\.html$/, "")}`;
      const where = `${rel} @ ${width}px`;
      const response = await page.goto(url);
      if (!response || response.status() !== 200) {
        failures.push(`${where}: HTTP ${response && response.status()}`);
        continue;
      }
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() =>
        axe.run(document, {
          runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
        }),
      );
      for (const v of result.violations) {
        for (const n of v.nodes) failures.push(`${where}: ${v.id} (${v.impact}) at ${n.target.join(" ")}: ${v.help}`);
      }
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scroll > width) failures.push(`${where}: the page scrolls sideways (${scroll}px wide)`);
      for (const p of await planFits(page)) failures.push(`${where}: ${p}`);
      const charts = await seriesCharts(page);
      if (width === 1280) seriesChartCount += charts.count;
      for (const p of charts.problems) failures.push(`${where}: ${p}`);
      if (width === 1280) {
        for (const p of await structure(page)) failures.push(`${where}: ${p}`);
        for (const p of await planCells(page)) failures.push(`${where}: ${p}`);
        const badges = await statusBadges(page);
        badgeCount += badges.count;
        for (const p of badges.problems) failures.push(`${where}: ${p}`);
        for (const p of await firstTab(page)) failures.push(`${where}: ${p}`);
        const kb = await keyboardPass(page);
        tabStops += kb.stops;
        for (const p of kb.problems) failures.push(`${where}: ${p}`);
      }
    }
    await page.close();
  }
  await browser.close();
  server.close();
  for (const p of validate(list.map((rel) => path.join(root, rel)))) failures.push(`html: ${p}`);
  if (failures.length) {
    console.error(`accessibility gate: ${failures.length} problem(s) on ${list.length} pages`);
    for (const f of failures) console.error("  " + f);
    process.exit(1);
  }
  if (seriesChartCount < minSeriesCharts) {
    console.error(`accessibility gate: ${seriesChartCount} chart(s) of several series, expected at least ${minSeriesCharts}: the series check saw too little`);
    process.exit(1);
  }
  if (badgeCount === 0 && list.some((rel) => rel.startsWith("programmes/"))) {
    console.error("accessibility gate: a strategy site with no status badges: the badge check saw nothing");
    process.exit(1);
  }
  console.log(`accessibility gate: ${list.length} pages, each at 1280 and 320 px: no problems (${badgeCount} status badges read as their word; focus seen on all ${tabStops} Tab stops; ${seriesChartCount} chart(s) of several series drawn apart and named)`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
