#!/usr/bin/python3
"""Leave-one-project-out tuning of `doppel eval --options` by coordinate ascent, per dev project.

usage: bench/lopo.py DATASET.jsonl.gz [--bin build/doppel] [--draft] [--metric mrr|rr5|rr10]
                     [--base JSON] [--rounds N] PARAM=V1,V2,... [PARAM=...]
  PARAM: a model option (field_weights.summary, field_b.description, k1, ...: a dot names a member of a
  per-field object). Each fold tunes on three projects (coordinate ascent over the grids, starting at --base,
  objective: the metric over those projects' queries together) and scores the fourth with what it chose.
  Prints per project RR@1/5/10 and MRR at the base options and held out, the choices of each fold, and the
  choice tuned on all four. Every eval run's output is cached by its options in the process; nothing of the
  dataset's content is read except the truth (../shared/tools/dupe-eval.py's groups).
"""
import collections, importlib.util, json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "dupe_eval", os.environ.get("DUPE_EVAL", os.path.join(here, "..", "..", "shared", "tools", "dupe-eval.py")))
dupe_eval = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dupe_eval)


def metrics(queries, ranks):
    n = max(1, len(queries))
    hit, rr = collections.Counter(), 0.0
    for q, earlier in queries.items():
        rank = next((i for i, c in enumerate(ranks.get(q, [])[:20], 1) if c in earlier), None)
        if rank:
            rr += 1.0 / rank
            for k in (1, 5, 10):
                hit[k] += rank <= k
    return {"rr1": hit[1] / n, "rr5": hit[5] / n, "rr10": hit[10] / n, "mrr": rr / n}


def with_value(opts, param, value):
    out = json.loads(json.dumps(opts))
    if "." in param:
        obj, member = param.split(".", 1)
        out.setdefault(obj, {})[member] = value
    else:
        out[param] = value
    return out


class runner:
    def __init__(self, dataset, binary, draft):
        self.dataset, self.binary, self.draft, self.cache = dataset, binary, draft, {}

    def ranks(self, opts):
        key = json.dumps(opts, sort_keys=True)
        if key not in self.cache:
            cmd = [self.binary, "eval", "--dataset", self.dataset, "--options", key] + (["--draft"] if self.draft else [])
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            self.cache[key] = {r["key"]: r["candidates"] for r in map(json.loads, filter(str.strip, out.splitlines()))}
            print(f"  ran {key}", file=sys.stderr, flush=True)
        return self.cache[key]


def ascend(run, base, grids, queries, metric, rounds):
    cur = base
    best = metrics(queries, run.ranks(cur))[metric]
    for _ in range(rounds):
        moved = False
        for param, values in grids:
            for v in values:
                cand = with_value(cur, param, v)
                m = metrics(queries, run.ranks(cand))[metric]
                if m > best + 1e-9:
                    cur, best, moved = cand, m, True
        if not moved:
            break
    return cur


def row(name, m):
    return f"| {name} | " + " / ".join(f"{m[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr")) + " |"


def main():
    args = sys.argv[1:]
    binary, draft, metric, base, rounds = os.path.join(here, "..", "build", "doppel"), False, "mrr", {}, 2
    grids, dataset = [], None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--bin": binary = args[i + 1]; i += 1
        elif a == "--draft": draft = True
        elif a == "--metric": metric = args[i + 1]; i += 1
        elif a == "--base": base = json.loads(args[i + 1]); i += 1
        elif a == "--rounds": rounds = int(args[i + 1]); i += 1
        elif "=" in a:
            p, vs = a.split("=", 1)
            grids.append((p, [json.loads(v) for v in vs.split(",")]))
        elif dataset is None: dataset = a
        else: sys.exit(__doc__)
        i += 1
    if dataset is None:
        sys.exit(__doc__)
    queries = dupe_eval.load_truth(dataset)
    by_project = collections.defaultdict(dict)
    for q, earlier in queries.items():
        by_project[q.split("-")[0]][q] = earlier
    projects = sorted(by_project)
    run = runner(dataset, binary, draft)
    base_ranks = run.ranks(base)
    held, chosen = {}, {}
    for p in projects:
        train = {q: e for other in projects if other != p for q, e in by_project[other].items()}
        opts = ascend(run, base, grids, train, metric, rounds)
        chosen[p] = opts
        held[p] = run.ranks(opts)
    all_opts = ascend(run, base, grids, queries, metric, rounds)
    print(f"metric {metric}, {'summary-only drafts' if draft else 'whole issues'}, base {json.dumps(base)}")
    print("| project (queries) | base RR@1 / RR@5 / RR@10 / MRR | held out RR@1 / RR@5 / RR@10 / MRR | fold's choice |")
    print("|---|---|---|---|")
    pooled = {}
    for p in projects:
        b, h = metrics(by_project[p], base_ranks), metrics(by_project[p], held[p])
        print(f"| {p} ({len(by_project[p])}) | " + " / ".join(f"{b[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr"))
              + " | " + " / ".join(f"{h[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr")) + f" | `{json.dumps(chosen[p])}` |")
        pooled.update({q: held[p].get(q, []) for q in by_project[p]})
    b, h = metrics(queries, base_ranks), metrics(queries, pooled)
    print(f"| all ({len(queries)}) | " + " / ".join(f"{b[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr"))
          + " | " + " / ".join(f"{h[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr")) + " | (each project by its fold) |")
    a = metrics(queries, run.ranks(all_opts))
    print(f"tuned on all four: {json.dumps(all_opts)} -> " + " / ".join(f"{a[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr")))


if __name__ == "__main__":
    main()
