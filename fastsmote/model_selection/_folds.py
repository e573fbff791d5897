"""Per-fold resampling for code that does not use scikit-learn estimators.

:func:`resampled_splits` splits first and resamples only each training part, so
XGBoost, LightGBM or PyTorch loops get the guarantee a :class:`fastsmote.pipeline.Pipeline`
gives scikit-learn estimators. :func:`cross_validate_resampled` is the
``cross_validate`` of that loop.
"""

from __future__ import annotations

import dataclasses
import inspect
import numbers
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn import get_config
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.metrics._scorer import (
    _BaseScorer,
    _cached_call,
    _check_multimetric_scoring,
    _PassthroughScorer,
)
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.validation import _num_samples

from .._random import FOLD_SPLIT_STREAM, foreign_seed, key_from_random_state, stream_key
from .._record import ResamplingRecord, label_counts
from ..base import RowOrigins, origins_of
from ..pipeline import sampler_placement


def fold_seed(random_state: Any, fold: int) -> int:
    """The seed of fold ``fold`` (0-based) derived from one ``random_state``.

    A 32-bit integer (valid for any library's ``random_state``), independent across
    folds, the same for the same ``random_state`` and fold whatever else changes.

    Parameters
    ----------
    random_state : None, int, RandomState or Generator
        Turned into a 64-bit key first (a RandomState/Generator is drawn from once).
    fold : int

    Returns
    -------
    int
    """
    return _seed(key_from_random_state(random_state), fold)


def _seed(key: np.uint64, stream: int) -> int:
    return foreign_seed(stream_key(key, stream), bits=32)


def _fold_random_states(sampler: Any, key: np.uint64, fold: int) -> dict[str, int]:
    """``random_state`` values for fold ``fold``'s clone of ``sampler``: its own
    ``random_state`` gets the fold's seed (:func:`fold_seed`); every nested one (a
    pipeline step's, SMOTEENN's ``smote__random_state``, a model inside a sampler) that
    is None gets a seed from its own stream of the fold's key (its position among the
    sorted ``random_state`` paths, so setting one does not move the others); nested
    values the user set are kept."""
    params = sampler.get_params(deep=True)
    paths = sorted(
        name for name in params if name == "random_state" or name.endswith("__random_state")
    )
    fold_key = stream_key(key, fold)  # STREAMS["fold nested random_state"] below it
    values = {}
    for position, path in enumerate(paths):
        if path == "random_state":
            values[path] = _seed(key, fold)
        elif params[path] is None:
            values[path] = foreign_seed(stream_key(fold_key, position), bits=32)
    return values


@dataclasses.dataclass
class ResampledFold:
    """One split: the resampled training part, the untouched validation part, a record.

    Attributes
    ----------
    fold, n_folds : int
        0-based fold number and number of folds.
    X_train, y_train : array-like
        Resampled training part (the sampler's output containers).
    X_valid, y_valid : array-like
        Validation part, rows of the input, never resampled.
    train_index, valid_index : ndarray of int
        Input row numbers of the training and validation parts.
    sample_weight_train : ndarray or None
        ``sample_weight`` of the training part, resampled with its rows (see
        :meth:`fastsmote.base.RowOrigins.take`).
    sample_weight_valid : ndarray or None
    seed : int or None
        This fold's seed, :func:`fold_seed` ``(random_state, fold)``, given to the
        sampler's own ``random_state``; the ``random_state`` parameters nested in it that
        were None get seeds from other streams of the same fold key. None when nothing
        was left to seed (no ``random_state`` at all, or only nested ones the user set).
    sampler : fitted sampler or None
    record : ResamplingRecord or None
        What was done to this fold's training part.
    """

    fold: int
    n_folds: int
    X_train: Any
    y_train: Any
    X_valid: Any
    y_valid: Any
    train_index: np.ndarray
    valid_index: np.ndarray
    sample_weight_train: np.ndarray | None
    sample_weight_valid: np.ndarray | None
    seed: int | None
    sampler: Any
    record: ResamplingRecord | None
    _train_raw: tuple = dataclasses.field(default=(), repr=False)

    def row_origins(self):
        """:class:`~fastsmote.base.RowOrigins` of the resampled training rows, in
        **input** row numbers (so they can be compared with ``valid_index``)."""
        X_raw, y_raw, n_input = self._train_raw
        n_out = len(self.y_train)
        if self.sampler is None:
            return RowOrigins.copies(self.train_index, n_input)
        origins = origins_of(self.sampler, X_raw, y_raw, n_out)
        if origins is None:
            raise ValueError(
                f"{type(self.sampler).__name__} does not say where its rows come from"
            )
        partner = np.where(origins.partner >= 0, self.train_index[origins.partner], -1)
        return RowOrigins(self.train_index[origins.source], partner, origins.gap, n_input)


