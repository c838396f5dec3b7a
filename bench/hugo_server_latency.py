#!/usr/bin/env python3
"""Time from a file write to `hugo server` finishing its rebuild, on the
same generated site as examples/serve_latency.rs (its `hugo/` copy).

    python3 bench/hugo_server_latency.py /dev/shm/serve-10k/hugo [RUNS]

Hugo renders to memory (its server default) and prints "Total in N ms" after
each rebuild; the time measured is from the write to that line.
"""
import re, subprocess, sys, time, threading, queue, statistics

site = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
p = subprocess.Popen(
    ["hugo", "server", "-s", site, "--port", "1399", "--bind", "127.0.0.1"],
    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in p.stdout], daemon=True).start()

def wait_total(timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        l = lines.get(timeout=end - time.time())
        if re.search(r"Total in \d+ ms", l):
            return l
    raise SystemExit("hugo did not finish in time")

while True:  # the first build, then the server line
    l = lines.get(timeout=300)
    if "Web Server is available" in l:
        break

kinds = [
    ("page edit (a news page's body)", f"{site}/content/news/item-5.md", None, "\n\nEdited."),
    ("title edit of a commitment", f"{site}/content/commitments/commitment-2.md", 'title = "', 'title = "Edited '),
    ("template edit (single.html)", f"{site}/layouts/_default/single.html", "</h1>", "</h1> "),
]
for name, path, frm, to in kinds:
    original = open(path).read()
    times = []
    for i in range(runs):
        text = (original + to if frm is None else original.replace(frm, to, 1)) if i % 2 == 0 else original
        time.sleep(0.3)
        while not lines.empty():
            lines.get()
        t = time.time()
        open(path, "w").write(text)
        wait_total()
        times.append((time.time() - t) * 1000)
    open(path, "w").write(original)
    wait_total()
    times.sort()
    print(f"{name}: median {statistics.median(times):.0f} ms, worst {times[-1]:.0f} ms over {runs} writes")
p.terminate()
