"""The neighbour-based cleaners and the SMOTE combinations at 1M rows.

These methods query every row (or every row of a class) against every row: ~1e12
distance pairs at 1M rows, 40-80 min of scikit-learn's brute force here, and hours for
the condensed nearest neighbour's loop. So:

- fastsmote runs whole, each method in a fresh process (kernels warmed first; time and
  peak RSS of one ``fit_resample``). **TomekLinks** searches exactly (its default: only
  the rows outside the largest class and the rows they point to are searched);
  **OneSidedSelection** and **CondensedNearestNeighbour** search exactly (their only
  search; ``random_state=0``); **EditedNearestNeighbours**, **AllKNN** and
  **NeighbourhoodCleaningRule** use ``neighbors="approx"``, as do the cleaners of
  **SMOTETomek** and **SMOTEENN** (balanced data after SMOTE).
  **RepeatedEditedNearestNeighbours** searches exactly: exact iterations search only the
  rows that lost a neighbour, while the graph is built anew in each iteration and its
  misses differ from one to the next, so it runs more iterations than the exact rule
  (one run at 100k rows: 11 iterations and 172 s against 3 and 17 s), and imbalanced-learn's time
  is extrapolated from the iteration count. ``--exact`` / ``--approx`` override the
  search per method.
- Decisions are checked against exact neighbours where that is cheap. TomekLinks: every
  link contains a minority row, so the exact links follow from exact one-sided searches
  of the minority rows and of their nearest rows (seconds); the exact run must give them
  all. ENN: exact decisions on a sample of majority rows. NeighbourhoodCleaningRule:
  exact decisions on a sample of majority rows (its ENN step, 'mode' of 3 neighbours,
  or a neighbour of a minority row the 3-NN vote outvotes: all minority rows searched
  exactly), and whether every row of that exact second set is removed.
  RepeatedEditedNearestNeighbours: a round decides on the rows the previous rounds
  left, so exact decisions need exact rounds over all rows (the exact run is that);
  the check, for either search, is that the output is a fixed point: sampled kept
  majority rows whose 3 exact nearest rows *among the output* all share their class.
  AllKNN with the graph: not checked (its rounds chain the same way and its last
  round's input is not in the output).
- imbalanced-learn 0.14.2's time is *extrapolated* from its own code on the same data
  in the same process (``NearestNeighbors`` / ``KNeighborsClassifier``, brute force at
  20 features): each ``fit`` is timed whole and each ``kneighbors`` / ``predict`` on
  ``--slice`` of the rows it queries, scaled to all of them. Per method:

  - TomekLinks: 2 neighbours of every row. ENN: 4 (self included) of every majority row.
  - SMOTETomek / SMOTEENN: its SMOTE step timed whole, then 2 / 4 neighbours of every
    row of SMOTE's output (their cleaners clean every class).
  - RepeatedEditedNearestNeighbours: ENN's search once per iteration, for the
    ``n_iter_`` iterations fastsmote's run reports (exact: imbalanced-learn's count;
    with ``--approx`` the approximate run's count, which can be larger and then
    overstates imbalanced-learn). Every iteration is costed as the first; the later
    ones search the rows left, fewer by the share removed (printed), so this overstates
    by at most that share.
  - AllKNN: ENN's search with k + 1 = 2, 3, 4 neighbours (one per round; the rounds
    fastsmote ran), each costed as over all rows, as above.
  - NeighbourhoodCleaningRule: ENN's search (4 neighbours of every majority row), then a
    ``KNeighborsClassifier(3)`` fitted on all rows predicts the minority rows and finds
    their 4 nearest rows.
  - OneSidedSelection: a ``KNeighborsClassifier(1)`` fitted on the store (the minority
    rows and one seed) predicts every other majority row; then TomekLinks searches 2
    neighbours of every kept row. The kept rows are those of imbalanced-learn's own seed
    (its RandomState(0)), found by fastsmote's exact store vote (seconds).
  - CondensedNearestNeighbour: imbalanced-learn's own loop runs on all rows and is
    stopped after ``--cnn-additions`` additions to the store (a ``KNeighborsClassifier``
    subclass counts its refits); each addition refits the classifier and predicts every
    majority row against the store. Extrapolated to the m additions of fastsmote's pass
    (its seed row differs; the count is used, not the rows): the time up to the first
    addition, plus m times a measured addition, plus, for the store's growth, half the
    extra time of one prediction of every majority row against the final store rather
    than the initial one (both timed on ``--slice`` rows; brute force costs rows x store
    rows, so the additions' time grows linearly as the store does). The loop's per-row
    skip test scans an array that grows towards the class size; its growth is not
    modelled. The two predictions are the fastest of 3 (the growth is their difference).
    When the loop ends within ``--cnn-additions`` additions it is timed whole.

    python benchmarks/cleaners_at_scale.py [--rows 1000000] [--slice 20000]
        [--methods TomekLinks EditedNearestNeighbours ...] [--exact METHOD ...]
        [--approx METHOD ...] [--cnn-additions 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _data import make_blobs_imbalanced  # noqa: E402
from compare import _peak_bytes, _reset_peak, _rss_bytes  # noqa: E402

METHODS = [
    "TomekLinks",
    "EditedNearestNeighbours",
    "RepeatedEditedNearestNeighbours",
    "AllKNN",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "CondensedNearestNeighbour",
    "SMOTETomek",
    "SMOTEENN",
]
#: Methods with a ``neighbors`` search, and those run with fastsmote's graph by default.
SEARCH_METHODS = [
    "TomekLinks",
    "EditedNearestNeighbours",
    "RepeatedEditedNearestNeighbours",
    "AllKNN",
    "NeighbourhoodCleaningRule",
    "SMOTETomek",
    "SMOTEENN",
]
GRAPH_METHODS = {
    "EditedNearestNeighbours",
    "AllKNN",
    "NeighbourhoodCleaningRule",
    "SMOTETomek",
    "SMOTEENN",
}
MINORITY = 0.01
N_FEATURES = 20
CHECK_ROWS = 20_000


def _fastsmote_sampler(method: str, neighbors: str):
    import fastsmote

    if method == "SMOTETomek":
        cleaner = fastsmote.TomekLinks(sampling_strategy="all", neighbors=neighbors)
        return fastsmote.SMOTETomek(random_state=0, tomek=cleaner)
    if method == "SMOTEENN":
        cleaner = fastsmote.EditedNearestNeighbours(sampling_strategy="all", neighbors=neighbors)
        return fastsmote.SMOTEENN(random_state=0, enn=cleaner)
    if method in ("OneSidedSelection", "CondensedNearestNeighbour"):
        return getattr(fastsmote, method)(random_state=0)
    return getattr(fastsmote, method)(neighbors=neighbors)


def worker(method: str, n_rows: int, neighbors: str) -> dict:
    import fastsmote

    fastsmote.warmup(dtypes=(np.float32,))
    X, y = make_blobs_imbalanced(n_rows, N_FEATURES, MINORITY)
    _fastsmote_sampler(method, neighbors).fit_resample(X[:3000], y[:3000])  # kernels loaded
    rss_before = _rss_bytes()
    _reset_peak()
    started = time.perf_counter()
    sampler = _fastsmote_sampler(method, neighbors)
    X_res, y_res = sampler.fit_resample(X, y)
    elapsed = time.perf_counter() - started
    peak = _peak_bytes()
    out_bytes = X_res.nbytes + y_res.nbytes
    result = {
        "time": elapsed,
        "extra": (peak - rss_before - out_bytes) / out_bytes,
        "extra_mib": (peak - rss_before - out_bytes) / 2**20,
        "counts": np.bincount(y_res, minlength=2).tolist(),
        "sampler": repr(sampler),
    }
    if method == "RepeatedEditedNearestNeighbours":
        result["n_iter"] = int(sampler.n_iter_)
    if method == "AllKNN":
        result["rounds"] = int(sampler.enn_.n_neighbors)  # the last round's k
    kept = getattr(sampler, "sample_indices_", None)
    if method == "TomekLinks":
        result["check"] = _check_tomek(X, y, kept)
    elif method == "EditedNearestNeighbours":
        result["check"] = _check_enn(X, y, kept)
    elif method == "RepeatedEditedNearestNeighbours":
        result["check"] = _check_fixed_point(X_res, y_res)
    elif method == "NeighbourhoodCleaningRule":
        result["check"] = _check_ncr(X, y, kept)
    elif method == "AllKNN" and neighbors != "exact":
        result["check"] = "not checked (rounds chain; see notes)"
    elif neighbors == "exact" and method not in ("SMOTETomek", "SMOTEENN"):
        result["check"] = "exact search (imbalanced-learn's rule)"
    return result


def _sample(rows: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(rows, min(n, rows.size), replace=False))


def _check_tomek(X, y, kept) -> str:
    """Exact links of two classes from the minority side: row m and its nearest row j of
    the other class form a link iff j's nearest row is m."""
    from fastsmote.neighbors import exact_kneighbors_of

    minority = np.flatnonzero(y == 1)
    nearest = exact_kneighbors_of(X, minority, 1)[:, 0]
    crossing = y[nearest] == 0
    partners = nearest[crossing]
    back = exact_kneighbors_of(X, partners, 1)[:, 0]
    exact = set(partners[back == minority[crossing]].tolist())
    removed = set(np.setdiff1d(np.arange(len(y)), kept).tolist())
    if exact == removed:
        return f"removed {len(removed):,} = the {len(exact):,} exact links' rows, all equal"
    union = exact | removed
    jaccard = len(exact & removed) / len(union) if union else 1.0
    return f"removed {len(removed):,} vs exact {len(exact):,}, Jaccard {jaccard:.3f}"