def _splitter(cv: Any, y: Any, key: np.uint64):
    if isinstance(cv, numbers.Integral):
        # Shuffled, stratified folds seeded from the key (sklearn's int cv is unshuffled).
        return StratifiedKFold(int(cv), shuffle=True, random_state=_seed(key, FOLD_SPLIT_STREAM))
    return check_cv(cv, y, classifier=True)


def resampled_splits(
    X: Any,
    y: Any,
    sampler: Any,
    cv: Any = 5,
    *,
    groups: Any = None,
    sample_weight: Any = None,
    random_state: Any = None,
) -> Iterator[ResampledFold]:
    """Split, then resample only the training part of each fold.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sampler : sampler or None
        Anything with ``fit_resample`` (a pipeline ending in a sampler included); cloned
        per fold, its ``random_state`` (if it has one) set to :func:`fold_seed`
        ``(random_state, fold)``. Every ``random_state`` nested in it (a pipeline step's,
        SMOTEENN's ``smote__random_state``, a model inside a sampler) that is None gets
        its own seed derived from the same fold and ``random_state``; a nested
        ``random_state`` you set is kept, the same in every fold. None: no resampling.
    cv : int, splitter or iterable of (train, valid), default=5
        An int means ``StratifiedKFold(cv, shuffle=True)`` seeded from ``random_state``.
    groups : array-like, optional
        For group splitters.
    sample_weight : array-like of shape (n_samples,), optional
        Split with the rows; the training part's weights are resampled with its rows.
    random_state : None, int, RandomState or Generator
        One seed for the folds and every fold's sampler: the same value (an int) gives
        the same folds and training parts, and each fold's sampler draws independently
        of the other folds'.

    Yields
    ------
    ResampledFold
    """
    for fold, _, _ in _resampled_folds(X, y, sampler, cv, groups, sample_weight, random_state):
        yield fold


def _resampled_folds(X, y, sampler, cv, groups, sample_weight, random_state, head=None):
    """:func:`resampled_splits`' folds; with ``head`` (transformers), a clone of it is
    fitted on each training part and transforms both parts before the training part is
    resampled. Yields ``(fold, fitted head or None, untransformed validation rows)``."""
    key = key_from_random_state(random_state)  # drawn once: every fold's seed is recorded
    splitter = _splitter(cv, y, key)
    splits = list(splitter.split(X, y, groups))
    weights = None if sample_weight is None else np.asarray(sample_weight)
    for fold, (train, valid) in enumerate(splits):
        train, valid = np.asarray(train), np.asarray(valid)
        X_tr, y_tr = _safe_indexing(X, train), _safe_indexing(y, train)
        X_va, y_va = _safe_indexing(X, valid), _safe_indexing(y, valid)
        w_tr = None if weights is None else weights[train]
        w_va = None if weights is None else weights[valid]
        X_va_raw, fitted_head = X_va, None
        if head is not None:
            fitted_head = clone(head).fit(X_tr, y_tr)
            X_tr, X_va = fitted_head.transform(X_tr), fitted_head.transform(X_va)
        fitted, record, seed = None, None, None
        X_res, y_res = X_tr, y_tr
        if sampler is not None:
            fitted = clone(sampler)
            random_states = _fold_random_states(fitted, key, fold)
            if random_states:
                seed = _seed(key, fold)
                fitted.set_params(**random_states)
            where = f"fold {fold + 1} of {len(splits)}, training part ({train.size} rows)"
            started = time.perf_counter()
            X_res, y_res = fitted.fit_resample(X_tr, y_tr)
            record = _record_of(fitted, y_tr, y_res, time.perf_counter() - started, where)
            if w_tr is not None:
                origins = origins_of(fitted, X_tr, y_tr, len(y_res))
                if origins is None:
                    raise ValueError(
                        f"cannot resample sample_weight through {type(fitted).__name__}: it "
                        "does not say where its rows come from; use a fastsmote sampler."
                    )
                w_tr = origins.take(w_tr)
        resampled = ResampledFold(
            fold,
            len(splits),
            X_res,
            y_res,
            X_va,
            y_va,
            train,
            valid,
            w_tr,
            w_va,
            seed,
            fitted,
            record,
            (X_tr, y_tr, _num_samples(X)),
        )
        yield resampled, fitted_head, X_va_raw


def _record_of(sampler, y_before, y_after, seconds: float, where: str) -> ResamplingRecord:
    if hasattr(sampler, "record"):
        return sampler.record(applied_to=where)
    return ResamplingRecord.build(
        sampler,
        counts_before=label_counts(y_before),
        counts_after=label_counts(y_after),
        elapsed_seconds=seconds,
        applied_to=where,
    )


