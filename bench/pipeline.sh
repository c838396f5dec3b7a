#!/usr/bin/env bash
# Build and serve, this checkout against an earlier commit, in one run
# (BENCHMARKS.md, "One pipeline"):
#   bench/pipeline.sh [REV] [PAGES]
# REV defaults to d38f4b7, the last commit before the one-pipeline work
# (issue 21); PAGES to 10000.
# 1. `build` of the example site and of a generated PAGES-page site:
#    hyperfine, both binaries alternating, output on /dev/shm;
# 2. each build's peak RSS (/usr/bin/time, 3 runs each);
# 3. `serve`: from a file write to the reload message, each revision's
#    examples/serve_latency.rs on the same generated site.
# The two revisions' outputs are compared with diff -r (SOURCE_DATE_EPOCH
# fixed), so a difference in speed is not a difference in work.
set -euo pipefail
rev="${1:-d38f4b7}"
pages="${2:-10000}"
cd "$(dirname "$0")/.."
here="$PWD"
export SOURCE_DATE_EPOCH=1700000000

cargo build --release --quiet --bin throughline --example gen_site --example serve_latency
new="$here/target/release"
before=/tmp/throughline-at-$rev
if [ ! -x "$before-target/release/throughline" ] || [ ! -x "$before-target/release/examples/serve_latency" ]; then
  rm -rf "$before"
  git worktree prune
  git worktree add -f --detach "$before" "$rev" >/dev/null
  (cd "$before" && CARGO_TARGET_DIR="$before-target" cargo build --release --quiet --bin throughline --example serve_latency)
fi
old="$before-target/release"

site=/dev/shm/pipeline-$pages
[ -d "$site" ] || "$new/examples/gen_site" "$pages" "$site" >/dev/null
gen="$site/throughline"

echo "== outputs: $rev against this checkout"
for s in "$here" "$gen"; do
  rm -rf /dev/shm/pipeline-out-old /dev/shm/pipeline-out-new
  "$old/throughline" -r "$s" build -o /dev/shm/pipeline-out-old --force 2>/dev/null
  "$new/throughline" -r "$s" build -o /dev/shm/pipeline-out-new --force 2>/dev/null
  if diff -r -q /dev/shm/pipeline-out-old /dev/shm/pipeline-out-new >/dev/null; then
    echo "$s: byte-identical"
  else
    echo "$s: outputs differ (behaviour changed on purpose between the two?):"
    diff -r -q /dev/shm/pipeline-out-old /dev/shm/pipeline-out-new | head -5 || true
    echo "($(diff -r -q /dev/shm/pipeline-out-old /dev/shm/pipeline-out-new | wc -l) files differ)"
  fi
done

echo "== build time"
for s in "$here" "$gen"; do
  hyperfine -N --warmup 1 --runs 10 \
    -n "$rev $(basename "$s")" "$old/throughline -r $s build -o /dev/shm/pipeline-out-old --force" \
    -n "now $(basename "$s")" "$new/throughline -r $s build -o /dev/shm/pipeline-out-new --force"
done

echo "== peak RSS (kB), 3 runs each"
for s in "$here" "$gen"; do
  for which in old new; do
    bin="$old/throughline"; [ "$which" = new ] && bin="$new/throughline"
    printf '%s %s:' "$which" "$(basename "$s")"
    for _ in 1 2 3; do
      /usr/bin/time -f ' %M' "$bin" -r "$s" build -o "/dev/shm/pipeline-out-$which" --force 2>&1 >/dev/null | tail -1 | tr -d '\n'
    done
    echo
  done
done

echo "== serve: a write to the reload message ($pages pages, 20 writes of each kind)"
for which in old new; do
  bin="$old/examples/serve_latency"; [ "$which" = new ] && bin="$new/examples/serve_latency"
  echo "-- $which"
  rm -rf "/dev/shm/pipeline-serve-$which"
  "$bin" "$pages" "/dev/shm/pipeline-serve-$which" 20
done
