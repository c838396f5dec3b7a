#!/usr/bin/env python3
"""throughline against Zola 0.22.1 on the two generated shapes of issue 23,
paired in one run (BENCHMARKS.md, "The shapes of the world"):

    python3 bench/shapes.py --zola /path/to/zola [--pages 10000 ...] [--runs 5]

For each shape (`plan`, `stress`) and each page count, `gen_site` writes one
site (its own Tera templates); both tools build that same folder, output on
/dev/shm, each run from an empty output folder:
- wall time: hyperfine, the two commands alternating, --runs each;
- peak RSS: /usr/bin/time -f %M, three runs each, the median.
Prints a table of both tools' figures and the ratios throughline/Zola.
Needs hyperfine (Debian: apt-get install hyperfine) and GNU time.
"""
import argparse, json, os, subprocess, sys, tempfile, statistics

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def peak_rss_mb(cmd, out):
    vals = []
    for _ in range(3):
        run(['rm', '-rf', out])
        p = subprocess.run(['/usr/bin/time', '-f', '%M'] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit(f'failed: {" ".join(cmd)}\n{p.stderr[-2000:]}')
        vals.append(int(p.stderr.strip().splitlines()[-1]) / 1024)
    return statistics.median(vals)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--zola', required=True, help='zola 0.22.1 binary, built from source')
    ap.add_argument('--throughline', default=os.path.join(
        os.environ.get('CARGO_TARGET_DIR', os.path.join(ROOT, 'target')), 'release', 'throughline'))
    ap.add_argument('--gen', default=None, help='gen_site binary (default: beside --throughline, examples/)')
    ap.add_argument('--pages', type=int, nargs='+', default=[10000])
    ap.add_argument('--shapes', nargs='+', default=['plan', 'stress'])
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--work', default='/dev/shm/throughline-shapes')
    a = ap.parse_args()
    gen = a.gen or os.path.join(os.path.dirname(a.throughline), 'examples', 'gen_site')
    zv = subprocess.run([a.zola, '--version'], capture_output=True, text=True).stdout.strip()
    rows = []
    for shape in a.shapes:
        for n in a.pages:
            site = os.path.join(a.work, f'{shape}-{n}')
            run([gen, str(n), site, shape], stdout=subprocess.DEVNULL)
            src = os.path.join(site, 'throughline')
            tl_out = os.path.join(a.work, 'out-tl')
            z_out = os.path.join(a.work, 'out-zola')
            tl = [a.throughline, '-r', src, 'build', '-o', tl_out, '--force']
            z = [a.zola, '--root', src, 'build', '-o', z_out, '--force']
            # Both must build it; say what each said if not.
            for cmd, out in ((tl, tl_out), (z, z_out)):
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit(f'{shape} {n}: failed: {" ".join(cmd)}\n{p.stderr[-3000:]}')
            files = {o: sum(len(fs) for _, _, fs in os.walk(o)) for o in (tl_out, z_out)}
            with tempfile.NamedTemporaryFile(suffix='.json') as js:
                run(['hyperfine', '-N', '--warmup', '1', '--runs', str(a.runs), '--export-json', js.name,
                     '--prepare', f'rm -rf {tl_out} {z_out}',
                     '-n', 'throughline', ' '.join(tl), '-n', 'zola', ' '.join(z)],
                    stdout=sys.stderr)
                res = {r['command']: r for r in json.load(open(js.name))['results']}
            rss_tl = peak_rss_mb(tl, tl_out)
            rss_z = peak_rss_mb(z, z_out)
            t_tl, t_z = res['throughline']['mean'], res['zola']['mean']
            rows.append((shape, n, t_tl, res['throughline']['stddev'], t_z, res['zola']['stddev'],
                         rss_tl, rss_z, files[tl_out], files[z_out]))
    print(f'\nthroughline {subprocess.run([a.throughline, "--version"], capture_output=True, text=True).stdout.strip()} against {zv}; {a.runs} runs each')
    print('| shape | pages | throughline s | Zola s | time ratio | throughline MB | Zola MB | RSS ratio | files tl / Zola |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    for shape, n, t, ts, z, zs, rt, rz, ft, fz in rows:
        print(f'| {shape} | {n:,} | {t:.2f} ± {ts:.2f} | {z:.2f} ± {zs:.2f} | {t / z:.2f} | {rt:.0f} | {rz:.0f} | {rt / rz:.2f} | {ft:,} / {fz:,} |')


if __name__ == '__main__':
    main()
