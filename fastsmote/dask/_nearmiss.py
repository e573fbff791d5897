"""NearMiss on Dask: each partition scores its rows against the minority rows, and the
best ``n_keep`` rows of each class are found from each partition's best.

The minority rows (the fewest, ties to the class seen first) are gathered in global row
order and sent to every partition. Versions 1 and 2: a partition scores its rows of each
targeted class (the sum of the distances to their ``n_neighbors`` nearest or farthest
minority rows, ``fit_resample``'s arithmetic on the same rows); it sends its ``n_keep``
lowest ``(score, global row)`` pairs, one task finds the class's ``n_keep``-th, and every
partition keeps its rows up to it. Version 3 first preselects, per minority row, its
``n_neighbors_ver3`` nearest rows of the class among all partitions (merged exactly, ties
to the lower global row); the preselected rows are scored the same way (scaled from the
spans of the preselected rows of all partitions and the minority's, as ``fit_resample``
scales them) and the highest ``n_keep`` kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_span_range, to_python
from .._warnings import warn_caller
from ..neighbors import distance_sums, exact_kneighbors_of_points, is_estimator
from ._boundary import _queries, check_all_rows, merge_pair
from ._clean import class_first_rows, first_minority
from ._input import Counts, Source, class_codes
from ._layout import Layout
from ._plan import check_budget
from ._smote import class_pieces


def _class_rows(
    layout: Layout, classes: np.ndarray, targeted: list, first_row: int, preselected: Any,
    *part: Any,
) -> list:  # fmt: skip
    """Per targeted class index: the global rows of the partition's rows of the class
    (among ``preselected[index]``, sorted global rows, when given) and their features in
    the dtype searched."""
    X, y = layout.split(part)
    codes = class_codes(classes, y)
    found = []
    for index in targeted:
        rows = np.flatnonzero(codes == index)
        if preselected is not None:
            rows = rows[np.isin(first_row + rows, preselected[index])]
        global_rows = first_row + rows.astype(np.int64)
        X_rows = layout.float_rows(X.iloc[rows] if layout.kind == "frame" else X[rows],
                                   global_rows)  # fmt: skip
        found.append((global_rows, X_rows))
    return found


def _scores(
    targeted: list, k: int, farthest: bool, minority: tuple, spans: dict, class_rows: list
) -> list:
    """Per targeted class index: the global rows of ``class_rows`` (from
    :func:`_class_rows`) and their scores, scaled as ``spans[index]`` asks."""
    _, X_minority, _ = minority
    found = []
    for index, (rows, X_rows) in zip(targeted, class_rows, strict=True):
        if rows.size == 0:
            found.append((rows, np.empty(0)))
            continue
        stacked = np.concatenate([X_rows, X_minority.astype(X_rows.dtype, copy=False)])
        m = X_minority.shape[0]
        sums, _ = distance_sums(
            stacked, np.arange(rows.size), np.arange(rows.size, rows.size + m), k,
            farthest=farthest, spans=spans[index],
        )  # fmt: skip
        found.append((rows, sums))
    return found


def _row_bounds_of(class_rows: list) -> list:
    """Per entry of :func:`_class_rows`: each feature's least and largest value (None: no
    row)."""
    return [(X.min(axis=0), X.max(axis=0)) if rows.size else None for rows, X in class_rows]


def _preselected_spans(targeted: list, dtype: np.dtype, minority: tuple, *bounds: list) -> dict:
    """Per targeted class index: the feature spans of its preselected rows in every
    partition (their :func:`_row_bounds_of`) and the minority's, from which ``fit_resample``
    scales NearMiss-3's scores. Within the spans already checked: nothing overflows."""
    X_minority = minority[1].astype(dtype, copy=False)
    spans = {}
    for t, index in enumerate(targeted):
        found = [(X_minority.min(axis=0), X_minority.max(axis=0))]
        found += [b[t] for b in bounds if b[t] is not None]
        low = np.min([lo for lo, _ in found], axis=0).astype(np.float64)
        high = np.max([hi for _, hi in found], axis=0).astype(np.float64)
        spans[index] = high - low
    return spans