@dataclasses.dataclass
class ResampledCVResult:
    """Scores of :func:`cross_validate_resampled`.

    Attributes
    ----------
    scores : dict
        ``{scorer name: ndarray of per-fold scores on the untouched validation parts}``.
    fit_time, score_time : ndarray
        Seconds per fold (fit time includes resampling).
    records : list of ResamplingRecord or None
    estimators : list or None
        Fitted estimators, when ``return_estimator=True``.
    """

    scores: dict
    fit_time: np.ndarray
    score_time: np.ndarray
    records: list
    estimators: list | None

    @property
    def mean(self) -> dict:
        """``{scorer name: mean over folds}``."""
        return {name: float(np.mean(v)) for name, v in self.scores.items()}

    @property
    def std(self) -> dict:
        """``{scorer name: standard deviation over folds}``."""
        return {name: float(np.std(v)) for name, v in self.scores.items()}

    def to_frame(self):
        """Per-fold table (pandas), one row per fold plus ``mean`` and ``std`` rows."""
        import pandas as pd

        table = pd.DataFrame(self.scores)
        table["fit_time"], table["score_time"] = self.fit_time, self.score_time
        summary = pd.DataFrame([table.mean(), table.std(ddof=0)], index=["mean", "std"])
        return pd.concat([table, summary])


def cross_validate_resampled(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    sampler: Any = None,
    cv: Any = 5,
    scoring: Any = None,
    groups: Any = None,
    sample_weight: Any = None,
    random_state: Any = None,
    return_estimator: bool = False,
    sampler_position: int | str = -1,
) -> ResampledCVResult:
    """Cross-validate ``estimator`` with resampling inside each training fold only.

    Parameters
    ----------
    estimator : estimator
        Cloned per fold and fitted on the resampled training part (with the resampled
        ``sample_weight`` when given, passed to a pipeline's final step, or with metadata
        routing enabled to the steps that request it). When it is a
        scikit-learn ``Pipeline`` (also imbalanced-learn's or fastsmote's), the sampler
        resamples the rows as its preprocessing leaves them (see ``sampler_position``):
        the steps before the sampler are fitted on the training part, then transform
        both parts.
    X, y, sampler, cv, groups, sample_weight, random_state :
        As for :func:`resampled_splits` (``random_state`` seeds the folds and the
        sampler; the estimator's own ``random_state`` is left as given).
    scoring : str, callable, list, tuple, set, dict or None
        As for :func:`sklearn.model_selection.cross_validate`; scored on the untouched
        validation parts. With ``sample_weight``, every scorer that takes a
        ``sample_weight`` scores the weighted validation part, the others the unweighted
        one: a string or ``make_scorer`` scorer when its metric has that parameter, a
        callable when it has it, None when the estimator's ``score`` (a pipeline's:
        its final step's) has it. The same with metadata routing, except that an
        explicit request decides (``set_score_request(sample_weight=False)`` on a
        scorer, or on the estimator for None: unweighted; a request under another name
        is an error) and that with None a pipeline's ``score`` sends the weights to the
        steps that request them. scikit-learn's ``cross_validate(...,
        params={"sample_weight": w})`` differs: without routing it weights only the
        fit, and with routing every scorer must request or refuse the weights.
    return_estimator : bool, default=False
        Keep each fold's fitted model (a pipeline estimator: its steps, fitted, with the
        sampler left out, since it acts only in fit).
    sampler_position : int or str, default=-1
        Where the sampler goes among the steps of a pipeline ``estimator``: before the
        step at this index, as ``list.insert`` counts (``-1``: after every
        preprocessing step, right before the final estimator; ``0``: on the raw
        features), or before the step with this name. Any other estimator is one step:
        the sampler goes in front of it, and only ``0`` and ``-1`` are accepted.

    Returns
    -------
    ResampledCVResult
    """
    placement = sampler_placement(estimator, sampler_position)
    head = None
    if sampler is not None and placement.pipeline and placement.index > 0:
        head, estimator = estimator[: placement.index], estimator[placement.index :]
    scorers = _scorers(estimator, scoring)
    # decided once, before any fit: a bad request fails fast
    weighted = {name: _scores_weighted(scorer, estimator) for name, scorer in scorers.items()}
    scores: dict[str, list] = {}
    fit_times, score_times, records, estimators = [], [], [], []
    for fold, fitted_head, X_valid in _resampled_folds(
        X, y, sampler, cv, groups, sample_weight, random_state, head
    ):
        model = clone(estimator)
        started = time.perf_counter()
        model.fit(fold.X_train, fold.y_train, **_weight_param(model, fold.sample_weight_train))
        if fitted_head is not None:  # one model of the raw features
            model = type(fitted_head)(fitted_head.steps + model.steps)
        if fold.record is not None:
            fit_times.append(time.perf_counter() - started + fold.record.elapsed_seconds)
        else:
            fit_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        cached = _prediction_cache()
        for name, scorer in scorers.items():
            params = {}
            if weighted[name] and fold.sample_weight_valid is not None:
                params["sample_weight"] = fold.sample_weight_valid
            if isinstance(scorer, _BaseScorer):  # as scikit-learn's multimetric scorer
                result = scorer._score(cached, model, X_valid, fold.y_valid, **params)
            else:
                result = scorer(model, X_valid, fold.y_valid, **params)
            if not isinstance(result, dict):  # a callable may return several scores
                result = {name: result}
            for key, value in result.items():
                scores.setdefault(key, []).append(float(value))
        score_times.append(time.perf_counter() - started)
        records.append(fold.record)
        if return_estimator:
            estimators.append(model)
    return ResampledCVResult(
        {name: np.asarray(v) for name, v in scores.items()},
        np.asarray(fit_times),
        np.asarray(score_times),
        records,
        estimators if return_estimator else None,
    )


