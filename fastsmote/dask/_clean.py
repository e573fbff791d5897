"""The cleaners on Dask: TomekLinks, EditedNearestNeighbours and
NeighbourhoodCleaningRule, the rows ``fit_resample`` removes, found by exact searches
among all rows.

TomekLinks: every link joins two classes, so one of its rows lies outside the largest
class (as in memory: :func:`fastsmote.under_sampling.tomek_links`). The rows outside the
largest class are gathered and sent to every partition, which returns each one's nearest
row in it; one task merges the lists exactly (by distance, ties to the lower global row,
the row itself left out). The largest class's rows they point to are then gathered and
searched the same way.

EditedNearestNeighbours queries most rows, so nothing is gathered in one place: each
partition's rows of the cleaned classes are searched in every partition (a task per pair
of partitions), and the lists are merged pairwise, exactly as above, so a task holds two
lists of one partition's queries. Each query partition then keeps its rows whose
neighbours agree with their class. NeighbourhoodCleaningRule's one search (the rows it
cleans and the minority rows) runs the same way; each query partition then gives both
of its sets of removed rows.

The searches run when ``resample`` is called (they fix the output's size); each
partition then drops its removed rows, keeping the others in order.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from .._kernels.cleaning import mark_disagreeing, outvoted
from .._validation import check_neighbor_count
from ..neighbors import is_estimator
from ._boundary import (
    _codes_and_rows,
    _merge,
    _queries,
    _search,
    all_rows_spans,
    check_exact_search,
    merge_pair,
)
from ._input import Counts, Source, class_codes
from ._layout import Layout
from ._plan import check_budget
from ._smote import class_pieces, gather


def _gather_rows(
    layout: Layout, classes: np.ndarray, wanted: np.ndarray, first_row: int, *part: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class codes, float features and global rows of the partition's rows among the
    sorted global rows ``wanted``, in partition order."""
    X, y = layout.split(part)
    lo, hi = np.searchsorted(wanted, [first_row, first_row + len(y)])
    rows = (wanted[lo:hi] - first_row).astype(np.int64)
    if rows.size == 0:
        empty = np.empty((0, layout.n_features), dtype=layout.dtype)
        return class_codes(classes, y)[:0], empty, rows
    X_rows = X.iloc[rows] if layout.kind == "frame" else X[rows]
    global_rows = first_row + rows
    return class_codes(classes, y)[rows], layout.float_rows(X_rows, global_rows), global_rows


def _nearest(
    source: Source, counts: Counts, spans: np.ndarray, pieces: list
) -> tuple[np.ndarray, ...]:
    """Computed now: codes and global rows of the gathered rows, and the class code and
    global row of each one's nearest other row among all rows (``spans``: of all rows)."""
    import dask
    from dask import delayed

    queries = delayed(_queries)(*pieces)
    found = [
        delayed(_search)(
            source.layout, counts.target.classes, 2, int(offset), spans, queries, *part
        )
        for part, offset in zip(source.parts, counts.offsets, strict=True)
    ]
    (codes, rows), (near_codes, near_rows) = dask.compute(
        delayed(_codes_and_rows)(queries), delayed(_merge)(1, queries, *found)
    )
    return codes, rows, near_codes[:, 0], near_rows[:, 0]


def _dropped(layout: Layout, removed: np.ndarray, first_row: int, *part: Any) -> Any:
    """The partition without its rows among the sorted global rows ``removed``."""
    n = len(layout.split(part)[1])
    lo, hi = np.searchsorted(removed, [first_row, first_row + n])
    keep = np.ones(n, dtype=bool)
    keep[removed[lo:hi] - first_row] = False
    return layout.taken(part, np.flatnonzero(keep))


def _removed_outputs(
    source: Source, counts: Counts, removed: np.ndarray, removed_codes: np.ndarray
) -> tuple[list, list[int], Any, dict]:
    """Each partition without its rows among the sorted global rows ``removed`` (of
    class codes ``removed_codes``): the outputs, their lengths, the meta and the rows
    removed per class."""
    from dask import delayed

    outputs, lengths = [], []
    for part, offset, n in zip(source.parts, counts.offsets, counts.lengths, strict=True):
        outputs.append(delayed(_dropped)(source.layout, removed, int(offset), *part))
        lo, hi = np.searchsorted(removed, [int(offset), int(offset) + int(n)])
        lengths.append(int(n) - int(hi - lo))
    classes = counts.target.classes
    per_class = np.bincount(removed_codes, minlength=classes.size)
    removed_counts = {label: int(n) for label, n in zip(classes.tolist(), per_class, strict=True)}
    return outputs, lengths, source.meta, removed_counts


