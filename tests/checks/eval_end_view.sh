#!/usr/bin/env bash
# `doppel eval --end-view` and bench/end_view.py on a four-issue dataset: the end view lists later issues, the
# creation-time replay never does, a pair is rated from both ends, the figures follow the truth, and --draft with
# --end-view (or --both-ends without it) is refused.
set -euo pipefail
bin="${DOPPEL_BIN:?DOPPEL_BIN}"
root="${DOPPEL_SOURCE_DIR:-$(pwd)}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
issue() {  # key created summary description [duplicate-of]
  local links="[]"
  [[ -n "${5:-}" ]] && links="[{\"type\":{\"name\":\"Duplicate\"},\"outwardIssue\":{\"key\":\"$5\"}}]"
  printf '{"id":"%s","key":"%s","fields":{"summary":"%s","description":"%s","created":"%s","issuetype":{"name":"Bug"},"project":{"key":"DEMO"},"components":[],"issuelinks":%s}}\n' \
    "${1#DEMO-}" "$1" "$3" "$4" "$2" "$links"
}
{
  issue DEMO-1 2024-01-01T10:00:00.000+0000 "NameNode crashes on startup with corrupt fsimage" "The namenode fails to load the fsimage and exits"
  issue DEMO-2 2024-01-02T10:00:00.000+0000 "Typo in the web UI footer" "The footer says Hadop"
  issue DEMO-3 2024-01-03T10:00:00.000+0000 "NameNode crashes at startup because the fsimage is corrupt" "On restart the namenode cannot load its fsimage and exits" DEMO-1
  issue DEMO-4 2024-01-04T10:00:00.000+0000 "Scheduler ignores queue capacity" "Capacity limits are not enforced"
} > "$dir/issues.jsonl"

"$bin" eval --dataset "$dir/issues.jsonl" > "$dir/creation.jsonl"
"$bin" eval --dataset "$dir/issues.jsonl" --end-view > "$dir/end.jsonl"
"$bin" eval --dataset "$dir/issues.jsonl" --end-view --both-ends > "$dir/both.jsonl"
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
creation = {r["key"]: r for r in map(json.loads, open(f"{d}/creation.jsonl"))}
end = {r["key"]: r for r in map(json.loads, open(f"{d}/end.jsonl"))}
both = {r["key"]: r for r in map(json.loads, open(f"{d}/both.jsonl"))}
# Both ends: the copy pair's likelihood is sqrt(a*b) of the two lists' own ratings, the same on both panels.
one, three = both["DEMO-1"], both["DEMO-3"]
a, b = one["this_end"][0], one["other_end"][0]
assert one["candidates"][0] == "DEMO-3" and three["candidates"][0] == "DEMO-1", (one, three)
assert abs(a - three["other_end"][0]) < 1e-6 and abs(b - three["this_end"][0]) < 1e-6, (one, three)
assert abs(one["likelihood"][0] - (a * b) ** 0.5) < 2e-6, one
assert abs(one["likelihood"][0] - three["likelihood"][0]) < 2e-6, (one, three)
assert end["DEMO-1"]["likelihood"] == one["likelihood"] and end["DEMO-1"]["tier"] == one["tier"], (end["DEMO-1"], one)
order = ["DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4"]
for k, r in creation.items():  # creation time: only issues filed before
    assert all(order.index(c) < order.index(k) for c in r["candidates"]), r
assert "DEMO-1" not in creation, creation.keys()  # nothing was filed before the first issue
assert end["DEMO-1"]["candidates"][0] == "DEMO-3", end["DEMO-1"]  # the end view sees the later copy first
assert end["DEMO-3"]["candidates"][0] == "DEMO-1", end["DEMO-3"]
for r in end.values():
    assert r["key"] not in r["candidates"] and len(r["likelihood"]) == len(r["candidates"]) == len(r["tier"]), r
PY
out="$(python3 "$root/bench/end_view.py" "$dir/issues.jsonl" "$dir/end.jsonl" --thresholds 0)"
echo "$out"
# Two issues have a filed duplicate and both panels list it: (a) = 1; at threshold 0 every shown candidate is likely,
# so (c) is the mean panel length of the two clean issues, counted here from the eval output itself.
grep -Eq '^all +4 +2 +1\.000 ' <<<"$out" || { echo "end_view.py: (a) should be 1.000 for 2 of 4 issues"; exit 1; }
clean_mean="$(python3 -c 'import json,sys; r={x["key"]:x for x in map(json.loads,open(sys.argv[1]))}; print("%.3f" % ((len(r.get("DEMO-2",{}).get("candidates",[]))+len(r.get("DEMO-4",{}).get("candidates",[])))/2))' "$dir/end.jsonl")"
grep -q "likelihood >= 0: (b) 1.000  (c) $clean_mean" <<<"$out" || { echo "end_view.py: (c) at threshold 0 should be $clean_mean"; exit 1; }
if "$bin" eval --dataset "$dir/issues.jsonl" --end-view --draft > /dev/null 2> "$dir/err"; then
  echo "--draft --end-view was accepted"; exit 1
fi
grep -q "exclude each other" "$dir/err"
if "$bin" eval --dataset "$dir/issues.jsonl" --both-ends > /dev/null 2> "$dir/err"; then
  echo "--both-ends without --end-view was accepted"; exit 1
fi
grep -q "needs --end-view" "$dir/err"
sweep="$(python3 "$root/bench/end_view.py" "$dir/issues.jsonl" "$dir/both.jsonl" --sweep --write-panel "$dir/panel.hpp")"
grep -q "^default threshold " <<<"$sweep" || { echo "end_view.py --sweep printed no default threshold"; exit 1; }
grep -q "inline constexpr double likely_threshold = " "$dir/panel.hpp"
echo "eval_end_view: ok"
