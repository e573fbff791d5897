"""FunctionSampler: a sampler made from any function ``func(X, y) -> (X_res, y_res)``."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.utils.validation import _num_samples

from ._record import label_counts
from ._validation import (
    CALLABLE,
    DICT,
    NONE,
    Constraint,
    check_features,
    check_finite,
    check_rows,
    check_target,
    restore_target,
)
from .base import BaseSampler, RowOrigins

BOOLEAN = Constraint(lambda v: isinstance(v, bool), "a bool")


def _identity(X: Any, y: Any) -> tuple[Any, Any]:
    return X, y


def _is_sparse(X: Any) -> bool:
    return hasattr(X, "tocsr") and hasattr(X, "shape")


class FunctionSampler(BaseSampler):
    """A sampler that calls ``func(X, y, **kw_args)`` and returns its ``(X_res, y_res)``.

    A drop-in for ``imblearn.FunctionSampler``: use it to put your own resampling (an
    outlier filter, a deduplication, a sampler from another library) in a
    :class:`fastsmote.pipeline.Pipeline`, where it runs in ``fit`` only.

    Parameters
    ----------
    func : callable, default=None
        ``func(X, y, **kw_args) -> (X_res, y_res)``, or ``(X_res, y_res, extra)``:
        ``extra`` (resampled weights, say) is returned third, as it is (a Pipeline step
        must return a pair). None: the identity (X and y as validated).
    accept_sparse : bool, default=True
        Whether a sparse X is accepted (with ``validate=True``).
    kw_args : dict, default=None
        Keyword arguments given to ``func``.
    validate : bool, default=True
        With True, ``y`` must hold class labels (binary, multiclass or one-hot) and
        ``X`` must be a 2-D numeric array or DataFrame without NaN or infinity (or a
        sparse matrix, if ``accept_sparse``) with one row per label, as in
        imbalanced-learn; ``func`` then gets ``X`` as an ndarray (a NumPy array keeps its
        dtype; a DataFrame or list comes as float64, or float32 for float32 columns, and
        is refused, naming the column, where float64 would round a value, such as an
        integer beyond 2**53; a sparse matrix as it is) and ``y`` as a 1-D array of
        labels, and its output comes back in the caller's containers (a DataFrame with
        the input's column names when ``X_res`` has as many columns, an integer or
        boolean column in its own dtype where every value fits it exactly, else as
        floats; a Series with the input's name, one-hot labels when ``y`` was one-hot).
        With False, ``X`` and ``y`` go to ``func`` untouched and its output is returned
        as it is.

    Attributes
    ----------
    sampling_strategy_ : str
        ``'auto'``, as imbalanced-learn's FunctionSampler (whose sampling type,
        ``'bypass'``, leaves the strategy unresolved): the counts are ``func``'s.
    n_features_in_ : int
        Columns of ``X`` (with ``validate=True``).
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X`` whose names are all strings (with
        ``validate=True``).

    Notes
    -----
    :meth:`record` gives the class counts before and after; since a function's output
    rows cannot be traced to input rows, its ``n_synthetic`` and ``n_removed`` are the
    net per-class increases and decreases (a function that drops 5 rows of a class and
    adds 3 shows 2 removed). For the same reason :meth:`row_origins` raises, and a
    pipeline cannot carry per-row fit parameters (``sample_weight``) through this step.

    Examples
    --------
    >>> import numpy as np
    >>> from fastsmote import FunctionSampler
    >>> X, y = np.arange(20.0).reshape(10, 2), np.array([0] * 6 + [1] * 4)
    >>> def first(X, y, n):
    ...     return X[:n], y[:n]
    >>> X_res, y_res = FunctionSampler(func=first, kw_args={"n": 7}).fit_resample(X, y)
    >>> X_res.shape, y_res.tolist()
    ((7, 2), [0, 0, 0, 0, 0, 0, 1])
    """

    _sampling_type = "bypass"
    _numeric_input = False
    _parameter_constraints = {
        "func": [NONE, CALLABLE],
        "accept_sparse": [BOOLEAN],
        "kw_args": [NONE, DICT],
        "validate": [BOOLEAN],
    }

    def __init__(self, *, func=None, accept_sparse=True, kw_args=None, validate=True):
        self.func = func
        self.accept_sparse = accept_sparse
        self.kw_args = kw_args
        self.validate = validate

    def _check_inputs(self, X: Any, y: Any) -> tuple[Any, Any, Any, Any]:
        """Check parameters and (with ``validate``) inputs; return what ``func`` gets,
        the validated target and features (None without ``validate``)."""
        self._check_params()
        self.sampling_strategy_ = "auto"
        if not self.validate:
            return X, y, None, None
        target = check_target(y)
        n_samples = target.labels.shape[0]
        if _is_sparse(X):
            if not self.accept_sparse:
                raise TypeError(
                    "Sparse data was passed to FunctionSampler, but dense data is required "
                    "(accept_sparse=False). Use X.toarray() to convert to a dense array."
                )
            features = check_rows(X, n_samples)
            X_in = features.data
        else:
            features = check_features(X, n_samples)
            # a NumPy array keeps its dtype (and byte order), as in imbalanced-learn
            X_in = features.data if isinstance(X, np.ndarray) else features.as_float_array()
            check_finite(X_in, columns=features.columns)
        self.n_features_in_ = features.n_features
        columns = features.columns
        if columns is not None and all(isinstance(c, str) for c in columns):
            self.feature_names_in_ = np.asarray(columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return X_in, target.labels, target, features

    def fit(self, X: Any, y: Any) -> FunctionSampler:
        """Check the parameters and (with ``validate=True``) the inputs; ``func`` is not
        called.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        self._check_inputs(X, y)
        return self

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, ...]:
        """Resample the dataset with ``func``.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
            Not modified (unless ``func`` modifies it).
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_resampled, y_resampled
            ``func``'s output: in the caller's containers with ``validate=True`` (see
            the ``validate`` parameter), as ``func`` returned it otherwise; and ``func``'s
            third output, as it is, when it returned three.
        """
        started = time.perf_counter()
        X_in, y_in, target, features = self._check_inputs(X, y)
        func = _identity if self.func is None else self.func
        output = func(X_in, y_in, **(self.kw_args or {}))
        X_res, y_res = self._check_output(output)
        extra = tuple(output[2:])  # a third output (e.g. weights) is passed on as it is
        if target is not None:
            before = target.class_counts()
            X_res, y_res_out = self._restore(X_res, y_res, target, features)
            after = label_counts(np.asarray(y_res))
        else:
            before, after, y_res_out = _counts_or_empty(y), _counts_or_empty(y_res), y_res
        self._log_resampling(before, after, started)
        return (X_res, y_res_out, *extra)

    def _func_name(self) -> str:
        func = self.func
        return "the identity" if func is None else getattr(func, "__qualname__", repr(func))

    def _check_output(self, output: Any) -> tuple[Any, Any]:
        """Refuse an output that is not ``(X_res, y_res[, extra])`` with one label per row."""
        name = self._func_name()
        if not isinstance(output, tuple | list) or len(output) not in (2, 3):
            raise ValueError(
                f"FunctionSampler's func {name!r} must return (X_resampled, y_resampled) "
                f"or (X_resampled, y_resampled, extra); it returned {type(output).__name__}"
                + (f" of length {len(output)}." if isinstance(output, tuple | list) else ".")
            )
        X_res, y_res = output[:2]
        try:
            n_x, n_y = _num_samples(X_res), _num_samples(y_res)
        except TypeError as error:
            raise ValueError(
                f"FunctionSampler's func {name!r} must return arrays: {error}"
            ) from None
        if n_x != n_y:
            raise ValueError(
                f"FunctionSampler's func {name!r} returned {n_x} rows of X but {n_y} "
                "labels; X_resampled and y_resampled must have the same length."
            )
        return X_res, y_res

    def _restore(self, X_res: Any, y_res: Any, target: Any, features: Any) -> tuple[Any, Any]:
        """``func``'s output in the caller's containers, where it has their shape."""
        if (
            isinstance(X_res, np.ndarray)
            and X_res.ndim == 2
            and X_res.shape[1] == features.n_features
            and X_res.dtype.kind == "f"
        ):
            X_res = features.restore(X_res, exact_types=True)
        y_arr = np.asarray(y_res)
        if y_arr.ndim != 1:
            return X_res, y_res
        if target.one_vs_all:
            codes = np.searchsorted(target.classes, y_arr)
            codes = np.minimum(codes, target.classes.size - 1)
            if not np.array_equal(target.classes[codes], y_arr):
                return X_res, y_res  # new labels: one-hot columns would not exist for them
            return X_res, restore_target(target, codes)
        return X_res, restore_target(target, y_arr)

    def row_origins(self, X: Any, y: Any) -> RowOrigins:
        """Not available: a function's output rows have no known origin.

        Raises
        ------
        AttributeError
            Always; per-row values (``sample_weight``) cannot follow a FunctionSampler.
            Resample them inside ``func`` instead (e.g. pass them in ``X``).
        """
        raise AttributeError(
            "FunctionSampler cannot say where its output rows come from (func "
            f"{self._func_name()!r} returns new arrays), so per-row values such as "
            "sample_weight cannot follow its resampling; resample them inside func, e.g. "
            "as a column of X, or use a fastsmote sampler."
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = bool(self.accept_sparse)
        tags.input_tags.allow_nan = not self.validate
        tags.input_tags.string = not self.validate
        return tags


def _counts_or_empty(y: Any) -> dict:
    """Class counts of an unvalidated ``y`` where they can be read, else ``{}``."""
    try:
        arr = np.asarray(y)
        return label_counts(arr) if arr.ndim == 1 else {}
    except (TypeError, ValueError):
        return {}
