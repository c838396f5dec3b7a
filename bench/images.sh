#!/usr/bin/env bash
# Image processing, throughline against Zola 0.22.1 (BENCHMARKS.md, "Image
# processing"):
#   ZOLA=/path/to/zola bench/images.sh          (200 photos, 3 runs each)
#   ZOLA=… RUNS=5 bench/images.sh 50
# N pages, each a bundle with one photo-like 1600×1200 JPEG (gradients and
# noise, ~0.8 MB; examples/gen_images.rs), whose template asks for three
# images of it: a 400×300 `fill` JPEG, and an 800-wide `fit_width` JPEG
# and WebP (quality 80): 3N images to make. "cold" starts with no cache
# (throughline's .throughline-cache/, Zola's static/processed_images/) and
# no output; "cached" builds again over the last run's. Wall times from
# `date`.
set -euo pipefail
n="${1:-200}"
runs="${RUNS:-3}"
zola="${ZOLA:-zola}"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin throughline --example gen_images
target="${CARGO_TARGET_DIR:-$PWD/target}"
tl="$target/release/throughline"
site="/tmp/throughline-images-$n"
rm -rf "$site"
"$target/release/examples/gen_images" photos "$site" "$n"
mkdir -p "$site/templates"
cat >"$site/config.toml" <<'EOF'
base_url = "https://photos.example"
title = "Photos"
EOF
printf '+++\ntitle = "Photos"\n+++\n' >"$site/content/_index.md"
printf '+++\ntitle = "Photos"\n+++\n' >"$site/content/photos/_index.md"
cat >"$site/templates/page.html" <<'EOF'
{%- set p = page.colocated_path ~ "photo.jpg" -%}
{%- set thumb = resize_image(path=p, width=400, height=300, op="fill") -%}
{%- set big = resize_image(path=p, width=800, op="fit_width") -%}
{%- set webp = resize_image(path=p, width=800, op="fit_width", format="webp", quality=80) -%}
<!DOCTYPE html><html lang="en"><head><title>{{ page.title }}</title></head><body>
<img src="{{ thumb.url }}" width="{{ thumb.width }}" height="{{ thumb.height }}" alt="">
<picture><source srcset="{{ webp.url }}" type="image/webp"><img src="{{ big.url }}" alt=""></picture>
</body></html>
EOF
for t in index section; do
  printf '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>{{ section.title }}</body></html>' >"$site/templates/$t.html"
done
out=/dev/shm/throughline-images-bench
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
# The tools take turns, run by run, so that load from elsewhere on the
# machine falls on both alike.
tl_cold=() tl_cached=() z_cold=() z_cached=()
cd "$site"
for _ in $(seq "$runs"); do
  rm -rf .throughline-cache "$out/t"
  tl_cold+=("$(secs "$tl" build -o "$out/t" --force)")
  tl_cached+=("$(secs "$tl" build -o "$out/t" --force)")
  rm -rf static/processed_images "$out/z"
  z_cold+=("$(secs "$zola" build -o "$out/z" --force)")
  z_cached+=("$(secs "$zola" build -o "$out/z" --force)")
done
zv="zola $("$zola" --version | cut -d' ' -f2)"
echo "throughline cold:   ${tl_cold[*]} s"
echo "throughline cached: ${tl_cached[*]} s"
echo "$zv cold:   ${z_cold[*]} s"
echo "$zv cached: ${z_cached[*]} s"
echo "images made: $(ls "$out/t/processed_images" | wc -l) (throughline), $(ls "$out/z/processed_images" | wc -l) (Zola); the same names and bytes: $(diff -r "$out/t/processed_images" "$out/z/processed_images" >/dev/null && echo yes || echo no)"
echo "where throughline's time goes, cold (THROUGHLINE_TIMINGS=1):"
rm -rf .throughline-cache "$out/t"
THROUGHLINE_TIMINGS=1 "$tl" build -o "$out/t" --force 2>&1 >/dev/null | grep -E "static files|render|images|write" | sed 's/^/  /'
