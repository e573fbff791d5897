"""A Pipeline whose samplers resample only while fitting.

:class:`Pipeline` is scikit-learn's Pipeline with one more kind of step: a *sampler*,
anything with ``fit_resample`` (fastsmote's, imbalanced-learn's, or your own). During
``fit`` each sampler resamples the data passed on to the later steps; at ``predict``,
``predict_proba``, ``decision_function``, ``score``, ``transform`` and every other
method that uses a fitted pipeline, samplers are skipped, so validation and test rows
are never resampled. Cross-validation and grid search of such a pipeline therefore
resample the training part of each split only.

Per-row fit parameters (``clf__sample_weight=w``) follow the rows through each sampler:
see :meth:`fastsmote.base.RowOrigins.take` for the rule.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import get_config
from sklearn import pipeline as _skpipeline
from sklearn.base import clone
from sklearn.utils.metadata_routing import process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_memory

from .base import origins_of

__all__ = ["Pipeline", "make_pipeline"]


def _routing() -> bool:
    return bool(get_config().get("enable_metadata_routing", False))


def _is_sampler(step: Any) -> bool:
    return hasattr(step, "fit_resample")


def _is_passthrough(step: Any) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


def _fit_method(step: Any, last: bool) -> str:
    """The method whose routed parameters a step's fitting receives."""
    if last or _is_sampler(step) or not hasattr(step, "fit_transform"):
        return "fit"
    return "fit_transform"


def _fit_transform_one(transformer, X, y, params):
    """Fit one transformer and transform X (module level so ``memory`` can cache it)."""
    if hasattr(transformer, "fit_transform"):
        return transformer.fit_transform(X, y, **params), transformer
    return transformer.fit(X, y, **params).transform(X), transformer


def _is_per_row(value: Any, n_samples: int) -> bool:
    if isinstance(value, str | bytes | dict) or not hasattr(value, "__len__"):
        return False
    try:
        return _num_samples(value) == n_samples
    except TypeError:
        return False


