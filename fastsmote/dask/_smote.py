"""SMOTE on Dask: gather the classes to over-sample, one neighbour table per class,
synthetic rows in fixed-size blocks through the SMOTE plan (:class:`ClassJob`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .._random import CLASS_GRAPH_STREAM, class_stream, stream_key
from .._validation import check_neighbor_count
from ..neighbors import is_estimator, kneighbors, resolve_backend
from ..over_sampling import ClassJob
from ._input import Counts, Source, class_codes
from ._layout import Layout
from ._plan import check_budget, working_memory

#: Target size of one synthetic partition.
BLOCK_BYTES = 64 * 2**20


def block_rows(n_features: int, itemsize: int) -> int:
    """Synthetic rows per output partition: about :data:`BLOCK_BYTES`, never depending on
    the cluster (the rows do not depend on it either)."""
    return max(1024, BLOCK_BYTES // (n_features * itemsize))


def gather(
    layout: Layout, classes: np.ndarray, wanted: np.ndarray, first_row: int, *part: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class codes, float features and global row numbers of a partition's rows of the
    classes ``wanted``, in partition order."""
    X, y = layout.split(part)
    codes = class_codes(classes, y)
    rows = np.flatnonzero(np.isin(codes, wanted))
    if rows.size == 0:
        empty = np.empty((0, layout.n_features), dtype=layout.dtype)
        return codes[:0], empty, rows.astype(np.int64)
    X_rows = X.iloc[rows] if layout.kind == "frame" else X[rows]
    global_rows = first_row + rows.astype(np.int64)
    return codes[rows], layout.float_rows(X_rows, global_rows), global_rows


def _job(spec: dict, key: np.uint64, *pieces: tuple[np.ndarray, np.ndarray]) -> ClassJob:
    """The class's rows in global row order, its neighbour table and its job."""
    index = spec["class_index"]
    X_class = np.concatenate([X[codes == index] for codes, X, _ in pieces])
    class_key = stream_key(key, class_stream(index))
    backend, k = spec["backend"], spec["k"]
    if is_estimator(k):
        found = kneighbors(X_class, None, backend=k, param="k_neighbors")
    else:
        found = kneighbors(
            X_class,
            int(k),
            backend=backend,
            key=stream_key(class_key, CLASS_GRAPH_STREAM),
            working_memory=spec["working_memory"],
        )
    job = ClassJob.for_class(
        X_class,
        found.indices,
        key,
        index,
        spec["n_new"],
        label=spec["label"],
        first_row=spec["first_row"],
    )
    # Borderline-SMOTE and ADASYN: bases on the boundary, or a count per base
    fields = {name: spec[name] for name in ("cum_counts", "damp_key") if name in spec}
    if "danger" in spec:
        fields.update(bases=job.bases[spec["danger"]], neighbors=job.neighbors[spec["danger"]])
    return dataclasses.replace(job, **fields) if fields else job


def _rows(layout: Layout, rows: np.ndarray, first_row: int, *part: Any) -> np.ndarray:
    """Float features of the partition's rows among the global rows ``rows`` (sorted)."""
    X, _ = layout.split(part)
    lo, hi = np.searchsorted(rows, [first_row, first_row + len(X)])
    local = rows[lo:hi] - first_row
    X_rows = X.iloc[local] if layout.kind == "frame" else X[local]
    return layout.float_rows(X_rows, rows[lo:hi])


def row_pieces(source: Source, counts: Counts, spec: dict) -> list:
    """Per partition (delayed), its rows among ``spec["source_rows"]``."""
    from dask import delayed

    rows = spec["source_rows"]
    return [
        delayed(_rows)(source.layout, rows, int(offset), *part)
        for part, offset in zip(source.parts, counts.offsets, strict=True)
    ]


def _rows_job(spec: dict, key: np.uint64, *pieces: np.ndarray) -> ClassJob:
    """A job whose bases and neighbours are rows of any class, given as positions in
    ``spec["source_rows"]`` (gathered in global row order)."""
    index = spec["class_index"]
    return ClassJob(
        class_index=index,
        label=spec["label"],
        key=stream_key(key, class_stream(index)),
        n_new=spec["n_new"],
        first_row=spec["first_row"],
        source=np.ascontiguousarray(np.concatenate(pieces)),
        bases=spec["bases"],
        neighbors=spec["neighbors"],
        damp=spec["damp"],
        damp_key=spec["damp_key"],
    )


