#!/usr/bin/env python3
"""corpus.py: build every real Zola site listed in bench/corpus.toml with Zola
and with throughline, and compare what they wrote.

    bench/corpus.py --zola /path/to/zola            # every site
    bench/corpus.py --zola ZOLA --site rust-blog    # one site (repeatable)
    SHOW=3 bench/corpus.py ...                      # also print 3 differing pages a site
    bench/corpus.py --list                          # the sites, and why each is there

Each site is taken at its pinned commit: from a snapshot in --mirror
(/work/.mirror/OWNER+NAME/repo, a bare git directory) when that has the
commit, otherwise fetched from GitHub ($CORPUS_GIT_BASE, default
https://github.com) into --cache (outside the repo; default
~/.cache/throughline-corpus). Theme submodules are placed where the
site expects them. Every build reads its own fresh copy of the site and
writes to --work (default /dev/shm/throughline-corpus), since Zola writes
into a site's static/ folder (highlighting stylesheets).

Per site it prints: whether each tool builds (and the first error line); the
output paths Zola writes that throughline does not; for every HTML page both
write, the visible text's similarity, order-blind (bags of words,
2*|common|/(|a|+|b|)) and order-sensitive (difflib ratio on the word
sequences); and throughline's build time over Zola's, best of --runs each.
Python standard library only.
"""
import argparse, collections, difflib, html, os, re, shutil, subprocess, sys, time, tomllib
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- sources

def extract(gitdir, commit, dest):
    """Write the tree of `commit` into dest. Fetched snapshots leave out
    files of 4 MiB and more, so a blob that is not there is skipped and
    listed (it is skipped for both tools alike). Submodules are not
    followed; corpus.toml names the ones a site needs."""
    ls = subprocess.run(['git', '--git-dir', gitdir, 'ls-tree', '-r', '-z', '--full-tree', commit],
                        check=True, capture_output=True).stdout.split(b'\0')
    entries = []
    for e in ls:
        if not e:
            continue
        meta, path = e.split(b'\t', 1)
        mode, kind, sha = meta.split()
        if kind == b'blob':
            entries.append((mode, sha, path.decode('utf-8', 'surrogateescape')))
    cat = subprocess.Popen(['git', '--git-dir', gitdir, 'cat-file', '--batch'],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    missing = []
    for mode, sha, path in entries:
        cat.stdin.write(sha + b'\n')
        cat.stdin.flush()
        head = cat.stdout.readline().split()
        if head[-1] == b'missing':
            missing.append(path)
            continue
        data = cat.stdout.read(int(head[2]))
        cat.stdout.read(1)
        out = os.path.join(dest, path)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        if mode == b'120000':
            os.symlink(data.decode(), out)
        else:
            with open(out, 'wb') as f:
                f.write(data)
            if mode == b'100755':
                os.chmod(out, 0o755)
    cat.stdin.close()
    cat.wait()
    return missing


def gitdir_with(repo, commit, args):
    """A bare git directory holding `commit` of GitHub's `repo`."""
    mirror = os.path.join(args.mirror, repo.replace('/', '+'), 'repo')
    has = lambda g: subprocess.run(['git', '--git-dir', g, 'cat-file', '-e', commit + '^{commit}'],
                                   capture_output=True).returncode == 0
    if os.path.isdir(mirror) and has(mirror):
        return mirror
    clone = os.path.join(args.cache, 'git', repo.replace('/', '+'))
    if not (os.path.isdir(clone) and has(clone)):
        base = os.environ.get('CORPUS_GIT_BASE', 'https://github.com')
        print(f'  fetching {repo}@{commit[:12]} from {base}', file=sys.stderr)
        os.makedirs(clone, exist_ok=True)
        subprocess.run(['git', 'init', '-q', '--bare', clone], check=True)
        subprocess.run(['git', '--git-dir', clone, 'fetch', '-q', '--depth', '1',
                        f'{base}/{repo}', commit], check=True)
    return clone


def prepare(site, args):
    """The site's files, at cache/sites/NAME (made once per pin); returns
    the site root (the repository's `subdir`)."""
    dest = os.path.join(args.cache, 'sites', site['name'])
    pin = repr((site['repo'], site['commit'], site.get('prepare', []),
                [(m['repo'], m['commit'], m['path']) for m in site.get('submodule', [])]))
    stamp = os.path.join(dest, '.corpus-pin')
    if not (os.path.exists(stamp) and open(stamp).read() == pin):
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        missing = extract(gitdir_with(site['repo'], site['commit'], args), site['commit'], dest)
        for m in site.get('submodule', []):
            where = os.path.join(dest, m['path'])
            shutil.rmtree(where, ignore_errors=True)
            os.makedirs(where)
            missing += [m['path'] + '/' + p for p in
                        extract(gitdir_with(m['repo'], m['commit'], args), m['commit'], where)]
        for cmd in site.get('prepare', []):
            subprocess.run(['bash', '-c', cmd], cwd=dest, check=True)
        if missing:
            print(f'  {site["name"]}: {len(missing)} file(s) of 4 MiB+ not in the snapshot, left out: '
                  + ', '.join(missing[:3]), file=sys.stderr)
        with open(stamp, 'w') as f:
            f.write(pin)
    return os.path.join(dest, site.get('subdir', ''))

# ---------------------------------------------------------------- builds

def first_error(text, src):
    """The first line that names an error (not Zola's generic 'Failed to
    build the site'), with the location line under it if there is one, and
    how many more errors there are."""
    text = text.replace(src + '/', '').replace(os.path.dirname(src) + '/', '')
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    generic = ('Failed to build the site', 'Failed to serve the site')
    heads = [i for i, l in enumerate(lines)
             if re.match(r'(error|ERROR)\b', l) and not any(g in l for g in generic)]
    if not heads:
        return lines[-1] if lines else '(no message)'
    i = heads[0]
    l = lines[i]
    if i + 1 < len(lines) and lines[i + 1].startswith('-->'):
        l += ' ' + lines[i + 1]
    more = sum(1 for j in heads if lines[j].startswith('error'))
    return l + (f' (+{more - 1} more errors)' if more > 1 else '')


def build(cmd, runs, src):
    """Run `cmd` up to `runs` times; (ok, best seconds, first error line)."""
    best = None
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, errors='replace')
        dt = time.perf_counter() - t
        if p.returncode != 0:
            return False, None, first_error(p.stderr + '\n' + p.stdout, src)
        best = dt if best is None else min(best, dt)
    return True, best, None

