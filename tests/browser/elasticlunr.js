// A Zola theme's own search, in Chromium:
//
//   node elasticlunr.js SITE_DIR PORT WORD EXPECTED_PATH
//
// SITE_DIR is tests/fixtures/zola-search built with `--base-url
// http://127.0.0.1:PORT`. Its home page loads `elasticlunr.min.js` and
// `search_index.en.js` as Zola themes do and searches with the Zola book's
// script; typing WORD lists a link to EXPECTED_PATH. Exits 1 listing every
// failure.
"use strict";

const path = require("path");
const { chromium } = require("playwright-core");
const { serve } = require("./serve");

const [siteDir, portArg, word, expected] = process.argv.slice(2);
if (!siteDir || !portArg || !word || !expected) {
  console.error("usage: node elasticlunr.js SITE_DIR PORT WORD EXPECTED_PATH");
  process.exit(2);
}
const port = Number(portArg);
const base = `http://127.0.0.1:${port}`;

(async () => {
  const server = serve(path.resolve(siteDir), port);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const failures = [];
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${base}/`);
  const loaded = await page.evaluate(() => typeof window.searchIndex === "object" && typeof elasticlunr === "function");
  if (!loaded) failures.push("the index or elasticlunr did not load");
  await page.focus("#q");
  await page.keyboard.type(word);
  await page
    .waitForSelector("#results a", { timeout: 5000 })
    .catch(() => failures.push(`searching for "${word}" found nothing`));
  const links = await page.$$eval("#results a", (as) => as.map((a) => new URL(a.href).pathname));
  if (!links.includes(expected)) failures.push(`no result links ${expected}: ${JSON.stringify(links)}`);
  for (const e of errors) failures.push(`on the page: ${e}`);
  await browser.close();
  server.close();
  if (failures.length) {
    console.error(`elasticlunr search: ${failures.length} failure(s):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`elasticlunr search: "${word}" finds ${expected}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
