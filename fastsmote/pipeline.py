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
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_memory

from .base import origins_of

try:  # the helper that prints scikit-learn's "[Pipeline] ... total=" lines
    from sklearn.utils._user_interface import _print_elapsed_time
except ImportError:  # scikit-learn < 1.5
    from sklearn.utils import _print_elapsed_time

__all__ = ["Pipeline", "make_pipeline"]

#: The pipeline methods that fit; they route metadata the same way (see
#: ``Pipeline.get_metadata_routing``).
_FIT_CALLERS = ("fit", "fit_transform", "fit_predict")
#: The methods that run a fitted pipeline's transformers.
_APPLY_CALLERS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score",
    "transform",
)


def _routing() -> bool:
    return bool(get_config().get("enable_metadata_routing", False))


def _routable(method: str) -> bool:
    """Whether scikit-learn's metadata routing knows ``method``. ``fit_resample`` is known
    once imbalanced-learn is imported (it registers the method with scikit-learn)."""
    try:
        MethodMapping().add(caller=method, callee=method)
    except ValueError:
        return False
    return True


def _is_sampler(step: Any) -> bool:
    return hasattr(step, "fit_resample")


def _is_passthrough(step: Any) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


def _callees(step: Any, last: bool) -> tuple[str, ...]:
    """The methods of ``step`` that fitting the pipeline calls."""
    if _is_sampler(step):
        return ("fit_resample",)
    if last:
        return ("fit",)
    return ("fit_transform",) if hasattr(step, "fit_transform") else ("fit", "transform")


