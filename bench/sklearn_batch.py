#!/usr/bin/python3
"""The scikit-learn style batch full-backlog scan, for `doppel bench` comparisons.

What a batch analysis with scikit-learn does: TfidfVectorizer(sublinear_tf=True, smooth idf, l2 norm,
token pattern (?u)\\b\\w\\w+\\b, the anchor's stop words) over summary + description, then
linear_kernel(X[block], X) (cosine on l2-normed rows, scipy sparse product) in row blocks and the top
20 of every row (itself excluded) by argpartition.
Debian's python3-sklearn cannot be installed next to libboost1.81-dev (python3-scipy depends on
pythran, which pulls libboost1.74-dev), but its packages can be unpacked without installing them:
bench/fetch-sklearn.sh puts scikit-learn + scipy in a directory for PYTHONPATH (runtime needs only
python3-numpy and liblbfgsb0 from Debian). Without scikit-learn importable the same computation runs
in numpy alone (np.bincount over gathered posting ranges) and the output says so.
usage: sklearn_batch.py DATASET.jsonl.gz [RANKS_OUT]   prints timing on stderr
"""
import gzip, json, math, re, sys, time
import numpy as np

STOP = set("the a an and or of to in is it for on with this that be are as at by from not no we i you if when can but "
           "was has have will should do does use using used after before into there which than then also all any some".split())
TOKEN = re.compile(r"(?u)\b\w\w+\b")


def top20(dense, r0, r1, out):
    rows = np.arange(r1 - r0)
    dense[rows, np.arange(r0, r1)] = -1.0  # itself
    top = np.argpartition(-dense, 20, axis=1)[:, :20]
    scores = dense[rows[:, None], top]
    order = np.argsort(-scores, axis=1, kind="stable")
    top, scores = np.take_along_axis(top, order, 1), np.take_along_axis(scores, order, 1)
    for i in rows:
        out.append(top[i][scores[i] > 0].tolist())


def scan_sklearn(texts):
    """The fastest form found on this machine (2026-11-30): float32, X.T converted to CSR once, row
    blocks of 128 (linear_kernel over blocks of 256 in float64 took 2.5x longer)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    t1 = time.perf_counter()
    X = TfidfVectorizer(sublinear_tf=True, stop_words=list(STOP), dtype=np.float32).fit_transform(texts).tocsr()
    XT = X.T.tocsr()
    t_fit = time.perf_counter() - t1
    t2, c2 = time.perf_counter(), time.process_time()
    n, out, block = X.shape[0], [], 128
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        scores = (X[r0:r1] @ XT).toarray()  # a named block lives until the next one is made:
        top20(scores, r0, r1, out)  # freeing it first made glibc return and re-fault the pages (20 s vs 13 s)
    return out, n, t_fit, time.perf_counter() - t2, time.process_time() - c2


def scan_numpy(texts):
    t1 = time.perf_counter()
    vocab, doc_terms = {}, []
    for t in texts:
        counts = {}
        for w in TOKEN.findall(t.lower()):
            if w not in STOP:
                counts[w] = counts.get(w, 0) + 1
        doc_terms.append({vocab.setdefault(w, len(vocab)): c for w, c in counts.items()})
    n, v = len(texts), len(vocab)
    df = np.zeros(v, dtype=np.int64)
    for d in doc_terms:
        df[list(d.keys())] += 1
    idf = np.log((1 + n) / (1 + df)) + 1
    indptr = np.zeros(n + 1, dtype=np.int64)
    ind_list, dat_list = [], []
    for i, d in enumerate(doc_terms):
        ids = np.fromiter(d.keys(), dtype=np.int64, count=len(d))
        tf = np.fromiter(d.values(), dtype=np.float64, count=len(d))
        w = (1 + np.log(tf)) * idf[ids] if len(d) else tf
        norm = math.sqrt(float((w * w).sum())) or 1.0
        ind_list.append(ids)
        dat_list.append((w / norm).astype(np.float32))
        indptr[i + 1] = indptr[i] + len(d)
    indices = np.concatenate(ind_list) if ind_list else np.zeros(0, dtype=np.int64)
    data = np.concatenate(dat_list) if dat_list else np.zeros(0, dtype=np.float32)
    # Column (term) major copy: postings per term.
    order = np.argsort(indices, kind="stable")
    doc_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    col_rows = doc_of[order]
    col_vals = data[order]
    col_ptr = np.zeros(v + 1, dtype=np.int64)
    np.add.at(col_ptr, indices + 1, 1)
    col_ptr = np.cumsum(col_ptr)
    t_fit = time.perf_counter() - t1

    t2, c2 = time.perf_counter(), time.process_time()
    block, out = 128, []
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        lo, hi = indptr[r0], indptr[r1]
        terms = indices[lo:hi]
        weights = data[lo:hi]
        local = doc_of[lo:hi] - r0
        starts, lens = col_ptr[terms], col_ptr[terms + 1] - col_ptr[terms]
        total = int(lens.sum())
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(total)
        flat = np.repeat(local * n, lens) + col_rows[offsets]
        vals = np.repeat(weights, lens) * col_vals[offsets]
        top20(np.bincount(flat, weights=vals, minlength=(r1 - r0) * n).reshape(r1 - r0, n), r0, r1, out)
    return out, n, t_fit, time.perf_counter() - t2, time.process_time() - c2


def main():
    t0 = time.perf_counter()
    rows = [json.loads(l) for l in gzip.open(sys.argv[1], "rt", encoding="utf-8")]
    rows.sort(key=lambda r: (r["fields"].get("created") or "", r["key"]))
    texts = [(r["fields"].get("summary") or "") + "\n" + (r["fields"].get("description") or "") for r in rows]
    t_load = time.perf_counter() - t0
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
        have_sklearn = True
    except ImportError:
        have_sklearn = False
    if have_sklearn:
        out, n, t_fit, t_scan, c_scan = scan_sklearn(texts)
    else:
        out, n, t_fit, t_scan, c_scan = scan_numpy(texts)
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as fh:
            for i, c in enumerate(out):
                if c:
                    fh.write(json.dumps({"key": rows[i]["key"], "candidates": [rows[j]["key"] for j in c]}) + "\n")
    print(f"sklearn-style batch ({'scikit-learn' if have_sklearn else 'numpy'}): issues={n} load_s={t_load:.2f} "
          f"fit_s={t_fit:.2f} scan_s={t_scan:.2f} scan_cpu_s={c_scan:.2f} total_s={t_load + t_fit + t_scan:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
