"""Resampling on Dask: the rows ``fit_resample`` gives, from data spread over a cluster.

``resample`` takes a Dask DataFrame (labels in a column), ``resample_arrays`` Dask
Arrays. Both count the classes with one pass over the labels, then return lazy
collections: the input partitions, then the added rows in partitions of their own. For
the same ``random_state`` the rows are those of ``sampler.fit_resample`` on the whole
data in one process, bit for bit, whatever the partitioning and the number of workers
(the row order is described in ``docs/dask.md``).

They use the Dask client in place (or the default scheduler) and never start a cluster.
Importing :mod:`fastsmote` does not import Dask; this module needs the ``dask`` extra
(``pip install "fastsmote[dask]"``).
"""

from __future__ import annotations

import operator
import time
from functools import partial
from typing import Any

import numpy as np

from .._validation import check_params
from ..base import BaseSampler
from ..combine import SMOTEENN, SMOTETomek
from ..over_sampling import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler
from ..under_sampling import (
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    RandomUnderSampler,
    TomekLinks,
)
from ._boundary import boundary_plan, class_row_bounds, row_bounds
from ._clean import enn_plan, first_seen, ncr_plan, tomek_plan
from ._input import Counts, Source, array_source, count, frame_source
from ._nearmiss import nearmiss_plan
from ._plan import DEFAULT_BROADCAST_BUDGET, check_budget, log, start
from ._rounds import ROUNDS, run_rounds
from ._select import random_over_plan, random_under_plan
from ._smote import plan as smote_plan
from ._smotenc import plan as smotenc_plan
from ._smotenc import prepare as smotenc_scan

__all__ = [
    "COMBINATIONS",
    "DEFAULT_BROADCAST_BUDGET",
    "ROUNDS",
    "SUPPORTED",
    "resample",
    "resample_arrays",
]

#: The samplers with a distributed algorithm, and what each plans.
SUPPORTED = {
    SMOTE: smote_plan,
    BorderlineSMOTE: boundary_plan,
    ADASYN: boundary_plan,
    RandomOverSampler: random_over_plan,
    RandomUnderSampler: random_under_plan,
    SMOTENC: smotenc_plan,
    TomekLinks: tomek_plan,
    EditedNearestNeighbours: enn_plan,
    NeighbourhoodCleaningRule: ncr_plan,
    NearMiss: nearmiss_plan,
}

#: SMOTE then cleaning: on Dask when both steps are in ``SUPPORTED`` or ``ROUNDS``, run one
#: after the other (the cleaner on the over-sampler's lazy output), as ``fit_resample``
#: composes them.
COMBINATIONS = (SMOTEENN, SMOTETomek)


def _check_sampler(sampler: Any) -> None:
    """Refuse, with what to do instead, a sampler that has no distributed algorithm."""
    name = type(sampler).__name__
    if type(sampler) in SUPPORTED or type(sampler) in ROUNDS:
        return
    if isinstance(sampler, COMBINATIONS):
        check_params(sampler, type(sampler)._parameter_constraints)
        first, second = sampler._steps()
        for step in (first, second):
            if type(step) not in SUPPORTED and type(step) not in ROUNDS:
                supported = ", ".join(cls.__name__ for cls in (*SUPPORTED, *ROUNDS))
                raise NotImplementedError(
                    f"{name} runs on Dask when each step does: its {type(step).__name__} "
                    f"step has no distributed algorithm here ({supported} have one)."
                )
        if type(first)._sampling_type != "over-sampling":
            # the second step must see fit_resample's rows in fit_resample's order
            raise NotImplementedError(
                f"{name} runs on Dask with an over-sampler as its first step, whose output "
                f"keeps the input's row order; its {type(first).__name__} step reorders the "
                "rows in fit_resample, so the second step's ties could differ. Run it with "
                "fit_resample on one machine."
            )
        return
    instead = (
        "run it with fit_resample on one machine (or the fastsmote resample command, "
        "which streams a Parquet or CSV file from disk)"
    )
    supported = ", ".join(cls.__name__ for cls in (*SUPPORTED, *ROUNDS, *COMBINATIONS))
    if isinstance(sampler, BaseSampler):
        raise NotImplementedError(
            f"{name} is not available on Dask: fastsmote.dask resamples with {supported}; "
            f"{instead}."
        )
    raise TypeError(f"fastsmote.dask resamples with {supported}; got {name}.")


