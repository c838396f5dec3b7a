#!/usr/bin/env python3
"""A throughline external plugin (protocol 1), for tests/external_plugins.rs.

It counts the pages it is sent, warns about any title that still says TODO
(located at the page's `title`), and adds a page /counts/ rendered with a
template it brings. `--fail` exits non-zero after a word on stderr;
`--hang` never answers; `--garbage` prints something that is not JSON; `--escape` asks for a
page outside the output folder.
Each run appends a line to `plugin-runs.log` in the site's folder, so a
test can tell how often it ran."""
import json
import sys
import time

with open("plugin-runs.log", "a") as log:
    log.write("run\n")
if "--hang" in sys.argv:
    time.sleep(600)
if "--fail" in sys.argv:
    print("counts: the census office is closed", file=sys.stderr)
    sys.exit(3)
request = json.load(sys.stdin)
if "--garbage" in sys.argv:
    print("Counting...")
    sys.exit(0)
pages = request["pages"]
said = [
    {
        "level": "warning",
        "message": "this title still says TODO",
        "file": p["file"],
        "key": "title",
        "hint": "finish the title before publishing",
    }
    for p in pages
    if "TODO" in (p["title"] or "")
]
json.dump(
    {
        "protocol": 1,
        "data": {"pages": len(pages), "titles": sorted(p["title"] or "" for p in pages)},
        "diagnostics": said,
        "pages": [
            {
                "path": "/../../escaped/" if "--escape" in sys.argv else "/counts/",
                "template": "counts.html",
                "context": {"count": len(pages)},
                "in_sitemap": True,
            }
        ],
        "templates": [
            {"name": "counts.html", "source": "<!doctype html><title>Counts</title><p>{{ count }} pages</p>"}
        ],
    },
    sys.stdout,
)