def _order(scores: np.ndarray, rows: np.ndarray, highest: bool) -> np.ndarray:
    """Best first: the lowest scores (``highest``: the highest), ties to the lower row."""
    return np.lexsort((rows, -scores if highest else scores))


def _shortlist(n_keep: list, highest: bool, scored: list) -> list:
    """Per targeted class, the partition's ``n_keep`` best ``(score, global row)``."""
    out = []
    for (rows, scores), n in zip(scored, n_keep, strict=True):
        best = _order(scores, rows, highest)[:n]
        out.append((scores[best], rows[best]))
    return out


def _limits(n_keep: list, highest: bool, *shortlists: list) -> list:
    """Per targeted class, the ``n_keep``-th best ``(score, global row)`` (None: keep
    none; every row when fewer)."""
    limits = []
    for t, n in enumerate(n_keep):
        scores = np.concatenate([s[t][0] for s in shortlists])
        rows = np.concatenate([s[t][1] for s in shortlists])
        if n == 0 or rows.size == 0:
            limits.append(None)
            continue
        last = _order(scores, rows, highest)[min(n, rows.size) - 1]
        limits.append((scores[last], rows[last]))
    return limits


def _kept(
    layout: Layout, classes: np.ndarray, targeted: list, highest: bool, first_row: int,
    scored: list, limits: list, *part: Any,
) -> Any:  # fmt: skip
    """The partition's kept rows in partition order: the other classes' rows, and each
    targeted class's rows up to its limit."""
    _, y = layout.split(part)
    codes = class_codes(classes, y)
    keep = [np.flatnonzero(~np.isin(codes, targeted))]
    for (rows, scores), limit in zip(scored, limits, strict=True):
        if limit is None:
            continue
        score, last = limit
        better = (scores > score) if highest else (scores < score)
        keep.append(rows[better | ((scores == score) & (rows <= last))] - first_row)
    return layout.taken(part, np.sort(np.concatenate(keep)))


def _preselected(
    source: Source, counts: Counts, minority: Any, targeted: list, k3: int, spans: dict
) -> dict:
    """Computed now: per targeted class index, the sorted global rows that are among the
    ``k3`` nearest rows of the class of some minority row (NearMiss-3's candidates),
    every partition scaled as ``spans[index]`` asks."""
    import dask
    from dask import delayed

    layout, classes = source.layout, counts.target.classes
    tasks = []
    for index in targeted:
        merged = None
        for part, offset in zip(source.parts, counts.offsets, strict=True):
            found = delayed(_class_search)(layout, classes, index, k3, int(offset), minority,
                                           spans[index], *part)  # fmt: skip
            merged = delayed(merge_pair)(k3, None, merged, found)
        tasks.append(merged)
    return {
        index: np.unique(merged[1]) if merged is not None else np.empty(0, np.int64)
        for index, merged in zip(targeted, dask.compute(*tasks), strict=True)
    }


