#!/usr/bin/python3
"""Issue #17's panel figures as a user sees them after the stream: every issue's panel once the whole dataset is indexed.

usage: bench/end_view.py DATASET.jsonl.gz END_VIEW.jsonl [--thresholds P,P,...] [--pair-rules]
  END_VIEW.jsonl: `build/doppel eval --dataset DATASET --end-view` (each issue searched over the full index, as
  `GET /api/issues/{key}/similar` answers once every issue is indexed; likelihood and tier as the panel rates them).

Truth as deploy/load/quality_stream.mjs (and ../shared/tools/dupe-eval.py): groups = connected components of
Duplicate links within the dataset. An issue "has a filed duplicate" when its group has another member; a panel
entry is a hit when both issues are in one group. Per project and overall, panel limit 10:
  (a) issues with a filed duplicate whose panel lists one (both tiers)
  (b) ... whose likely tier lists one
  (c) likely candidates per issue without a filed duplicate
Both ends of a pair see each other at the end, so a false likely pair of two clean issues counts twice in (c);
the creation-time replay (`doppel eval`, bench/tier_report.py) counts it once. The streamed product
(quality_stream.mjs) measured 41.4 % / 0.66 at the default threshold; this script gives 41.4 % / 0.661 from the
same code in about 10 s.
--thresholds: (b)/(c) overall when likely = likelihood >= P (instead of the printed tier).
--pair-rules: overall (b)/(c) for rules that decide a pair once from both ends' likelihoods (docs/likelihood.md).
"""
import collections
import gzip
import json
import sys

PANEL_LIMIT = 10


def groups_of(path):
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    keys = {r["key"] for r in rows}
    project = {r["key"]: ((r.get("fields") or {}).get("project") or {}).get("key") or r["key"].split("-")[0]
               for r in rows}
    adj = collections.defaultdict(set)
    for r in rows:
        for link in (r.get("fields") or {}).get("issuelinks") or []:
            if (link.get("type") or {}).get("name") != "Duplicate":
                continue
            for side in ("inwardIssue", "outwardIssue"):
                other = (link.get(side) or {}).get("key")
                if other and other != r["key"] and other in keys:
                    adj[r["key"]].add(other)
                    adj[other].add(r["key"])
    group = {}
    for start in sorted(adj):
        if start in group:
            continue
        stack = [start]
        while stack:
            k = stack.pop()
            if k not in group:
                group[k] = start
                stack.extend(adj[k])
    return group, project


def figures(lines, group, project, likely_of):
    """{scope: (with_dup, panel_hit, likely_hit, clean, clean_likely)} per project and "all"."""
    out = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
    for r in lines:
        x = r["key"]
        shown = r["candidates"][:PANEL_LIMIT]
        likely = [c for i, c in enumerate(shown) if likely_of(r, i)]
        for scope in (project.get(x, x.split("-")[0]), "all"):
            f = out[scope]
            if x in group:
                f[0] += 1
                f[1] += any(group.get(c) == group[x] for c in shown)
                f[2] += any(group.get(c) == group[x] for c in likely)
            else:
                f[3] += 1
                f[4] += len(likely)
    return out


def ratio(a, b):
    return a / b if b else float("nan")


def main():
    args = sys.argv[1:]
    thresholds, pair_rules = [], "--pair-rules" in args
    if pair_rules:
        args.remove("--pair-rules")
    if "--thresholds" in args:
        i = args.index("--thresholds")
        thresholds = [float(t) for t in args[i + 1].split(",")]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    group, project = groups_of(args[0])
    with open(args[1], encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh if line.strip()]
    if any("tier" not in r or "likelihood" not in r for r in lines):
        sys.exit("end_view: END_VIEW has no \"likelihood\"/\"tier\" arrays (an older doppel eval?)")
    by_tier = figures(lines, group, project, lambda r, i: r["tier"][i] == "likely")
    print("scope       issues  w/dup  (a) panel  (b) likely  (c) likely/clean")
    for scope in sorted(s for s in by_tier if s != "all") + ["all"]:
        w, ph, lh, clean, cl = by_tier[scope]
        print(f"{scope:10s}  {w + clean:6d}  {w:5d}  {ratio(ph, w):9.3f}  {ratio(lh, w):10.3f}  {ratio(cl, clean):16.3f}")
    for t in thresholds:
        w, _, lh, clean, cl = figures(lines, group, project, lambda r, i, t=t: r["likelihood"][i] >= t)["all"]
        print(f"likelihood >= {t:g}: (b) {ratio(lh, w):.3f}  (c) {ratio(cl, clean):.3f}")
    if pair_rules:
        # p[(x, y)]: y's likelihood on x's panel (x's first 20 hits); a pair not in one end's list counts 0 there.
        p = {(r["key"], c): v for r in lines for c, v in zip(r["candidates"], r["likelihood"])}
        both = lambda r, i: (p[(r["key"], r["candidates"][i])], p.get((r["candidates"][i], r["key"]), 0.0))  # noqa: E731
        rules = {
            "this end >= t": lambda a, b, t: a >= t,
            "both ends >= t": lambda a, b, t: min(a, b) >= t,
            "sqrt(a*b) >= t": lambda a, b, t: (a * b) ** 0.5 >= t,
            "max >= t, min >= 2t/3": lambda a, b, t: max(a, b) >= t and min(a, b) >= 2 * t / 3,
        }
        for name, rule in rules.items():
            cells = []
            for t in thresholds or [0.012, 0.016, 0.018, 0.02, 0.025]:
                w, _, lh, clean, cl = figures(lines, group, project, lambda r, i, t=t: rule(*both(r, i), t))["all"]
                cells.append(f"{t:g}: {ratio(lh, w):.3f}/{ratio(cl, clean):.3f}")
            print(f"{name:24s} (b)/(c) at  " + "   ".join(cells))


if __name__ == "__main__":
    main()