# ---------------------------------------------------------------- comparison

BLOCK = {'p', 'div', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'br', 'tr', 'td', 'th', 'table',
         'section', 'article', 'header', 'footer', 'nav', 'main', 'pre', 'blockquote', 'dt', 'dd', 'figure',
         'figcaption', 'aside', 'hr', 'title', 'body', 'head', 'details', 'summary'}


class Text(HTMLParser):
    """Visible text (as bench/zola_compare.py): scripts, styles and templates
    left out, block elements separated by spaces."""
    def __init__(s):
        super().__init__()
        s.out = []
        s.skip = 0

    def handle_starttag(s, t, a):
        if t in ('script', 'style', 'template'):
            s.skip += 1
        if t in BLOCK:
            s.out.append(' ')

    def handle_endtag(s, t):
        if t in ('script', 'style', 'template') and s.skip:
            s.skip -= 1
        if t in BLOCK:
            s.out.append(' ')

    def handle_data(s, d):
        if not s.skip:
            s.out.append(d)


def words(path):
    t = Text()
    with open(path, encoding='utf-8', errors='replace') as f:
        t.feed(f.read())
    t.close()
    return ''.join(t.out).split()


def files(root):
    out = set()
    for d, _, fs in os.walk(root):
        for f in fs:
            r = os.path.relpath(os.path.join(d, f), root)
            if r != '.throughline':
                out.add(r)
    return out


def collapse(paths):
    """Output paths as URLs, a Pagefind index counted as one entry."""
    pf = [p for p in paths if p.startswith('pagefind/')]
    return [url(p) for p in paths if not p.startswith('pagefind/')] + (
        [f'/pagefind/ ({len(pf)} files)'] if pf else [])


def url(rel):
    if rel == 'index.html':
        return '/'
    if rel.endswith('/index.html'):
        return '/' + rel[:-len('index.html')]
    return '/' + rel


def bag_similarity(a, b):
    if not a and not b:
        return 1.0
    common = collections.Counter(a) & collections.Counter(b)
    return 2 * sum(common.values()) / (len(a) + len(b))


def order_similarity(a, b):
    if a == b:
        return 1.0
    # autojunk keeps very long pages (archives, tag lists) fast
    return difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > 40000).ratio()


def compare(zout, tout):
    fz, ft = files(zout), files(tout)
    pages = []
    for rel in sorted(f for f in fz & ft if f.endswith('.html')):
        a, b = words(os.path.join(zout, rel)), words(os.path.join(tout, rel))
        pages.append((rel, bag_similarity(a, b), order_similarity(a, b), a, b))
    return dict(zola_files=len(fz), missing=sorted(fz - ft), extra=sorted(ft - fz), pages=pages)


def excerpts(a, b, limit=6):
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == 'equal':
            continue
        if len(out) == limit:
            out.append('    ...')
            break
        out.append(f"    zola: {' '.join(a[max(0, i1 - 4):i2 + 2])[:240]!r}\n"
                   f"    tl  : {' '.join(b[max(0, j1 - 4):j2 + 2])[:240]!r}")
    return out

# ---------------------------------------------------------------- main

def run_site(site, args):
    name = site['name']
    print(f'== {name} ({site["repo"]}@{site["commit"][:12]})', file=sys.stderr)
    root = prepare(site, args)
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    res = dict(site=site)
    for tool in ('zola', 'tl'):
        src = os.path.join(work, 'src-' + tool)
        shutil.copytree(root, src, symlinks=True)
        out = os.path.join(work, 'out-' + tool)
        if tool == 'zola':
            cmd = [args.zola, '--root', src, 'build', '--output-dir', out, '--force']
        else:
            cmd = [args.throughline, 'build', '--root', src, '--output-dir', out, '--force']
        ok, secs, err = build(cmd, args.runs, src)
        res[tool] = dict(ok=ok, secs=secs, err=err, out=out)
        print(f'  {tool}: ' + (f'{secs:.2f}s' if ok else 'FAILED: ' + err), file=sys.stderr)
    if res['zola']['ok'] and res['tl']['ok']:
        res['cmp'] = compare(res['zola']['out'], res['tl']['out'])
    return res