def _check_enn(X, y, kept) -> str:
    """Exact ENN decisions (kind_sel='all', 3 neighbours) on sampled majority rows."""
    from fastsmote.neighbors import exact_kneighbors_of

    sample = _sample(np.flatnonzero(y == 0), CHECK_ROWS, 3)
    exact_removed = (y[exact_kneighbors_of(X, sample, 3)] != 0).any(axis=1)
    approx_removed = ~np.isin(sample, kept)
    agree = np.mean(exact_removed == approx_removed)
    return (
        f"{sample.size:,} sampled majority rows: removed {approx_removed.sum()} vs exact "
        f"{exact_removed.sum()}, same decision for {agree:.4f}"
    )


def _check_fixed_point(X_res, y_res) -> str:
    """Sampled kept majority rows that one more exact ENN round on the output keeps."""
    from fastsmote.neighbors import exact_kneighbors_of

    sample = _sample(np.flatnonzero(y_res == 0), CHECK_ROWS, 3)
    kept = (y_res[exact_kneighbors_of(X_res, sample, 3)] == 0).all(axis=1)
    return (
        f"{sample.size:,} sampled kept majority rows: {kept.mean():.4f} kept by one more "
        f"exact round on the output ({(~kept).sum()} not)"
    )


def _check_ncr(X, y, kept) -> str:
    """Exact NCR decisions (3 neighbours) on sampled majority rows: removed when the
    'mode' of its 3 nearest rows is the minority (A1), or when it is one of the 3 nearest
    rows of a minority row that the vote of itself and its 2 nearest rows gives to the
    majority (A2)."""
    from fastsmote.neighbors import exact_kneighbors_of

    minority = np.flatnonzero(y == 1)
    near = exact_kneighbors_of(X, minority, 3)
    outvoted = (y[near[:, :2]] == 0).all(axis=1)
    a2 = np.unique(near[outvoted].ravel())
    a2 = a2[y[a2] == 0]
    sample = _sample(np.flatnonzero(y == 0), CHECK_ROWS, 3)
    a1 = (y[exact_kneighbors_of(X, sample, 3)] != 0).sum(axis=1) >= 2
    exact_removed = a1 | np.isin(sample, a2)
    approx_removed = ~np.isin(sample, kept)
    agree = np.mean(exact_removed == approx_removed)
    a2_removed = int(np.count_nonzero(~np.isin(a2, kept)))
    return (
        f"{sample.size:,} sampled majority rows: removed {approx_removed.sum()} vs exact "
        f"{exact_removed.sum()}, same decision for {agree:.4f}; exact A2 rows removed: "
        f"{a2_removed:,} of {a2.size:,}"
    )