def tomek_plan(
    sampler: Any, source: Source, counts: Counts, key: np.uint64, budget: float | None
) -> tuple[list, list[int], Any, dict]:
    """TomekLinks: each partition keeps the rows ``fit_resample`` keeps; also the rows
    removed per class."""
    from dask import delayed

    layout, target = source.layout, counts.target
    if isinstance(layout.template, Exception):
        raise layout.template
    spans = all_rows_spans(source, counts)  # checks every row, searched or not
    targeted = np.isin(target.classes, list(sampler.sampling_strategy_))
    sampler.neighbors_backend_ = {
        label: "exact" for label in target.classes.tolist() if label in sampler.sampling_strategy_
    }
    largest = int(np.argmax(target.counts))
    outside = np.flatnonzero(np.arange(target.classes.size) != largest).astype(np.int32)
    n_outside = int(target.counts[outside].sum())
    check_exact_search(sampler, counts, n_outside, "the rows outside the largest class")
    removed, removed_codes = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    if targeted.any() and n_outside:
        row_bytes = counts.n_features * counts.itemsize + 8
        n_parts = len(source.parts)
        # the rows outside the largest class, then at most as many rows they point to
        check_budget(
            [
                (f"the {n_outside:,} rows outside the largest class", n_outside * row_bytes),
                (
                    f"their nearest rows from {n_parts} partitions",
                    n_outside * 2 * n_parts * (counts.itemsize + 12),
                ),
            ],
            budget,
        )
        codes, rows, near_codes, near_rows = _nearest(
            source, counts, spans, class_pieces(source, counts, outside)
        )
        partners = np.unique(near_rows[near_codes == largest])
        if partners.size:
            pieces = [
                delayed(_gather_rows)(layout, target.classes, partners, int(offset), *part)
                for part, offset in zip(source.parts, counts.offsets, strict=True)
            ]
            more = _nearest(source, counts, spans, pieces)
            codes, rows = np.r_[codes, more[0]], np.r_[rows, more[1]]
            near_rows = np.r_[near_rows, more[3]]
        order = np.argsort(rows)
        rows, codes, near_rows = rows[order], codes[order], near_rows[order]
        # a row's nearest row was searched unless both are of the largest class (no link)
        at = np.minimum(np.searchsorted(rows, near_rows), rows.size - 1)
        searched = rows[at] == near_rows
        in_link = searched & (near_rows[at] == rows) & (codes[at] != codes) & targeted[codes]
        removed, removed_codes = rows[in_link], codes[in_link]
    return _removed_outputs(source, counts, removed, removed_codes)


