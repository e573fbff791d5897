"""TomekLinks on Dask: the links of ``fit_resample``, found by two searches among all rows.

Every link joins two classes, so one of its rows lies outside the largest class (as in
memory: :func:`fastsmote.under_sampling.tomek_links`). The rows outside the largest
class are gathered and sent to every partition, which returns each one's nearest row in
it; one task merges the lists exactly (by distance, ties to the lower global row, the
row itself left out). The largest class's rows they point to are then gathered and
searched the same way. Both searches run when ``resample`` is called; each partition
then drops its rows that are in a link and of a targeted class, keeping the others in
order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._boundary import _codes_and_rows, _merge, _queries, _search, check_exact_search
from ._input import Counts, Source, class_codes
from ._layout import Layout
from ._plan import check_budget
from ._smote import class_pieces


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


def _nearest(source: Source, counts: Counts, pieces: list) -> tuple[np.ndarray, ...]:
    """Computed now: codes and global rows of the gathered rows, and the class code and
    global row of each one's nearest other row among all rows."""
    import dask
    from dask import delayed

    queries = delayed(_queries)(*pieces)
    found = [
        delayed(_search)(source.layout, counts.target.classes, 2, int(offset), queries, *part)
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


def tomek_plan(
    sampler: Any, source: Source, counts: Counts, key: np.uint64, budget: float | None
) -> tuple[list, list[int], Any, dict]:
    """TomekLinks: each partition keeps the rows ``fit_resample`` keeps; also the rows
    removed per class."""
    from dask import delayed

    layout, target = source.layout, counts.target
    if isinstance(layout.template, Exception):
        raise layout.template
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
            source, counts, class_pieces(source, counts, outside)
        )
        partners = np.unique(near_rows[near_codes == largest])
        if partners.size:
            pieces = [
                delayed(_gather_rows)(layout, target.classes, partners, int(offset), *part)
                for part, offset in zip(source.parts, counts.offsets, strict=True)
            ]
            more = _nearest(source, counts, pieces)
            codes, rows = np.r_[codes, more[0]], np.r_[rows, more[1]]
            near_rows = np.r_[near_rows, more[3]]
        order = np.argsort(rows)
        rows, codes, near_rows = rows[order], codes[order], near_rows[order]
        # a row's nearest row was searched unless both are of the largest class (no link)
        at = np.minimum(np.searchsorted(rows, near_rows), rows.size - 1)
        searched = rows[at] == near_rows
        in_link = searched & (near_rows[at] == rows) & (codes[at] != codes) & targeted[codes]
        removed, removed_codes = rows[in_link], codes[in_link]
    outputs, lengths = [], []
    for part, offset, n in zip(source.parts, counts.offsets, counts.lengths, strict=True):
        outputs.append(delayed(_dropped)(layout, removed, int(offset), *part))
        lo, hi = np.searchsorted(removed, [int(offset), int(offset) + int(n)])
        lengths.append(int(n) - int(hi - lo))
    per_class = np.bincount(removed_codes, minlength=target.classes.size)
    labels = target.classes.tolist()
    removed_counts = {label: int(n) for label, n in zip(labels, per_class, strict=True)}
    return outputs, lengths, source.meta, removed_counts