def pct(x):
    return f'{100 * x:.1f}' if x is not None else '-'


def report(results, show):
    rows = []
    head = ['site', 'zola', 'throughline', 'zola paths', 'missing in tl', 'extra in tl', 'pages',
            'words bag mean', 'bag min', 'word order mean', 'order min', 'time tl/zola']
    for r in results:
        z, t, c = r['zola'], r['tl'], r.get('cmp')
        row = [r['site']['name'], 'ok' if z['ok'] else 'FAILS', 'ok' if t['ok'] else 'FAILS']
        if c:
            bags = [p[1] for p in c['pages']]
            orders = [p[2] for p in c['pages']]
            mean = lambda xs: sum(xs) / len(xs) if xs else None
            row += [str(c['zola_files']), str(len(collapse(c['missing']))), str(len(collapse(c['extra']))),
                    str(len(c['pages'])),
                    pct(mean(bags)), pct(min(bags, default=None)), pct(mean(orders)),
                    pct(min(orders, default=None)), f"{t['secs'] / z['secs']:.2f}"]
        else:
            row += ['-'] * 9
        rows.append(row)
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')
    print('\nSimilarities are percentages over the HTML pages both tools wrote; a Pagefind index counts as one '
          'path; times are the best of each tool\'s runs.')
    for r in results:
        z, t, c = r['zola'], r['tl'], r.get('cmp')
        notes = []
        if not z['ok']:
            notes.append(f"  zola fails: {z['err']}")
        if not t['ok']:
            notes.append(f"  throughline fails: {t['err']}")
        if c:
            if c['missing']:
                notes.append(f"  missing in throughline ({len(c['missing'])}): "
                             + ' '.join(collapse(c['missing'])[:8]))
            if c['extra']:
                notes.append(f"  only in throughline ({len(c['extra'])}): "
                             + ' '.join(collapse(c['extra'])[:8]))
            worst = sorted((p for p in c['pages'] if p[1] < 1 or p[2] < 1), key=lambda p: (p[1], p[2]))
            if worst:
                notes.append(f"  {len(worst)} page(s) differ; worst: "
                             + ', '.join(f'{url(p[0])} ({pct(p[1])}/{pct(p[2])})' for p in worst[:5]))
            for p in worst[:show]:
                notes.append(f'  --- {url(p[0])}  bag {pct(p[1])}  order {pct(p[2])}')
                notes += excerpts(p[3], p[4])
        if notes:
            print(f"\n{r['site']['name']}:")
            print('\n'.join(notes))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--zola', default=os.environ.get('ZOLA', 'zola'), help='Zola 0.22.1 binary ($ZOLA)')
    ap.add_argument('--throughline', default=os.path.join(
        os.environ.get('CARGO_TARGET_DIR', os.path.join(HERE, '..', 'target')), 'release', 'throughline'),
        help='throughline binary (default: $CARGO_TARGET_DIR or target/, release/throughline)')
    ap.add_argument('--site', action='append', help='only this site (by name); repeatable')
    ap.add_argument('--list', action='store_true', help='list the sites and exit')
    ap.add_argument('--corpus', default=os.path.join(HERE, 'corpus.toml'))
    ap.add_argument('--mirror', default=os.environ.get('CORPUS_MIRROR', '/work/.mirror'))
    ap.add_argument('--cache', default=os.environ.get(
        'CORPUS_CACHE', os.path.join(os.path.expanduser('~'), '.cache', 'throughline-corpus')))
    ap.add_argument('--work', default='/dev/shm/throughline-corpus', help='copies of the sites and outputs')
    ap.add_argument('--runs', type=int, default=3, help='builds per tool; the best time counts')
    args = ap.parse_args()
    with open(args.corpus, 'rb') as f:
        sites = tomllib.load(f)['site']
    if args.list:
        for s in sites:
            print(f"{s['name']:24} {s['repo']}@{s['commit'][:12]}{'/' + s['subdir'] if s.get('subdir') else ''}\n"
                  f"{'':24} {s['why']}")
        return
    if args.site:
        unknown = set(args.site) - {s['name'] for s in sites}
        if unknown:
            sys.exit(f'no such site: {", ".join(sorted(unknown))}')
        sites = [s for s in sites if s['name'] in args.site]
    for tool in (args.zola, args.throughline):
        if not shutil.which(tool):
            sys.exit(f'not found: {tool}')
    args.throughline = os.path.abspath(shutil.which(args.throughline))
    args.zola = os.path.abspath(shutil.which(args.zola))
    results = [run_site(s, args) for s in sites]
    report(results, int(os.environ.get('SHOW', '0')))


if __name__ == '__main__':
    main()
