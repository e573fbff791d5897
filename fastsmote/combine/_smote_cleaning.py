"""SMOTETomek and SMOTEENN: SMOTE, then Tomek links / ENN cleaning of the result."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import _num_features, _num_samples

from .._progress import phase
from .._record import label_counts
from .._validation import (
    NONE,
    Constraint,
    check_params,
    has_methods,
)
from ..base import SEED, THREADS, BaseSampler, OutputTooLarge, RowOrigins, with_n_jobs
from ..over_sampling import SMOTE
from ..under_sampling import EditedNearestNeighbours, TomekLinks

_SAMPLER = has_methods("fit_resample")


class _SMOTEThenClean(BaseSampler):
    """SMOTE (``smote`` or one built from ``sampling_strategy``/``random_state``), then a
    cleaner (``cleaner`` or the default with ``sampling_strategy='all'`` and ``n_jobs``),
    as imbalanced-learn composes them; the whole call runs with ``n_jobs`` threads."""

    _sampling_type = "over-sampling"
    _accept_sparse = True  # when both steps accept it (the default steps do)
    _cleaner_name: ClassVar[str]
    _default_cleaner: ClassVar[type]
    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        **BaseSampler._parameter_constraints,
        "random_state": SEED,
        "smote": [_SAMPLER, NONE],
        "n_jobs": THREADS,
    }

    @with_n_jobs
    def fit_resample(self, X: Any, y: Any, *, out: None = None) -> tuple[Any, Any]:
        """SMOTE, then clean; containers as for :meth:`fastsmote.SMOTE.fit_resample`.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like or Series of shape (n_samples,)

        Returns
        -------
        X_resampled, y_resampled
        """
        if out is not None:
            raise ValueError(f"{type(self).__name__} does not support out=.")
        started = time.perf_counter()
        check_params(self, self._parameter_constraints)
        self.smote_, fitted_cleaner = self._steps()
        setattr(self, self._cleaner_name + "_", fitted_cleaner)
        with phase(f"over-sampling ({type(self.smote_).__name__})"):
            try:
                X_res, y_res = self.smote_.fit_resample(X, y)
            except OutputTooLarge as error:  # the step's other ways are not this one's
                message = str(error)
                for advice in (self.smote_._output_advice(), "Lower sampling_strategy."):
                    message = message.removesuffix(advice)
                raise OutputTooLarge(message + "Lower sampling_strategy.") from None
        counts_in, counts_smoted = label_counts(y), label_counts(y_res)
        # A SMOTE step from another library (imbalanced-learn's) may lack these: the
        # rows it added per class are its resolved strategy.
        self.sampling_strategy_ = getattr(self.smote_, "sampling_strategy_", None)
        if self.sampling_strategy_ is None:
            self.sampling_strategy_ = {
                label: count - counts_in.get(label, 0)
                for label, count in counts_smoted.items()
                if count > counts_in.get(label, 0)
            }
        self.n_features_in_ = getattr(self.smote_, "n_features_in_", None)
        if self.n_features_in_ is None:
            self.n_features_in_ = _num_features(X)
        self.classes_ = getattr(self.smote_, "classes_", None)
        if self.classes_ is None:
            self.classes_ = np.array(sorted(counts_in), dtype=np.asarray(y).dtype)
        if hasattr(self.smote_, "feature_names_in_"):
            self.feature_names_in_ = self.smote_.feature_names_in_
        elif hasattr(self, "feature_names_in_"):  # an earlier fit's, on a DataFrame
            del self.feature_names_in_
        try:
            with phase(f"cleaning ({type(fitted_cleaner).__name__})"):
                X_out, y_out = fitted_cleaner.fit_resample(X_res, y_res)
        except ValueError as error:
            self._explain_cleaner_error(error, fitted_cleaner, _num_samples(X_res))
            raise
        # A step from another library has no record: an over-sampler only adds rows and
        # a cleaner only removes them, so each step's own row counts say what it did.
        smote_log = getattr(self.smote_, "_resampling_log", None)
        clean_log = getattr(fitted_cleaner, "_resampling_log", None)
        n_synthetic = (
            self.smote_.record().n_synthetic
            if smote_log is not None
            else _num_samples(X_res) - _num_samples(X)
        )
        n_removed = (
            fitted_cleaner.record().n_removed
            if clean_log is not None
            else _num_samples(X_res) - _num_samples(X_out)
        )
        self._log_resampling(
            counts_in, label_counts(y_out), started, n_synthetic=n_synthetic, n_removed=n_removed
        )
        return X_out, y_out

    def _explain_cleaner_error(self, error: ValueError, cleaner: Any, n_rows: int) -> None:
        """Say in ``error`` that the cleaner saw SMOTE's ``n_rows`` output rows, not the
        caller's X (in place: the error keeps its type and attributes)."""
        error.args = (
            f"{type(self).__name__}: the {type(cleaner).__name__} step cleans the {n_rows} "
            f"rows the SMOTE step returned. {str(error).rstrip('.')}; pass "
            f"{self._cleaner_name}={type(cleaner).__name__}(...) to configure that step.",
        )

    def _steps(self) -> tuple[Any, Any]:
        """New SMOTE and cleaning steps, as ``fit_resample`` fits them: clones of
        ``smote`` and the cleaner, or the defaults."""
        smote = (
            clone(self.smote)
            if self.smote is not None
            else SMOTE(sampling_strategy=self.sampling_strategy, random_state=self.random_state)
        )
        cleaner = getattr(self, self._cleaner_name)
        cleaner = (
            clone(cleaner)
            if cleaner is not None
            else self._default_cleaner(sampling_strategy="all", n_jobs=self.n_jobs)
        )
        return smote, cleaner

    def row_origins(self, X: Any, y: Any) -> RowOrigins:
        """Origins of the output: the SMOTE step's, restricted to the rows the cleaner kept.

        Parameters
        ----------
        X, y : array-like
            The inputs given to ``fit_resample``.

        Returns
        -------
        RowOrigins
        """
        cleaner = getattr(self, self._cleaner_name + "_", None)
        if cleaner is None:
            raise AttributeError(
                f"row_origins() needs a resampled sampler: call {type(self).__name__}"
                ".fit_resample(X, y) first."
            )
        for step in (self.smote_, cleaner):
            if not isinstance(step, BaseSampler):
                raise AttributeError(
                    f"row_origins() needs the origins of every step; the "
                    f"{type(step).__name__} step, from another library, does not give them."
                )
        return self.smote_.row_origins(X, y).select(cleaner.sample_indices_)


