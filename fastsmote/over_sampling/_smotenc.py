"""SMOTE-NC: SMOTE for mixed continuous and categorical features, without one-hot.

imbalanced-learn one-hot encodes the categorical columns, scaled so that a differing
category adds ``median_std ** 2`` to the squared distance (``median_std``: the median of
the class's continuous standard deviations), and builds neighbours x categories arrays
to vote. Here categories are int32 codes (positions in the fitted
``categorical_encoder_``'s ``categories_``): the distance kernel adds ``median_std ** 2``
per differing categorical feature, and the vote counts codes among the k neighbours, so
memory stays proportional to the output. The scaled one-hot matrix is built only for a
neighbours estimator given as ``k_neighbors``, which searches it as in imbalanced-learn.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone

from .._config import get_config
from .._frames import SAME
from .._memory import check_fits
from .._numba import numba_threads
from .._progress import phase
from .._random import TIE_STREAM, class_stream, stream_key
from .._validation import (
    NONE,
    Constraint,
    Features,
    Rows,
    SparseFeatures,
    Target,
    _float_dtype,
    check_features,
    check_finite,
    column_std,
    has_methods,
    is_sparse,
    sparse_column_std,
)
from ..base import NEIGHBOR_COUNT, Deferred, neighbors_estimator
from ..neighbors import kneighbors
from ._plan import ClassJob, SmotePlan
from ._smote import _InterpolatingSampler
from ._sparse import stack_synthetic

CATEGORICAL_SPEC = Constraint(
    lambda v: v == "auto" if isinstance(v, str) else hasattr(v, "__len__") and np.ndim(v) == 1,
    "'auto' or a 1-D array-like of column indices, column names or a boolean mask",
)


#: Missing-value markers of pandas (``pd.NA``, ``pd.NaT``), by type name.
_MISSING_TYPES = ("NAType", "NaTType")


def _first_missing(values: np.ndarray) -> int:
    """Row of the first NaN, None, ``pd.NA``, ``pd.NaT`` or infinity among categorical
    values, -1 if none (a float NaN would otherwise become a category, and None cannot be
    sorted with strings)."""
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values)
    elif values.dtype.kind == "O":
        bad = np.fromiter(
            (
                v is None
                or type(v).__name__ in _MISSING_TYPES
                or (isinstance(v, float) and not math.isfinite(v))
                for v in values
            ),
            dtype=bool,
            count=len(values),
        )
    else:
        return -1
    return int(np.argmax(bad)) if bad.any() else -1


def _category_codes(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Position (int32) of each value in ``categories``; -1 for a value not among them."""
    categories = np.asarray(categories)
    if values.dtype.kind in "biuf" and categories.dtype.kind in "biuf" and categories.size:
        order = np.argsort(categories, kind="stable")
        ordered = categories[order]
        found = np.searchsorted(ordered, values).clip(0, categories.size - 1)
        codes = order[found].astype(np.int32)
        codes[ordered[found] != values] = -1
        return codes
    lookup = {value: i for i, value in enumerate(categories.tolist())}
    return np.fromiter(
        (lookup.get(value, -1) for value in values.tolist()), dtype=np.int32, count=len(values)
    )


def one_hot_scaled(
    X: np.ndarray, codes: np.ndarray, sizes: list[int], value: float
) -> sparse.csr_matrix:
    """imbalanced-learn's SMOTE-NC matrix of a class: its continuous features, then one
    column per category holding ``value`` where the row has that category (so a
    differing category adds ``2 * value ** 2`` to a squared Euclidean distance)."""
    n, n_cat = codes.shape
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    categorical = sparse.csr_matrix(
        (
            np.full(n * n_cat, value, dtype=X.dtype),
            (codes + offsets).ravel(),
            np.arange(0, n * n_cat + 1, n_cat),
        ),
        shape=(n, int(sum(sizes))),
    )
    return sparse.hstack([sparse.csr_matrix(X), categorical], format="csr")


def _one_hot_value(median_std: float) -> float:
    """The one-hot entry giving a differing category the kernel's weight,
    ``median_std ** 2`` (2 when the median is 0): ``sqrt(weight / 2)``."""
    return median_std / math.sqrt(2) if median_std else 1.0


