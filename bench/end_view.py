#!/usr/bin/python3
"""Issue #17's panel figures as a user sees them after the stream: every issue's panel once the whole dataset is indexed.

usage: bench/end_view.py DATASET.jsonl.gz END_VIEW.jsonl [--thresholds P,P,...] [--sweep] [--write-panel HEADER]
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
--sweep: (b)/(c) overall for the product's rule (both ends decide, at most 2 likely per list) at every threshold of
  SWEEP, beside the rule without its cap and this end alone, and the default threshold the rule below picks.
--write-panel HEADER: writes the default threshold and the admin page's curve (server/src/core/panel_curve.hpp).
  Both need END_VIEW from `doppel eval --end-view --both-ends` (this and the other end of the first 10).
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


# The product's rule (server/src/core/likelihood.hpp, service/suggestions.cpp), for any threshold t.
OTHER_END_FLOOR = 0.25   # core::other_end_floor
MAX_OTHER_ENDS = 3       # core::max_other_ends
LIKELY_PER_LIST = 2      # core::likely_per_list
CURVE = [0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]  # the admin page's table
SWEEP = [round(0.001 * i, 3) for i in range(5, 51)]  # thresholds considered for the default
FOUND_TARGET, FLAGS_TARGET = 0.40, 0.5  # issue #17: (b) >= 0.40 while (c) <= 0.5


def rule_tiers(r, t, cap=LIKELY_PER_LIST, this_end_only=False):
    """Likely flags of r's first PANEL_LIMIT entries at threshold t, from its "this_end"/"other_end" arrays."""
    a_list = r["this_end"]
    asked = sorted((i for i, a in enumerate(a_list) if a >= t * OTHER_END_FLOOR), key=lambda i: -a_list[i])
    asked = set(asked[:MAX_OTHER_ENDS])
    pair = [a * a if this_end_only else a * b if i in asked else -1.0
            for i, (a, b) in enumerate(zip(a_list, r["other_end"]))]
    # sqrt(a*b) >= t  <=>  a*b >= t*t; entries below the floor stay at this end's a (< t / 4: never likely)
    above = sorted((i for i, v in enumerate(pair) if v >= t * t), key=lambda i: -pair[i])
    keep = set(above[:cap])
    return [i in keep for i in range(len(pair))]


def sweep(lines, group, project, thresholds, **rule):
    out = []
    for t in thresholds:
        cache = {id(r): rule_tiers(r, t, **rule) for r in lines}
        w, _, lh, clean, cl = figures(lines, group, project, lambda r, i: i < len(cache[id(r)]) and cache[id(r)][i])["all"]
        found, flags = ratio(lh, w), ratio(cl, clean)
        out.append((t, found, flags, min(found / FOUND_TARGET, FLAGS_TARGET / flags if flags else float("inf"))))
    return out


def panel_header(threshold, curve):
    rows = ",\n    ".join(f"{{{t:g}, {found:.3f}, {flags:.3f}}}" for t, found, flags, _ in curve)
    return f"""// Generated by bench/end_view.py from `doppel eval --end-view --both-ends` on the dev set: do not edit by hand.
#pragma once

#include <array>

namespace doppel::core::panel_fitted {{

// The default likely threshold: of the sweep {SWEEP[0]:g}..{SWEEP[-1]:g}, the largest min(found / {FOUND_TARGET:g}, {FLAGS_TARGET:g} / flags).
inline constexpr double likely_threshold = {threshold:g};
// threshold, share of issues with a filed duplicate whose likely tier lists one (panel of {PANEL_LIMIT}), likely
// suggestions per issue without one: every panel read once the dev set is indexed (the end view, both ends deciding)
inline constexpr std::array<std::array<double, 3>, {len(curve)}> threshold_curve{{{{
    {rows}}}}};

}}  // namespace doppel::core::panel_fitted
"""


def main():
    args = sys.argv[1:]
    thresholds, rule_sweep, write = [], "--sweep" in args, None
    if rule_sweep:
        args.remove("--sweep")
    if "--thresholds" in args:
        i = args.index("--thresholds")
        thresholds = [float(t) for t in args[i + 1].split(",")]
        del args[i:i + 2]
    if "--write-panel" in args:
        i = args.index("--write-panel")
        write = args[i + 1]
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
    if not (rule_sweep or write):
        return
    if any("this_end" not in r or "other_end" not in r for r in lines):
        sys.exit("end_view: --sweep and --write-panel need `doppel eval --end-view --both-ends` output")
    swept = sweep(lines, group, project, SWEEP)
    best = max(swept, key=lambda row: (row[3], -row[0]))  # ties: the lower threshold
    if rule_sweep:
        variants = {
            "the product (both ends, at most 2 likely)": {},
            "both ends, no cap": {"cap": PANEL_LIMIT},
            "this end only, at most 2 likely": {"this_end_only": True},
        }
        for name, rule in variants.items():
            print(f"\n{name}: threshold  (b) found  (c) flags/clean  margin")
            for t, found, flags, m in sweep(lines, group, project, sorted(set(CURVE[:5]) | {best[0]}), **rule) \
                    if rule else swept:
                print(f"  {t:<6g} {found:.3f}  {flags:.3f}  {m:.3f}")
        print(f"\ndefault threshold {best[0]:g}: (b) {best[1]:.3f} (c) {best[2]:.3f} margin {best[3]:.3f}")
    if write:
        curve = sweep(lines, group, project, sorted(set(CURVE) | {best[0]}))
        with open(write, "w", encoding="utf-8") as fh:
            fh.write(panel_header(best[0], curve))
        print(f"wrote {write}")


if __name__ == "__main__":
    main()
