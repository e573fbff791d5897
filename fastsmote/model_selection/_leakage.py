"""Detect the signature of resampling before splitting.

When SMOTE runs before the split, synthetic rows interpolated from rows that end up on
both sides of the split land in training and validation alike: a validation row lies
on a segment between two training rows of its class, or a training row on a segment
with a validation endpoint. Random over-sampling before the split leaves exact
duplicates across it. Real, never-resampled data almost never does either with
continuous features; see docs/split_first.md for the measured false-positive rate.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np
from sklearn.utils.validation import _num_samples

from .._config import get_config
from .._kernels.leakage import segment_hits
from .._numba import numba_threads
from .._random import key_from_random_state
from .._validation import check_features, check_finite, check_target
from ..neighbors._exact import exact_kneighbors_of
from ..neighbors._scaling import scale_rows, unit_exponent

#: Share of checked rows on cross-split segments (or duplicated across the split) above
#: which the verdict is "likely leakage".
LEAK_SHARE = 0.01
#: ... and at least this many rows.
LEAK_MIN_ROWS = 3
#: Share of test rows with an exact copy in training above which duplicates count.
DUPLICATE_SHARE = 0.10
#: A share must also be this many times the largest class's share (the data's own rate).
BASELINE_FACTOR = 3.0


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
        one of them from the training set.
    train_rows_on_segments : ndarray of int
        Rows of the training set lying on a segment with a test-set endpoint.
    test_rows_duplicated, train_rows_duplicated : ndarray of int
        Rows with an exact copy (same class) on the other side of the split.
    classes : list
        Classes checked (all but the largest, unless given).
    n_test_checked, n_train_checked : int
        Rows tested for lying on segments (a uniform sample when a class is large).
    n_test_in_classes, n_train_in_classes : int
        Rows of the checked classes (all are tested for duplicates).
    baseline_segment_share, baseline_duplicate_share : float
        The same shares for test rows of the largest class, which over-sampling never
        grows: what this data shows without resampling (discrete features make chance
        collinearity and duplicates). The verdict requires several times more.
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
    baseline_segment_share: float = 0.0
    baseline_duplicate_share: float = 0.0

    def to_dict(self) -> dict:
        """JSON-native summary (row numbers as lists)."""
        out = dataclasses.asdict(self)
        for name, value in out.items():
            if isinstance(value, np.ndarray):
                out[name] = value.tolist()
        out["classes"] = [c.item() if isinstance(c, np.generic) else c for c in self.classes]
        return out


def _exact_duplicates(U: np.ndarray, is_test: np.ndarray) -> np.ndarray:
    """Positions in ``U`` of rows with an identical row on the other side of the split."""
    rows = np.ascontiguousarray(U).view(np.dtype((np.void, U.dtype.itemsize * U.shape[1])))
    _, group = np.unique(rows.ravel(), return_inverse=True)
    group = group.ravel()
    n_groups = group.max() + 1 if group.size else 0
    has_test = np.bincount(group, weights=is_test, minlength=n_groups) > 0
    has_train = np.bincount(group, weights=~is_test, minlength=n_groups) > 0
    return np.flatnonzero((has_test & has_train)[group])


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
    its ``n_neighbors`` nearest same-class rows of both sets: does it lie, within
    rounding, strictly inside a segment between two of them, one of which is on the
    other side of the split? That is where SMOTE puts a synthetic row. Exact duplicates
    across the split (random over-sampling) are found for every row of the checked
    classes.

    Parameters
    ----------
    X_train, y_train : training features and labels (resampled or not: resampling done
        *inside* the training set is never flagged, only cross-split structure is).
    X_test, y_test : validation or test features and labels.
    classes : list, optional
        Classes to check; by default every class but the largest (over-sampling adds
        rows to the smaller classes).
    n_neighbors : int, default=10
        Same-class neighbours searched per row.
    max_rows_per_class : int, default=1000
        Rows per class and per set tested for lying on segments; larger classes are
        sampled uniformly (the test is a rate: leakage makes many rows synthetic).
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
    A = train.as_float_array().astype(np.float64, copy=False)
    B = test.as_float_array().astype(np.float64, copy=False)
    check_finite(A)
    check_finite(B)
    labels_a, labels_b = labels[:n_train], labels[n_train:]
    by_size = _values_by_size(labels_a, labels_b)
    if classes is None:
        classes = by_size[1:]
    classes = list(classes)
    rng = np.random.default_rng(int(key_from_random_state(random_state)))
    check = _ClassCheck(A, B, labels_a, labels_b, n_neighbors, max_rows_per_class, rtol, rng)
    found = [check.run(label) for label in classes]
    # The largest class is never over-sampled: its rates are what this data shows
    # naturally (discrete features make collinear rows and duplicates), the baseline.
    # Its rows are sampled (to 4x max_rows_per_class per set) to keep this cheap on
    # millions of rows; a sparser sample shows fewer chance hits, so the baseline errs low.
    base = None if by_size[0] in classes else check.run(by_size[0], 4 * max_rows_per_class)
    report = LeakageReport(
        leaked=False,
        verdict="",
        test_rows_on_segments=_joined([f.test_on_segments for f in found]),
        train_rows_on_segments=_joined([f.train_on_segments for f in found]),
        test_rows_duplicated=_joined([f.test_duplicated for f in found]),
        train_rows_duplicated=_joined([f.train_duplicated for f in found]),
        classes=classes,
        n_test_checked=sum(f.n_test_checked for f in found),
        n_train_checked=sum(f.n_train_checked for f in found),
        n_test_in_classes=sum(f.n_test for f in found),
        n_train_in_classes=sum(f.n_train for f in found),
        baseline_segment_share=_share(base.test_on_segments.size, base.n_test_checked)
        if base
        else 0.0,
        baseline_duplicate_share=_share(base.test_duplicated.size, base.n_test) if base else 0.0,
    )
    report.leaked, report.verdict = _verdict(report)
    return report


def _values_by_size(labels_a: np.ndarray, labels_b: np.ndarray) -> list:
    """Labels of both sets, most frequent first."""
    values, counts = np.unique(np.concatenate([labels_a, labels_b]), return_counts=True)
    return list(values[np.argsort(-counts, kind="stable")])


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


class _ClassCheck:
    """The per-class tests, on rows of one class from both sets."""

    def __init__(self, A, B, labels_a, labels_b, n_neighbors, max_rows, rtol, rng):
        self.A, self.B, self.labels_a, self.labels_b = A, B, labels_a, labels_b
        self.n_neighbors, self.max_rows, self.rtol, self.rng = n_neighbors, max_rows, rtol, rng

    def run(self, label, max_universe: int | None = None) -> _ClassResult:
        """``max_universe``: use at most that many rows of the class from each set."""
        rows_a = np.flatnonzero(self.labels_a == label)
        rows_b = np.flatnonzero(self.labels_b == label)
        if max_universe is not None:
            rows_a = _sample(rows_a, max_universe, self.rng)
            rows_b = _sample(rows_b, max_universe, self.rng)
        empty = np.empty(0, dtype=np.int64)
        if rows_a.size == 0 or rows_b.size == 0:
            return _ClassResult(empty, empty, empty, empty, 0, 0, rows_b.size, rows_a.size)
        U = np.concatenate([self.A[rows_a], self.B[rows_b]])
        is_test = np.zeros(U.shape[0], dtype=bool)
        is_test[rows_a.size :] = True
        dups = _exact_duplicates(U, is_test)
        dup_test = rows_b[dups[is_test[dups]] - rows_a.size]
        dup_train = rows_a[dups[~is_test[dups]]]
        # The segment test's tolerances (and its squared norms) are for values of order
        # one: the class is scaled by a power of two to a largest span in [1, 2).
        spans = U.max(axis=0) - U.min(axis=0)
        scale_rows(U, unit_exponent(spans), spans)
        if U.shape[0] < 3:
            return _ClassResult(empty, empty, dup_test, dup_train, 0, 0, rows_b.size, rows_a.size)
        query = np.concatenate(
            [
                _sample(np.arange(rows_a.size), self.max_rows, self.rng),
                _sample(np.arange(rows_a.size, U.shape[0]), self.max_rows, self.rng),
            ]
        )
        k = min(self.n_neighbors, U.shape[0] - 1)
        neighbors = exact_kneighbors_of(U, query, k)
        with numba_threads(get_config()["n_threads"]):
            p, q, _ = segment_hits(U, query, neighbors, 3, self.rtol, 1e-12, 1e-6, 2)
        found = p >= 0
        r, p, q = query[found], p[found], q[found]
        r = r[(is_test[r] != is_test[p]) | (is_test[r] != is_test[q])]  # across the split
        return _ClassResult(
            rows_b[r[is_test[r]] - rows_a.size],
            rows_a[r[~is_test[r]]],
            dup_test,
            dup_train,
            int(is_test[query].sum()),
            int((~is_test[query]).sum()),
            rows_b.size,
            rows_a.size,
        )


def _sample(positions: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if positions.size <= n:
        return positions
    return np.sort(rng.choice(positions, size=n, replace=False))


def _joined(parts: list) -> np.ndarray:
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _verdict(r: LeakageReport) -> tuple[bool, str]:
    seg_test = _share(r.test_rows_on_segments.size, r.n_test_checked)
    seg_train = _share(r.train_rows_on_segments.size, r.n_train_checked)
    dup_test = _share(r.test_rows_duplicated.size, r.n_test_in_classes)
    n_seg = r.test_rows_on_segments.size + r.train_rows_on_segments.size
    seg_bar = max(LEAK_SHARE, BASELINE_FACTOR * r.baseline_segment_share)
    dup_bar = max(DUPLICATE_SHARE, BASELINE_FACTOR * r.baseline_duplicate_share)
    segments = n_seg >= LEAK_MIN_ROWS and max(seg_test, seg_train) >= seg_bar
    duplicates = r.test_rows_duplicated.size >= LEAK_MIN_ROWS and dup_test >= dup_bar
    facts = (
        f"{r.test_rows_on_segments.size} of {r.n_test_checked} checked test rows "
        f"({seg_test:.1%}) and {r.train_rows_on_segments.size} of {r.n_train_checked} "
        f"checked training rows ({seg_train:.1%}) lie on a segment between two same-class "
        f"rows across the split; {r.test_rows_duplicated.size} of {r.n_test_in_classes} "
        f"test rows ({dup_test:.1%}) of classes {r.classes} have an exact copy in the "
        f"training set. In the largest class (never over-sampled) the shares are "
        f"{r.baseline_segment_share:.1%} on segments and {r.baseline_duplicate_share:.1%} "
        "duplicated."
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
            "Possible leakage: many test rows are exact copies of training rows, the "
            "signature of random over-sampling before splitting (or of repeated records in "
            "the data: check whether duplicates are expected). " + facts
        )
    return False, "No sign of resampling before splitting. " + facts
