#!/usr/bin/env bash
# The cost of the template engine choice (BENCHMARKS.md, "Template engines"):
#   bench/engines.sh [REV]
# 1. the example site on Tera and on MiniJinja (the default theme's port);
# 2. the 10,000-page generated site on Tera, built by this checkout and by
#    REV (a commit before the engines were split, 3b63075 by default).
set -euo pipefail
rev="${1:-3b63075}"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin throughline --example gen_site
tl="$PWD/target/release/throughline"
ex=/dev/shm/engines-example
rm -rf "$ex" && mkdir -p "$ex/tera"
cp -r config.toml content data "$ex/tera/"
cp -r "$ex/tera" "$ex/minijinja"
printf '\n[extra.templates]\nengine = "minijinja"\n' >> "$ex/minijinja/config.toml"
hyperfine --warmup 2 --runs 30 --prepare "rm -rf $ex/out" \
  -n "example site, Tera" "$tl -r $ex/tera build -o $ex/out --force" \
  -n "example site, MiniJinja" "$tl -r $ex/minijinja build -o $ex/out --force"

site=/tmp/throughline-bench-10000
[ -d "$site" ] || ./target/release/examples/gen_site 10000 "$site" >/dev/null
before=/tmp/throughline-at-$rev
if [ ! -x "$before-target/release/throughline" ]; then
  git worktree add -f "$before" "$rev" >/dev/null 2>&1 || true
  (cd "$before" && CARGO_TARGET_DIR="$before-target" cargo build --release --quiet --bin throughline)
fi
out=/dev/shm/engines-10k
hyperfine --warmup 1 --runs 10 --prepare "rm -rf $out" \
  -n "10k, before the split ($rev)" "$before-target/release/throughline -r $site/throughline build -o $out --force" \
  -n "10k, Tera backend" "$tl -r $site/throughline build -o $out --force"