def _run_steps(sampler: Any, run: Any) -> tuple[Any, Any, Any]:
    """A combination's steps, run by ``run(step, previous result)`` one after the other
    (lazily: the cleaner on the over-sampler's output), and the sampler fitted as by
    ``fit_resample``; returns the over-sampled and the cleaned results and the first
    step."""
    started = time.perf_counter()
    smote, cleaner = sampler._steps()
    smoted = run(smote, None)
    try:
        cleaned = run(cleaner, smoted)
    except ValueError as error:
        sampler._explain_cleaner_error(error, cleaner, smote.n_samples_out_)
        raise
    sampler.smote_ = smote
    setattr(sampler, sampler._cleaner_name + "_", cleaner)
    for name in ("sampling_strategy_", "n_features_in_", "classes_", "feature_names_in_"):
        if hasattr(smote, name):
            setattr(sampler, name, getattr(smote, name))
        elif hasattr(sampler, name):
            delattr(sampler, name)
    first, second = smote.record(), cleaner.record()
    sampler._log_resampling(
        dict(first.class_counts_before),
        dict(second.class_counts_after),
        started,
        n_synthetic=first.n_synthetic,
        n_removed=second.n_removed,
    )
    return smoted, cleaned, smote


def _flagged(part: Any, name: str, synthetic: bool) -> Any:
    """A partition with the boolean column ``name`` added last."""
    return part.assign(**{name: np.full(len(part), synthetic)})


#: The samplers whose searches need every row's values in the counting pass (their
#: spans, and the check that each is finite, as fit_resample checks X).
_BOUNDED = (BorderlineSMOTE, ADASYN, TomekLinks, EditedNearestNeighbours,
            NeighbourhoodCleaningRule, NearMiss)  # fmt: skip


def _scan(sampler: Any, source: Source) -> Any:
    """What the counting pass also reads in each partition (SMOTENC: the categories;
    the searches among all rows: each feature's least and largest value; NearMiss: also
    per class)."""
    if type(sampler) is SMOTENC:
        return smotenc_scan(sampler, source)
    if type(sampler) is NearMiss:
        return partial(class_row_bounds, source.layout)
    if type(sampler) in _BOUNDED:
        return partial(row_bounds, source.layout)
    return None


def _plan(
    sampler: Any,
    source: Source,
    counts: Counts,
    columns: list | None,
    broadcast_budget: float | None,
    block_rows: int | None,
) -> tuple[list, list | None, Any]:
    started = time.perf_counter()
    key = start(sampler, counts, source.layout.n_features, columns)
    plan, kind = SUPPORTED[type(sampler)], type(sampler)._sampling_type
    before = counts.target.class_counts()
    if kind == "over-sampling":
        outputs = plan(sampler, source, counts, key, broadcast_budget, block_rows)
        added = getattr(sampler, "n_synthetic_", sampler.sampling_strategy_)
        after = {c: n + int(added.get(c, 0)) for c, n in before.items()}
    elif kind == "clean-sampling":
        *outputs, removed = plan(sampler, source, counts, key, broadcast_budget)
        outputs = tuple(outputs)
        after = {c: n - removed.get(c, 0) for c, n in before.items()}
    else:
        outputs = plan(sampler, source, counts, key, broadcast_budget)
        after = {**before, **{c: int(n) for c, n in sampler.sampling_strategy_.items()}}
        if len(outputs) == 4:  # the plan counted the rows it keeps (NearMiss)
            *outputs, after = outputs
            outputs = tuple(outputs)
    log(sampler, counts, after, started)
    return outputs


