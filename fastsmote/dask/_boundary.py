"""BorderlineSMOTE and ADASYN on Dask: the class rows' neighbours among all rows.

The rows of the classes to over-sample (the queries) are gathered in global row order
and sent to every partition; each partition returns each query's nearest rows in it
with their squared distances (the exact search's defined arithmetic), and one task
merges the lists exactly: by distance, ties to the lower global row, the query itself
left out by its row number, as ``fit_resample``'s exact search among all rows. This pass
runs when ``resample`` is called: which rows are bases (BorderlineSMOTE's rows in
danger) or how many rows each base gets (ADASYN) then fix the output's size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._random import DAMP_STREAM, class_stream, stream_key
from .._validation import (
    UnsuitedDataError,
    check_features,
    check_neighbor_count,
    check_span_range,
    to_python,
)
from .._warnings import warn_caller
from ..base import neighbors_estimator
from ..neighbors import exact_kneighbors_of_points, is_estimator, resolve_backend
from ..over_sampling import exact_shares
from ._input import Counts, Source, class_codes, missing_labels
from ._layout import Layout
from ._plan import check_budget
from ._smote import class_pieces, class_spec, generation


def _queries(*pieces: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gathered rows of every partition: codes, features, global rows."""
    return tuple(np.concatenate([piece[i] for piece in pieces]) for i in range(3))


def _bounds(layout: Layout, X: Any) -> tuple | None:
    """Each feature's least and largest value among the rows ``X`` in the dtype searched
    (NaN where a value is missing or not finite; None for no rows), and those rows as
    that dtype (None where a value is missing)."""
    if len(X) == 0 or isinstance(layout.template, Exception):
        return None
    try:
        X_float = (
            check_features(X, len(X)).as_float_array(exact=False).astype(layout.dtype, copy=False)
        )
    except ValueError:  # a missing value: raised with its global row once rows are numbered
        nan = np.full(layout.n_features, np.nan)
        return nan, nan, None
    with np.errstate(invalid="ignore"):
        return X_float.min(axis=0), X_float.max(axis=0), X_float


