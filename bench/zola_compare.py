#!/usr/bin/env python3
"""zola_compare.py ZOLA_OUT TL_OUT: compare two builds of one site: the output
paths each wrote, and the visible text of every HTML page both wrote (scripts
and styles left out, whitespace collapsed). SHOW=N prints N differing pages."""
import sys, os, re, html, difflib
from html.parser import HTMLParser

BLOCK={'p','div','li','ul','ol','h1','h2','h3','h4','h5','h6','br','tr','td','th','table','section','article','header','footer','nav','main','pre','blockquote','dt','dd','figure','figcaption','aside','hr','title','body','head','details','summary'}
class Text(HTMLParser):
    def __init__(s):
        super().__init__(); s.out=[]; s.skip=0
    def handle_starttag(s,t,a):
        if t in ('script','style','template'): s.skip+=1
        if t in BLOCK: s.out.append(' ')
    def handle_endtag(s,t):
        if t in ('script','style','template') and s.skip: s.skip-=1
        if t in BLOCK: s.out.append(' ')
    def handle_data(s,d):
        if not s.skip: s.out.append(d)
def text(p):
    t=Text(); t.feed(open(p,encoding='utf-8',errors='replace').read())
    return re.sub(r'\s+',' ',''.join(t.out)).strip()
def files(root):
    out=set()
    for d,_,fs in os.walk(root):
        for f in fs:
            r=os.path.relpath(os.path.join(d,f),root)
            if r.startswith('.throughline'): continue
            out.add(r)
    return out
z,t=sys.argv[1],sys.argv[2]
fz,ft=files(z),files(t)
only_z=sorted(fz-ft); only_t=sorted(ft-fz)
print(f"files: zola {len(fz)}, throughline {len(ft)}, common {len(fz&ft)}")
print(f"only in zola ({len(only_z)}):", *only_z[:40], sep="\n  ")
print(f"only in throughline ({len(only_t)}):", *only_t[:40], sep="\n  ")
html_common=sorted(f for f in fz&ft if f.endswith('.html'))
same=0; diffs=[]; loose=0; reordered=0
for f in html_common:
    a,b=text(os.path.join(z,f)),text(os.path.join(t,f))
    if a==b: same+=1
    else:
        if re.sub(r'\s','',a)==re.sub(r'\s','',b): loose+=1; continue
        # Zola lists `config.languages` in a different order on each page.
        # (the language switcher's names run together, so compare letters)
        if sorted(re.sub(r'\s','',a))==sorted(re.sub(r'\s','',b)): reordered+=1; continue
        diffs.append((f,a,b))
print(f"HTML pages in both: {len(html_common)}; same visible text: {same}; same but for spaces: {loose}; "
      f"same letters in another order: {reordered}; different: {len(diffs)}")
for f,a,b in diffs[:int(os.environ.get('SHOW','6'))]:
    print("---",f)
    wa,wb=a.split(' '),b.split(' ')
    sm=difflib.SequenceMatcher(None,wa,wb,autojunk=False)
    n=0
    for op,i1,i2,j1,j2 in sm.get_opcodes():
        if op!='equal':
            n+=1
            if n>8: print("  ..."); break
            print(f"  zola: {' '.join(wa[max(0,i1-4):i2+2])[:300]!r}\n  tl  : {' '.join(wb[max(0,j1-4):j2+2])[:300]!r}")
