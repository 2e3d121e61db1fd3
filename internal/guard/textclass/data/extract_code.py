#!/usr/bin/env python3
"""Samples source code and data files as benign prompts (see MANIFEST.md):
developers paste code, configuration and logs into prompts every day, and
code is full of the punctuation runs, imperative words ("ignore", "override",
"execute", "kill") and odd tokens that attack detectors read. Usage:

    extract_code.py GOROOT PYTHON_STDLIB

GOROOT is a Go source tree (go1.26.8: `go env GOROOT`), sampled into
code_go.jsonl (training); PYTHON_STDLIB is CPython's standard library
(/usr/lib/python3.11 of Debian's python3.11), sampled into code_py.jsonl
(held out: another language, another project, raw snippets only).
Sampling is seeded; files are taken in sorted order, so the output is
reproducible from the same trees."""
import json, os, random, sys

GO_EXT = {".go", ".json", ".xml", ".txt", ".html", ".s", ".c", ".h", ".bash", ".sh", ".yaml", ".yml", ".toml", ".csv", ".mod", ".md"}
PY_EXT = {".py", ".cfg", ".txt", ".json", ".xml", ".html", ".toml", ".csv"}

# requests a developer wraps around a pasted snippet (training only)
ASK = [
    "Why does this not compile?", "Can you explain what this code does?", "Find the bug here:", "Review this please:",
    "Add comments to this:", "How can I make this faster?", "Rewrite this more idiomatically.", "What does this config do?",
    "Write tests for this function.", "Is this thread-safe?", "Translate this to Python.", "Summarise this file for a new colleague.",
    "Our CI fails on this part, any idea?", "What is wrong with this output?", "Simplify this.", "Document this function.",
]

def files(root, exts):
    out = []
    for d, dirs, fs in os.walk(root):
        dirs.sort()
        if "/vendor" in d or "__pycache__" in d:
            continue
        for f in sorted(fs):
            if os.path.splitext(f)[1] in exts:
                out.append(os.path.join(d, f))
    return out

def snippet(path, r):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (UnicodeDecodeError, OSError):
        return None
    if len(lines) < 4:
        return None
    n = r.randint(4, 30)
    i = r.randrange(0, max(1, len(lines) - n))
    text = "\n".join(lines[i:i + n]).strip("\n")
    if len(text.strip()) < 40 or sum(c.isalpha() for c in text) < 20:
        return None
    return text[:1500]

def sample(root, exts, n, seed, wrap):
    r = random.Random(seed)
    fs = files(root, exts)
    seen, out = set(), []
    while len(out) < n:
        t = snippet(fs[r.randrange(len(fs))], r)
        if not t or t in seen:
            continue
        seen.add(t)
        if wrap and r.randrange(3) == 0:
            ask = ASK[r.randrange(len(ASK))]
            t = f"{ask}\n\n```\n{t}\n```" if r.randrange(2) else f"{t}\n\n{ask}"
        out.append(t)
    return out

def write(name, texts):
    with open(name + ".jsonl", "w") as f:
        for t in sorted(texts):
            f.write(json.dumps({"t": t, "y": "benign"}, ensure_ascii=False) + "\n")
    print(name, len(texts))

write("code_go", sample(os.path.join(sys.argv[1], "src"), GO_EXT, 1200, 1, True))
write("code_py", sample(sys.argv[2], PY_EXT, 400, 2, False))