def _block(layout: Layout, job: ClassJob, j0: int, j1: int, label: Any) -> Any:
    """Synthetic rows ``j0 .. j1 - 1`` of a class as an output partition."""
    import pandas as pd

    rows = job.generate(j0, j1)
    index = pd.RangeIndex(job.first_row + j0, job.first_row + j1)
    return layout.from_rows(rows, np.full(j1 - j0, label, dtype=object), index, True)


def _converted(layout: Layout, first_row: int, *part: Any) -> Any:
    return layout.converted(part, first_row)


def plan(
    sampler: Any,
    source: Source,
    counts: Counts,
    key: np.uint64,
    budget: float | None,
    rows_per_block: int | None,
) -> tuple[list, list[int], Any]:
    """SMOTE: the output partitions (delayed), their lengths, and the output's meta."""
    layout = source.layout
    if isinstance(layout.template, Exception):
        raise layout.template
    sampler.neighbors_backend_ = {}
    specs = [
        class_spec(sampler, counts, label, n_new, "k_neighbors")
        for label, n_new in sampler.sampling_strategy_.items()
        if n_new > 0
    ]
    check_budget([size for _, size in specs], budget)
    from ..base import neighbors_estimator

    sampler.nn_k_ = neighbors_estimator(sampler.k_neighbors)  # unfitted: not searched by it
    return generation(source, counts, key, [spec for spec, _ in specs], rows_per_block)


def class_spec(
    sampler: Any, counts: Counts, label: Any, n_new: int, k_param: str
) -> tuple[dict, tuple[str, int]]:
    """What the job of one class needs (same-class neighbours as ``fit_resample``
    searches them, ``k_param`` giving their number), and its broadcast size; records
    the backend in ``neighbors_backend_``."""
    target = counts.target
    index = target.class_index(label)
    n_class = int(target.counts[index])
    k = getattr(sampler, k_param)
    check_neighbor_count(
        k,
        k_param,
        n_class,
        f"Class {label!r}",
        "SMOTE needs 2 or more rows of a class to interpolate; remove the class from "
        "sampling_strategy, gather more rows, or copy its row with RandomOverSampler",
    )
    if is_estimator(k) or is_estimator(sampler.neighbors):
        backend = sampler.neighbors
        sampler.neighbors_backend_[label] = "estimator"
    else:
        backend = resolve_backend(sampler.neighbors, n_class, counts.n_features)
        sampler.neighbors_backend_[label] = backend
    n_k = int(k) if not is_estimator(k) else int(k.get_params()["n_neighbors"])
    spec = {
        "class_index": index,
        "label": target.classes[index],
        "n_new": int(n_new),
        "k": k,
        "backend": backend,
        "working_memory": working_memory(sampler),
    }
    size = n_class * (counts.n_features * counts.itemsize + 8 * n_k)
    return spec, (f"class {label!r}, {n_class:,} rows", size)


def class_pieces(source: Source, counts: Counts, wanted: np.ndarray) -> list:
    """Per partition (delayed), its rows of the classes ``wanted``: see :func:`gather`."""
    from dask import delayed

    return [
        delayed(gather)(source.layout, counts.target.classes, wanted, int(offset), *part)
        for part, offset in zip(source.parts, counts.offsets, strict=True)
    ]


def generation(
    source: Source, counts: Counts, key: np.uint64, specs: list, rows_per_block: int | None
) -> tuple[list, list[int], Any]:
    """The input partitions converted, then the synthetic rows of each class spec (in
    order, numbered from the end of the input) in blocks."""
    from dask import delayed

    layout = source.layout
    first_row = int(counts.lengths.sum())
    for spec in specs:
        spec["first_row"] = first_row
        first_row += spec["n_new"]
    outputs, lengths = [], []
    for part, offset, n in zip(source.parts, counts.offsets, counts.lengths, strict=True):
        outputs.append(delayed(_converted)(layout, int(offset), *part))
        lengths.append(int(n))
    if specs:
        wanted = np.array([s["class_index"] for s in specs], dtype=np.int32)
        pieces = class_pieces(source, counts, wanted)
        step = rows_per_block or block_rows(layout.n_features, layout.dtype.itemsize)
        for spec in specs:
            if "source_rows" in spec:  # rows of any class (Borderline-SMOTE-2)
                job = delayed(_rows_job)(spec, key, *row_pieces(source, counts, spec))
            else:
                job = delayed(_job)(spec, key, *pieces)
            for j0 in range(0, spec["n_new"], step):
                j1 = min(spec["n_new"], j0 + step)
                outputs.append(delayed(_block)(layout, job, j0, j1, spec["label"]))
                lengths.append(j1 - j0)
    return outputs, lengths, layout.empty()
