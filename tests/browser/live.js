// `throughline serve` in Chromium: live reload and the error dialog.
//
//   node live.js THROUGHLINE_BINARY SITE_DIR PORT [SCREENSHOT.png]
//
// SITE_DIR is a scratch copy of the strategy fixture (this script edits it).
// It opens a programme page, then:
// 1. edits the page's text: the page reloads by itself with the new text;
// 2. breaks a reference: a dialog opens over the page, takes focus, has an
//    accessible name, shows file:line:column, the line and the hint, and
//    passes axe (WCAG 2.2 A/AA); the page under it is the last good one;
// 3. fixes it: the dialog goes and the page shows the fixed version.
// Exits 1 listing every failure.
"use strict";

const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");
const { chromium } = require("playwright-core");

const [bin, siteDir, portArg, shot] = process.argv.slice(2);
if (!bin || !siteDir || !portArg) {
  console.error("usage: node live.js THROUGHLINE_BINARY SITE_DIR PORT [SCREENSHOT.png]");
  process.exit(2);
}
const port = Number(portArg);
const base = `http://127.0.0.1:${port}`;
const file = path.join(siteDir, "content/programmes/data-for-all.md");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["--root", siteDir, "serve", "--port", String(port)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    child.stderr.on("data", (d) => {
      log += d;
      if (log.includes("Serving the site at")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}):\n${log}`)));
  });
}

(async () => {
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const failures = [];
  const fail = (m) => failures.push(m);
  const good = fs.readFileSync(file, "utf8");
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/programmes/data-for-all/`);
    await page.waitForFunction(() => window.__throughline_last !== undefined, null, { timeout: 10000 });

    // 1. Live reload.
    fs.writeFileSync(file, good.replace("One shared care record.", "One shared care record for the whole county."));
    try {
      await page.waitForFunction(
        () => document.body.innerText.includes("for the whole county"),
        null,
        { timeout: 10000 },
      );
    } catch {
      fail("the page did not reload with the edited text");
    }

    // 2. A broken save: the dialog.
    await page.waitForFunction(() => window.__throughline_last !== undefined, null, { timeout: 10000 });
    fs.writeFileSync(file, good.replace('"fair-access"', '"fair-acess"'));
    const dialog = page.locator("dialog#throughline-errors");
    try {
      await dialog.waitFor({ state: "visible", timeout: 10000 });
    } catch {
      fail("no error dialog appeared after a broken save");
    }
    if (await dialog.isVisible()) {
      const modal = await page.evaluate(() => document.querySelector("dialog#throughline-errors").matches(":modal"));
      if (!modal) fail("the error dialog is not modal");
      const focusInside = await page.evaluate(() => {
        const d = document.querySelector("dialog#throughline-errors");
        return d.contains(document.activeElement);
      });
      if (!focusInside) fail("focus did not move into the error dialog");
      const snapshot = await dialog.ariaSnapshot();
      if (!/dialog "The site could not be built: 1 error"/.test(snapshot)) {
        fail(`the dialog's accessible name is wrong:\n${snapshot}`);
      }
      const text = await dialog.innerText();
      for (const want of ["content/programmes/data-for-all.md:4:", "fair-acess", "fair-access"]) {
        if (!text.includes(want)) fail(`the dialog does not show ${want}:\n${text}`);
      }
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () =>
        axe.run("#throughline-errors", {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
        }),
      );
      for (const v of result.violations) {
        fail(`axe on the dialog: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
      }
      if (shot) await page.screenshot({ path: shot });
      // Escape closes it (the browser's own dialog behaviour).
      await page.keyboard.press("Escape");
      if (await dialog.isVisible()) fail("Escape did not close the dialog");
      const under = await page.evaluate(() => document.body.innerText);
      if (!under.includes("for the whole county")) fail("the last good page is not the one under the dialog");
    }

    // 3. The fix.
    fs.writeFileSync(file, good);
    try {
      await page.waitForFunction(
        () => !document.querySelector("dialog#throughline-errors") && !document.body.innerText.includes("for the whole county"),
        null,
        { timeout: 10000 },
      );
    } catch {
      fail("after the fix, the dialog did not go or the page did not reload");
    }
  } finally {
    fs.writeFileSync(file, good);
    await browser.close();
    server.kill();
  }
  if (failures.length) {
    console.error(failures.map((f) => `FAIL ${f}`).join("\n"));
    process.exit(1);
  }
  console.log("live reload and the error dialog: all checks passed");
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
