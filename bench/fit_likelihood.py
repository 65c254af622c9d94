#!/usr/bin/python3
"""Fits the candidate likelihood (server/src/core/likelihood.hpp) on the dev set and reports its calibration.

usage: OPENBLAS_NUM_THREADS=1 bench/fit_likelihood.py DATASET.jsonl.gz FEATURES.jsonl [--write HEADER] [--plots DIR]
       OPENBLAS_NUM_THREADS=1 bench/fit_likelihood.py DATASET.jsonl.gz FEATURES.jsonl --sweep-days-cap
  FEATURES.jsonl: `build/doppel eval --dataset DATASET --features` (top 20, the default).
  --write HEADER: writes the coefficients and the time cap (C++ header). The default likely threshold and the admin
                  page's curve are chosen on what panels show, by bench/end_view.py --write-panel; the threshold and
                  curve printed here are the creation-time view of this end alone (the fit's own).
  --plots DIR:    writes likelihood-reliability.png and likelihood-curves.png (needs python3-matplotlib).
  --sweep-days-cap: the held-out figures for every cap of log_days_apart in DAYS_CAP_SWEEP that FEATURES can
                  express (caps up to the one its binary applied: run it on features of a binary built with a larger
                  cap, or none, to compare larger ones), and the cap the rule below picks.

Labels: a candidate is positive when it is an earlier member of the query's duplicate group (the truth of
../shared/tools/dupe-eval.py: connected components of "Duplicate" links). Model: logistic regression fitted
by Newton's method with a small ridge penalty; the weights of the score features are kept >= 0 (active set),
so the likelihood is monotone in the score. Held-out figures: leave one project out (the query's project),
each project predicted by a model fitted on the other projects' queries. The threshold and its curve come
from those held-out predictions, for the panel's limit of 10. Output is deterministic (coefficients are
rounded to 6 significant digits), so rerunning on the same eval output reproduces the header byte for byte.
"""
import collections
import gzip
import json
import math
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

FEATURES = ["log_score", "log_ratio_top", "log_ratio_mean", "log_gap_next", "log_rank", "top_rank",
            "same_project", "shared_component", "same_issue_type", "log_days_apart", "rare_terms"]
NONNEGATIVE = {"log_score", "log_ratio_top", "log_ratio_mean", "log_gap_next"}  # rise with the candidate's score
# log_days_apart = ln(1 + min(days apart, DAYS_CAP)): the time penalty saturates. The dev set's candidates are at most
# 12.7 years apart and the few near-copies filed years apart are filed duplicates far more often than an unbounded
# ln(1 + days) says (score >= 0.9, first, > 1 year apart: 4 of 44). Chosen by --sweep-days-cap with the threshold's
# rule (the largest held-out margin, below); written into the header, so the binary applies the same cap.
DAYS_CAP = 30
DAYS_CAP_SWEEP = [7, 14, 30, 60, 90, 180, 365, 730, 1461, 2922]  # and the features as they are
RIDGE = 1.0          # L2 penalty on the weights (not the intercept), in units of the log-likelihood
PANEL_LIMIT = 10     # candidates the panel shows (both tiers)
CURVE = [0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]  # admin page's table
# (the default threshold is added to it)
SWEEP = [round(0.001 * i, 3) for i in range(1, 1000)]  # thresholds considered for the default
# Default threshold: on the held-out sweep over all dev projects, the one that keeps both issue-level targets with
# the largest margin: it maximises min(found / FOUND_TARGET, FLAGS_TARGET / flags) (found = share of issues with
# a duplicate that get it in the likely tier, flags = likely suggestions per issue without one).
FOUND_TARGET = 0.40
FLAGS_TARGET = 0.5


