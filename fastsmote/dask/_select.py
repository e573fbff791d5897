"""RandomOverSampler and RandomUnderSampler on Dask: the rows ``fit_resample`` picks,
from draws keyed by each row's position in its class (global row order); with
``shrinkage``, the same noise as in memory, keyed by each added row's number."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._kernels.sampling import bootstrap_positions, priorities_from, smoothed_bootstrap
from .._random import class_stream, copy_stream, shrinkage_stream, stream_key
from .._validation import to_python
from ..over_sampling._random import check_smoothed_rows, smoothed_scale
from ._input import Counts, Source, class_codes
from ._layout import Layout
from ._plan import check_budget
from ._smote import _converted, block_rows, class_pieces

#: Rows per partition of duplicated rows (RandomOverSampler).
COPY_BLOCK_ROWS = 1 << 18


def _row_bytes(source: Source) -> int:
    """Bytes of one input row, object columns counted as one pointer (at least that)."""
    meta = source.meta
    if source.layout.kind == "frame":
        return int(sum(getattr(dtype, "itemsize", 8) or 8 for dtype in meta.dtypes))
    X, y = meta
    return X.shape[1] * X.dtype.itemsize + y.dtype.itemsize


def _copied(layout: Layout, *part: Any) -> Any:
    return layout.taken(part, None)


def _class_rows(layout: Layout, classes: np.ndarray, wanted: np.ndarray, *part: Any) -> Any:
    """``(codes, rows)``: a partition's rows of the classes ``wanted``, unchanged."""
    _, y = layout.split(part)
    codes = class_codes(classes, y)
    rows = np.flatnonzero(np.isin(codes, wanted))
    return codes[rows], layout.taken(part, rows)


def _class_table(layout: Layout, class_index: int, *pieces: Any) -> Any:
    """The rows of one class from every partition, in global row order."""
    chosen = [(taken, np.flatnonzero(codes == class_index)) for codes, taken in pieces]
    if layout.kind == "frame":
        import pandas as pd

        return pd.concat([taken.iloc[rows] for taken, rows in chosen])
    return (
        np.concatenate([taken[0][rows] for taken, rows in chosen]),
        np.concatenate([taken[1][rows] for taken, rows in chosen]),
    )


def _copies(layout: Layout, table: Any, key: np.uint64, j0: int, j1: int, first_row: int) -> Any:
    """Duplicates ``j0 .. j1 - 1`` of a class (RandomOverSampler's draws)."""
    import pandas as pd

    n_class = len(table) if layout.kind == "frame" else len(table[0])
    positions = bootstrap_positions(key, j0, j1 - j0, n_class)
    if layout.kind == "frame":
        return layout.taken((table,), positions, pd.RangeIndex(first_row + j0, first_row + j1))
    return table[0][positions], table[1][positions]


def random_over_plan(
    sampler: Any,
    source: Source,
    counts: Counts,
    key: np.uint64,
    budget: float | None,
    rows_per_block: int | None = None,
) -> tuple[list, list[int], Any]:
    """RandomOverSampler: the input partitions, then each class's duplicates in blocks
    (with ``shrinkage``: :func:`smoothed_plan`)."""
    from dask import delayed

    if sampler.shrinkage is not None:
        return smoothed_plan(sampler, source, counts, key, budget, rows_per_block)
    sampler.shrinkage_ = None
    layout, target = source.layout, counts.target
    jobs = _over_sampled(sampler, target)
    row_bytes = _row_bytes(source)
    check_budget(
        [
            (
                f"class {to_python(target.classes[i])!r}, {int(target.counts[i]):,} rows",
                int(target.counts[i]) * row_bytes,
            )
            for i, _ in jobs
        ],
        budget,
    )
    outputs = [delayed(_copied)(layout, *part) for part in source.parts]
    lengths = [int(n) for n in counts.lengths]
    if jobs:
        wanted = np.array([i for i, _ in jobs], dtype=np.int32)
        pieces = [delayed(_class_rows)(layout, target.classes, wanted, *p) for p in source.parts]
        first_row = int(counts.lengths.sum())
        step = rows_per_block or COPY_BLOCK_ROWS
        for index, n_new in jobs:
            table = delayed(_class_table)(layout, index, *pieces)
            copy_key = stream_key(key, copy_stream(index))
            for j0 in range(0, n_new, step):
                j1 = min(n_new, j0 + step)
                outputs.append(delayed(_copies)(layout, table, copy_key, j0, j1, first_row))
                lengths.append(j1 - j0)
            first_row += n_new
    return outputs, lengths, _selector_meta(source)


