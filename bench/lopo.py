#!/usr/bin/python3
"""Leave-one-project-out tuning of `doppel eval --options`, per dev project.

usage: bench/lopo.py DATASET.jsonl.gz [--bin build/doppel] [--draft] [--metric mrr|rr5|rr10]
                     [--base JSON] [--rounds N] [--jobs N] [--cache DIR] PARAM=V1,V2,... [PARAM=...]
  PARAM: a model option (field_weights.summary, field_b.description, k1, ...: a dot names a member of a
  per-field object). One round of coordinate ascent, done for all coordinates at once (the eval runs are the
  cost: about 6 s each on a quiet machine): every one-option change of --base is run once; each fold (three
  projects) takes, for every option, its best value on those projects' queries when it beats the base there,
  combines them, and keeps the combination when it beats the fold's best single change (else that change);
  the fourth project is scored with the fold's choice. --rounds N (default 1) repeats the round from each
  fold's own choice (coordinate ascent over the grid; a fold stops when a round changes nothing), so every
  round is chosen on the fold's three projects alone. Prints per project RR@1/5/10 and MRR at the base and
  held out, each fold's choice, and the choice made the same way on all four. Eval outputs are cached in
  --cache (default /tmp/doppel-lopo-cache) by binary, mode and options; only the truth (dupe-eval.py's groups)
  is read from the dataset.
"""
import collections, hashlib, importlib.util, json, os, subprocess, sys

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
    def __init__(self, dataset, binary, draft, cache_dir, jobs):
        self.dataset, self.binary, self.draft, self.jobs = dataset, binary, draft, jobs
        st = os.stat(binary)
        self.dir = os.path.join(cache_dir, hashlib.sha1(f"{os.path.abspath(binary)}:{st.st_size}:{st.st_mtime_ns}:"
                                                        f"{draft}:{dataset}".encode()).hexdigest()[:16])
        os.makedirs(self.dir, exist_ok=True)
        self.mem = {}

    def path(self, opts):
        key = json.dumps(opts, sort_keys=True)
        return key, os.path.join(self.dir, hashlib.sha1(key.encode()).hexdigest()[:16] + ".jsonl")

    def run_all(self, all_opts):
        """Runs the evals not yet cached, self.jobs at a time."""
        todo = [self.path(o) for o in all_opts if not os.path.exists(self.path(o)[1])]
        todo = list(dict(todo).items())
        procs = []
        while todo or procs:
            while todo and len(procs) < self.jobs:
                key, path = todo.pop(0)
                cmd = [self.binary, "eval", "--dataset", self.dataset, "--options", key] + (["--draft"] if self.draft else [])
                procs.append((subprocess.Popen(cmd, stdout=open(path + ".tmp", "w")), key, path))
            p, key, path = procs.pop(0)
            if p.wait() != 0:
                sys.exit(f"lopo: eval failed for {key}")
            os.replace(path + ".tmp", path)
            print(f"  ran {key}", file=sys.stderr, flush=True)

    def ranks(self, opts):
        key, path = self.path(opts)
        if key not in self.mem:
            self.run_all([opts])
            with open(path, encoding="utf-8") as fh:
                self.mem[key] = {r["key"]: r["candidates"] for r in map(json.loads, filter(str.strip, fh))}
        return self.mem[key]


def choose(run, base, grids, queries, metric):
    """One round from base, all coordinates at once (see the usage)."""
    base_m = metrics(queries, run.ranks(base))[metric]
    combo, best_single, best_single_m = base, base, base_m
    for param, values in grids:
        scored = [(metrics(queries, run.ranks(with_value(base, param, v)))[metric], v) for v in values]
        m, v = max(scored, key=lambda x: x[0])
        if m > base_m + 1e-9:
            combo = with_value(combo, param, v)
            if m > best_single_m:
                best_single, best_single_m = with_value(base, param, v), m
    if combo == base:
        return base
    run.run_all([combo])
    return combo if metrics(queries, run.ranks(combo))[metric] >= best_single_m else best_single


def ascend(run, base, grids, queries, metric, rounds):
    """choose() repeated from its own result, at most rounds times (the grid of each round run up front)."""
    opts = base
    for _ in range(rounds):
        run.run_all([with_value(opts, p, v) for p, vs in grids for v in vs])
        nxt = choose(run, opts, grids, queries, metric)
        if nxt == opts:
            break
        opts = nxt
    return opts


def row(name, m):
    return f"| {name} | " + " / ".join(f"{m[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr")) + " |"


def main():
    args = sys.argv[1:]
    binary, draft, metric, base = os.path.join(here, "..", "build", "doppel"), False, "mrr", {}
    jobs, cache_dir, rounds = 2, "/tmp/doppel-lopo-cache", 1
    grids, dataset = [], None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--bin": binary = args[i + 1]; i += 1
        elif a == "--draft": draft = True
        elif a == "--metric": metric = args[i + 1]; i += 1
        elif a == "--base": base = json.loads(args[i + 1]); i += 1
        elif a == "--jobs": jobs = int(args[i + 1]); i += 1
        elif a == "--rounds": rounds = int(args[i + 1]); i += 1
        elif a == "--cache": cache_dir = args[i + 1]; i += 1
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
    run = runner(dataset, binary, draft, cache_dir, jobs)
    run.run_all([base] + [with_value(base, p, v) for p, vs in grids for v in vs])
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
    print(f"\nevery one-option change, {metric} per project (base first):")
    print("| change | " + " | ".join(projects) + " | all |")
    print("|---|" + "---|" * (len(projects) + 1))
    for label, opts in [("base", base)] + [(f"{p}={json.dumps(v)}", with_value(base, p, v)) for p, vs in grids for v in vs]:
        r = run.ranks(opts)
        print(f"| {label} | " + " | ".join(f"{metrics(by_project[p], r)[metric]:.3f}" for p in projects)
              + f" | {metrics(queries, r)[metric]:.3f} |")
    a = metrics(queries, run.ranks(all_opts))
    print(f"tuned on all four: {json.dumps(all_opts)} -> " + " / ".join(f"{a[k]:.3f}" for k in ("rr1", "rr5", "rr10", "mrr")))


if __name__ == "__main__":
    main()