def _as_positions(codes: np.ndarray, near_codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """The queries' codes and their neighbours' codes (one row per query) as the
    in-memory cleaning kernels take them: one int32 code array (the queries' first) and
    each query's neighbours as positions into it; also the queries' positions."""
    n, k = near_codes.shape
    every_code = np.concatenate([codes, near_codes.ravel()]).astype(np.int32)
    positions = (n + np.arange(n * k, dtype=np.int64)).reshape(n, k)
    return every_code, positions, np.arange(n, dtype=np.int64)


def _disagreeing(n_classes: int, unanimous: bool, queries, found) -> tuple[np.ndarray, np.ndarray]:
    """Global rows and class codes of the queries whose neighbours disagree with their
    class (``fit_resample``'s rule: :func:`fastsmote._kernels.cleaning.mark_disagreeing`)."""
    codes, _, rows = queries
    if rows.size == 0:
        return rows, codes.astype(np.int64)
    every_code, positions, own = _as_positions(codes, found[2])
    keep = np.ones(rows.size, dtype=np.bool_)
    mark_disagreeing(own, positions, every_code, n_classes, unanimous, keep)
    return rows[~keep], codes[~keep].astype(np.int64)


def _decided(
    source: Source, counts: Counts, spans: np.ndarray, wanted: np.ndarray, k: int, decide: Any
) -> tuple:
    """Computed now: ``decide(queries, lists)`` for each partition, ``queries`` its rows
    of the classes ``wanted`` (codes, features, global rows), ``lists`` their ``k``
    nearest other rows among all rows (squared distances, global rows, class codes),
    searched in every partition (scaled as ``spans``, of all rows, ask) and merged two
    lists at a time."""
    import dask
    from dask import delayed

    layout, classes = source.layout, counts.target.classes
    parts = list(zip(source.parts, counts.offsets, strict=True))
    decided = []
    for query_part, query_offset in parts:
        queries = delayed(gather)(layout, classes, wanted, int(query_offset), *query_part)
        merged = None  # each partition's list merged in, two lists at a time
        for part, offset in parts:
            found = delayed(_search)(layout, classes, k + 1, int(offset), spans, queries, *part)
            merged = delayed(merge_pair)(k, queries, merged, found)
        decided.append(delayed(decide)(queries, merged))
    return dask.compute(*decided)


def enn_plan(
    sampler: Any, source: Source, counts: Counts, key: np.uint64, budget: float | None
) -> tuple[list, list[int], Any, dict]:
    """EditedNearestNeighbours: each partition keeps the rows ``fit_resample`` keeps;
    also the rows removed per class."""
    layout, target = source.layout, counts.target
    if isinstance(layout.template, Exception):
        raise layout.template
    if is_estimator(sampler.n_neighbors):
        raise NotImplementedError(
            "EditedNearestNeighbours(n_neighbors=<estimator>) is not available on Dask: give "
            "n_neighbors as an int (fastsmote's exact search among all rows)."
        )
    spans = all_rows_spans(source, counts)  # checks every row, searched or not
    cleaned = np.flatnonzero(np.isin(target.classes, list(sampler.sampling_strategy_)))
    n_queries = int(target.counts[cleaned].sum())
    sampler.neighbors_backend_ = {}
    if n_queries == 0:
        empty = np.empty(0, dtype=np.int64)
        return _removed_outputs(source, counts, empty, empty)
    check_neighbor_count(sampler.n_neighbors, "n_neighbors", counts.n_samples, "X")
    check_exact_search(sampler, counts, n_queries, "the rows of the classes it cleans")
    k = int(sampler.n_neighbors)
    sampler.neighbors_backend_ = {label: "exact" for label in target.classes[cleaned].tolist()}
    decide = partial(_disagreeing, target.classes.size, sampler.kind_sel == "all")
    found = _decided(source, counts, spans, cleaned.astype(np.int32), k, decide)
    removed = np.concatenate([rows for rows, _ in found])
    removed_codes = np.concatenate([codes for _, codes in found])
    return _removed_outputs(source, counts, removed, removed_codes)


def _first_of(labels: Any, wanted: list) -> tuple[int, list[int]]:
    """A partition's length and the first position of each label of ``wanted`` in it
    (its length where absent)."""
    values = np.asarray(labels)
    found = []
    for label in wanted:
        where = np.flatnonzero(values == label)
        found.append(int(where[0]) if where.size else len(values))
    return len(values), found


def first_seen(parts: list, wanted: list) -> list[int]:
    """Computed now: the first global row of each label of ``wanted`` among the label
    partitions ``parts`` (delayed; -1 for a label in none)."""
    import dask
    from dask import delayed

    found = dask.compute(*[delayed(_first_of)(part, wanted) for part in parts])
    first = [-1] * len(wanted)
    offset = 0
    for length, positions in found:
        for j, position in enumerate(positions):
            if first[j] < 0 and position < length:
                first[j] = offset + position
        offset += length
    return first


def _labels(layout: Layout, *part: Any) -> np.ndarray:
    return Layout.labels(layout.split(part)[1])


def class_first_rows(source: Source, counts: Counts) -> np.ndarray:
    """Computed now: the first global row of each class (one pass over the labels)."""
    from dask import delayed

    parts = [delayed(_labels)(source.layout, *part) for part in source.parts]
    return np.asarray(first_seen(parts, counts.target.classes.tolist()), dtype=np.int64)


def first_minority(counts: Counts, first: np.ndarray) -> int:
    """The class code of the fewest rows, ties to the class seen first (``first``: each
    class's first global row), as the in-memory samplers pick it."""
    fewest = np.flatnonzero(counts.target.counts == counts.target.counts.min())
    return int(fewest[np.argmin(first[fewest])])


def _cleaning_rule(
    n_classes: int, n_votes: int, cleaned: np.ndarray, minority: int, cleanable: np.ndarray,
    queries: tuple, found: Any,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Global rows and class codes of the rows Neighbourhood Cleaning Rule removes among
    these queries' lists: the rows of ``cleaned`` classes their neighbours outvote (mode,
    as EditedNearestNeighbours), and the neighbours of ``cleanable`` classes of the
    minority rows that their vote gives to another class (``fit_resample``'s kernels)."""
    codes, _, rows = queries
    if rows.size == 0:
        return rows, codes.astype(np.int64)
    _, near_rows, near_codes = found
    every_code, positions, own = _as_positions(codes, near_codes)
    keep = np.ones(rows.size, dtype=np.bool_)
    of_cleaned = cleaned[codes]
    mark_disagreeing(own[of_cleaned], positions[of_cleaned], every_code, n_classes, False, keep)
    of_minority = codes == minority
    wrong = outvoted(own[of_minority], positions[of_minority], every_code, n_classes, n_votes)
    near_rows, near_codes = near_rows[of_minority][wrong], near_codes[of_minority][wrong]
    outvoted_near = cleanable[near_codes]
    return (
        np.r_[rows[~keep], near_rows[outvoted_near]],
        np.r_[codes[~keep], near_codes[outvoted_near]].astype(np.int64),
    )


def ncr_plan(
    sampler: Any, source: Source, counts: Counts, key: np.uint64, budget: float | None
) -> tuple[list, list[int], Any, dict]:
    """NeighbourhoodCleaningRule with its default Edited Nearest Neighbours and an int
    ``n_neighbors``: one search serves both sets of removed rows, as in memory."""
    layout, target = source.layout, counts.target
    if isinstance(layout.template, Exception):
        raise layout.template
    if sampler.edited_nearest_neighbours is not None or is_estimator(sampler.n_neighbors):
        raise NotImplementedError(
            "NeighbourhoodCleaningRule is available on Dask with its default Edited Nearest "
            "Neighbours and an int n_neighbors (fastsmote's exact search among all rows)."
        )
    spans = all_rows_spans(source, counts)  # checks every row
    labels = target.classes.tolist()
    first = class_first_rows(source, counts)
    minority = first_minority(counts, first)
    cleaned = np.isin(target.classes, list(sampler.sampling_strategy_))
    threshold = target.counts[minority] * sampler.threshold_cleaning
    sampler.classes_to_clean_ = [
        labels[c]
        for c in np.argsort(first).tolist()
        if cleaned[c] and target.counts[c] > threshold
    ]
    cleanable = np.isin(target.classes, sampler.classes_to_clean_)
    wanted = cleaned.copy()
    wanted[minority] = True
    n_queries = int(target.counts[wanted].sum())
    k = int(sampler.n_neighbors)
    check_neighbor_count(k, "n_neighbors", counts.n_samples, "X")
    check_exact_search(sampler, counts, n_queries, "the rows of the classes it searches for")
    sampler.neighbors_backend_ = dict.fromkeys(target.classes[wanted].tolist(), "exact")
    decide = partial(_cleaning_rule, target.classes.size, k, cleaned, minority, cleanable)
    found = _decided(source, counts, spans, np.flatnonzero(wanted).astype(np.int32), k, decide)
    removed = np.concatenate([rows for rows, _ in found])
    removed_codes = np.concatenate([codes for _, codes in found])
    removed, unique = np.unique(removed, return_index=True)
    enn = sampler._enn()
    enn.sampling_strategy_ = sampler.sampling_strategy_
    enn.neighbors_backend_ = dict.fromkeys(target.classes[cleaned].tolist(), "exact")
    enn.n_features_in_, enn.classes_ = counts.n_features, target.classes
    sampler.edited_nearest_neighbours_ = enn
    return _removed_outputs(source, counts, removed, removed_codes[unique])
