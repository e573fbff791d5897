"""RepeatedEditedNearestNeighbours and AllKNN on Dask: rounds of EditedNearestNeighbours,
each on the rows the previous round kept.

A round is the distributed EditedNearestNeighbours (:func:`fastsmote.dask._clean.enn_plan`)
on the previous round's lazy output, which keeps the rows present in input order, so its
search among them is the in-memory round's (ties to the lower row). Each round's counts
come back with it: the stopping rules of ``fit_resample`` are checked on them between
rounds.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .._validation import check_params
from ..neighbors import is_estimator
from ..under_sampling import AllKNN, EditedNearestNeighbours, RepeatedEditedNearestNeighbours

#: The repeated editors: rounds of EditedNearestNeighbours.
ROUNDS = (RepeatedEditedNearestNeighbours, AllKNN)


def _minority(before: dict, first_seen: Any) -> Any:
    """The label the stopping rules call the minority: the fewest rows, ties to the class
    seen first (``first_seen(labels)``: the first global row of each, computed only for
    a tie)."""
    fewest = min(before.values())
    tied = [label for label, n in before.items() if n == fewest]
    if len(tied) == 1:
        return tied[0]
    rows = first_seen(tied)
    return tied[int(np.argmin(rows))]


def _stops(after: dict, before: dict, minority: Any, allow_minority: bool) -> bool:
    """``fit_resample``'s stops after a round: a class other than the minority has fewer
    rows than the minority had (unless ``allow_minority``), or a class is gone."""
    below = not allow_minority and any(
        n < before[minority] for label, n in after.items() if label != minority
    )
    return below or any(n == 0 for n in after.values())


def run_rounds(sampler: Any, run: Any, first_seen: Any) -> Any:
    """Run ``sampler``'s rounds with ``run(enn, previous result)`` (None: the input) and
    fit it as ``fit_resample`` does; returns the last round's result. ``first_seen``:
    see :func:`_minority`."""
    started = time.perf_counter()
    check_params(sampler, type(sampler)._parameter_constraints)
    name = type(sampler).__name__
    if is_estimator(sampler.n_neighbors):
        raise NotImplementedError(
            f"{name}(n_neighbors=<estimator>) is not available on Dask: give n_neighbors "
            "as an int (fastsmote's exact search among all rows)."
        )
    k = int(sampler.n_neighbors)
    all_knn = isinstance(sampler, AllKNN)
    sizes = range(1, k + 1) if all_knn else [k] * sampler.max_iter
    allow_minority = bool(getattr(sampler, "allow_minority", False))
    result, enn, before, minority, n_iter = None, None, None, None, 0
    for n_iter, size in enumerate(sizes, start=1):  # noqa: B007 (n_iter_ is the last)
        enn = EditedNearestNeighbours(
            sampling_strategy=sampler.sampling_strategy, n_neighbors=size,
            kind_sel=sampler.kind_sel, neighbors=sampler.neighbors, n_jobs=sampler.n_jobs,
            working_memory=sampler.working_memory,
        )  # fmt: skip
        result = run(enn, result)
        record = enn.record()
        after = dict(record.class_counts_after)
        if before is None:
            before = dict(record.class_counts_before)
            minority = _minority(before, first_seen)
            for attribute in ("sampling_strategy_", "n_features_in_", "classes_"):
                setattr(sampler, attribute, getattr(enn, attribute))
            if hasattr(enn, "feature_names_in_"):
                sampler.feature_names_in_ = enn.feature_names_in_
            elif hasattr(sampler, "feature_names_in_"):
                del sampler.feature_names_in_
        if not all_knn and record.n_removed == 0:
            break
        if _stops(after, before, minority, allow_minority):
            break
    if not all_knn:
        sampler.n_iter_ = n_iter
    sampler.neighbors_backend_ = enn.neighbors_backend_
    sampler.enn_ = enn
    sampler._log_resampling(before, after, started)
    return result
