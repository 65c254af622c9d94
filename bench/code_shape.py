#!/usr/bin/env python3
"""Shape of the server tree: files and lines per folder, the largest files, the longest functions.

usage: bench/code_shape.py [ROOT]   (ROOT defaults to server/src; a git revision's tree can be checked out first)
Functions are the definitions that start in column 0 and end at the next '}' in column 0 (the house style)."""
import collections
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "server/src"
files = []
for d, _, names in os.walk(root):
    for n in names:
        if n.endswith((".cpp", ".hpp")):
            p = os.path.join(d, n)
            with open(p, encoding="utf-8") as f:
                files.append((os.path.relpath(p, root), f.read().splitlines()))

per_folder = collections.Counter()
lines_per_folder = collections.Counter()
for rel, lines in files:
    folder = os.path.dirname(rel) or "."
    per_folder[folder] += 1
    lines_per_folder[folder] += len(lines)
print("folder                files  lines")
for folder in sorted(per_folder):
    print(f"{folder:20s} {per_folder[folder]:6d} {lines_per_folder[folder]:6d}")
print(f"{'total':20s} {len(files):6d} {sum(len(l) for _, l in files):6d}\n")

print("largest files (lines)")
for rel, lines in sorted(files, key=lambda f: -len(f[1]))[:8]:
    print(f"  {len(lines):5d}  {rel}")

start = re.compile(r"^[A-Za-z_][^;]*\)\s*(const\s*)?(->.*)?\{\s*$|^[A-Za-z_][^;]*\)\s*(const\s*)?$")
functions = []
for rel, lines in files:
    if not rel.endswith(".cpp"):
        continue
    i = 0
    while i < len(lines):
        line = lines[i]
        if start.match(line) and not line.startswith(("namespace", "struct", "class", "enum", "using", "template", "#")):
            name = re.sub(r"\(.*", "", line).split()[-1] if "(" in line else line
            j = i + 1
            while j < len(lines) and lines[j] != "}":
                j += 1
            functions.append((j - i + 1, rel, name))
            i = j + 1
        else:
            i += 1
print("\nlongest functions (lines)")
for n, rel, name in sorted(functions, reverse=True)[:8]:
    print(f"  {n:5d}  {rel}  {name}")