class _Timer:
    """imbalanced-learn's searches on ``X``, timed: fits whole, queries on a slice."""

    def __init__(self, X: np.ndarray, slice_rows: int):
        self.X, self.slice_rows = X, slice_rows
        self.parts: list[str] = []

    def fit(self, estimator, rows: np.ndarray | None, y: np.ndarray | None = None):
        X_fit = self.X if rows is None else self.X[rows]
        started = time.perf_counter()
        estimator.fit(X_fit) if y is None else estimator.fit(X_fit, y)
        return estimator, time.perf_counter() - started

    def query(self, call, rows: np.ndarray, seed: int = 4, repeats: int = 1) -> float:
        """``call(X[slice])`` on a slice of ``rows`` (the fastest of ``repeats``), scaled
        to all of them."""
        sample = _sample(rows, self.slice_rows, seed)
        X_slice = self.X[sample]
        call(X_slice[:8])  # thread pool and code paths started: not scaled up
        sliced = np.inf
        for _ in range(repeats):
            started = time.perf_counter()
            call(X_slice)
            sliced = min(sliced, time.perf_counter() - started)
        self.parts.append(f"{sample.size:,} of {rows.size:,} queries {sliced:.1f} s")
        return sliced * rows.size / sample.size

    def search(self, k: int, queries: np.ndarray, fit_rows: np.ndarray | None = None) -> float:
        """``NearestNeighbors(k).fit(X[fit_rows]).kneighbors(X[queries])``."""
        from sklearn.neighbors import NearestNeighbors

        nn, fitted = self.fit(NearestNeighbors(n_neighbors=k), fit_rows)
        return fitted + self.query(lambda Q: nn.kneighbors(Q, return_distance=False), queries)