def load_truth(path):
    """(queries: key -> set of earlier group members, project: key -> project, all keys)."""
    created, project, adj = {}, {}, collections.defaultdict(set)
    with gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            f = r["fields"]
            created[r["key"]] = f.get("created") or ""
            project[r["key"]] = (f.get("project") or {}).get("key") or r["key"].split("-")[0]
            for link in f.get("issuelinks") or []:
                if (link.get("type") or {}).get("name") != "Duplicate":
                    continue
                for side in ("inwardIssue", "outwardIssue"):
                    other = (link.get(side) or {}).get("key")
                    if other:
                        adj[r["key"]].add(other)
                        adj[other].add(r["key"])
    group, seen = {}, set()
    for start in list(adj):
        if start in seen or start not in created:
            continue
        stack, comp = [start], []
        while stack:
            x = stack.pop()
            if x in seen or x not in created:
                continue
            seen.add(x)
            comp.append(x)
            stack.extend(adj[x])
        for x in comp:
            group[x] = start
    members = collections.defaultdict(list)
    for x, g in group.items():
        members[g].append(x)
    queries = {}
    for ms in members.values():
        ms.sort(key=lambda k: (created[k], k))
        for i in range(1, len(ms)):
            earlier = {m for m in ms[:i] if created[m] < created[ms[i]]}
            if earlier:
                queries[ms[i]] = earlier
    return queries, project, list(created)


def load_features(path, queries):
    """Rows of (query index, rank, features, label) as arrays, plus the query keys."""
    keys, qidx, rank, feats, labels = [], [], [], [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            if "features" not in r:
                sys.exit("fit_likelihood: FEATURES has no \"features\" member: run doppel eval --features")
            earlier = queries.get(r["key"], set())
            q = len(keys)
            keys.append(r["key"])
            for i, (cand, f) in enumerate(zip(r["candidates"], r["features"])):
                if len(f) != len(FEATURES):
                    sys.exit(f"fit_likelihood: {len(f)} features per candidate, this script knows {len(FEATURES)}")
                qidx.append(q)
                rank.append(i + 1)
                feats.append(f)
                labels.append(1.0 if cand in earlier else 0.0)
    return keys, np.array(qidx), np.array(rank), np.array(feats, dtype=np.float64), np.array(labels)


def fit(x, y):
    """Ridge logistic regression, weights of NONNEGATIVE features >= 0: returns (intercept, weights)."""
    n, d = x.shape
    active = np.ones(d, dtype=bool)
    constrained = np.array([name in NONNEGATIVE for name in FEATURES])
    while True:
        cols = np.flatnonzero(active)
        a = np.hstack([np.ones((n, 1)), x[:, cols]])
        beta = np.zeros(a.shape[1])
        penalty = np.full(a.shape[1], RIDGE)
        penalty[0] = 0.0
        for _ in range(100):
            p = 1.0 / (1.0 + np.exp(-(a @ beta)))
            grad = a.T @ (y - p) - penalty * beta
            hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty)
            step = np.linalg.solve(hess, grad)
            beta += step
            if np.max(np.abs(step)) < 1e-10:
                break
        weights = np.zeros(d)
        weights[cols] = beta[1:]
        negative = np.flatnonzero(active & constrained & (weights < 0))
        if len(negative) == 0:
            return beta[0], weights
        active[negative[np.argmin(weights[negative])]] = False  # drop the most negative, refit


def rounded(intercept, weights):
    """6 significant digits; weights below 1e-9 (a feature constant on the data, absorbed by the intercept) are 0."""
    r = lambda v: 0.0 if abs(v) < 1e-9 else float(f"{v:.6g}")  # noqa: E731
    return r(intercept), np.array([r(w) for w in weights])


def predict(model, x):
    intercept, weights = model
    return 1.0 / (1.0 + np.exp(-(intercept + x @ weights)))


# Reliability bins: most candidates get a likelihood below 0.01, so the edges are spaced roughly by ratio.
BIN_EDGES = [0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0]


def calibration(p, y):
    """(log loss, Brier score, expected calibration error, [(mean p, observed rate, count) per bin])."""
    eps = 1e-12
    ll = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
    brier = np.mean((p - y) ** 2)
    table, ece = [], 0.0
    for lo, hi in zip(BIN_EDGES[:-1], BIN_EDGES[1:]):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.sum() == 0:
            continue
        table.append((float(p[m].mean()), float(y[m].mean()), int(m.sum())))
        ece += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return ll, brier, ece, table


class scope:
    """A set of dataset issues (all, or one project's) and what the figures need about them."""

    def __init__(self, issues, keys, qidx, queries):
        members = set(issues)
        self.issues = len(members)
        self.with_duplicate = sum(1 for k in members if k in queries)
        self.pairs = sum(len(queries[k]) for k in members if k in queries)
        query_in = np.array([k in members for k in keys], dtype=bool)
        query_dup = np.array([k in queries for k in keys], dtype=bool)
        self.rows = query_in[qidx] if len(qidx) else np.zeros(0, dtype=bool)
        self.row_dup = query_dup[qidx] if len(qidx) else np.zeros(0, dtype=bool)
        self.qidx, self.nq = qidx, len(keys)


