"""SMOTE-NC: SMOTE for mixed continuous and categorical features, without one-hot.

imbalanced-learn one-hot encodes the categorical columns, scaled so that a differing
category adds ``median_std ** 2`` to the squared distance (``median_std``: the median of
the class's continuous standard deviations), and builds neighbours x categories arrays
to vote. Here categories are int32 codes: the distance kernel adds ``median_std ** 2``
per differing categorical feature, and the vote counts codes among the k neighbours, so
memory stays proportional to the output.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .._config import get_config
from .._kernels.smote import smotenc_generate
from .._numba import numba_threads
from .._progress import phase
from .._random import stream_key
from .._validation import (
    RANDOM_STATE,
    SAMPLING_STRATEGY,
    Constraint,
    Features,
    Rows,
    Target,
    check_features,
    check_finite,
    int_in_range,
)
from ..neighbors import mixed_kneighbors
from ._smote import GENERATION_CHUNK, NO_ORIGIN_EXTRAS, _InterpolatingSampler

CATEGORICAL_SPEC = Constraint(
    lambda v: (isinstance(v, str) and v == "auto") or (hasattr(v, "__len__") and len(v) > 0),
    "'auto' or a non-empty list of column indices, names or a boolean mask",
)


def _has_missing(values: np.ndarray) -> bool:
    """NaN, None or infinity among categorical values (a float NaN would otherwise become
    a category, and None cannot be sorted with strings)."""
    if values.dtype.kind == "f":
        return not np.isfinite(values).all()
    if values.dtype.kind == "O":
        return any(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in values)
    return False


class SMOTENC(_InterpolatingSampler):
    """SMOTE for data with continuous and categorical features.

    A drop-in for ``imblearn.over_sampling.SMOTENC``. Continuous features are
    interpolated as in :class:`fastsmote.SMOTE` (same draws). Each categorical feature
    of a synthetic row takes the most frequent category among the base row's
    ``k_neighbors`` neighbours (ties broken uniformly by a reproducible draw), so it is
    always a category of a neighbour. Neighbours are exact, with imbalanced-learn's
    distance: squared continuous differences plus ``median_std ** 2`` for every
    categorical feature that differs (``median_std`` = median of the class's continuous
    standard deviations; 2 when that median is 0, as imbalanced-learn).

    Parameters
    ----------
    categorical_features : 'auto', array of int, array of bool or array of str
        Categorical columns: indices, a boolean mask, column names (DataFrame), or
        'auto' (the DataFrame's pandas ``category`` columns).
    sampling_strategy, random_state, k_neighbors : as for :class:`fastsmote.SMOTE`
        (``k_neighbors`` must be an int here).

    Attributes
    ----------
    categorical_features_ : ndarray of int
    continuous_features_ : ndarray of int
    median_std_ : dict
        ``{class: median of its continuous standard deviations}``.
    sampling_strategy_, random_key_, rng_version_, n_samples_out_

    Notes
    -----
    Output: the input container. DataFrame categorical columns keep their dtype and
    category set; other columns keep their values' dtype; continuous columns are float
    (float32 kept). Categorical columns must not hold missing values.
    """

    _numeric_input = False
    _returns_container = True
    _parameter_constraints = {
        "categorical_features": [CATEGORICAL_SPEC],
        "sampling_strategy": SAMPLING_STRATEGY,
        "random_state": [RANDOM_STATE],
        "k_neighbors": [int_in_range(1)],
    }

    def __init__(
        self, categorical_features, *, sampling_strategy="auto", random_state=None, k_neighbors=5
    ):
        self.categorical_features = categorical_features
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags

    def fit(self, X: Any, y: Any) -> SMOTENC:
        """Check the inputs (columns, categorical values, finite continuous features) and
        resolve ``sampling_strategy_`` without resampling.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        rows, _ = self._validate(X, y, neighbors=False)
        features, _ = self._columns(rows)
        check_finite(features.as_float_array())
        return self

    def _columns(self, rows: Rows) -> tuple[Features, list]:
        """Resolve the categorical columns; return the validated continuous block and
        per categorical column (codes, categories)."""
        if hasattr(rows.data, "tocsr"):
            raise TypeError(
                "X is a sparse matrix; SMOTENC needs dense rows (continuous features are "
                "interpolated). Convert with X.toarray() if it fits in memory."
            )
        self.categorical_features_ = self._resolve_columns(rows)
        self.continuous_features_ = np.setdiff1d(
            np.arange(rows.n_features), self.categorical_features_
        )
        continuous, encoded = self._split(rows)
        return check_features(continuous, rows.n_samples), encoded

    # ------------------------------------------------------------------ columns
    def _resolve_columns(self, rows: Rows) -> np.ndarray:
        spec, d = self.categorical_features, rows.n_features
        if isinstance(spec, str):  # "auto"
            if rows.columns is None:
                raise ValueError(
                    "categorical_features='auto' needs a DataFrame with 'category' columns."
                )
            dtypes = rows.data.dtypes
            found = [i for i, t in enumerate(dtypes) if str(t) == "category"]
        else:
            values = list(spec)
            if all(isinstance(v, (bool, np.bool_)) for v in values):
                if len(values) != d:
                    raise ValueError(
                        f"categorical_features as a boolean mask needs {d} entries, "
                        f"got {len(values)}."
                    )
                found = [i for i, v in enumerate(values) if v]
            elif all(isinstance(v, str) for v in values):
                if rows.columns is None:
                    raise ValueError("categorical_features given by name needs a DataFrame.")
                names = list(rows.columns)
                missing = [v for v in values if v not in names]
                if missing:
                    raise ValueError(f"categorical_features {missing} are not columns of X.")
                found = [names.index(v) for v in values]
            elif all(isinstance(v, numbers.Integral) for v in values):
                bad = [v for v in values if not -d <= v < d]
                if bad:
                    raise ValueError(
                        f"categorical_features {bad} are out of range for {d} columns."
                    )
                found = [int(v) % d for v in values]
            else:
                raise ValueError(
                    "categorical_features must be indices, a boolean mask or column names, "
                    f"got {spec!r}."
                )
        found = np.unique(np.asarray(found, dtype=np.int64))
        if found.size == 0:
            raise ValueError("SMOTENC needs at least one categorical feature; use SMOTE.")
        if found.size == d:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical features. It "
                f"requires some numerical features (n_features = {d}, all categorical)."
            )
        return found

    def _split(self, rows: Rows) -> tuple[Any, list]:
        """Continuous block (validated) and per categorical column (codes, categories)."""
        data = rows.data
        frame = rows.columns is not None
        column = (lambda i: data.iloc[:, i]) if frame else (lambda i: np.asarray(data)[:, i])
        continuous = (
            data.iloc[:, self.continuous_features_]
            if frame
            else np.asarray(data)[:, self.continuous_features_]
        )
        encoded = []
        for i in self.categorical_features_:
            values = column(i)
            if frame and str(values.dtype) == "category":
                codes = values.cat.codes.to_numpy().astype(np.int32)
                categories = values.cat.categories
            else:
                values = np.asarray(values)
                if _has_missing(values):
                    codes = np.full(1, -1)
                else:
                    categories, codes = np.unique(values, return_inverse=True)
                    codes = codes.astype(np.int32)
            if (codes < 0).any():
                name = rows.columns[i] if frame else int(i)
                raise ValueError(
                    f"categorical column {name!r} has missing (NaN/None) or infinite values; "
                    "impute them or make them a category of their own first."
                )
            encoded.append((codes, categories))
        return continuous, encoded

    # ------------------------------------------------------------------ resampling
    def _fit_resample(self, rows: Rows, target: Target, out: None):
        features, encoded = self._columns(rows)
        key, plan = self._start(target)
        n = rows.n_samples
        out_cont = self._allocate(features, None)
        codes = np.column_stack([c for c, _ in encoded])
        out_codes = np.empty((self.n_samples_out_, codes.shape[1]), dtype=np.int32)
        out_codes[:n] = codes
        X = out_cont[:n]  # finite: checked while copied in
        with numba_threads(get_config()["n_threads"]):
            for (
                class_index,
                _,
                n_new,
                start,
                _,
                X_class,
                codes_class,
                neighbors,
            ) in self._class_tables(X, codes, target, plan):
                class_key = np.uint64(stream_key(key, class_index))
                tie_key = np.uint64(stream_key(class_key, 2))
                with phase(f"generating {n_new:,} rows"):
                    smotenc_generate(
                        X_class,
                        codes_class,
                        neighbors,
                        class_key,
                        tie_key,
                        0,
                        out_cont,
                        out_codes,
                        start,
                        n_new,
                        GENERATION_CHUNK,
                    )
        y_out = target.extended([(p[0], p[2]) for p in plan])
        return self._assemble(rows, features, out_cont, out_codes, encoded), y_out

    def _class_tables(self, X: np.ndarray, codes: np.ndarray, target: Target, plan: list):
        """Per class to over-sample: its rows, their continuous values and codes, and
        each row's k nearest same-class rows under the SMOTE-NC distance."""
        self.median_std_ = {}
        k = int(self.k_neighbors)
        for class_index, label, n_new, start in plan:
            class_rows = target.rows_of(class_index)
            self._check_class_size(label, class_rows.size, k)
            X_class = X[class_rows]
            codes_class = np.ascontiguousarray(codes[class_rows])
            with phase(f"neighbour search, class {label} ({class_rows.size:,} rows)"):
                neighbors, self.median_std_[label] = mixed_kneighbors(
                    X_class, codes_class, k, "X (continuous features)"
                )
            yield class_index, label, n_new, start, class_rows, X_class, codes_class, neighbors

    def _origin_jobs(self, rows: Rows, target: Target, key: np.uint64):
        features, encoded = self._columns(rows)
        X = features.as_float_array()
        codes = np.column_stack([c for c, _ in encoded])
        for class_index, _, n_new, start, class_rows, _, _, neighbors in self._class_tables(
            X, codes, target, self._plan(target)
        ):
            positions = np.arange(class_rows.size)
            class_key = np.uint64(stream_key(key, class_index))
            yield (
                class_index,
                start,
                class_rows,
                positions,
                neighbors,
                class_key,
                n_new,
                NO_ORIGIN_EXTRAS,
            )

    def _assemble(self, rows: Rows, features, out_cont, out_codes, encoded) -> Any:
        """Put continuous and categorical columns back in the user's order and types."""
        n_total = out_cont.shape[0]
        if rows.columns is not None:
            import pandas as pd

            data = rows.data
            columns = {}
            for j, i in enumerate(self.continuous_features_):
                dtype = data.dtypes.iloc[i]
                values = out_cont[:, j]
                columns[i] = values.astype(dtype) if dtype.kind == "f" else values
            for j, i in enumerate(self.categorical_features_):
                codes, categories = encoded[j]
                dtype = data.dtypes.iloc[i]
                if str(dtype) == "category":
                    columns[i] = pd.Categorical.from_codes(out_codes[:, j], dtype=dtype)
                else:
                    columns[i] = np.asarray(categories)[out_codes[:, j]]
            frame = pd.DataFrame({k: columns[k] for k in range(rows.n_features)})
            frame.columns = rows.columns
            return frame
        source = np.asarray(rows.data)
        # float input keeps its dtype (float32 stays float32); integers become float64
        if source.dtype.kind == "f":
            dtype = source.dtype
        else:
            dtype = np.float64 if source.dtype.kind in "biu" else object
        result = np.empty((n_total, rows.n_features), dtype=dtype)
        result[:, self.continuous_features_] = out_cont
        for j, i in enumerate(self.categorical_features_):
            result[:, i] = np.asarray(encoded[j][1])[out_codes[:, j]]
        return result.tolist() if isinstance(rows.data, list) else result