class SMOTETomek(_SMOTEThenClean):
    """SMOTE, then remove Tomek links (a drop-in for ``imblearn.combine.SMOTETomek``).

    Parameters
    ----------
    {sampling_strategy}

        Used to build the SMOTE step when ``smote`` is None.
    {random_state}
        Used to build the SMOTE step when ``smote`` is None.
    smote : sampler, default=None
        A configured SMOTE-like sampler (cloned); default ``SMOTE(sampling_strategy,
        random_state)``.
    tomek : sampler, default=None
        Default ``TomekLinks(sampling_strategy='all', n_jobs=n_jobs)``.
    {n_jobs}
        A ``smote`` or ``tomek`` given with its own ``n_jobs`` uses that for its step.

    Attributes
    ----------
    smote_, tomek_ : the fitted steps
    sampling_strategy_ : dict, from the SMOTE step
    """

    _cleaner_name = "tomek"
    _default_cleaner = TomekLinks
    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        **_SMOTEThenClean._parameter_constraints,
        "tomek": [_SAMPLER, NONE],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, smote=None, tomek=None, n_jobs=None
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.tomek = tomek
        self.n_jobs = n_jobs


class SMOTEENN(_SMOTEThenClean):
    """SMOTE, then Edited Nearest Neighbours (a drop-in for ``imblearn.combine.SMOTEENN``).

    Parameters
    ----------
    {sampling_strategy}

        Used to build the SMOTE step when ``smote`` is None.
    {random_state}
        Used to build the SMOTE step when ``smote`` is None.
    smote : sampler, default=None
        A configured SMOTE-like sampler (cloned); default ``SMOTE(sampling_strategy,
        random_state)``.
    enn : sampler, default=None
        Default ``EditedNearestNeighbours(sampling_strategy='all', n_jobs=n_jobs)``.
    {n_jobs}
        A ``smote`` or ``enn`` given with its own ``n_jobs`` uses that for its step.

    Attributes
    ----------
    smote_, enn_ : the fitted steps
    sampling_strategy_ : dict, from the SMOTE step
    """

    _cleaner_name = "enn"
    _default_cleaner = EditedNearestNeighbours
    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        **_SMOTEThenClean._parameter_constraints,
        "enn": [_SAMPLER, NONE],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, smote=None, enn=None, n_jobs=None
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.enn = enn
        self.n_jobs = n_jobs