def targets(p, y, rank, sc, threshold):
    """The issue's figures at one threshold over one scope, panel limit 10 (both tiers shown, likely counted)."""
    shown = (rank <= PANEL_LIMIT) & sc.rows
    likely = shown & (p >= threshold)
    hits_any = np.bincount(sc.qidx[shown & (y > 0)], minlength=sc.nq) > 0
    hits_likely = np.bincount(sc.qidx[likely & (y > 0)], minlength=sc.nq) > 0
    clean = sc.issues - sc.with_duplicate
    # Likely candidates of issues that have a duplicate but are not it count against queue precision only.
    flags_clean = int((likely & ~sc.row_dup).sum())
    flagged = int(likely.sum())
    true_flagged = int((likely & (y > 0)).sum())
    return {
        "issues": sc.issues, "with_duplicate": sc.with_duplicate,
        "panel_found": int(hits_any.sum()) / max(1, sc.with_duplicate),
        "likely_found": int(hits_likely.sum()) / max(1, sc.with_duplicate),
        "false_flags_per_clean_issue": flags_clean / max(1, clean),
        "queue_pairs": flagged,
        "queue_precision": true_flagged / max(1, flagged),
        "queue_recall": true_flagged / max(1, sc.pairs),
    }


def days_cap_of(x):
    """The largest cap FEATURES can express: ln(1 + cap) = the largest log_days_apart seen (capped features sit there)."""
    return math.expm1(float(x[:, FEATURES.index("log_days_apart")].max()))


def with_days_cap(x, cap):
    out = x.copy()
    j = FEATURES.index("log_days_apart")
    out[:, j] = np.minimum(out[:, j], math.log1p(cap))
    return out


def held_out(x, y, row_project, projects):
    """Leave one project out: each project's rows predicted by the model fitted on the other projects' rows."""
    p_out = np.zeros(len(y))
    models = {}
    for proj in projects:
        m = row_project == proj
        models[proj] = rounded(*fit(x[~m], y[~m]))
        p_out[m] = predict(models[proj], x[m])
    return p_out, models


def margin(p, y, rank, everything, th):
    """min(found / FOUND_TARGET, FLAGS_TARGET / flags) at one threshold: > 1 when both issue-level targets hold."""
    t = targets(p, y, rank, everything, th)
    flags = t["false_flags_per_clean_issue"]
    return min(t["likely_found"] / FOUND_TARGET, FLAGS_TARGET / flags if flags > 0 else math.inf)


def best_threshold(p, y, rank, everything):
    return max(SWEEP, key=lambda th: (margin(p, y, rank, everything, th), -th))  # ties: the lowest threshold


def sweep_days_cap(x, y, rank, row_project, projects, everything):
    """Held-out log loss, ECE and the threshold rule's best margin per cap; returns the cap with the largest margin."""
    available = days_cap_of(x) * (1 + 1e-9)
    print(f"\nsweep of the time cap (FEATURES express caps up to {available:.1f} days):")
    print("  cap_days  logloss   ECE      threshold  margin  likely_found  flags/clean  precision  recall")
    best = None
    caps = [c for c in DAYS_CAP_SWEEP if c <= available]
    if not caps or caps[-1] < available * (1 - 1e-6):
        caps.append(available)  # FEATURES as they are
    for cap in caps:
        p, _ = held_out(with_days_cap(x, cap), y, row_project, projects)
        ll, _, ece, _ = calibration(p, y)
        th = best_threshold(p, y, rank, everything)
        mg = margin(p, y, rank, everything, th)
        t = targets(p, y, rank, everything, th)
        print(f"  {cap:<8.0f}  {ll:.6f}  {ece:.5f}  {th:<9g}  {mg:.3f}   {t['likely_found']:.3f}         "
              f"{t['false_flags_per_clean_issue']:.3f}        {t['queue_precision']:.4f}     {t['queue_recall']:.3f}")
        if best is None or mg > best[0]:
            best = (mg, cap)
    print(f"  chosen: {best[1]:.0f} days (the largest margin; ties: the smaller cap)")
    return best[1]


