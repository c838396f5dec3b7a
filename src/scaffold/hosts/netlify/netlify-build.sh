#!/bin/sh
# Install throughline (once per version: the cache keeps it), check the
# site, build it for the address Netlify gives this deploy ($1).
set -eu
@@if registry@@
root=".throughline/$THROUGHLINE_VERSION"
bin="$root/bin/throughline"
if [ ! -x "$bin" ]; then
  # A prebuilt binary with cargo-binstall where the image has it (it builds
  # from source when there is none), else built from source.
  if command -v cargo-binstall >/dev/null 2>&1; then
    cargo binstall --no-confirm --locked --disable-strategies quick-install --root "$root" "throughline@$THROUGHLINE_VERSION" \
      || cargo install --locked --root "$root" "throughline@$THROUGHLINE_VERSION"
  else
    cargo install --locked --root "$root" "throughline@$THROUGHLINE_VERSION"
  fi
fi
@@end@@
@@if git@@
root=".throughline/git-$THROUGHLINE_REV"
bin="$root/bin/throughline"
if [ ! -x "$bin" ]; then
  cargo install --locked --git "$THROUGHLINE_GIT" --rev "$THROUGHLINE_REV" --root "$root" throughline
fi
@@end@@
# Fails until every FILL IN that `throughline init` left is replaced (it
# lists each at its file and line): nothing is published until then.
"$bin" check
"$bin" build --base-url "$1"
