#!/bin/sh
# Install throughline (once: the cache keeps it), check the site, build it
# for the address Netlify gives this deploy ($1).
set -eu
bin=".throughline/$THROUGHLINE_REV/bin/throughline"
if [ ! -x "$bin" ]; then
  cargo install --locked --git "$THROUGHLINE_GIT" --rev "$THROUGHLINE_REV" --root ".throughline/$THROUGHLINE_REV" throughline
fi
"$bin" check
"$bin" build --base-url "$1"
