#!/usr/bin/env bash
# Reproduce the figures in BENCHMARKS.md:
#   bench/run.sh 10000     (or 1000)
# Needs hyperfine and hugo (Debian: apt-get install hyperfine hugo) and
# GNU time. Output goes to /dev/shm so that the machine's disk (slow to
# create files on these VMs: `cp -r` of the output takes 11 s) does not
# hide the generators' own cost; each run starts from an empty folder.
set -euo pipefail
n="${1:-10000}"
runs="${RUNS:-10}"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin throughline --example gen_site
site="/tmp/throughline-bench-$n"
./target/release/examples/gen_site "$n" "$site" >/dev/null
tl="$PWD/target/release/throughline"
out=/dev/shm/throughline-bench
hyperfine --warmup 1 --runs "$runs" \
  --prepare "rm -rf $out" \
  -n "throughline" "$tl -r $site/throughline build -o $out/t --force" \
  -n "throughline --no-plugins" "$tl --no-plugins -r $site/throughline build -o $out/t --force" \
  -n "hugo $(hugo version | grep -o 'v[0-9.]*' | head -1)" "hugo --quiet -s $site/hugo -d $out/h"
echo
echo "peak RSS (KB), median of 3:"
rss() {
  for i in 1 2 3; do rm -rf "$out"; /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 2p
}
echo "  throughline:              $(rss "$tl" -r "$site/throughline" build -o "$out/t" --force)"
echo "  throughline --no-plugins: $(rss "$tl" --no-plugins -r "$site/throughline" build -o "$out/t" --force)"
echo "  hugo:                     $(rss hugo --quiet -s "$site/hugo" -d "$out/h")"
echo
echo "where throughline's time goes (THROUGHLINE_TIMINGS=1):"
rm -rf "$out"
THROUGHLINE_TIMINGS=1 "$tl" -r "$site/throughline" build -o "$out/t" --force 2>&1 >/dev/null | sed 's/^/  /'