def _prediction_cache() -> Any:
    """A ``method_caller`` for scorers' ``_score``: the scorers of one fold share one
    prediction per response method and ``pos_label`` (a probability column depends on
    ``pos_label``, so scorers with different ones never share it)."""
    caches: dict = {}

    def call(estimator: Any, response_method: str, *args: Any, **kwargs: Any) -> Any:
        cache = caches.setdefault(kwargs.get("pos_label"), {})
        return _cached_call(cache, estimator, response_method, *args, **kwargs)

    return call


def _scorers(estimator: Any, scoring: Any) -> dict[str, Any]:
    """``{name: scorer}`` of ``scoring``, validated as scikit-learn does (a single
    scorer is named after its string, or ``"score"``)."""
    if isinstance(scoring, list | tuple | set | dict):
        return _check_multimetric_scoring(estimator, scoring)
    name = scoring if isinstance(scoring, str) else "score"
    return {name: check_scoring(estimator, scoring=scoring)}


def _scores_weighted(scorer: Any, estimator: Any) -> bool:
    """Whether ``scorer`` gets the validation part's ``sample_weight``: when it takes one
    (the metric of a string or ``make_scorer`` scorer, the ``score`` of the estimator, or
    of a pipeline's final step, for ``scoring=None``, a callable's own signature); with
    metadata routing, an explicit ``sample_weight`` score request of the scorer (of the
    estimator for ``scoring=None``) decides, and a pipeline's ``score`` routes them."""
    routing = get_config().get("enable_metadata_routing")
    if isinstance(scorer, _PassthroughScorer):  # scoring=None: the estimator's score
        if routing and isinstance(estimator, SkPipeline):
            return True  # the pipeline sends them to the steps that request them
        while isinstance(estimator, SkPipeline):  # its score passes them to its final step
            estimator = estimator.steps[-1][1]
        owner, function = estimator, getattr(estimator, "score", None)
    elif isinstance(scorer, _BaseScorer):
        owner, function = scorer, scorer._score_func
    else:
        owner, function = scorer, scorer
    if routing:
        try:
            request = get_routing_for_object(owner).score.requests.get("sample_weight")
        except AttributeError:  # a router, or no score method: the signature decides
            request = None
        if request is True or request is False:
            return request
        if isinstance(request, str) and request.isidentifier():  # not a "$...$" marker
            raise ValueError(
                f"scorer {scorer!r} requests sample_weight under the alias {request!r}; "
                "cross_validate_resampled gives the validation parts' weights only as "
                "sample_weight: request it with True, or False for unweighted scores."
            )
    return _takes_parameter(function, "sample_weight")


def _takes_parameter(function: Any, name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # no signature to read (some builtins)
        return False
    parameter = parameters.get(name)
    return parameter is not None and parameter.kind is not inspect.Parameter.POSITIONAL_ONLY


def _weight_param(model: Any, weights: np.ndarray | None) -> dict:
    """``fit`` parameters passing ``weights`` to ``model`` (a pipeline's final step; with
    metadata routing, the steps that request ``sample_weight``)."""
    if weights is None:
        return {}
    if isinstance(model, SkPipeline) and not get_config().get("enable_metadata_routing"):
        return {f"{model.steps[-1][0]}__sample_weight": weights}
    return {"sample_weight": weights}