def _refuse_missing(name: Any, first: int) -> None:
    raise ValueError(
        f"categorical column {name!r} has missing (NaN/None) or infinite values (first at "
        f"row {first}); impute them or make them a category of their own first."
    )


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
        'auto' (the DataFrame's categorical columns: pandas ``category``, polars
        ``Categorical``/``Enum``, pyarrow dictionary).
    categorical_encoder : one-hot encoder, default=None
        Fitted (a clone) on the categorical columns; its ``categories_`` give each
        column's categories and their order, which numbers them: a tie between equally
        frequent categories among the neighbours is drawn among the tied ones in that
        order. It must encode every category of the data as a column of its own, in
        ``categories_`` order (what :class:`~sklearn.preprocessing.OneHotEncoder` does
        without ``drop``, ``min_frequency`` or ``max_categories`` merging); an encoder
        that drops or merges columns, or leaves a value of the data out of its
        categories (e.g. explicit ``categories`` with ``handle_unknown='ignore'``),
        raises a ``ValueError``. None: ``OneHotEncoder(handle_unknown='ignore')`` (sorted
        categories), as imbalanced-learn.
    {sampling_strategy}
    {random_state}
    k_neighbors : int or estimator with ``kneighbors``, default=5
        Neighbours of each row in its class under the SMOTE-NC distance (a class to
        over-sample needs ``k_neighbors + 1`` rows). An estimator is fitted on each
        class's continuous features followed by its one-hot columns scaled by
        ``median_std / sqrt(2)`` (a sparse CSR matrix, as imbalanced-learn gives it),
        and, as in imbalanced-learn, its ``n_neighbors`` counts the row itself.

    Attributes
    ----------
    categorical_encoder_ : estimator
        The fitted encoder of the categorical columns.
    categorical_features_ : ndarray of int
        The categorical columns in the order given (repeats dropped), as
        imbalanced-learn: ``categorical_encoder_`` is fitted on them in that order. The
        synthetic rows do not depend on the order.
    continuous_features_ : ndarray of int
        The other columns, increasing.
    median_std_ : dict
        ``{class: median of its continuous standard deviations}``.
    n_features_ : int
        Number of features of X (also ``n_features_in_``).
    nn_k_ : estimator
        As in imbalanced-learn: the clone of a ``k_neighbors`` estimator fitted on the
        last class over-sampled, else ``NearestNeighbors(n_neighbors=k_neighbors + 1)``
        on that class's scaled one-hot matrix, fitted when first read (fastsmote's own
        search does not need it).
    neighbors_backend_ : dict
        ``{class: "exact" | "estimator"}``.
    sampling_strategy_, random_key_, rng_version_, n_samples_out_

    Notes
    -----
    Output: the input container (NumPy, list, pandas, polars, pyarrow). Categorical
    columns keep their dtype (a pandas ``category`` its category set); continuous columns
    follow the over-samplers' rule: a float column keeps its dtype, another numeric
    column becomes a float column of the same dtype family. Categorical columns must not
    hold missing values. A NumPy array of numbers comes back as floats (integers as
    float64); a category the float dtype cannot hold exactly raises (give an object array
    or a DataFrame).

    A SciPy sparse X (any format) comes back as CSR, as from imbalanced-learn (a sparse
    array for a sparse array): its categorical columns hold numbers, an absent entry
    being the category 0; the rows, neighbours and ``median_std_`` are those of the same
    data given dense, bit for bit, without a dense copy.
    """

    _numeric_input = False
    _returns_container = True
    _parameter_constraints = {
        "categorical_features": [CATEGORICAL_SPEC],
        "categorical_encoder": [NONE, has_methods("fit", "transform")],
        **_InterpolatingSampler._parameter_constraints,
        "k_neighbors": NEIGHBOR_COUNT,
    }

    def __init__(
        self,
        categorical_features,
        *,
        categorical_encoder=None,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        self.categorical_features = categorical_features
        self.categorical_encoder = categorical_encoder
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

    def fit(self, X: Any, y: Any) -> SMOTENC:
        """Check the inputs (columns, categorical values, finite continuous features) and
        resolve ``sampling_strategy_`` without resampling.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        rows, _ = self._validate(X, y, neighbors=False)
        features, _ = self._columns(rows)
        check_finite(features.as_float_array(exact=False))
        return self

    def _columns(self, rows: Rows) -> tuple[Features, list]:
        """Resolve the categorical columns and fit ``categorical_encoder_``; return the
        validated continuous block and per categorical column (codes, categories, codes
        of the column's pandas categories or None)."""
        self._set_columns(rows)
        if is_sparse(rows.data):
            features, categorical = self._split_sparse(rows)
            columns = list(categorical.T)
        else:
            continuous, categorical, columns = self._split(rows)
            features = check_features(continuous, rows.n_samples)
        encoded = self._encode(rows, categorical, columns, features.dtype)
        return features, self._in_column_order(encoded)

    def _set_columns(self, rows: Rows) -> None:
        """``n_features_``, ``categorical_features_`` and ``continuous_features_``."""
        self.n_features_ = rows.n_features
        self.categorical_features_ = self._resolve_columns(rows)
        # a mask, linear in the columns: sparse X may have millions of them
        continuous = np.ones(rows.n_features, dtype=bool)
        continuous[self.categorical_features_] = False
        self.continuous_features_ = np.flatnonzero(continuous).astype(np.int64, copy=False)

    @property
    def _categorical_columns(self) -> np.ndarray:
        """The categorical columns, increasing: the order of the codes the kernels see."""
        return np.sort(self.categorical_features_)

    def _in_column_order(self, encoded: list) -> list:
        """Per-column encodings in ``categorical_features_`` order, reordered as
        ``_categorical_columns``: the synthetic rows (the vote's tie-breaks are drawn
        column by column) do not depend on the order the columns were given in."""
        return [encoded[j] for j in np.argsort(self.categorical_features_, kind="stable")]

    # ------------------------------------------------------------------ columns
    def _resolve_columns(self, rows: Rows) -> np.ndarray:
        spec, d = self.categorical_features, rows.n_features
        if isinstance(spec, str):  # "auto"
            if rows.columns is None:
                raise ValueError(
                    "categorical_features='auto' needs a DataFrame with 'category' columns."
                )
            found = [i for i in range(d) if rows.table.is_categorical(i)]
        else:
            values = list(spec)
            if not values:
                found = []
            elif all(isinstance(v, (bool, np.bool_)) for v in values):
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
        # the order given, repeats dropped (imbalanced-learn fits its encoder in that order)
        found = np.asarray(list(dict.fromkeys(found)), dtype=np.int64)
        if found.size == 0:
            auto = " (categorical_features='auto' found no column of pandas 'category' dtype)"
            raise ValueError(
                "SMOTE-NC is not designed to work only with numerical features. It requires "
                f"some categorical features{auto if isinstance(spec, str) else ''}; use SMOTE "
                "for numerical features only."
            )
        if found.size == d:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical features. It "
                f"requires some numerical features (n_features = {d}, all categorical)."
            )
        return found

    def _split(self, rows: Rows) -> tuple[Any, Any, list]:
        """The continuous block, the categorical block (what the encoder is fitted on)
        and each categorical column's values, checked for missing values. A pandas
        ``category`` column stays a Series (its codes are read); others are arrays."""
        table = rows.table
        frame = table is not None
        data = None if frame else np.asarray(rows.data)
        continuous = (
            table.select(self.continuous_features_)
            if frame
            else data[:, self.continuous_features_]
        )
        columns = []
        for i in self.categorical_features_:
            if frame and table.pandas_like and table.is_categorical(i):
                values = table.native.iloc[:, i]
                absent = np.flatnonzero(values.cat.codes.to_numpy() < 0)
                first = int(absent[0]) if absent.size else -1
            else:
                values = table.values(i) if frame else data[:, i]
                first = _first_missing(np.asarray(values))
            if first >= 0:
                _refuse_missing(rows.columns[i] if frame else int(i), first)
            columns.append(values)
        if frame and table.pandas_like:
            categorical = table.native.iloc[:, self.categorical_features_]
        elif frame:  # polars, pyarrow: the encoder is given the values as an array
            categorical = np.empty((rows.n_samples, len(columns)), dtype=object)
            for j, values in enumerate(columns):
                categorical[:, j] = values
        else:
            categorical = data[:, self.categorical_features_]
        return continuous, categorical, columns

    def _split_sparse(self, rows: Rows) -> tuple[SparseFeatures, np.ndarray]:
        """Sparse X: its continuous columns as the features searched (canonical float
        CSR; the whole matrix, which the output is built from, in ``extras["whole"]``)
        and its categorical columns as a dense array of X's dtype (as imbalanced-learn
        gives its encoder; an absent entry is the category 0)."""
        data = rows.data  # CSR or CSC with its stored entries only (check_rows)
        n_cat = self.categorical_features_.size
        check_fits(
            data.nnz * (data.dtype.itemsize + data.indices.itemsize) + 8 * (rows.n_samples + 1)
            + rows.n_samples * n_cat * data.dtype.itemsize,
            "The continuous and categorical columns of the sparse X",
            "Give fewer rows.",
        )  # fmt: skip
        # its own dtype names the categories
        categorical = data[:, self.categorical_features_].toarray()
        for j, i in enumerate(self.categorical_features_):
            first = _first_missing(categorical[:, j])
            if first >= 0:
                _refuse_missing(int(i), first)
        whole = check_features(data, rows.n_samples, sparse=True)  # finite
        M = whole.matrix
        continuous = M[:, self.continuous_features_].tocsr()
        continuous.sort_indices()
        features = SparseFeatures(
            rows.data, continuous, rows.n_samples, continuous.shape[1], whole.dtype
        )
        features.extras["whole"] = M
        return features, categorical

    def _encode(self, rows: Rows, categorical: Any, columns: list, dtype: np.dtype) -> list:
        """Fit ``categorical_encoder_`` on the categorical block; per column, the codes
        (positions in its ``categories_``), the categories, and for a pandas
        ``category`` column the codes of its own categories (None otherwise)."""
        if self.categorical_encoder is None:
            from sklearn.preprocessing import OneHotEncoder

            encoder = OneHotEncoder(handle_unknown="ignore", dtype=dtype)
        else:
            encoder = clone(self.categorical_encoder)
        self.categorical_encoder_ = encoder.fit(categorical)
        found = getattr(encoder, "categories_", None)
        n_cat = len(columns)
        if found is None or len(found) != n_cat:
            raise ValueError(
                "SMOTENC reads each categorical column's categories from the fitted "
                f"categorical_encoder's categories_ (one array per column, {n_cat} here); "
                f"{type(encoder).__name__} has "
                + ("none." if found is None else f"{len(found)}.")
                + " Pass a one-hot encoder such as OneHotEncoder(handle_unknown='ignore')."
            )
        encoded = self._codes(rows, columns)
        self._check_one_hot(categorical, encoded, rows.n_samples)
        return encoded

    def _codes(self, rows: Rows, columns: list) -> list:
        """Per categorical column (its values ``columns[j]`` among ``rows``), the codes
        in the fitted ``categorical_encoder_``'s ``categories_``, the categories, and
        for a pandas ``category`` column the codes of its own categories (else None)."""
        found = self.categorical_encoder_.categories_
        encoded = []
        for j, values in enumerate(columns):
            categories = np.asarray(found[j])
            if str(values.dtype) == "category":
                own = np.asarray(values.cat.categories)
                remap = _category_codes(own, categories)
                codes = remap[values.cat.codes.to_numpy()]
                to_own = np.asarray(values.cat.categories.get_indexer(categories))
            else:
                values = np.asarray(values)
                if values.dtype != object and categories.dtype == object:
                    # the encoder saw an object block: give the column its own type back
                    categories = categories.astype(values.dtype)
                codes, to_own = _category_codes(values, categories), None
            if (codes < 0).any():
                i = self.categorical_features_[j]
                name = rows.columns[i] if rows.columns is not None else int(i)
                value = np.asarray(values)[np.flatnonzero(codes < 0)[0]]
                raise ValueError(
                    f"categorical column {name!r} holds {value!r}, which is not among the "
                    f"categories of the fitted categorical_encoder (categories_[{j}]): "
                    f"{type(self).__name__} needs every value to be one of them."
                )
            encoded.append((codes, categories, to_own))
        return encoded

    def _check_one_hot(self, categorical: Any, encoded: list, n_rows: int) -> None:
        """Raise unless the encoder gives every category of the data a column of its own,
        in ``categories_`` order: the codes, hence the result, are defined by that
        order. Checked on one row of each category."""
        rows = []
        for codes, categories, _ in encoded:
            row_of = np.full(len(categories), -1, dtype=np.int64)
            row_of[codes] = np.arange(n_rows)  # some row with each present code
            rows.append(row_of[row_of >= 0])
        rows = np.unique(np.concatenate(rows))
        sample = categorical.iloc[rows] if hasattr(categorical, "iloc") else categorical[rows]
        matrix = self.categorical_encoder_.transform(sample)
        matrix = matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)
        sizes = [len(categories) for _, categories, _ in encoded]
        if matrix.ndim != 2 or matrix.shape[1] != sum(sizes):
            raise ValueError(
                "SMOTENC requires a one-hot encoding with one column per category for the "
                "categorical features. The provided `categorical_encoder` produced "
                f"{matrix.shape[-1]} columns for {sum(sizes)} categories. This happens "
                "when the encoder drops columns (e.g. `OneHotEncoder(drop=...)`) or merges "
                "infrequent categories, which is not supported. Pass an encoder that keeps "
                "all categories, such as `OneHotEncoder(handle_unknown='ignore')`."
            )
        start = 0
        for j, (codes, _, _) in enumerate(encoded):
            nonzero = matrix[:, start : start + sizes[j]] != 0
            expected = np.zeros_like(nonzero)
            expected[np.arange(rows.size), codes[rows]] = True
            if not np.array_equal(nonzero, expected):
                raise ValueError(
                    "SMOTENC requires a one-hot encoding with one column per category, in "
                    f"the order of the encoder's categories_: the provided "
                    f"`categorical_encoder` does not encode categorical feature {j} that "
                    "way. Pass an encoder that keeps all categories, such as "
                    "`OneHotEncoder(handle_unknown='ignore')`."
                )
            start += sizes[j]

    # ------------------------------------------------------------------ resampling
    def _fit_resample(self, rows: Rows, target: Target, out: None):
        features, encoded = self._columns(rows)
        key, plan = self._start(target)
        n = rows.n_samples
        codes = np.column_stack([c for c, _, _ in encoded])
        sizes = [len(categories) for _, categories, _ in encoded]
        y_out = target.extended([(p[0], p[2]) for p in plan])
        if features.sparse:
            return self._sparse_output(rows, features, codes, sizes, encoded, target, key), y_out
        out_cont = self._allocate(features, None)
        out_codes = np.empty((self.n_samples_out_, codes.shape[1]), dtype=np.int32)
        out_codes[:n] = codes
        X = out_cont[:n]  # finite: checked while copied in
        with numba_threads(get_config()["n_threads"]):
            for job in self._nc_jobs(X, codes, sizes, target, key):
                SmotePlan([job], n).generate(out_cont, out_codes)
        return self._assemble(rows, features, out_cont, out_codes, encoded), y_out

    def _sparse_output(
        self,
        rows: Rows,
        features: SparseFeatures,
        codes: np.ndarray,
        sizes: list,
        encoded: list,
        target: Target,
        key: np.uint64,
    ) -> Any:
        """Sparse X: the input rows, then the synthetic rows, as CSR. The
        continuous columns are interpolated on the CSR rows (the dense values bit for
        bit), the categorical ones hold the voted categories (a 0 category unstored)."""
        n = rows.n_samples
        whole = features.extras["whole"]
        n_new = self.n_samples_out_ - n
        check_fits(
            n_new * codes.shape[1] * (4 + whole.dtype.itemsize),
            f"The categories of the {n_new:,} synthetic rows",
            "Ask for fewer synthetic rows (sampling_strategy).",
        )
        out_codes = np.empty((n_new, codes.shape[1]), dtype=np.int32)
        origins = []
        X = features.as_float_array()
        for job in self._nc_jobs(X, codes, sizes, target, key):
            origins.append(job.origins())
            job.categorical_codes(out=out_codes, out_row=job.first_row - n)
        values = np.empty(out_codes.shape, dtype=whole.dtype)
        for j, (_, categories, _) in enumerate(encoded):
            values[:, j] = self._as_output(rows, j, categories, whole.dtype)[out_codes[:, j]]
        del out_codes
        result = stack_synthetic(whole, origins, (self._categorical_columns, values))
        # CSR whatever the input's format (imbalanced-learn's SMOTENC), array or matrix kept
        return sparse.csr_array(result) if isinstance(rows.data, sparse.sparray) else result

    def _as_output(self, rows: Rows, j: int, categories: Any, dtype: np.dtype) -> np.ndarray:
        """Categorical column ``j``'s categories in the output's float ``dtype``; a
        category that dtype cannot hold exactly raises."""
        categories = np.asarray(categories)
        try:
            with np.errstate(invalid="ignore"):  # what does not convert is refused below
                converted = categories.astype(dtype)
                exact = converted.astype(categories.dtype) == categories
        except (TypeError, ValueError):
            exact = np.zeros(categories.shape, dtype=bool)
        if not exact.all():
            i = self._categorical_columns[j]
            name = rows.columns[i] if rows.columns is not None else int(i)
            value = categories[np.flatnonzero(~exact)[0]]
            raise ValueError(
                f"categorical column {name!r} holds {value!r}, which the output's "
                f"{np.dtype(dtype)} columns cannot hold exactly; pass X as an object array "
                "or a DataFrame, whose categorical columns keep their values."
            )
        return converted

    def _nc_jobs(
        self, X: np.ndarray, codes: np.ndarray, sizes: list, target: Target, key: np.uint64
    ):
        """Per class to over-sample, its job: its continuous values and codes, and each
        row's k nearest same-class rows under the SMOTE-NC distance."""
        self.median_std_ = {}
        spec = self.k_neighbors
        for class_index, label, n_new, start in self._plan(target):
            class_rows = target.rows_of(class_index)
            self._check_class_size(label, class_rows.size, spec)
            X_class = X[class_rows]
            codes_class = np.ascontiguousarray(codes[class_rows])
            if isinstance(spec, numbers.Integral):
                with phase(f"neighbour search, class {label} ({class_rows.size:,} rows)"):
                    found = kneighbors(X_class, int(spec), codes=codes_class, backend="exact")
                median_std = found.median_std
                # imbalanced-learn's nn_k_, on its one-hot matrix of the class: when read
                args = (X_class, codes_class, sizes, _one_hot_value(median_std))
                self.nn_k_ = Deferred(neighbors_estimator(spec), one_hot_scaled, *args)
            else:
                std = sparse_column_std(X_class) if is_sparse(X_class) else column_std(X_class)
                median_std = float(np.median(std))
                n_values = X_class.size + codes_class.size
                check_fits(
                    n_values * (X_class.dtype.itemsize + 4) + 8 * class_rows.size,
                    f"The one-hot matrix of class {label!r} for the k_neighbors estimator",
                    "Give k_neighbors as an int: fastsmote's search needs no such matrix.",
                )
                encoded = one_hot_scaled(X_class, codes_class, sizes, _one_hot_value(median_std))
                with phase(f"neighbour search, class {label} ({class_rows.size:,} rows)"):
                    found = kneighbors(encoded, None, backend=spec, param="k_neighbors")
                self.nn_k_ = found.estimator
            self.neighbors_backend_[label] = found.backend
            self.median_std_[label] = median_std
            class_key = stream_key(key, class_stream(class_index))
            yield ClassJob(
                class_index=class_index,
                label=target.classes[class_index],
                key=class_key,
                n_new=n_new,
                first_row=start,
                source=X_class,
                bases=np.arange(class_rows.size),
                neighbors=found.indices,
                row_map=class_rows,
                codes=codes_class,
                tie_key=stream_key(class_key, TIE_STREAM),
            )

    def _origin_plan(self, rows: Rows, target: Target, key: np.uint64) -> SmotePlan:
        features, encoded = self._columns(rows)
        X = features.as_float_array()
        codes = np.column_stack([c for c, _, _ in encoded])
        sizes = [len(categories) for _, categories, _ in encoded]
        return SmotePlan(list(self._nc_jobs(X, codes, sizes, target, key)), rows.n_samples)

    def _assemble(self, rows: Rows, features, out_cont, out_codes, encoded) -> Any:
        """Put continuous and categorical columns back in the user's order and types."""
        n_total = out_cont.shape[0]
        table = rows.table
        if table is not None:
            # continuous columns: the over-samplers' float rule; categorical columns keep
            # their dtype (a pandas category keeps its category set)
            columns: list[Any] = [None] * rows.n_features
            dtypes: list[Any] = [None] * rows.n_features
            for j, i in enumerate(self.continuous_features_):
                columns[i] = out_cont[:, j]
                dtypes[i] = table.float_dtype(i, out_cont.dtype)
            for j, i in enumerate(self._categorical_columns):
                _, categories, to_own = encoded[j]
                if to_own is not None:  # a pandas category column: its own codes
                    import pandas as pd

                    dtype = table.native_dtype(i)
                    columns[i] = pd.Categorical.from_codes(to_own[out_codes[:, j]], dtype=dtype)
                else:
                    columns[i] = np.asarray(categories)[out_codes[:, j]]
                    dtypes[i] = SAME
            return table.build(columns, dtypes)
        source = np.asarray(rows.data)
        # the over-samplers' rule: float32 (and float16) give float32, other numbers
        # float64 (the continuous columns' computed dtype); objects stay objects
        dtype = _float_dtype(source.dtype) if source.dtype.kind in "biuf" else object
        result = np.empty((n_total, rows.n_features), dtype=dtype)
        result[:, self.continuous_features_] = out_cont
        for j, i in enumerate(self._categorical_columns):
            categories = np.asarray(encoded[j][1])
            if result.dtype.kind == "f":
                categories = self._as_output(rows, j, categories, dtype)
            result[:, i] = categories[out_codes[:, j]]
        return result.tolist() if isinstance(rows.data, list) else result