def imblearn_extrapolated(
    method: str, n_rows: int, slice_rows: int, fast: dict, cnn_additions: int
) -> tuple[float, str, str]:
    """imbalanced-learn's time (seconds), how it was found, and a prefix ("" or "~" for a
    modelled loop)."""
    X, y = make_blobs_imbalanced(n_rows, N_FEATURES, MINORITY)
    timer = _Timer(X, slice_rows)
    majority = np.flatnonzero(y == 0)
    minority = np.flatnonzero(y == 1)
    prefix, extra = "", ""
    if method in ("TomekLinks", "EditedNearestNeighbours"):
        k, queries = (2, np.arange(n_rows)) if method == "TomekLinks" else (4, majority)
        total = timer.search(k, queries)
    elif method in ("SMOTETomek", "SMOTEENN"):
        from imblearn.over_sampling import SMOTE

        started = time.perf_counter()
        X_s, y_s = SMOTE(random_state=0).fit_resample(X, y)
        smote = time.perf_counter() - started
        timer = _Timer(X_s, slice_rows)
        k = 2 if method == "SMOTETomek" else 4
        total = smote + timer.search(k, np.arange(len(y_s)))
        extra = f"; SMOTE {smote:.1f} s"
    elif method == "RepeatedEditedNearestNeighbours":
        once = timer.search(4, majority)
        total = fast["n_iter"] * once
        removed = 1 - sum(fast["counts"]) / n_rows
        extra = f"; {fast['n_iter']} iterations x {once:.0f} s, {removed:.2%} of rows removed"
    elif method == "AllKNN":
        total = sum(timer.search(k + 1, majority) for k in range(1, fast["rounds"] + 1))
        extra = f"; rounds k = 1..{fast['rounds']}"
    elif method == "NeighbourhoodCleaningRule":
        from sklearn.neighbors import KNeighborsClassifier

        total = timer.search(4, majority)
        classifier, fitted = timer.fit(KNeighborsClassifier(n_neighbors=3), None, y)
        total += fitted + timer.query(classifier.predict, minority)
        total += timer.query(lambda Q: classifier.kneighbors(Q, 4), minority)
    elif method == "OneSidedSelection":
        total, extra = _imblearn_oss(timer, y, majority, minority)
    else:
        total, extra, prefix = _imblearn_cnn(timer, y, fast, cnn_additions)
    return total, "; ".join(timer.parts) + extra, prefix