def header(model):
    intercept, weights = model
    names = ",\n    ".join(f'"{n}"' for n in FEATURES)
    ws = ",\n    ".join(f"{w:.6g}" for w in weights)
    return f"""// Generated by bench/fit_likelihood.py from `doppel eval --features` on the dev set: do not edit by hand.
#pragma once

#include <array>
#include <string_view>

namespace doppel::core::fitted {{

inline constexpr std::array<std::string_view, {len(FEATURES)}> feature_names{{
    {names}}};
inline constexpr double intercept = {intercept:.6g};
inline constexpr std::array<double, {len(FEATURES)}> weights{{
    {ws}}};
inline constexpr double max_days_apart = {DAYS_CAP:g};  // log_days_apart = ln(1 + min(days apart, this))

}}  // namespace doppel::core::fitted
"""


def plots(directory, p_in, p_out, y, rank, everything, threshold):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 6.5), dpi=100)
    for p, label, style in ((p_out, "held out (leave one project out)", "o-"), (p_in, "fitted on all four", "s--")):
        _, _, ece, table = calibration(p, y)
        ax.plot([t[0] for t in table], [max(t[1], 1e-4) for t in table], style, label=f"{label}, ECE {ece:.5f}")
        if p is p_out:
            for mp, rate, count in table:
                ax.annotate(f"{count}", (mp, max(rate, 1e-4)), textcoords="offset points", xytext=(6, -12),
                            fontsize=7, color="tab:blue")
    ax.plot([1e-4, 1], [1e-4, 1], ":", color="gray", label="perfect calibration")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("likelihood given (mean of the candidates in each bin)")
    ax.set_ylabel("share of those candidates that are filed duplicates")
    ax.set_title("Reliability of the likelihood, Apache Hadoop dev set (top 20)\n"
                 "numbers: candidates per bin (held out)", fontsize=11)
    ax.set_xlim(3e-4, 1)
    ax.set_ylim(1e-4, 1)
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(os.path.join(directory, "likelihood-reliability.png"))
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), dpi=100)
    shown = rank <= PANEL_LIMIT
    order = np.argsort(-p_out[shown], kind="stable")
    ys = y[shown][order]
    total = everything.pairs
    tp = np.cumsum(ys)
    precision = tp / np.arange(1, len(ys) + 1)
    recall = tp / total
    left.plot(recall, precision, label="likelihood (held out)")
    t = targets(p_out, y, rank, everything, threshold)
    left.plot([t["queue_recall"]], [t["queue_precision"]], "o", color="red",
              label=f"default threshold {threshold:g}")
    left.axhline(0.03, ls=":", color="gray")
    left.axvline(0.40, ls=":", color="gray", label="targets: precision 0.03, recall 0.40")
    left.set_xlabel("recall of filed duplicate pairs")
    left.set_ylabel("precision (review queue)")
    left.set_yscale("log")
    left.set_title("Pairs, top 10 of every issue")
    left.grid(alpha=0.3)
    left.legend()
    xs, ys2 = [], []
    for th in SWEEP:
        r = targets(p_out, y, rank, everything, th)
        xs.append(r["false_flags_per_clean_issue"])
        ys2.append(r["likely_found"])
    right.plot(xs, ys2, label="likely tier (held out)")
    right.plot([t["false_flags_per_clean_issue"]], [t["likely_found"]], "o", color="red",
               label=f"default threshold {threshold:g}")
    right.axhline(0.40, ls=":", color="gray")
    right.axvline(0.5, ls=":", color="gray", label="targets: found 0.40, flags 0.5")
    right.set_xlabel("likely suggestions per issue without a filed duplicate")
    right.set_ylabel("share of issues with a duplicate that get it in the likely tier")
    right.set_xlim(0, 2)
    right.set_title("Issues, panel limit 10")
    right.grid(alpha=0.3)
    right.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(directory, "likelihood-curves.png"))
    plt.close(fig)


