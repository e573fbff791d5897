"""SMOTENC on Dask: the categories of the whole data, then SMOTE's design.

The counting pass also collects each categorical column's values (and checks them);
the sampler's ``categorical_encoder`` is fitted on a small frame holding every value
once, with the columns' dtypes, so its ``categories_`` are those of the whole data. The
rows of the classes to over-sample are then gathered in global row order and each class's
neighbour table is built, as in ``fit_resample``, by the exact search under the SMOTE-NC
distance (which also gives ``median_std_``): that pass runs when ``resample`` is called.
Synthetic rows are generated in blocks on any worker; every partition, input or
synthetic, is put together by the in-memory sampler's own code, so the columns and
dtypes are those of ``fit_resample``.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np

from .._frames import as_table
from .._random import TIE_STREAM, class_stream, stream_key
from .._validation import Rows, check_features, check_finite, check_params, check_rows
from ..base import neighbors_estimator
from ..neighbors import is_estimator, kneighbors
from ..over_sampling import ClassJob
from ._input import Counts, Source, class_codes
from ._layout import Layout, _global_row
from ._plan import check_budget
from ._smote import block_rows


@dataclasses.dataclass
class Context:
    """What every SMOTENC task needs (small, picklable).

    Attributes
    ----------
    layout : Layout
    sampler : SMOTENC
        Fitted on the categories frame: ``categorical_features_``,
        ``continuous_features_``, ``categorical_encoder_`` (its methods encode and
        assemble partitions as in memory).
    dtype : numpy.dtype
        The float dtype of the continuous features.
    template : Rows
        The categories frame (every category once, the input's dtypes): synthetic
        partitions are built like it.
    encoded : list
        Its columns' encoding (categories and, for pandas ``category``, the codes of
        the column's own categories).
    """

    layout: Layout
    sampler: Any
    dtype: np.dtype
    template: Rows
    encoded: list


# --------------------------------------------------------------------------- the counting pass
def _rows(layout: Layout, X: Any) -> Rows:
    """A partition's features as the in-memory sampler validates them (also empty)."""
    if len(X) == 0:
        table = as_table(X)
        columns = None if table is None else table.columns
        return Rows(X, 0, X.shape[1], columns, table)
    return check_rows(X, len(X))


def _scan(layout: Layout, sampler: Any, *part: Any) -> list:
    """Per categorical column of a partition: its dtype and its distinct values (checked
    for missing values as ``fit_resample`` checks them)."""
    import pandas as pd

    X, _ = layout.split(part)
    rows = _rows(layout, X)
    if rows.n_samples:
        sampler._split(rows)  # raises on a missing value, naming the column
    found = []
    for i in sampler.categorical_features_:
        if layout.kind == "frame":
            column = X.iloc[:, i]
            found.append((column.dtype, column.drop_duplicates().reset_index(drop=True)))
        else:
            found.append((X.dtype, pd.unique(np.asarray(X[:, i]))))
    return found


def prepare(sampler: Any, source: Source) -> Any:
    """Check the parameters, resolve the categorical columns on the input's meta and
    return the scan the counting pass runs on each partition."""
    check_params(sampler, type(sampler)._parameter_constraints)
    if is_estimator(sampler.k_neighbors):
        raise NotImplementedError(
            "SMOTENC(k_neighbors=<estimator>) is not available on Dask: give k_neighbors "
            "as an int (fastsmote's exact search under the SMOTE-NC distance, the rows "
            "fit_resample gives with that int), or run fit_resample on one machine."
        )
    encoder = sampler.categorical_encoder
    merging = {
        name: getattr(encoder, name)
        for name in ("min_frequency", "max_categories")
        if getattr(encoder, name, None) is not None
    }
    if merging:
        raise NotImplementedError(
            f"categorical_encoder with {merging} is not available on Dask: the encoder is "
            "fitted on each category once, not on every row, so category frequencies are "
            "unknown to it. Use an encoder that keeps every category, such as "
            "OneHotEncoder(handle_unknown='ignore')."
        )
    layout = source.layout
    X_meta = _features_meta(source)
    sampler._set_columns(_rows(layout, X_meta))
    return _Scan(layout, sampler)


def _union(dtypes: list, name: Any) -> Any:
    """The category dtype of a column whose partitions have the category dtypes
    ``dtypes``: as in the computed frame, their categories in order of appearance."""
    import pandas as pd

    if all(d == dtypes[0] for d in dtypes):
        return dtypes[0]
    try:
        return pd.api.types.union_categoricals([pd.Categorical([], dtype=d) for d in dtypes]).dtype
    except TypeError as error:
        raise ValueError(
            f"categorical column {name!r} has category dtypes that cannot be combined "
            f"across partitions ({error}); give it one pandas CategoricalDtype in every "
            "partition (ddf[column].astype(pd.CategoricalDtype(categories)))."
        ) from None


def _features_meta(source: Source) -> Any:
    """The input's features with no rows (the frame's or X's dtypes)."""
    layout = source.layout
    if layout.kind != "frame":
        return source.meta[0]
    drop = [layout.target] + [c for c in [layout.synthetic_column] if c is not None]
    return source.meta.drop(columns=drop)


@dataclasses.dataclass
class _Scan:
    layout: Layout
    sampler: Any

    def __call__(self, *part: Any) -> list:
        return _scan(self.layout, self.sampler, *part)


def _name(source: Source, i: int) -> Any:
    if source.layout.kind == "frame":
        return [c for c in source.layout.columns if c != source.layout.target][i]
    return int(i)


def _categories_frame(sampler: Any, source: Source, counts: Counts) -> Any:
    """Every value of each categorical column once (each column padded with its last
    value), the numeric continuous columns zero, all in the input's dtypes."""
    import pandas as pd

    layout = source.layout
    merged = []
    for j, i in enumerate(sampler.categorical_features_):
        dtypes = [scan[j][0] for scan in counts.scans]
        kinds = {isinstance(d, pd.CategoricalDtype) for d in dtypes}
        if kinds == {True}:
            dtype = _union(dtypes, _name(source, i))
        elif len(kinds) > 1 or len({str(d) for d in dtypes}) > 1:
            where = {str(d): p for p, d in reversed(list(enumerate(dtypes)))}
            detail = ", ".join(f"{d} (partition {p})" for d, p in where.items())
            issue = (
                "is categorical in some partitions and not in others"
                if len(kinds) > 1
                else "has different dtypes in different partitions"
            )
            raise ValueError(
                f"categorical column {_name(source, i)!r} {issue}: {detail}. Give it one "
                "dtype in every partition (e.g. ddf[column].astype(pd.CategoricalDtype("
                "categories)))."
            )
        else:
            dtype = dtypes[0]
        values = [scan[j][1] for scan in counts.scans]
        if layout.kind == "frame":
            found = pd.concat([v.astype(object) if kinds == {True} else v for v in values])
            merged.append(found.drop_duplicates().reset_index(drop=True).astype(dtype))
        else:
            merged.append(pd.unique(np.concatenate(values)))
    n = max(len(values) for values in merged)
    pad = [np.minimum(np.arange(n), len(values) - 1) for values in merged]
    if layout.kind != "frame":
        X = np.zeros((n, sampler.n_features_), dtype=source.meta[0].dtype)
        for j, i in enumerate(sampler.categorical_features_):
            X[:, i] = merged[j][pad[j]]
        return X
    meta = _features_meta(source)
    columns = {}
    cat = {int(i): j for j, i in enumerate(sampler.categorical_features_)}
    for i, dtype in enumerate(meta.dtypes):
        if i in cat:
            columns[i] = merged[cat[i]].iloc[pad[cat[i]]].reset_index(drop=True)
        elif pd.api.types.is_numeric_dtype(dtype):
            columns[i] = pd.Series(np.zeros(n)).astype(dtype)
        else:  # refused by name when the continuous features are checked
            columns[i] = pd.Series(index=range(n), dtype=dtype)
    frame = pd.DataFrame(columns)
    frame.columns = meta.columns
    return frame


# --------------------------------------------------------------------------- partitions
def _encoded(context: Context, X: Any, first_row: int | np.ndarray) -> tuple:
    """``(rows, continuous floats, codes, encoding)`` of a partition's features, as
    ``fit_resample`` computes them; errors name the global row."""
    sampler = context.sampler
    rows = _rows(context.layout, X)
    n_cat = len(sampler.categorical_features_)
    if rows.n_samples == 0:
        empty = np.empty((0, len(sampler.continuous_features_)), dtype=context.dtype)
        return rows, empty, np.empty((0, n_cat), dtype=np.int32), None
    continuous, _, columns = sampler._split(rows)
    try:
        X_float = check_features(continuous, rows.n_samples).as_float_array()
        check_finite(X_float)
    except ValueError as error:
        raise ValueError(_global_row(str(error), first_row)) from None
    X_float = np.ascontiguousarray(X_float, dtype=context.dtype)
    encoded = sampler._in_column_order(sampler._codes(rows, columns))
    codes = np.column_stack([c for c, _, _ in encoded]).astype(np.int32, copy=False)
    return rows, X_float, np.ascontiguousarray(codes), encoded


def gather(context: Context, classes: np.ndarray, wanted: np.ndarray, first_row: int, *part):
    """Class codes, continuous floats and category codes of a partition's rows of the
    classes ``wanted``, in partition order."""
    X, y = context.layout.split(part)
    labels = class_codes(classes, y)
    rows = np.flatnonzero(np.isin(labels, wanted))
    X_rows = X.iloc[rows] if context.layout.kind == "frame" else X[rows]
    _, X_float, codes, _ = _encoded(context, X_rows, first_row + rows.astype(np.int64))
    return labels[rows], X_float, codes


def _class(index: int, *pieces: tuple) -> tuple[np.ndarray, np.ndarray]:
    """A class's continuous rows and codes in global row order."""
    X = np.concatenate([X[labels == index] for labels, X, _ in pieces])
    codes = np.concatenate([c[labels == index] for labels, _, c in pieces])
    return np.ascontiguousarray(X), np.ascontiguousarray(codes)


def _search(index: int, k: int, *pieces: tuple) -> tuple[np.ndarray, float]:
    """The class's neighbour table and ``median_std``, as ``fit_resample`` finds them."""
    X_class, codes_class = _class(index, *pieces)
    found = kneighbors(X_class, k, codes=codes_class, backend="exact")
    return found.indices, found.median_std


def _job(spec: dict, key: np.uint64, *pieces: tuple) -> ClassJob:
    index = spec["class_index"]
    X_class, codes_class = _class(index, *pieces)
    class_key = stream_key(key, class_stream(index))
    return ClassJob(
        class_index=index,
        label=spec["label"],
        key=class_key,
        n_new=spec["n_new"],
        first_row=spec["first_row"],
        source=X_class,
        bases=np.arange(X_class.shape[0]),
        neighbors=spec["neighbors"],
        codes=codes_class,
        tie_key=stream_key(class_key, TIE_STREAM),
    )


def _converted(context: Context, first_row: int, *part: Any) -> Any:
    """An input partition as in ``fit_resample``'s output (its index and labels kept)."""
    X, y = context.layout.split(part)
    rows, X_float, codes, encoded = _encoded(context, X, first_row)
    if encoded is None:  # no rows: built like the synthetic partitions
        rows, encoded = context.template, context.encoded
    features = context.sampler._assemble(rows, None, X_float, codes, encoded)
    if context.layout.kind != "frame":
        return features, np.asarray(y)
    return context.layout.labelled(features, y, y.index, False)


def _built(context: Context, X: np.ndarray, codes: np.ndarray, labels: Any, index: Any) -> Any:
    features = context.sampler._assemble(context.template, None, X, codes, context.encoded)
    if context.layout.kind != "frame":
        return features, np.asarray(labels, dtype=context.layout.y_dtype)
    return context.layout.labelled(features, labels, index, True)


def _block(context: Context, job: ClassJob, j0: int, j1: int) -> Any:
    """Synthetic rows ``j0 .. j1 - 1`` of a class as an output partition."""
    import pandas as pd

    X = np.empty((j1 - j0, job.source.shape[1]), dtype=job.source.dtype)
    codes = np.empty((j1 - j0, job.codes.shape[1]), dtype=np.int32)
    job.generate(j0, j1, out=X, out_codes=codes)
    index = pd.RangeIndex(job.first_row + j0, job.first_row + j1)
    return _built(context, X, codes, np.full(j1 - j0, job.label, dtype=object), index)


# --------------------------------------------------------------------------- the plan
def plan(
    sampler: Any,
    source: Source,
    counts: Counts,
    key: np.uint64,
    budget: float | None,
    rows_per_block: int | None,
) -> tuple[list, list[int], Any]:
    """SMOTENC: the output partitions (delayed), their lengths, and the output's meta."""
    import dask
    from dask import delayed

    layout, target = source.layout, counts.target
    categories = _categories_frame(sampler, source, counts)
    template = check_rows(categories, len(categories))
    features, encoded = sampler._columns(template)  # fits categorical_encoder_
    # a copy: the tasks do not change if the sampler is changed before they run
    context = Context(layout, copy.deepcopy(sampler), features.dtype, template, encoded)
    k = int(sampler.k_neighbors)
    n_cont, n_cat = len(sampler.continuous_features_), len(sampler.categorical_features_)
    specs, sizes = [], []
    for label, n_new in sampler.sampling_strategy_.items():
        if n_new <= 0:
            continue
        index = target.class_index(label)
        n_class = int(target.counts[index])
        sampler._check_class_size(label, n_class, k)
        specs.append({"class_index": index, "label": target.classes[index], "n_new": int(n_new)})
        size = n_class * (n_cont * features.dtype.itemsize + 4 * n_cat + 8 * k)
        sizes.append((f"class {label!r}, {n_class:,} rows", size))
    check_budget(sizes, budget)
    sampler.neighbors_backend_, sampler.median_std_ = {}, {}
    sampler.nn_k_ = neighbors_estimator(k)  # unfitted: fastsmote's search does not need it
    wanted = np.array([s["class_index"] for s in specs], dtype=np.int32)

    def pieces() -> list:
        return [
            delayed(gather)(context, target.classes, wanted, int(offset), *part)
            for part, offset in zip(source.parts, counts.offsets, strict=True)
        ]

    if specs:  # the neighbour tables, now: they give median_std_
        found = pieces()
        tables = dask.compute(*[delayed(_search)(s["class_index"], k, *found) for s in specs])
        for spec, (neighbors, median_std) in zip(specs, tables, strict=True):
            spec["neighbors"] = neighbors
            sampler.neighbors_backend_[spec["label"]] = "exact"
            sampler.median_std_[spec["label"]] = median_std
    first_row = counts.n_samples
    for spec in specs:
        spec["first_row"] = first_row
        first_row += spec["n_new"]
    outputs, lengths = [], []
    for part, offset, n in zip(source.parts, counts.offsets, counts.lengths, strict=True):
        outputs.append(delayed(_converted)(context, int(offset), *part))
        lengths.append(int(n))
    step = rows_per_block or block_rows(n_cont + n_cat, features.dtype.itemsize)
    found = pieces() if specs else []
    for spec in specs:
        job = delayed(_job)(spec, key, *found)
        for j0 in range(0, spec["n_new"], step):
            j1 = min(spec["n_new"], j0 + step)
            outputs.append(delayed(_block)(context, job, j0, j1))
            lengths.append(j1 - j0)
    empty = np.empty((0, n_cont), dtype=features.dtype)
    import pandas as pd

    meta = _built(
        context, empty, np.empty((0, n_cat), dtype=np.int32), np.empty(0), pd.RangeIndex(0)
    )
    return outputs, lengths, meta