def _imblearn_oss(timer: _Timer, y, majority, minority) -> tuple[float, str]:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.utils import check_random_state

    from fastsmote.neighbors import store_vote_misses

    # imbalanced-learn's seed row (random_state=0), its store and the rows it predicts
    chosen = check_random_state(0).randint(low=0, high=majority.size, size=1)
    store = np.sort(np.concatenate([minority, majority[chosen]]))
    others = np.delete(majority, chosen)
    classifier, fitted = timer.fit(KNeighborsClassifier(n_neighbors=1), store, y[store])
    total = fitted + timer.query(classifier.predict, others)
    missed = store_vote_misses(timer.X, others, store, y, 0, 1, grow=False)
    kept = np.sort(np.concatenate([store, others[missed]]))
    total += timer.search(2, kept, fit_rows=kept)
    return total, f"; Tomek links among {kept.size:,} kept rows"


class _RefitLimit(Exception):
    pass


def _counting_classifier(limit: int, stamps: list):
    """A ``KNeighborsClassifier`` that stamps each fit and stops the loop at ``limit``."""
    from sklearn.neighbors import KNeighborsClassifier

    class CountingClassifier(KNeighborsClassifier):
        def fit(self, X, y):
            stamps.append(time.perf_counter())
            if len(stamps) > limit:
                raise _RefitLimit
            return super().fit(X, y)

    return CountingClassifier(n_neighbors=1)


def _imblearn_cnn(timer: _Timer, y, fast: dict, additions: int):
    from imblearn.under_sampling import CondensedNearestNeighbour
    from sklearn.neighbors import KNeighborsClassifier

    stamps: list[float] = []
    # fit 0: the initial store; fit i: the i-th addition; stopped at fit additions + 1
    sampler = CondensedNearestNeighbour(
        n_neighbors=_counting_classifier(additions + 1, stamps), random_state=0
    )
    started = time.perf_counter()
    try:
        sampler.fit_resample(timer.X, y)
    except _RefitLimit:
        pass
    else:
        elapsed = time.perf_counter() - started
        return elapsed, f"timed whole: {len(stamps) - 1} additions", ""
    head = stamps[1] - started  # setup and the loop up to the first addition
    per_addition = (stamps[additions + 1] - stamps[1]) / additions
    majority = np.flatnonzero(y == 0)
    n_min = int(np.count_nonzero(y == 1))
    m = fast["counts"][0] - 1  # fastsmote's pass: one seed row, m added rows
    first_size, last_size = n_min + 1 + additions // 2, n_min + 1 + m

    def predict_all(size: int) -> float:
        store = np.concatenate([np.flatnonzero(y == 1), majority[: size - n_min]])
        classifier, _ = timer.fit(KNeighborsClassifier(n_neighbors=1), store, y[store])
        return timer.query(classifier.predict, majority, repeats=3)  # a difference of two

    # the measured additions predicted against the initial store; the m additions'
    # stores grow evenly to the last size, adding on average half the growth
    growth = max(predict_all(last_size) - predict_all(first_size), 0.0)
    total = head + m * (per_addition + growth / 2)
    detail = (
        f"; loop stopped after {additions} additions: {per_addition:.1f} s each at "
        f"{first_size:,} store rows, +{growth:.1f} s at {last_size:,}; m = {m:,} additions"
    )
    return total, detail, "~"


