#!/usr/bin/env python3
"""Duplicate-detection quality per project: the dupe-eval protocol (../shared/tools/dupe-eval.py)
scored separately on the queries of each project, for several rank files side by side. A model
tuned to one project's vocabulary shows up here as uneven gains.
usage: per_project.py DATASET.jsonl.gz NAME=RANKS.jsonl [NAME=RANKS.jsonl ...]"""
import collections, importlib.util, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "dupe_eval", os.environ.get("DUPE_EVAL", os.path.join(here, "..", "..", "shared", "tools", "dupe-eval.py")))
dupe_eval = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dupe_eval)


def load_ranks(path):
    with open(path, encoding="utf-8") as fh:
        return {r["key"]: r.get("candidates") or [] for r in map(json.loads, filter(str.strip, fh))}


def scores(queries, ranks):
    hits, rr = collections.Counter(), 0.0
    for q, earlier in queries.items():
        rank = next((i for i, c in enumerate(ranks.get(q, [])[:20], 1) if c in earlier), None)
        if rank:
            rr += 1.0 / rank
            for k in (1, 5, 10):
                hits[k] += rank <= k
    n = max(1, len(queries))
    return hits[1] / n, hits[5] / n, hits[10] / n, rr / n


def main():
    queries = dupe_eval.load_truth(sys.argv[1])
    runs = [(a.split("=", 1)[0], load_ranks(a.split("=", 1)[1])) for a in sys.argv[2:]]
    by_project = collections.defaultdict(dict)
    for q, earlier in queries.items():
        by_project[q.split("-")[0]][q] = earlier
    print("| project | queries | " + " | ".join(f"{name} RR@1 / RR@5 / RR@10 / MRR" for name, _ in runs) + " |")
    print("|---|---|" + "---|" * len(runs))
    for project in sorted(by_project, key=lambda p: -len(by_project[p])) + ["all"]:
        qs = queries if project == "all" else by_project[project]
        cells = [" / ".join(f"{x:.3f}" for x in scores(qs, ranks)) for _, ranks in runs]
        print(f"| {project} | {len(qs)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
