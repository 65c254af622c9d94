#!/usr/bin/python3
"""The issue's figures for the tiers `doppel eval` printed, per project and overall (offline, creation-time replay).

usage: bench/tier_report.py DATASET.jsonl.gz RANKS.jsonl [--threshold P]
  RANKS.jsonl: `build/doppel eval --dataset DATASET` (its "likelihood" and "tier" arrays).
  --threshold P: count a candidate as likely when its printed likelihood is >= P instead of reading "tier".

Per scope (each project's issues, then all): the share of issues with a filed earlier duplicate that have one
among the first 10 candidates (the panel, both tiers), the share that have one in the likely tier, likely
suggestions per issue without one, and the review queue (the likely pairs of the top 10): pairs, precision
and recall against the filed duplicate pairs (truth as in ../shared/tools/dupe-eval.py).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_likelihood import load_truth, scope, targets  # noqa: E402


def main():
    args = sys.argv[1:]
    threshold = None
    if "--threshold" in args:
        i = args.index("--threshold")
        threshold = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    queries, project, issues = load_truth(args[0])
    keys, qidx, rank, likely, y = [], [], [], [], []
    with open(args[1], encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            if "tier" not in r or "likelihood" not in r:
                sys.exit("tier_report: RANKS has no \"likelihood\"/\"tier\" arrays (an older doppel eval?)")
            earlier = queries.get(r["key"], set())
            q = len(keys)
            keys.append(r["key"])
            for i, (cand, p, t) in enumerate(zip(r["candidates"], r["likelihood"], r["tier"])):
                qidx.append(q)
                rank.append(i + 1)
                likely.append(p >= threshold if threshold is not None else t == "likely")
                y.append(1.0 if cand in earlier else 0.0)
    qidx, rank, y = np.array(qidx), np.array(rank), np.array(y)
    p = np.array(likely, dtype=np.float64)  # 1 = likely: targets() at threshold 0.5 counts exactly those
    projects = sorted(set(project.values()))
    print(f"likely = {'likelihood >= %g' % threshold if threshold is not None else 'tier printed by doppel eval'}")
    print("scope       issues  w/dup  panel_found  likely_found  flags/clean  queue_pairs  precision  recall")
    for proj in projects + ["all"]:
        sc = scope(issues if proj == "all" else [k for k in issues if project[k] == proj], keys, qidx, queries)
        t = targets(p, y, rank, sc, 0.5)
        print(f"{proj:10s}  {t['issues']:6d}  {t['with_duplicate']:5d}  {t['panel_found']:11.3f}  {t['likely_found']:12.3f}"
              f"  {t['false_flags_per_clean_issue']:11.3f}  {t['queue_pairs']:11d}  {t['queue_precision']:9.4f}"
              f"  {t['queue_recall']:6.3f}")


if __name__ == "__main__":
    main()