class Pipeline(_skpipeline.Pipeline):
    """A scikit-learn Pipeline in which sampler steps run only during ``fit``.

    Steps are ``(name, estimator)`` pairs. Intermediate steps are transformers
    (``fit``/``transform``), samplers (``fit_resample``) or ``'passthrough'``; the last
    step is any estimator, a sampler, or ``'passthrough'``. Parameters, ``clone``,
    ``set_params``, ``set_output``, indexing, ``memory`` caching of transformers and
    everything else are scikit-learn's.

    Semantics:

    - ``fit(X, y, **params)``: each transformer is fitted and transforms the data; each
      sampler calls ``fit_resample`` on the data reaching it, and later steps see the
      resampled rows. Per-row fit parameters of later steps (``step__sample_weight``,
      anything whose length is the number of rows) are resampled with the rows:
      a kept or duplicated row keeps its value; a synthetic row gets its two parents'
      values interpolated with the row's gap when the values are floating point
      (weights stay between the parents'), the base row's value otherwise. This needs
      samplers that say where rows come from: fastsmote samplers (``row_origins``) and
      selecting samplers with ``sample_indices_``; any other raises a ``ValueError``.
    - ``predict``, ``predict_proba``, ``predict_log_proba``, ``decision_function``,
      ``score``, ``score_samples``, ``transform``, ``inverse_transform``: samplers are
      skipped (they are identities outside ``fit``).
    - ``fit_transform(X, y)`` and ``fit_predict(X, y)`` are exactly ``fit(X, y)``
      followed by ``transform(X)`` / ``predict(X)``: one output row per input row,
      resampling only influencing what was learned. (imbalanced-learn's Pipeline
      returns the transform of the *resampled* rows instead; call the sampler's
      ``fit_resample`` if that is what you need.)
    - ``fit_resample(X, y)``, when the last step is a sampler: the data as the sampler
      resamples it, so a pipeline ending in a sampler is itself a sampler.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
    memory : str or joblib.Memory, default=None
        Caches fitted transformers (not samplers, which are cheap and keyed by data).
    verbose : bool, default=False
    transform_input : None
        Only ``None`` is supported (the parameter exists in scikit-learn >= 1.6).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from fastsmote import SMOTE
    >>> from fastsmote.pipeline import make_pipeline
    >>> model = make_pipeline(StandardScaler(), SMOTE(random_state=0), LogisticRegression())
    """

    def _validate_steps(self) -> None:
        names, estimators = zip(*self.steps, strict=True)
        self._validate_names(names)
        for name, step in zip(names[:-1], estimators[:-1], strict=True):
            if _is_passthrough(step):
                continue
            if _is_sampler(step):
                if hasattr(step, "transform"):
                    raise TypeError(
                        f"step {name!r} ({type(step).__name__}) has both fit_resample and "
                        "transform; a pipeline step must do one or the other."
                    )
                continue
            if not (hasattr(step, "fit") or hasattr(step, "fit_transform")) or not hasattr(
                step, "transform"
            ):
                raise TypeError(
                    f"All intermediate steps should be transformers (fit and transform) or "
                    f"samplers (fit_resample); step {name!r} is {step!r}."
                )
        last = estimators[-1]
        if not _is_passthrough(last) and not hasattr(last, "fit"):
            raise TypeError(
                f"The last step should implement fit or be 'passthrough'; got {last!r}."
            )
        if getattr(self, "transform_input", None) is not None:
            raise ValueError("fastsmote's Pipeline does not support transform_input.")

    def _iter(self, with_final=True, filter_passthrough=True, filter_resample=True):
        """(index, name, step); samplers are skipped unless ``filter_resample=False``."""
        for idx, name, step in super()._iter(
            with_final=with_final, filter_passthrough=filter_passthrough
        ):
            if filter_resample and _is_sampler(step):
                continue
            yield idx, name, step

    # ------------------------------------------------------------------ fitting
    def _fit(self, X, y, fit_params: dict):
        """Fit every step but the last; return (Xt, yt, params of the last step)."""
        self._validate_params()
        routed_params = self._check_method_params(method="fit", props=fit_params)
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        cached = memory.cache(_fit_transform_one)
        last = len(self.steps) - 1
        params = {
            name: dict(routed_params.get(name, {}).get(_fit_method(step, last=i == last), {}))
            for i, (name, step) in enumerate(self.steps)
        }
        for idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            if _is_passthrough(step):
                continue
            if _is_sampler(step):
                sampler = clone(step)
                X_res, y_res = sampler.fit_resample(X, y, **params[name])
                self._carry_row_params(sampler, name, idx, X, y, X_res, params)
                X, y = X_res, y_res
                self.steps[idx] = (name, sampler)
            else:
                fresh = step if getattr(memory, "location", None) is None else clone(step)
                X, fitted = cached(fresh, X, y, params[name])
                self.steps[idx] = (name, fitted)
        return X, y, params[self.steps[-1][0]]

    def _carry_row_params(self, sampler, name, idx, X, y, X_res, params) -> None:
        """Resample the per-row fit parameters of the steps after sampler ``name``."""
        n_in, n_out = _num_samples(X), _num_samples(X_res)
        origins = None
        for later, _ in self.steps[idx + 1 :]:
            for key, value in params[later].items():
                if not _is_per_row(value, n_in):
                    continue
                if origins is None:
                    origins = origins_of(sampler, X, y, n_out)
                if origins is None:
                    raise ValueError(
                        f"cannot resample the per-row fit parameter {later}__{key} through "
                        f"step {name!r}: {type(sampler).__name__} does not say where its rows "
                        "come from (no row_origins or sample_indices_); use a fastsmote "
                        "sampler."
                    )
                params[later][key] = origins.take(value)

    def fit(self, X: Any, y: Any = None, **params: Any) -> Pipeline:
        """Fit the steps in order, resampling at each sampler; return self.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            ``step__param`` fit parameters (or routed metadata when scikit-learn's
            metadata routing is enabled). Per-row values are resampled with the rows.

        Returns
        -------
        self : Pipeline
        """
        Xt, yt, last_params = self._fit(X, y, params)
        last = self._final_estimator
        if not _is_passthrough(last):
            if _is_sampler(last):
                last.fit_resample(Xt, yt, **last_params)
            else:
                last.fit(Xt, yt, **last_params)
        return self

    def _can_fit_transform(self) -> bool:
        last = self._final_estimator
        return _is_passthrough(last) or hasattr(last, "transform")

    @available_if(_can_fit_transform)
    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        """``fit(X, y, **params).transform(X)``: one output row per input row.

        Parameters
        ----------
        X, y, **params : as for :meth:`fit`.

        Returns
        -------
        Xt : array-like of shape (n_samples, n_transformed_features)
        """
        return self.fit(X, y, **params).transform(X)

    def _can_transform(self) -> bool:
        last = self._final_estimator
        return _is_passthrough(last) or _is_sampler(last) or hasattr(last, "transform")

    @available_if(_can_transform)
    def transform(self, X: Any, **params: Any) -> Any:
        """Apply every transformer in order; samplers are skipped (identities here).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        **params : dict
            Routed metadata, when scikit-learn's metadata routing is enabled.

        Returns
        -------
        Xt : array-like of shape (n_samples, n_transformed_features)
        """
        routed = process_routing(self, "transform", **params) if _routing() else None
        for _, name, step in self._iter():
            X = step.transform(X, **(routed[name].transform if routed else params))
        return X

    @available_if(_skpipeline._final_estimator_has("predict"))
    def fit_predict(self, X: Any, y: Any = None, **params: Any) -> np.ndarray:
        """``fit(X, y, **params).predict(X)``: one prediction per input row.

        Parameters
        ----------
        X, y, **params : as for :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self.fit(X, y, **params).predict(X)

    @available_if(_skpipeline._final_estimator_has("fit_resample"))
    def fit_resample(self, X: Any, y: Any, **params: Any) -> tuple[Any, Any]:
        """Fit the steps and return the last sampler's resampling of the transformed data.

        Parameters
        ----------
        X, y, **params : as for :meth:`fit`.

        Returns
        -------
        X_resampled, y_resampled
        """
        Xt, yt, last_params = self._fit(X, y, params)
        return self._final_estimator.fit_resample(Xt, yt, **last_params)


def make_pipeline(*steps: Any, memory: Any = None, verbose: bool = False) -> Pipeline:
    """Build a :class:`Pipeline` from estimators, naming steps after their classes.

    Parameters
    ----------
    *steps : estimators (transformers, samplers, a final estimator)
    memory : str or joblib.Memory, default=None
    verbose : bool, default=False

    Returns
    -------
    Pipeline
    """
    return Pipeline(_skpipeline._name_estimators(steps), memory=memory, verbose=verbose)


# --------------------------------------------------------------------------- placement
@dataclass(frozen=True)
class SamplerPlacement:
    """Where a sampler goes in a model: before step ``index`` of a pipeline's steps, or
    (``pipeline`` False) in front of an estimator that is one step."""

    pipeline: bool
    index: int
    note: str  # says where, for reports


def sampler_placement(estimator: Any, position: Any) -> SamplerPlacement:
    """Resolve a ``sampler_position`` against ``estimator``, before any fit.

    ``position`` counts like ``list.insert`` among a pipeline's steps (``-1``: right
    before the final step, after the preprocessing; ``0``: on the raw features) or names
    the step the sampler goes before. An estimator that is not a scikit-learn
    ``Pipeline`` (imbalanced-learn's and fastsmote's are) is one step: only ``0`` and
    ``-1`` apply, and both mean "in front of it".
    """
    integer = isinstance(position, numbers.Integral) and not isinstance(position, bool)
    if not isinstance(estimator, _skpipeline.Pipeline):
        if integer and position in (0, -1):
            return SamplerPlacement(
                False, 0, f"samplers resample the raw features before {type(estimator).__name__}"
            )
        raise ValueError(
            f"sampler_position={position!r} needs a Pipeline estimator; "
            f"{type(estimator).__name__} is one step, so the sampler goes in front of it "
            "(sampler_position 0 or -1)."
        )
    names = [name for name, _ in estimator.steps]
    n = len(names)
    if isinstance(position, str):
        if position not in names:
            raise ValueError(
                f"sampler_position={position!r} is not a step of the pipeline; its steps "
                f"are {names!r}."
            )
        index = names.index(position)
    elif integer:
        if not -n <= position <= n - 1:
            raise ValueError(
                f"sampler_position={position} is out of range for a pipeline of {n} steps "
                f"{names!r}: use -{n}..{n - 1} (the sampler goes before that step) or a "
                "step name."
            )
        index = position % n
    else:
        raise ValueError(
            f"sampler_position must be an int (a step index) or a step name; got {position!r}."
        )
    before = names[:index]
    where = f"after steps {before!r}" if before else "on the raw features"
    return SamplerPlacement(
        True, index, f"samplers resample {where}, before step {names[index]!r}"
    )


def with_sampler(sampler: Any, estimator: Any, placement: SamplerPlacement) -> Pipeline:
    """A :class:`Pipeline` (resampling only in ``fit``) with ``sampler`` in place."""
    if not placement.pipeline:
        return make_pipeline(sampler, estimator)
    steps = list(estimator.steps)
    names = {name for name, _ in steps}
    name = type(sampler).__name__.lower()
    while name in names:
        name += "_"
    steps.insert(placement.index, (name, sampler))
    return Pipeline(steps, memory=estimator.memory)