def resample(
    ddf: Any,
    target: Any,
    sampler: Any,
    *,
    synthetic_column: str | None = None,
    broadcast_budget: float | None = None,
    block_rows: int | None = None,
) -> Any:
    """Resample a Dask DataFrame: a lazy DataFrame of ``sampler.fit_resample``'s rows.

    Counts the classes with one pass over the partitions (computed now); everything
    else runs when the result is computed. ``sampler`` is fitted in place as by
    ``fit_resample`` (``sampling_strategy_``, ``random_key_``, ``neighbors_backend_``, ...;
    ``sampler.record()`` describes the resampling).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Features and the target column. SMOTE needs numeric feature columns (NumPy,
        nullable or pyarrow dtypes) without missing values, SMOTENC numeric continuous
        columns and categorical columns without missing values; the random samplers take
        any columns (RandomOverSampler with ``shrinkage``: numeric ones, as SMOTE).
    target : str
        Name of the column holding the class labels.
    sampler : a sampler of ``SUPPORTED``
        SMOTE, BorderlineSMOTE, ADASYN, SMOTENC, RandomOverSampler, RandomUnderSampler,
        TomekLinks or EditedNearestNeighbours, with its parameters, as for
        ``fit_resample``; SMOTETomek / SMOTEENN whose steps are among them (run one
        after the other, the cleaner on the over-sampler's lazy output);
        RepeatedEditedNearestNeighbours and AllKNN with an int ``n_neighbors`` (rounds of
        EditedNearestNeighbours, each on the previous round's lazy output, stopped by
        ``fit_resample``'s rules); NeighbourhoodCleaningRule with its default Edited
        Nearest Neighbours and an int ``n_neighbors``; NearMiss (any version) with int
        neighbour counts; ``sampling_strategy``
        may be a str, a float or a dict (not a callable). BorderlineSMOTE and ADASYN search the
        class rows among all rows exactly (int neighbour counts; ``neighbors`` "auto"
        where it resolves to exact, or "exact"); that pass also runs now. SMOTENC takes
        an int ``k_neighbors``; the counting pass also collects the categories, and its
        neighbour tables are built now (they give ``median_std_``). TomekLinks searches
        the rows outside the largest class, and the rows they point to, among all rows
        exactly; EditedNearestNeighbours (an int ``n_neighbors``) each partition's rows of
        the classes it cleans in every partition; those passes also run now.
    synthetic_column : str, optional
        Name of a boolean column added last: True for added rows (synthetic or
        duplicated), False for input rows.
    broadcast_budget : float, optional
        MiB that may be sent to every worker: the rows of the classes to over-sample and
        their neighbour tables (SMOTE family; BorderlineSMOTE and ADASYN add the
        per-partition neighbour lists), or of the classes to duplicate
        (RandomOverSampler, as floats with ``shrinkage``), or the draws of
        RandomUnderSampler, or TomekLinks' rows outside the largest class. Default
        :data:`DEFAULT_BROADCAST_BUDGET` (2 GiB); above it a ``ValueError`` names the
        sizes.
    block_rows : int, optional
        Added rows per output partition (over-samplers; default about 64 MiB of
        synthetic rows, 262,144 duplicates). The rows never depend on it.

    Returns
    -------
    dask.dataframe.DataFrame
        The input partitions, then the added rows class by class in sorted label order,
        in partitions of their own; the columns in the input's order (then
        ``synthetic_column``), with the dtypes ``fit_resample`` gives. Input rows keep
        their index; added rows are indexed by their row number in the output.
        RandomOverSampler with ``shrinkage`` gives float features, as ``fit_resample``
        does. RandomUnderSampler and the cleaners: each input partition keeps its
        selected rows, in order; SMOTETomek, SMOTEENN: each of the over-sampler's
        partitions keeps the rows the cleaner keeps.

    Raises
    ------
    NotImplementedError
        For samplers without a distributed algorithm (CondensedNearestNeighbour and
        the rest of the family, a combination with such a step; an approximate or
        estimator search among all rows, SMOTENC with a ``k_neighbors`` estimator or an
        encoder merging infrequent categories), and a callable ``sampling_strategy``.
    ValueError
        Unknown target column, non-numeric features (SMOTE, RandomOverSampler with
        ``shrinkage``; SMOTENC's continuous columns), a missing value in a categorical
        column or one that is a category in some partitions only (SMOTENC), a class too
        small for ``k_neighbors``, over the broadcast budget.
    """
    import dask.dataframe as dd

    _check_sampler(sampler)
    check_budget([], broadcast_budget)
    # the frame, the target and synthetic_column checked before any step runs
    source = frame_source(ddf, target, synthetic_column)
    if isinstance(sampler, COMBINATIONS):
        return _resample_combined(
            ddf, target, sampler, synthetic_column, broadcast_budget, block_rows
        )
    if isinstance(sampler, ROUNDS):

        def run(enn: Any, previous: Any) -> Any:
            data = ddf if previous is None else previous
            return resample(data, target, enn, broadcast_budget=broadcast_budget)

        out = run_rounds(sampler, run, lambda tied: first_seen(source.label_parts, tied))
        if synthetic_column is None:
            return out
        return out.assign(**{synthetic_column: False})
    counts = count(source, _scan(sampler, source))
    columns = [c for c in ddf.columns if c != target]
    outputs, _, meta = _plan(sampler, source, counts, columns, broadcast_budget, block_rows)
    return dd.from_delayed(outputs, meta=meta, verify_meta=False)


