#!/usr/bin/env python3
"""The plan on a page at two sizes (content model §6), as BENCHMARKS.md
reports them:

    python3 bench/plan_sizes.py       # 9 × 150 (the largest table), 10 × 300, 200 × 4,000

Writes a strategy site with P priorities (in two groups, coded) and N
programmes (in three groups, each delivering three priorities), builds it
with the release binary into /dev/shm, and prints the build time (best of
3), the plan page's size and the links it holds. Nothing is kept.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "throughline")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def site(dir, priorities, programmes):
    write(f"{dir}/config.toml", 'base_url = "https://plan.example"\ntitle = "Plan"\n[extra.strategy]\nvision = "A vision."\n')
    write(f"{dir}/content/_index.md", '+++\ntitle = "Home"\n+++\n')
    write(f"{dir}/content/accessibility.md", '+++\ntitle = "Accessibility statement"\n+++\nText.\n')
    write(f"{dir}/content/priorities/_index.md", '+++\ntitle = "Priorities"\nsort_by = "weight"\n+++\n')
    write(f"{dir}/content/programmes/_index.md", '+++\ntitle = "Programmes"\nsort_by = "weight"\n+++\n')
    for p in range(priorities):
        group = "Core purposes" if p < priorities // 2 else "What connects us"
        write(f"{dir}/content/priorities/p{p:04}.md",
              f'+++\ntitle = "Priority number {p}"\nweight = {p}\n[extra]\ncode = "P{p}"\ngroup = "{group}"\n+++\nText.\n')
    groups = ["People", "Place", "Partnership"]
    for i in range(programmes):
        refs = sorted({(i * 7 + k * 13) % priorities for k in range(3)})
        refs = ", ".join(f'"p{r:04}"' for r in refs)
        write(f"{dir}/content/programmes/g{i:05}.md",
              f'+++\ntitle = "Programme of work {i}"\nweight = {i}\n[extra]\ngroup = "{groups[i % 3]}"\npriorities = [{refs}]\nstatus = "on-track"\n+++\nText.\n')


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "throughline"], cwd=ROOT, check=True)
    print("| priorities × programmes | links | build (best of 3) | plan page | bytes per link | layout |")
    print("|---|---|---|---|---|---|")
    for p, n in [(9, 150), (10, 300), (200, 4000)]:
        dir = tempfile.mkdtemp()
        out = f"/dev/shm/plan-{p}x{n}"
        try:
            site(dir, p, n)
            best = None
            for _ in range(3):
                shutil.rmtree(out, ignore_errors=True)
                t = time.perf_counter()
                subprocess.run([BIN, "-r", dir, "build", "-o", out, "--force"], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                e = time.perf_counter() - t
                best = e if best is None else min(best, e)
            html = open(f"{out}/priorities/index.html", encoding="utf-8").read()
            size = len(html.encode())
            links = n * 3
            layout = "table" if "tl-plan__table" in html else "a list per priority"
            print(f"| {p} × {n:,} | {links:,} | {best:.2f} s | {size / 1024:,.0f} KiB | {size / links:.0f} | {layout} |")
        finally:
            shutil.rmtree(dir, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