def _over_sampled(sampler: Any, target: Any) -> list[tuple[int, int]]:
    """``(class index, rows to add)`` of each class to over-sample, in label order."""
    jobs = [(target.class_index(label), int(n)) for label, n in sampler.sampling_strategy_.items()]
    return [(index, n) for index, n in jobs if n > 0]


# --------------------------------------------------------------------------- smoothed bootstrap
def _smoothed_class(
    index: int, factor: float, n_samples: int, *pieces: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """A class's float rows in global row order and its noise scale, as in memory."""
    X_class = np.concatenate([X[codes == index] for codes, X, _ in pieces])
    return X_class, smoothed_scale(X_class, factor, n_samples)


def _smoothed_block(
    layout: Layout,
    table: tuple[np.ndarray, np.ndarray],
    keys: tuple[np.uint64, np.uint64],
    j0: int,
    j1: int,
    first_row: int,
    label: Any,
) -> Any:
    """Perturbed copies ``j0 .. j1 - 1`` of a class (the draws of ``fit_resample``)."""
    import pandas as pd

    X_class, scale = table
    copy_key, noise_key = keys
    positions = bootstrap_positions(copy_key, j0, j1 - j0, X_class.shape[0])
    rows = np.empty((j1 - j0, X_class.shape[1]), dtype=X_class.dtype)
    smoothed_bootstrap(X_class, positions, noise_key, j0, scale, rows, 0)
    check_smoothed_rows(rows)
    index = pd.RangeIndex(first_row + j0, first_row + j1)
    return layout.from_rows(rows, np.full(j1 - j0, label, dtype=object), index, True)


def smoothed_plan(
    sampler: Any,
    source: Source,
    counts: Counts,
    key: np.uint64,
    budget: float | None,
    rows_per_block: int | None,
) -> tuple[list, list[int], Any]:
    """RandomOverSampler with ``shrinkage``: the input partitions as floats, then each
    class's perturbed copies in blocks. The class rows are gathered in global row order
    (the standard deviation depends on the order of its sums), as SMOTE gathers them."""
    from dask import delayed

    layout, target = source.layout, counts.target
    if isinstance(layout.template, Exception):
        raise ValueError(
            "When shrinkage is not None, X needs to contain only numerical data to later "
            f"generate a smoothed bootstrap sample ({layout.template})"
        ) from None
    sampler.shrinkage_ = sampler._resolve_shrinkage()
    jobs = _over_sampled(sampler, target)
    row_bytes = counts.n_features * counts.itemsize
    check_budget(
        [
            (
                f"class {to_python(target.classes[i])!r}, {int(target.counts[i]):,} rows",
                int(target.counts[i]) * row_bytes,
            )
            for i, _ in jobs
        ],
        budget,
    )
    outputs, lengths = [], []
    for part, offset, n in zip(source.parts, counts.offsets, counts.lengths, strict=True):
        outputs.append(delayed(_converted)(layout, int(offset), *part))
        lengths.append(int(n))
    if jobs:
        wanted = np.array([i for i, _ in jobs], dtype=np.int32)
        pieces = class_pieces(source, counts, wanted)
        first_row = counts.n_samples
        step = rows_per_block or block_rows(layout.n_features, layout.dtype.itemsize)
        for index, n_new in jobs:
            label = target.classes[index]
            factor = sampler.shrinkage_[to_python(label)]
            table = delayed(_smoothed_class)(index, factor, counts.n_samples, *pieces)
            keys = (
                stream_key(key, copy_stream(index)),
                stream_key(key, shrinkage_stream(index)),
            )
            for j0 in range(0, n_new, step):
                j1 = min(n_new, j0 + step)
                outputs.append(
                    delayed(_smoothed_block)(layout, table, keys, j0, j1, first_row, label)
                )
                lengths.append(j1 - j0)
            first_row += n_new
    return outputs, lengths, layout.empty()


def _selector_meta(source: Source) -> Any:
    return source.meta


# --------------------------------------------------------------------------- under-sampling
def _shortlist(
    classes: np.ndarray, targets: list, starts: list, *part: Any, layout: Layout
) -> list:
    """Per targeted class ``(class index, key, n_keep)``: the partition's ``n_keep``
    smallest ``(priority, position)`` pairs of the class."""
    _, y = layout.split(part)
    codes = class_codes(classes, y)
    found = []
    for (index, class_key, n_keep), start in zip(targets, starts, strict=True):
        m = int(np.count_nonzero(codes == index))
        positions = np.arange(start, start + m, dtype=np.int64)
        priority = priorities_from(class_key, start, m)
        order = np.lexsort((positions, priority))[:n_keep]
        found.append((priority[order], positions[order]))
    return found


def _thresholds(targets: list, *shortlists: list) -> list:
    """Per targeted class, the largest kept ``(priority, position)`` (None: keep none)."""
    limits = []
    for t, (_, _, n_keep) in enumerate(targets):
        priority = np.concatenate([s[t][0] for s in shortlists])
        positions = np.concatenate([s[t][1] for s in shortlists])
        if n_keep == 0:
            limits.append(None)
            continue
        last = np.lexsort((positions, priority))[n_keep - 1]
        limits.append((priority[last], positions[last]))
    return limits


def _draws(targets: list, sizes: list) -> list:
    """Per targeted class, the drawn class positions, sorted (with replacement)."""
    return [
        np.sort(bootstrap_positions(class_key, 0, n_keep, n_class))
        for (_, class_key, n_keep), n_class in zip(targets, sizes, strict=True)
    ]


def _kept(
    layout: Layout,
    classes: np.ndarray,
    targets: list,
    starts: list,
    chosen: list,
    replacement: bool,
    *part: Any,
) -> Any:
    """The partition's kept rows, in partition order (a row drawn twice, twice)."""
    _, y = layout.split(part)
    codes = class_codes(classes, y)
    keep = [np.flatnonzero(~np.isin(codes, [t[0] for t in targets]))]
    for (index, class_key, _), start, limit in zip(targets, starts, chosen, strict=True):
        rows = np.flatnonzero(codes == index)
        if replacement:
            lo, hi = np.searchsorted(limit, [start, start + rows.size])
            keep.append(rows[limit[lo:hi] - start])
        elif limit is not None:
            priority = priorities_from(class_key, start, rows.size)
            positions = np.arange(start, start + rows.size)
            top, last = limit
            keep.append(rows[(priority < top) | ((priority == top) & (positions <= last))])
    return layout.taken(part, np.sort(np.concatenate(keep), kind="stable"))


def random_under_plan(
    sampler: Any, source: Source, counts: Counts, key: np.uint64, budget: float | None
) -> tuple[list, None, Any]:
    """RandomUnderSampler: each partition keeps the rows ``fit_resample`` keeps."""
    from dask import delayed

    layout, target = source.layout, counts.target
    targets, sizes, offsets, payload = [], [], [], []
    for label, n_keep in sampler.sampling_strategy_.items():
        index = target.class_index(label)
        targets.append((index, stream_key(key, class_stream(index)), int(n_keep)))
        sizes.append(int(target.counts[index]))
        offsets.append(counts.class_offsets(index))
        per_part = np.minimum(counts.per_part[:, index], int(n_keep)).sum()
        payload.append(
            (
                f"class {label!r}, {int(n_keep):,} rows kept",
                int(n_keep) * 8 if sampler.replacement else int(per_part) * 16,
            )
        )
    check_budget(payload, budget)
    if sampler.replacement:
        chosen = delayed(_draws)(targets, sizes)
    else:
        shortlists = [
            delayed(_shortlist)(
                target.classes, targets, [int(o[i]) for o in offsets], *part, layout=layout
            )
            for i, part in enumerate(source.parts)
        ]
        chosen = delayed(_thresholds)(targets, *shortlists)
    outputs = [
        delayed(_kept)(
            layout,
            target.classes,
            targets,
            [int(o[i]) for o in offsets],
            chosen,
            sampler.replacement,
            *part,
        )
        for i, part in enumerate(source.parts)
    ]
    return outputs, None, _selector_meta(source)