def row_bounds(layout: Layout, *part: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Each feature's least and largest value among the partition's rows, in the dtype
    searched (NaN where a value is missing or not finite); None for no rows. Read in the
    counting pass, they give the spans of all rows."""
    found = _bounds(layout, layout.split(part)[0])
    return None if found is None else found[:2]


def class_row_bounds(layout: Layout, *part: Any) -> tuple | None:
    """:func:`row_bounds`, and the same per label: ``(low, high, (labels, lows, highs))``
    with the partition's sorted labels (None for no rows; no labels where a value is not
    finite or a label missing: the counting pass raises for either). NearMiss scales
    from the spans of classes."""
    X, y = layout.split(part)
    found = _bounds(layout, X)
    if found is None:
        return None
    low, high, X_float = found
    values = Layout.labels(y).reshape(-1)
    if X_float is None or not np.isfinite(low).all() or missing_labels(values).any():
        return low, high, None
    labels, codes = np.unique(values, return_inverse=True)
    codes = codes.reshape(-1)
    lows, highs = np.empty((2, labels.size, X_float.shape[1]), dtype=X_float.dtype)
    for j in range(labels.size):
        rows = X_float[codes == j]
        lows[j], highs[j] = rows.min(axis=0), rows.max(axis=0)
    return low, high, (labels, lows, highs)


def all_rows_spans(source: Source, counts: Counts) -> np.ndarray:
    """Computed from the counting pass's :func:`row_bounds`: each feature's span over
    all rows, from which ``fit_resample``'s search among all rows decides its scaling
    (``fastsmote.neighbors._scaling``); every partition's search then scales alike, so
    their distances merge exactly and equal the one-process search's. Raises as
    ``fit_resample`` does for a missing or infinite value (naming its global row) and
    for squared distances that could overflow."""
    spans = check_all_rows(source, counts)
    check_span_range(spans, source.layout.dtype, "X")
    return spans


def check_all_rows(source: Source, counts: Counts) -> np.ndarray:
    """Raise as ``fit_resample`` does for a missing or infinite value in any row (naming
    the first one's global row), from the counting pass's :func:`row_bounds` (or
    :func:`class_row_bounds`); return
    each feature's span over all rows (float64)."""
    import dask
    from dask import delayed

    layout = source.layout
    found = [(i, b) for i, b in enumerate(counts.scans) if b is not None]
    for i, (low, high, *_) in found:
        if not (np.isfinite(low).all() and np.isfinite(high).all()):
            X, _ = layout.split(source.parts[i])  # raises, naming the first such row
            dask.compute(delayed(layout.float_rows)(X, int(counts.offsets[i])))
    low = np.min([b[0] for _, b in found], axis=0)
    high = np.max([b[1] for _, b in found], axis=0)
    return high.astype(np.float64) - low.astype(np.float64)


def _search(
    layout: Layout, classes: np.ndarray, n_neighbors: int, first_row: int, spans: np.ndarray,
    queries, *part,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:  # fmt: skip
    """Each query's ``n_neighbors`` nearest rows of the partition: squared distances
    (scaled as the spans of all rows ask, :func:`all_rows_spans`), global rows, class
    codes (None for an empty partition or no query)."""
    X, y = layout.split(part)
    if len(X) == 0 or queries[2].size == 0:
        return None
    X_float = layout.float_rows(X, first_row)
    _, X_queries, _ = queries
    k = min(n_neighbors, X_float.shape[0])
    dist, pos = exact_kneighbors_of_points(
        X_queries, X_float, k, return_distance=True, spans=spans
    )
    return dist, first_row + pos, class_codes(classes, y)[pos]


def merge_pair(n_neighbors: int, queries, one, other) -> tuple[np.ndarray, ...] | None:
    """Two partial lists (squared distances, global rows, class codes; None: none) of
    the same queries merged: the ``n_neighbors`` nearest, the query itself left out by
    its row (``queries`` None: nothing left out), ties to the lower global row (what the
    exact search among all rows keeps). Merging lists in any order and grouping gives
    the same lists."""
    lists = [found for found in (one, other) if found is not None]
    if not lists:
        return None
    dist, rows, codes = (np.concatenate([f[i] for f in lists], axis=1) for i in range(3))
    if queries is not None:  # None: the queries are not among the rows searched
        dist = np.where(rows == queries[2][:, None], np.inf, dist)  # the query goes last
    order = np.lexsort((rows, dist), axis=-1)[:, :n_neighbors]
    return tuple(np.take_along_axis(a, order, axis=1) for a in (dist, rows, codes))


def _merge(n_neighbors: int, queries, *found) -> tuple[np.ndarray, np.ndarray]:
    """Class codes and global rows of each query's ``n_neighbors`` nearest other rows
    among all rows (every partition's list merged in)."""
    merged = None
    for one in found:
        merged = merge_pair(n_neighbors, queries, merged, one)
    if merged is None:  # no query (or no row)
        n = queries[2].size
        return np.empty((n, 0), dtype=np.int32), np.empty((n, 0), dtype=np.int64)
    return merged[2], merged[1]


def _all_rows_search(
    source: Source, counts: Counts, wanted: np.ndarray, n_neighbors: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Computed now: codes and global rows of the rows of the classes ``wanted`` (global
    order), and the class codes and global rows of each one's ``n_neighbors`` nearest
    other rows (the first ``k`` of them are its ``k`` nearest, for any ``k``)."""
    import dask
    from dask import delayed

    spans = all_rows_spans(source, counts)
    queries = delayed(_queries)(*class_pieces(source, counts, wanted))
    found = [
        delayed(_search)(
            source.layout,
            counts.target.classes,
            n_neighbors + 1,
            int(offset),
            spans,
            queries,
            *part,
        )  # fmt: skip
        for part, offset in zip(source.parts, counts.offsets, strict=True)
    ]
    merged = delayed(_merge)(n_neighbors, queries, *found)
    (codes, rows), neighbours = dask.compute(delayed(_codes_and_rows)(queries), merged)
    return codes, rows, neighbours


def _codes_and_rows(queries: tuple) -> tuple[np.ndarray, np.ndarray]:
    return queries[0], queries[2]


def check_exact_search(sampler: Any, counts: Counts, n_queries: int, rows: str) -> None:
    """Refuse where the search of ``n_queries`` rows among all rows that ``fit_resample``
    would run is not the exact one (``rows`` names them)."""
    backend = sampler.neighbors if isinstance(sampler.neighbors, str) else "exact"
    resolved = resolve_backend(backend, counts.n_samples, counts.n_features, n_queries)
    if resolved != "exact":
        raise NotImplementedError(
            f"{type(sampler).__name__} searches {rows} among all rows with the "
            f"{resolved!r} backend here (neighbors={sampler.neighbors!r}); on Dask that "
            "search is exact only: pass neighbors='exact' (the same rows as fit_resample "
            "with neighbors='exact')."
        )


def _all_rows_param(sampler: Any, counts: Counts, name: str, n_queries: int) -> int:
    """The neighbour count among all rows, refused where the search ``fit_resample``
    would run is not the exact one."""
    spec = getattr(sampler, name)
    if is_estimator(spec):
        raise NotImplementedError(
            f"{type(sampler).__name__}({name}=<estimator>) is not available on Dask: give "
            f"{name} as an int (fastsmote's exact search among all rows)."
        )
    check_exact_search(sampler, counts, n_queries, "the class rows")
    check_neighbor_count(spec, name, counts.n_samples, "X")
    return int(spec)


def _warn_no_danger(sampler: Any, label: Any) -> None:
    """fit_resample's warning for a class with no row in danger (it gets no rows)."""
    warn_caller(
        f"BorderlineSMOTE: class {to_python(label)!r} has no row in danger (with "
        f"m_neighbors={sampler.m_neighbors}); no synthetic rows were generated for it.",
        UserWarning,
    )


def boundary_plan(
    sampler: Any,
    source: Source,
    counts: Counts,
    key: np.uint64,
    budget: float | None,
    rows_per_block: int | None,
) -> tuple[list, list[int], Any]:
    """BorderlineSMOTE and ADASYN: the output partitions, their lengths and the
    output's meta."""
    layout, target = source.layout, counts.target
    if isinstance(layout.template, Exception):
        raise layout.template
    name = type(sampler).__name__
    borderline = name == "BorderlineSMOTE"
    if borderline and sampler.kind == "borderline-2":
        return _borderline2_plan(sampler, source, counts, key, budget, rows_per_block)
    k_param, m_param = ("k_neighbors", "m_neighbors") if borderline else ("n_neighbors",) * 2
    sampler.neighbors_backend_, sampler.all_rows_backend_ = {}, {}
    sampler.n_synthetic_ = {}
    if borderline:
        sampler.in_danger_indices_ = {}
        sampler.nn_m_ = neighbors_estimator(sampler.m_neighbors)
    else:
        sampler.base_counts_ = {}
    wanted_labels = [c for c, n in sampler.sampling_strategy_.items() if n > 0]
    specs = []
    for label in wanted_labels:
        specs.append(
            class_spec(sampler, counts, label, sampler.sampling_strategy_[label], k_param)
        )
    setattr(
        sampler, "nn_k_" if borderline else "nn_", neighbors_estimator(getattr(sampler, k_param))
    )
    sampler.n_synthetic_ = {label: 0 for label in wanted_labels}
    if not specs:
        sampler.n_samples_out_ = counts.n_samples
        return generation(source, counts, key, [], rows_per_block)
    wanted = np.array([spec["class_index"] for spec, _ in specs], dtype=np.int32)
    n_queries = int(target.counts[wanted].sum())
    m = _all_rows_param(sampler, counts, m_param, n_queries)
    d, itemsize = counts.n_features, counts.itemsize
    n_parts = len(source.parts)
    check_budget(
        [size for _, size in specs]
        + [
            (f"the {n_queries:,} class rows", n_queries * (d * itemsize + 8)),
            (
                f"their neighbour lists from {n_parts} partitions",
                n_queries * (m + 1) * n_parts * (itemsize + 12),
            ),
        ],
        budget,
    )
    codes, rows, (labels, _) = _all_rows_search(source, counts, wanted, m)
    kept = []
    for spec, _ in specs:
        index, label = spec["class_index"], spec["label"]
        sampler.all_rows_backend_[label] = "exact"
        mine = codes == index
        other = np.count_nonzero(labels[mine] != index, axis=1)
        class_key = stream_key(key, class_stream(index))
        spec["damp_key"] = stream_key(class_key, DAMP_STREAM)
        if borderline:
            danger = (other >= m / 2) & (other < m)
            if not danger.any():
                _warn_no_danger(sampler, label)
                del sampler.neighbors_backend_[label]
                continue
            sampler.in_danger_indices_[label] = rows[mine][danger]
            spec["danger"] = danger
        else:
            weights = other / m
            if not weights.sum():
                raise UnsuitedDataError(
                    f"ADASYN: no neighbour of any row of class {label!r} belongs to another "
                    "class, so every weight is 0 (a division by zero). ADASYN is not suited "
                    "to this data; use SMOTE instead."
                )
            shares = exact_shares(weights, spec["n_new"])
            sampler.base_counts_[label] = shares
            spec["cum_counts"] = np.cumsum(shares)
        sampler.n_synthetic_[label] = spec["n_new"]
        kept.append(spec)
    sampler.n_samples_out_ = counts.n_samples + sum(spec["n_new"] for spec in kept)
    return generation(source, counts, key, kept, rows_per_block)


def _borderline2_plan(
    sampler: Any,
    source: Source,
    counts: Counts,
    key: np.uint64,
    budget: float | None,
    rows_per_block: int | None,
) -> tuple[list, list[int], Any]:
    """Borderline-SMOTE-2: bases in danger, interpolated towards their ``k_neighbors``
    nearest rows of any class (the gap damped towards other classes). One search among
    all rows gives both the danger rule and those neighbours; the bases and their
    neighbours are then gathered by global row."""
    target, d, itemsize = counts.target, counts.n_features, counts.itemsize
    sampler.neighbors_backend_, sampler.all_rows_backend_ = {}, {}
    sampler.in_danger_indices_ = {}
    sampler.nn_m_ = neighbors_estimator(sampler.m_neighbors)
    sampler.nn_k_ = neighbors_estimator(sampler.k_neighbors)
    labels_wanted = [c for c, n in sampler.sampling_strategy_.items() if n > 0]
    sampler.n_synthetic_ = {label: 0 for label in labels_wanted}
    if not labels_wanted:
        return generation(source, counts, key, [], rows_per_block)
    wanted = np.array([target.class_index(c) for c in labels_wanted], dtype=np.int32)
    n_queries = int(target.counts[wanted].sum())
    m = _all_rows_param(sampler, counts, "m_neighbors", n_queries)
    k = _all_rows_param(sampler, counts, "k_neighbors", n_queries)
    n_parts = len(source.parts)
    check_budget(
        [
            (f"the {n_queries:,} class rows", n_queries * (d * itemsize + 8)),
            (
                f"their neighbour lists from {n_parts} partitions",
                n_queries * (max(m, k) + 1) * n_parts * (itemsize + 12),
            ),
        ],
        budget,
    )
    codes, rows, (nb_codes, nb_rows) = _all_rows_search(source, counts, wanted, max(m, k))
    specs, sizes = [], []
    for label, index in zip(labels_wanted, wanted.tolist(), strict=True):
        sampler.all_rows_backend_[label] = "exact"
        mine = codes == index
        other = np.count_nonzero(nb_codes[mine][:, :m] != index, axis=1)
        danger = (other >= m / 2) & (other < m)
        if not danger.any():
            _warn_no_danger(sampler, label)
            continue
        bases = rows[mine][danger]
        _all_rows_param(sampler, counts, "k_neighbors", bases.size)  # as fit_resample resolves
        sampler.in_danger_indices_[label] = bases
        sampler.neighbors_backend_[label] = "exact"
        neighbours = nb_rows[mine][danger][:, :k]
        source_rows = np.unique(np.concatenate([bases, neighbours.ravel()]))
        class_key = stream_key(key, class_stream(index))
        specs.append(
            {
                "class_index": index,
                "label": target.classes[index],
                "n_new": int(sampler.sampling_strategy_[label]),
                "source_rows": source_rows,
                "bases": np.searchsorted(source_rows, bases).astype(np.int64),
                "neighbors": np.searchsorted(source_rows, neighbours).astype(np.int64),
                "damp": nb_codes[mine][danger][:, :k] != index,
                "damp_key": stream_key(class_key, DAMP_STREAM),
            }
        )
        sampler.n_synthetic_[label] = specs[-1]["n_new"]
        sizes.append(
            (
                f"class {label!r}: {source_rows.size:,} rows (bases and neighbours)",
                source_rows.size * d * itemsize + bases.size * k * 9,
            )
        )
    check_budget(sizes, budget)
    sampler.n_samples_out_ = counts.n_samples + sum(spec["n_new"] for spec in specs)
    return generation(source, counts, key, specs, rows_per_block)