def _fit_transform_one(transformer, X, y, message, params):
    """Fit one transformer and transform X (module level so ``memory`` can cache it)."""
    with _print_elapsed_time("Pipeline", message):
        if "fit_transform" in params:
            return transformer.fit_transform(X, y, **params["fit_transform"]), transformer
        fitted = transformer.fit(X, y, **params["fit"])
        return fitted.transform(X, **params["transform"]), transformer


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
      or routed metadata; anything whose length is the number of rows, the rule
      scikit-learn's cross-validation uses to split fit parameters) are resampled with
      the rows: a kept or duplicated row keeps its value; a synthetic row gets its two
      parents' values interpolated with the row's gap when the values are floating
      point (weights stay between the parents'), the base row's value otherwise. This
      needs samplers that say where rows come from: fastsmote samplers
      (``row_origins``) and selecting samplers with ``sample_indices_``; any other
      raises a ``ValueError``.
    - ``predict``, ``predict_proba``, ``predict_log_proba``, ``decision_function``,
      ``score``, ``score_samples``, ``transform``, ``inverse_transform``: samplers are
      skipped (they are identities outside ``fit``).
    - ``fit_transform(X, y)`` and ``fit_predict(X, y)`` are exactly ``fit(X, y)``
      followed by ``transform(X)`` / ``predict(X)``: one output row per input row,
      resampling only influencing what was learned. (imbalanced-learn's Pipeline
      returns the transform of the *resampled* rows instead; call the sampler's
      ``fit_resample`` if that is what you need.)
    - ``fit_resample(X, y)``, when the last step is a sampler, or is ``'passthrough'``
      (or None) after at least one sampler: the data as the last sampler leaves it,
      transformed by the steps after it, so such a pipeline is itself a sampler.

    Metadata routing (``sklearn.set_config(enable_metadata_routing=True)``) works as in
    scikit-learn's Pipeline; in addition, a sampler step receives the metadata its
    ``fit_resample`` requests (``set_fit_resample_request``, which exists once
    imbalanced-learn is imported: it registers ``fit_resample`` with scikit-learn's
    routing), resampled by the samplers before it like every per-row fit parameter.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
    transform_input : list of str, default=None
        Names of fit metadata (e.g. a validation set ``X_val``) that are transformed by
        the steps before the step that consumes them, as in scikit-learn's Pipeline:
        the value goes through those steps' ``transform``, samplers skipped (as at
        ``predict``), so it is never resampled and never treated as per-row data. This
        applies to every consuming step, samplers included. Needs metadata routing.
    memory : str or joblib.Memory, default=None
        Caches fitted transformers (not samplers, which are cheap and keyed by data).
    verbose : bool, default=False
        Print the time each step takes to fit, samplers included, in scikit-learn's
        format (``[Pipeline] ... (step 2 of 3) Processing smote, total=   0.1s``).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from fastsmote import SMOTE
    >>> from fastsmote.pipeline import make_pipeline
    >>> model = make_pipeline(StandardScaler(), SMOTE(random_state=0), LogisticRegression())
    """

    _parameter_constraints: dict = {
        **_skpipeline.Pipeline._parameter_constraints,
        "transform_input": [list, None],
    }

    def __init__(
        self,
        steps: list,
        *,
        transform_input: list[str] | None = None,
        memory: Any = None,
        verbose: bool = False,
    ) -> None:
        self.steps = steps
        self.transform_input = transform_input
        self.memory = memory
        self.verbose = verbose

    def _validate_steps(self) -> None:
        if not self.steps:
            raise ValueError("The pipeline is empty. Please add steps.")
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

    def _iter(self, with_final=True, filter_passthrough=True, filter_resample=True):
        """(index, name, step); samplers are skipped unless ``filter_resample=False``."""
        for idx, name, step in super()._iter(
            with_final=with_final, filter_passthrough=filter_passthrough
        ):
            if filter_resample and _is_sampler(step):
                continue
            yield idx, name, step

    # ------------------------------------------------------------------ routing
    def get_metadata_routing(self) -> MetadataRouter:
        """Metadata routing of this pipeline: scikit-learn's, plus sampler steps.

        Every fitting method (``fit``, ``fit_transform``, ``fit_predict``,
        ``fit_resample``) routes the same way: to a transformer's ``fit_transform`` (or
        ``fit`` and ``transform``), a sampler's ``fit_resample``, the final estimator's
        ``fit``. The other methods route to the transformers' ``transform`` and the
        final estimator's method of the same name; samplers take no part in them.

        Returns
        -------
        routing : MetadataRouter
        """
        router = MetadataRouter(owner=self)
        resample = _routable("fit_resample")
        fit_callers = _FIT_CALLERS + (("fit_resample",) if resample else ())
        last = len(self.steps) - 1
        for idx, name, step in self._iter(filter_resample=False):
            mapping = MethodMapping()
            if _is_sampler(step):
                if not resample:
                    continue  # no sampler can request metadata for fit_resample
                for caller in fit_callers:
                    mapping.add(caller=caller, callee="fit_resample")
            else:
                for caller in fit_callers:
                    for callee in _callees(step, last=idx == last):
                        mapping.add(caller=caller, callee=callee)
                if idx == last:
                    for method in (*_APPLY_CALLERS, "inverse_transform"):
                        if hasattr(step, method):
                            mapping.add(caller=method, callee=method)
                else:
                    for caller in _APPLY_CALLERS:
                        mapping.add(caller=caller, callee="transform")
                    mapping.add(caller="inverse_transform", callee="inverse_transform")
            router.add(method_mapping=mapping, **{name: step})
        return router

    def _route_fit(self, caller: str, params: dict) -> list[dict[str, dict]]:
        """Per step, the parameters of each method that fitting calls."""
        routing, last = _routing(), len(self.steps) - 1
        if routing:
            routed = process_routing(self, caller if _routable(caller) else "fit", **params)
        else:
            routed = self._check_method_params(method="fit", props=params)
        per_step = []
        for idx, (name, step) in enumerate(self.steps):
            own = {} if _is_passthrough(step) else routed.get(name) or {}
            callees = _callees(step, last=idx == last)
            if routing:
                per_step.append({c: dict(own.get(c) or {}) for c in callees})
            else:  # step__param goes to the method that fits the step, as in scikit-learn
                fit = own.get("fit") or {}
                per_step.append({c: {} if c == "transform" else dict(fit) for c in callees})
        return per_step

    # ------------------------------------------------------------------ fitting
    def _fit(self, X, y, params: dict, caller: str = "fit"):
        """Fit every step but the last; return (Xt, yt, parameters of the last step)."""
        self._validate_params()
        if self.transform_input is not None and not _routing():
            raise ValueError(
                "The `transform_input` parameter can only be set if metadata routing is "
                "enabled. You can enable metadata routing using "
                "`sklearn.set_config(enable_metadata_routing=True)`."
            )
        self.steps = list(self.steps)
        self._validate_steps()
        step_params = self._route_fit(caller, params)
        memory = check_memory(self.memory)
        cached = memory.cache(_fit_transform_one)
        for idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            message = self._log_message(idx)
            if _is_passthrough(step):
                with _print_elapsed_time("Pipeline", message):
                    continue
            own = self._transform_input_for(idx, step_params[idx], params)
            # as scikit-learn's and imbalanced-learn's: the step itself is fitted unless
            # memory is set (then a clone, so a cached fit is never the user's object)
            fresh = step if getattr(memory, "location", None) is None else clone(step)
            if _is_sampler(step):
                sampler = fresh
                with _print_elapsed_time("Pipeline", message):
                    output = sampler.fit_resample(X, y, **own["fit_resample"])
                    if len(output) != 2:  # FunctionSampler passes a func's third output on
                        raise ValueError(
                            f"The step {name!r} returned {len(output)} outputs; a step of a "
                            "Pipeline must return (X_resampled, y_resampled)."
                        )
                    X_res, y_res = output
                    self._carry_row_params(sampler, idx, X, y, X_res, step_params)
                X, y = X_res, y_res
                self.steps[idx] = (name, sampler)
            else:
                X, fitted = cached(fresh, X, y, message, own)
                self.steps[idx] = (name, fitted)
        last = len(self.steps) - 1
        return X, y, self._transform_input_for(last, step_params[last], params)

    def _transform_input_for(self, idx: int, own: dict, params: dict) -> dict:
        """``own`` with the metadata named in ``transform_input`` passed through the
        transformers before step ``idx`` (samplers skipped, as at predict time)."""
        names = self.transform_input
        if not names or idx == 0 or not any(key in names for p in own.values() for key in p):
            return own
        before = self[:idx]
        consumed = get_routing_for_object(before).consumes(method="transform", params=params)
        transform_params = {key: params[key] for key in consumed}
        done: dict[str, Any] = {}

        def transformed(key: str, value: Any) -> Any:
            if key not in done:
                if isinstance(value, tuple):  # several validation sets
                    done[key] = tuple(before.transform(v, **transform_params) for v in value)
                else:
                    done[key] = before.transform(value, **transform_params)
            return done[key]

        return {
            method: {
                key: transformed(key, value) if key in names else value
                for key, value in method_params.items()
            }
            for method, method_params in own.items()
        }

    def _carry_row_params(self, sampler, idx, X, y, X_res, step_params) -> None:
        """Resample the per-row fit parameters of the steps after sampler step ``idx``."""
        n_in, n_out = _num_samples(X), _num_samples(X_res)
        skip = set(self.transform_input or ())
        origins = None
        done: dict[int, Any] = {}  # one value routed to several methods is taken once
        for later in range(idx + 1, len(self.steps)):
            for method_params in step_params[later].values():
                for key, value in method_params.items():
                    if key in skip or not _is_per_row(value, n_in):
                        continue
                    if id(value) not in done:
                        if origins is None:
                            origins = origins_of(sampler, X, y, n_out)
                        if origins is None:
                            raise ValueError(
                                f"cannot resample the per-row fit parameter {key!r} of step "
                                f"{self.steps[later][0]!r} through step "
                                f"{self.steps[idx][0]!r}: {type(sampler).__name__} does not "
                                "say where its rows come from (no row_origins or "
                                "sample_indices_); use a fastsmote sampler."
                            )
                        done[id(value)] = (value, origins.take(value))
                    method_params[key] = done[id(value)][1]

    def fit(self, X: Any, y: Any = None, **params: Any) -> Pipeline:
        """Fit the steps in order, resampling at each sampler; return self.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            ``step__param`` fit parameters, or metadata when scikit-learn's metadata
            routing is enabled. Per-row values are resampled with the rows.

        Returns
        -------
        self : Pipeline
        """
        Xt, yt, last_params = self._fit(X, y, params)
        last = self._final_estimator
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if _is_sampler(last):
                last.fit_resample(Xt, yt, **last_params["fit_resample"])
            elif not _is_passthrough(last):
                last.fit(Xt, yt, **last_params["fit"])
        return self

    def _can_fit_transform(self) -> bool:
        last = self._final_estimator
        return _is_passthrough(last) or hasattr(last, "transform")

    @available_if(_can_fit_transform)
    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        """``fit(X, y, **params).transform(X)``: one output row per input row.

        Parameters
        ----------
        X, y, **params
            As for :meth:`fit`.

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
            Metadata, when scikit-learn's metadata routing is enabled.

        Returns
        -------
        Xt : array-like of shape (n_samples, n_transformed_features)
        """
        routed = process_routing(self, "transform", **params) if _routing() else None
        for _, name, step in self._iter():
            X = step.transform(X, **(routed[name]["transform"] if routed else params))
        return X

    @available_if(_skpipeline._final_estimator_has("predict"))
    def fit_predict(self, X: Any, y: Any = None, **params: Any) -> np.ndarray:
        """``fit(X, y, **params).predict(X)``: one prediction per input row.

        Parameters
        ----------
        X, y, **params
            As for :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self.fit(X, y, **params).predict(X)

    def _can_fit_resample(self) -> bool:
        last = self._final_estimator
        if _is_passthrough(last):
            return any(_is_sampler(step) for _, step in self.steps[:-1])
        return _is_sampler(last)

    @available_if(_can_fit_resample)
    def fit_resample(self, X: Any, y: Any, **params: Any) -> tuple[Any, Any]:
        """Fit the steps and return the data as the last sampler resamples it.

        With a ``'passthrough'`` last step, that is the output of the last sampler,
        transformed by the transformers after it.

        Parameters
        ----------
        X, y, **params
            As for :meth:`fit`.

        Returns
        -------
        X_resampled, y_resampled
        """
        Xt, yt, last_params = self._fit(X, y, params, caller="fit_resample")
        last = self._final_estimator
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if _is_passthrough(last):
                return Xt, yt
            return last.fit_resample(Xt, yt, **last_params["fit_resample"])


def make_pipeline(
    *steps: Any,
    memory: Any = None,
    transform_input: list[str] | None = None,
    verbose: bool = False,
) -> Pipeline:
    """Build a :class:`Pipeline` from estimators, naming steps after their classes.

    Parameters
    ----------
    *steps : estimators (transformers, samplers, a final estimator) or 'passthrough'
    memory : str or joblib.Memory, default=None
    transform_input : list of str, default=None
        See :class:`Pipeline`.
    verbose : bool, default=False

    Returns
    -------
    Pipeline
    """
    return Pipeline(
        _skpipeline._name_estimators(steps),
        transform_input=transform_input,
        memory=memory,
        verbose=verbose,
    )


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
    return Pipeline(
        steps,
        memory=estimator.memory,
        transform_input=getattr(estimator, "transform_input", None),
        verbose=estimator.verbose,
    )