NOTES = {
    "RepeatedEditedNearestNeighbours": (
        "imbalanced-learn: n_iter_ of this run's iterations, each costed as the first "
        "(later ones search fewer rows, by at most the share removed). With the graph, "
        "n_iter_ is the approximate run's, which can exceed the exact rule's (and "
        "imbalanced-learn's); the exact run's is imbalanced-learn's."
    ),
    "AllKNN": (
        "imbalanced-learn: one search per round (k + 1 neighbours of every majority row), "
        "each costed as over all rows."
    ),
    "NeighbourhoodCleaningRule": (
        "imbalanced-learn: ENN's search, then its 3-NN classifier predicts and searches "
        "the minority rows."
    ),
    "OneSidedSelection": (
        "imbalanced-learn: its 1-NN store (the minority rows and its seed) predicts the "
        "majority rows, then Tomek links search all kept rows (found exactly)."
    ),
    "CondensedNearestNeighbour": (
        "imbalanced-learn: its own loop stopped after the first additions; m additions "
        "(fastsmote's count), each a refit and a prediction of every majority row, the "
        "prediction linear in the store size between its measured first and last sizes; "
        "the per-row skip test's growing scans are not modelled."
    ),
}
UNCHECKED_ALLKNN = (
    " Decisions not checked: each round edits the rows the previous one left, so exact "
    "decisions need exact rounds over all rows (the exact run)."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--slice", type=int, default=20_000)
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    parser.add_argument(
        "--exact", nargs="+", default=[], choices=SEARCH_METHODS,
        help="methods to run with neighbors='exact'",
    )  # fmt: skip
    parser.add_argument(
        "--approx", nargs="+", default=[], choices=SEARCH_METHODS,
        help="methods to run with neighbors='approx'",
    )  # fmt: skip
    parser.add_argument("--cnn-additions", type=int, default=3)
    parser.add_argument("--worker")
    parser.add_argument("--neighbors", default="approx", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.rows, args.neighbors)))
        return
    print(f"# {args.rows:,} x {N_FEATURES} float32, {MINORITY:.0%} minority")
    columns = ["method", "fastsmote", "imbalanced-learn (extrapolated)", "speed-up"]
    columns += ["extra memory, fastsmote", "decisions vs exact", "command"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---|---|")
    notes = []
    for method in args.methods:
        graph = (method in GRAPH_METHODS or method in args.approx) and method not in args.exact
        neighbors = "approx" if graph else "exact"
        cmd = [sys.executable, __file__, "--worker", method, "--rows", str(args.rows)]
        out = subprocess.run(
            [*cmd, "--neighbors", neighbors], capture_output=True, text=True, check=False
        )
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        fast = json.loads(out.stdout.strip().splitlines()[-1])
        imb, detail, prefix = imblearn_extrapolated(
            method, args.rows, args.slice, fast, args.cnn_additions
        )
        command = f"`--methods {method} --rows {args.rows} --slice {args.slice}"
        if method in SEARCH_METHODS and graph != (method in GRAPH_METHODS):
            command += (" --approx " if graph else " --exact ") + method
        command += "`"
        print(
            f"| {method} | {fast['time']:.1f} s ({neighbors}) | {prefix}{imb:.0f} s "
            f"({detail}) | **{prefix}{imb / fast['time']:.0f}x** | {fast['extra']:.2f}x "
            f"output ({fast['extra_mib']:,.0f} MiB) | {fast.get('check', '-')} | {command} |",
            flush=True,
        )
        if method in NOTES:
            note = NOTES[method]
            if method == "AllKNN" and graph:
                note += UNCHECKED_ALLKNN
            notes.append(f"- {method} (`{fast['sampler']}`): {note}")
    if notes:
        print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