def _class_search(
    layout: Layout, classes: np.ndarray, index: int, k: int, first_row: int, minority: tuple,
    spans: np.ndarray, *part: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:  # fmt: skip
    """Each minority row's ``k`` nearest rows of class ``index`` in the partition:
    squared distances, global rows, class codes (None: no row of the class)."""
    X, y = layout.split(part)
    rows = np.flatnonzero(class_codes(classes, y) == index)
    if rows.size == 0:
        return None
    global_rows = first_row + rows.astype(np.int64)
    X_rows = layout.float_rows(X.iloc[rows] if layout.kind == "frame" else X[rows], global_rows)
    dist, pos = exact_kneighbors_of_points(
        minority[1], X_rows, min(k, rows.size), return_distance=True, spans=spans
    )
    return dist, global_rows[pos], np.full(pos.shape, index, dtype=np.int32)


def _scoring_spans(counts: Counts, dtype: np.dtype, minority: int, targeted: list) -> dict:
    """Per targeted class index: the feature spans of its rows and the minority's, from
    which ``fit_resample`` scales their distances (from the counting pass's
    :func:`class_row_bounds`); raises, as it does, where their squared distances could
    overflow."""
    classes = counts.target.classes
    per_class: dict = {index: [] for index in (minority, *targeted)}
    for found in counts.scans:
        if found is None:
            continue
        labels, lows, highs = found[2]
        for index, low, high in zip(np.searchsorted(classes, labels), lows, highs, strict=True):
            if int(index) in per_class:
                per_class[int(index)].append((low, high))
    spans = {}
    for index in targeted:
        bounds = per_class[minority] + per_class[index]
        low = np.min([lo for lo, _ in bounds], axis=0).astype(np.float64)
        high = np.max([hi for _, hi in bounds], axis=0).astype(np.float64)
        spans[index] = high - low
        check_span_range(spans[index], dtype, "X")
    return spans


def nearmiss_plan(
    sampler: Any, source: Source, counts: Counts, key: np.uint64, budget: float | None
) -> tuple[list, None, Any, dict]:
    """NearMiss: each partition keeps the rows ``fit_resample`` keeps; also the rows
    kept per class (NearMiss-3 may keep fewer than ``sampling_strategy_`` asks)."""
    from dask import delayed

    layout, target = source.layout, counts.target
    if isinstance(layout.template, Exception):
        raise layout.template
    version = sampler.version
    specs = [("n_neighbors", sampler.n_neighbors)]
    if version == 3:
        specs.append(("n_neighbors_ver3", sampler.n_neighbors_ver3))
    for name, spec in specs:
        if is_estimator(spec):
            raise NotImplementedError(
                f"NearMiss({name}=<estimator>) is not available on Dask: give {name} as an "
                "int (fastsmote's exact search)."
            )
    check_all_rows(source, counts)  # every row, as fit_resample checks X
    labels = target.classes.tolist()
    minority = first_minority(counts, class_first_rows(source, counts))
    targeted = [target.class_index(label) for label in sampler.sampling_strategy_]
    n_keep = [int(sampler.sampling_strategy_[labels[i]]) for i in targeted]
    n_min, k = int(target.counts[minority]), int(sampler.n_neighbors)
    if targeted:
        sampler._check_minority_size(labels[minority], n_min, k)
    row_bytes = counts.n_features * counts.itemsize + 12
    check_budget([(f"the {n_min:,} minority rows", n_min * row_bytes)], budget)
    pack = delayed(_queries)(*class_pieces(source, counts, np.array([minority], np.int32)))
    spans = _scoring_spans(counts, layout.dtype, minority, targeted)
    preselected, highest = None, version == 3
    if version == 3 and targeted:
        k3 = int(sampler.n_neighbors_ver3)
        for index in targeted:
            sampler._check_preselected_size(labels[index], int(target.counts[index]), k3)
        preselected = _preselected(source, counts, pack, targeted, k3, spans)
        for index, n in zip(targeted, n_keep, strict=True):
            if preselected[index].size < n:
                warn_caller(
                    f"NearMiss-3 preselected {preselected[index].size} row(s) of class "
                    f"{to_python(labels[index])!r}, fewer than the {n} asked: all of them are "
                    "kept, so the class has fewer rows than sampling_strategy asks. Raise "
                    "n_neighbors_ver3 to preselect more.",
                    UserWarning,
                )
        n_keep = [min(n, preselected[i].size) for i, n in zip(targeted, n_keep, strict=True)]
    class_rows = [
        delayed(_class_rows)(layout, target.classes, targeted, int(offset), preselected, *part)
        for part, offset in zip(source.parts, counts.offsets, strict=True)
    ]
    if version == 3:  # scaled as fit_resample scales: from the preselected rows' spans
        spans = delayed(_preselected_spans)(
            targeted, layout.dtype, pack, *[delayed(_row_bounds_of)(c) for c in class_rows]
        )
    farthest = version == 2
    scored = [delayed(_scores)(targeted, k, farthest, pack, spans, c) for c in class_rows]
    limits = delayed(_limits)(
        n_keep, highest, *[delayed(_shortlist)(n_keep, highest, s) for s in scored]
    )
    outputs = [
        delayed(_kept)(layout, target.classes, targeted, highest, int(offset), s, limits, *part)
        for s, part, offset in zip(scored, source.parts, counts.offsets, strict=True)
    ]
    kept_counts = target.class_counts()
    kept_counts.update({labels[i]: n for i, n in zip(targeted, n_keep, strict=True)})
    sampler.n_samples_out_ = sum(kept_counts.values())
    return outputs, None, source.meta, kept_counts
