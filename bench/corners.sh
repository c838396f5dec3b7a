#!/usr/bin/env bash
# The corners that were quadratic (issue 18), as whole builds:
#   bench/corners.sh          (10,000 headings; a 100,000-figure series)
# One page of N identical headings plus headings that collide with the
# generated suffixes, and the strategy fixture with one measure's CSV grown
# to M rows. Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
n="${1:-10000}"
m="${2:-100000}"
runs="${RUNS:-5}"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin throughline
tl="$PWD/target/release/throughline"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Headings: a minimal site with one long page.
h="$work/headings"
mkdir -p "$h/content/news"
printf 'base_url = "https://h.example"\ntitle = "Headings"\n' >"$h/config.toml"
printf '+++\ntitle = "Home"\n+++\n' >"$h/content/_index.md"
printf '+++\ntitle = "Accessibility statement"\n+++\nA test.\n' >"$h/content/accessibility.md"
printf '+++\ntitle = "News"\n+++\n' >"$h/content/news/_index.md"
{
  printf '+++\ntitle = "Many headings"\n+++\n'
  for ((i = 0; i < n; i++)); do printf '## Same\n\n## Same-%d\n\n' "$i"; done
} >"$h/content/news/many.md"

# Series: the strategy fixture with a long CSV.
s="$work/series"
cp -r tests/fixtures/strategy "$s"
{
  echo "period,value"
  for ((i = 0; i < m; i++)); do printf 'P%06d,%d\n' "$i" $((1000 + i % 97)); done
} >"$s/data/waiting.csv"

hyperfine --warmup 1 --runs "$runs" \
  -n "$((2 * n)) headings, half colliding" "$tl -r $h build -o /dev/shm/corners-h --force" \
  -n "a $m-figure series" "$tl -r $s build -o /dev/shm/corners-s --force"
rm -rf /dev/shm/corners-h /dev/shm/corners-s
