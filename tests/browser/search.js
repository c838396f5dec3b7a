// The search page, in Chromium, with the keyboard alone:
//
//   node search.js SITE_DIR PORT WORD EXPECTED_PATH
//
// SITE_DIR must have been built with `--base-url http://127.0.0.1:PORT` and
// `build_search_index = true`. From the search page, Tab reaches the search
// box; typing WORD and pressing Enter announces the results in a status
// message and moves focus to the results heading; a result links to
// EXPECTED_PATH; Tab then Enter opens it. The page with results passes axe.
// Without JavaScript the page says search needs it and links the A to Z,
// which lists EXPECTED_PATH. Exits 1 listing every failure.
"use strict";

const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");
const { serve } = require("./serve");

const [siteDir, portArg, word, expected] = process.argv.slice(2);
if (!siteDir || !portArg || !word || !expected) {
  console.error("usage: node search.js SITE_DIR PORT WORD EXPECTED_PATH");
  process.exit(2);
}
const port = Number(portArg);
const root = path.resolve(siteDir);
const base = `http://127.0.0.1:${port}`;
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

(async () => {
  const server = serve(root, port);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const failures = [];
  const fail = (m) => failures.push(m);
  const requests = [];

  // With JavaScript, keyboard only.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.on("request", (r) => requests.push(r.url()));
  let indexBytes = 0;
  page.on("response", async (r) => {
    if (r.url().includes("/pagefind/")) indexBytes += (await r.body().catch(() => Buffer.alloc(0))).length;
  });
  await page.goto(`${base}/search/`);
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === "search-query");
  }
  if (!reached) fail("Tab never reaches the search box");
  const label = await page.evaluate(() => {
    const input = document.getElementById("search-query");
    return input && input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "";
  });
  if (!label) fail("the search box has no label");
  await page.keyboard.type(word);
  await page.keyboard.press("Enter");
  await page
    .waitForFunction(() => /found/.test(document.getElementById("search-status").textContent), null, { timeout: 10000 })
    .catch(() => fail("no results were announced"));
  const status = await page.evaluate(() => {
    const s = document.getElementById("search-status");
    return { role: s.getAttribute("role"), text: s.textContent };
  });
  if (status.role !== "status") fail("the result count is not in a status message");
  if (!/[1-9]\d* pages? found/.test(status.text)) fail(`the status says "${status.text}"`);
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== "search-results-heading") fail(`focus is on #${focused}, not the results heading`);
  const links = await page.$$eval("#search-results a", (as) => as.map((a) => new URL(a.href).pathname));
  if (!links.includes(expected)) fail(`no result links to ${expected}: ${links.join(", ")}`);
  if (new URL(page.url()).searchParams.get("q") !== word) fail("the address does not hold the search");
  if (process.env.SEARCH_SCREENSHOT) await page.screenshot({ path: process.env.SEARCH_SCREENSHOT, fullPage: true });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }),
  );
  for (const v of result.violations) for (const n of v.nodes) fail(`with results: ${v.id} at ${n.target.join(" ")}: ${v.help}`);
  // Keyboard on to the result that should be there, and open it.
  let onIt = false;
  for (let i = 0; i < 30 && !onIt; i++) {
    await page.keyboard.press("Tab");
    onIt = await page.evaluate(
      (want) => document.activeElement && document.activeElement.tagName === "A" && new URL(document.activeElement.href).pathname === want,
      expected,
    );
  }
  if (!onIt) fail(`Tab never reaches the result for ${expected}`);
  else {
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    if (new URL(page.url()).pathname !== expected) fail(`Enter opened ${page.url()}`);
  }
  const fetched = requests.filter((u) => u.includes("/pagefind/"));
  if (!fetched.length) fail("the search did not use the index");
  if (requests.some((u) => !u.startsWith(base))) fail("a request left the site");
  await page.close();

  // Without JavaScript.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const nojs = await context.newPage();
  await nojs.goto(`${base}/search/`);
  const state = await nojs.evaluate(() => ({
    formHidden: document.querySelector("form.search-form").hidden,
    message: document.querySelector(".search-nojs") ? document.querySelector(".search-nojs").textContent : "",
    az: [...document.querySelectorAll(".a-to-z a")].map((a) => new URL(a.href).pathname),
  }));
  if (!state.formHidden) fail("without JavaScript the form that cannot work is shown");
  if (!/needs JavaScript/.test(state.message)) fail("without JavaScript the page does not say search needs it");
  if (!state.az.includes(expected)) fail(`the A to Z does not list ${expected}`);
  await context.close();

  await browser.close();
  server.close();
  if (failures.length) {
    console.error(`search: ${failures.length} problem(s)`);
    for (const f of failures) console.error("  " + f);
    process.exit(1);
  }
  const kb = Math.round(indexBytes / 1024);
  console.log(`search: "${word}" finds ${expected} with the keyboard alone (${fetched.length} index files, ${kb} KiB, fetched); without JavaScript the A to Z is offered`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