def main():
    args = sys.argv[1:]
    write = plot_dir = None
    sweep = "--sweep-days-cap" in args
    if sweep:
        args.remove("--sweep-days-cap")
    if "--write" in args:
        i = args.index("--write")
        write = args[i + 1]
        del args[i:i + 2]
    if "--plots" in args:
        i = args.index("--plots")
        plot_dir = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    queries, project, issues = load_truth(args[0])
    keys, qidx, rank, x, y = load_features(args[1], queries)
    row_project = np.array([project.get(keys[q], "") for q in qidx])
    projects = sorted(set(project.values()))
    print(f"rows={len(y)} positives={int(y.sum())} queries_with_candidates={len(keys)} projects={','.join(projects)}")
    scopes = {proj: scope([k for k in issues if project[k] == proj], keys, qidx, queries) for proj in projects}
    scopes["all"] = scope(issues, keys, qidx, queries)
    if sweep:
        sweep_days_cap(x, y, rank, row_project, projects, scopes["all"])
        return
    if days_cap_of(x) > DAYS_CAP * (1 + 1e-9):
        sys.exit(f"fit_likelihood: FEATURES have log_days_apart beyond ln(1 + {DAYS_CAP}): made by a binary with "
                 "another max_days_apart (rebuild doppel from this header, or pass --sweep-days-cap)")

    model = rounded(*fit(x, y))
    p_in = predict(model, x)
    p_out, _ = held_out(x, y, row_project, projects)

    print("\nmodel (all dev projects):")
    print(f"  intercept {model[0]:.6g}")
    for name, w in zip(FEATURES, model[1]):
        print(f"  {name:18s} {w:.6g}")
    print("\nheld-out calibration (each project predicted by the model fitted on the others):")
    print("  project     rows  positives  mean p  rate    logloss  brier    ECE")
    for proj in projects + ["all"]:
        m = np.ones(len(y), dtype=bool) if proj == "all" else row_project == proj
        ll, brier, ece, _ = calibration(p_out[m], y[m])
        print(f"  {proj:10s} {m.sum():6d} {int(y[m].sum()):9d}  {p_out[m].mean():.4f}  {y[m].mean():.4f}"
              f"  {ll:.5f}  {brier:.5f}  {ece:.5f}")
    print("  in-sample (all):", "logloss %.5f brier %.5f ECE %.5f" % calibration(p_in, y)[:3])
    print("\nreliability, held out (bin: mean p -> observed rate, count):")
    for mp, rate, count in calibration(p_out, y)[3]:
        print(f"  {mp:.4f} -> {rate:.4f}  ({count})")

    threshold = best_threshold(p_out, y, rank, scopes["all"])
    print(f"\ndefault likely threshold {threshold:g} (held out, all projects: the largest min(found / {FOUND_TARGET}, "
          f"{FLAGS_TARGET} / flags) = {margin(p_out, y, rank, scopes['all'], threshold):.3f})")
    print("\ntargets at the default threshold (panel limit 10; queue = likely pairs of the top 10):")
    print("  scope       predictions  issues  w/dup  panel_found  likely_found  flags/clean  queue_pairs"
          "  precision  recall")
    for proj in projects + ["all"]:
        for label, p in (("held-out", p_out), ("in-sample", p_in)):
            t = targets(p, y, rank, scopes[proj], threshold)
            print(f"  {proj:10s}  {label:10s}  {t['issues']:6d}  {t['with_duplicate']:5d}  {t['panel_found']:11.3f}"
                  f"  {t['likely_found']:12.3f}  {t['false_flags_per_clean_issue']:11.3f}  {t['queue_pairs']:11d}"
                  f"  {t['queue_precision']:9.4f}  {t['queue_recall']:6.3f}")

    curve = []
    print("\nthreshold curve (held out, all projects): threshold  likely_found  flags/clean  precision  recall")
    for th in sorted(set(CURVE) | {threshold}):
        t = targets(p_out, y, rank, scopes["all"], th)
        curve.append((th, t["likely_found"], t["false_flags_per_clean_issue"]))
        print(f"  {th:<5g}  {t['likely_found']:.3f}  {t['false_flags_per_clean_issue']:.3f}"
              f"  {t['queue_precision']:.4f}  {t['queue_recall']:.3f}")

    if write:
        with open(write, "w", encoding="utf-8") as fh:
            fh.write(header(model))
        print(f"\nwrote {write}")
    if plot_dir:
        plots(plot_dir, p_in, p_out, y, rank, scopes["all"], threshold)
        print(f"wrote {plot_dir}/likelihood-reliability.png, {plot_dir}/likelihood-curves.png")


if __name__ == "__main__":
    main()