def _resample_combined(
    ddf: Any,
    target: Any,
    sampler: Any,
    synthetic_column: str | None,
    broadcast_budget: float | None,
    block_rows: int | None,
) -> Any:
    """SMOTEENN, SMOTETomek: the cleaner resamples the over-sampler's lazy output. Each
    cleaned partition keeps its rows in order, so the added rows are those of the
    partitions after the input's."""
    import dask.dataframe as dd
    from dask import delayed

    def run(step: Any, previous: Any) -> Any:
        if previous is None:
            return resample(ddf, target, step, broadcast_budget=broadcast_budget,
                            block_rows=block_rows)  # fmt: skip
        return resample(previous, target, step, broadcast_budget=broadcast_budget)

    _, cleaned, _ = _run_steps(sampler, run)
    if synthetic_column is None:
        return cleaned
    n_input = ddf.npartitions
    parts = [
        delayed(_flagged)(part, synthetic_column, i >= n_input)
        for i, part in enumerate(cleaned.to_delayed())
    ]
    meta = _flagged(cleaned._meta, synthetic_column, False)
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def resample_arrays(
    X: Any,
    y: Any,
    sampler: Any,
    *,
    broadcast_budget: float | None = None,
    block_rows: int | None = None,
) -> tuple[Any, Any]:
    """Resample Dask Arrays: lazy ``(X_resampled, y_resampled)`` of ``fit_resample``.

    As :func:`resample`, for a 2-D ``X`` chunked along rows (chunks along columns are
    merged) and 1-D labels ``y`` (a Dask Array, rechunked like ``X``'s rows, or
    anything NumPy takes).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    y : dask.array.Array or array-like of shape (n_samples,)
    sampler : a sampler of ``SUPPORTED``
    broadcast_budget : float, optional
        See :func:`resample`.
    block_rows : int, optional
        See :func:`resample`.

    Returns
    -------
    X_resampled : dask.array.Array
        SMOTE: float32 for float32 (and float16) X, float64 otherwise (SMOTENC: X's
        dtype for float X, float64 otherwise); the random samplers keep X's dtype
        (RandomOverSampler with ``shrinkage``: as SMOTE).
        RandomUnderSampler's and NearMiss' chunks have unknown sizes (the cleaners':
        known).
    y_resampled : dask.array.Array
    """
    import dask.array as da
    from dask import delayed

    _check_sampler(sampler)
    check_budget([], broadcast_budget)
    source = array_source(X, y)  # X and y checked before any step runs
    if isinstance(sampler, COMBINATIONS):

        def run(step: Any, previous: Any) -> Any:
            if previous is None:
                return resample_arrays(X, y, step, broadcast_budget=broadcast_budget,
                                       block_rows=block_rows)  # fmt: skip
            return resample_arrays(*previous, step, broadcast_budget=broadcast_budget)

        return _run_steps(sampler, run)[1]
    if isinstance(sampler, ROUNDS):

        def run_round(enn: Any, previous: Any) -> Any:
            data = (X, y) if previous is None else previous
            return resample_arrays(*data, enn, broadcast_budget=broadcast_budget)

        return run_rounds(sampler, run_round, lambda tied: first_seen(source.label_parts, tied))
    counts = count(source, _scan(sampler, source))
    outputs, lengths, meta = _plan(sampler, source, counts, None, broadcast_budget, block_rows)
    X_meta, y_meta = meta
    if lengths is None:
        lengths = [np.nan] * len(outputs)
    X_blocks = [
        da.from_delayed(delayed(operator.getitem)(o, 0), (n, X_meta.shape[1]), X_meta.dtype)
        for o, n in zip(outputs, lengths, strict=True)
    ]
    y_blocks = [
        da.from_delayed(delayed(operator.getitem)(o, 1), (n,), y_meta.dtype)
        for o, n in zip(outputs, lengths, strict=True)
    ]
    return da.concatenate(X_blocks), da.concatenate(y_blocks)
