"""SMOTEN: SMOTE for data whose features are all categorical.

Every column is a categorical feature. Each is ordinal-encoded (positions in the fitted
``categorical_encoder_``'s ``categories_``), rows are compared under the Value
Difference Metric of imbalanced-learn (:mod:`fastsmote.neighbors._vdm`: per-feature
lookup tables, an exact blocked search, no rows x rows matrix), and each synthetic row
takes, per feature, the most frequent category among its base row and the base row's
``k_neighbors`` neighbours (the smallest code on a tie, as scipy's ``mode``).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import _num_samples

from .._config import get_config
from .._kernels.vdm import smoten_bases, smoten_generate
from .._memory import check_fits, check_output_fits
from .._numba import numba_threads
from .._progress import phase
from .._random import class_stream, stream_key
from .._validation import NONE, Rows, Target, has_methods
from .._warnings import warn_caller
from ..base import NEIGHBOR_COUNT, Deferred, RowOrigins, neighbors_estimator
from ..neighbors import vdm_kneighbors, vdm_pairwise, vdm_probabilities
from ._plan import GENERATION_CHUNK, SyntheticProvenance
from ._smote import _InterpolatingSampler
from ._smotenc import SMOTENC


def _precomputed_vdm(codes: np.ndarray, probabilities: list) -> np.ndarray:
    """The rows' VDM matrix, what imbalanced-learn fits its ``nn_k_`` on."""
    return vdm_pairwise(codes, probabilities)


class SMOTEN(_InterpolatingSampler):
    """SMOTE for data whose features are all categorical (SMOTE-N).

    A drop-in for ``imblearn.over_sampling.SMOTEN``. Every column is treated as a
    categorical feature (numbers included). For every class to over-sample, each row's
    ``k_neighbors`` nearest same-class rows are found by an exact search under the Value
    Difference Metric: per feature, a category is described by the class distribution
    of the rows that hold it, two categories are the squared L1 distance between their
    distributions apart, and two rows the sum of that over features (imbalanced-learn's
    ``ValueDifferenceMetric``). Each row is excluded from its own neighbours by position
    (so duplicate rows count as neighbours; ties go to the lower row). A synthetic row
    takes a base row of the class uniformly at random and, per feature, the most
    frequent category among the base row and its neighbours; a tie goes to the category
    that comes first in the encoder's ``categories_`` (imbalanced-learn: scipy's
    ``mode``, the smallest code).

    Parameters
    ----------
    categorical_encoder : ordinal encoder, default=None
        Fitted (a clone) on X; its ``categories_`` give each column's categories and
        their order (the order ties are broken in). It must encode each category as its
        position in ``categories_`` (what :class:`~sklearn.preprocessing.OrdinalEncoder`
        does); one that does otherwise, or leaves a value of the data out of its
        categories, raises a ``ValueError``. None:
        ``OrdinalEncoder(dtype=np.int32)``, as imbalanced-learn.
    {sampling_strategy}
    {random_state}
    k_neighbors : int or estimator with ``kneighbors``, default=5
        Neighbours of each row in its class under the VDM (a class to over-sample needs
        ``k_neighbors + 1`` rows). An estimator (e.g. ``NearestNeighbors(n_neighbors=6)``)
        is given ``metric="precomputed"`` and fitted on each class's VDM matrix, as in
        imbalanced-learn; its lists, which count the row itself, are the rows that vote.
        That matrix has ``n_class ** 2`` entries (checked to fit in memory first); an
        int needs no such matrix.

    Attributes
    ----------
    categorical_encoder_ : estimator
        The fitted encoder.
    sampling_strategy_ : dict
        ``{class: number of synthetic rows}`` for the classes that were resampled.
    nn_k_ : estimator
        As in imbalanced-learn: the clone of a ``k_neighbors`` estimator fitted on the
        last class over-sampled, else ``NearestNeighbors(n_neighbors=k_neighbors + 1,
        metric="precomputed")`` on that class's VDM matrix, fitted when first read
        (fastsmote's own search does not need it).
    neighbors_backend_ : dict
        ``{class: "exact" | "estimator"}``.
    random_key_ : int
        The 64-bit key the draws came from.
    rng_version_ : int
    classes_ : ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray of str, present when X was a DataFrame with string columns

    Notes
    -----
    Output: a copy of X, then the synthetic rows grouped by class in sorted label order,
    in the input container (NumPy, list, pandas, polars, pyarrow), every column keeping
    its dtype (a pandas ``category`` its category set). A SciPy sparse matrix is
    converted to a dense array (with a ``DataConversionWarning``, as imbalanced-learn;
    checked to fit first) and the result converted back to its format. Columns must not
    hold missing values (NaN, None, ``pd.NA``): a ``ValueError`` names the column.
    Synthetic row ``j`` of a class takes its base row from draw ``j`` of the class's
    stream, so the result is the same for any thread count.
    """

    _numeric_input = False
    _returns_container = True
    _parameter_constraints = {
        "categorical_encoder": [NONE, has_methods("fit", "transform")],
        **_InterpolatingSampler._parameter_constraints,
        "k_neighbors": NEIGHBOR_COUNT,
    }

    # the column handling of SMOTE-NC, every column being categorical
    _split = SMOTENC._split
    _codes = SMOTENC._codes
    _assemble_table = SMOTENC._assemble
    _categorical_columns = SMOTENC._categorical_columns

    def __init__(
        self,
        categorical_encoder=None,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        self.categorical_encoder = categorical_encoder
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        return tags

    def _check_class_size(self, label: Any, n_class: int, spec: Any) -> None:
        from .._validation import check_neighbor_count

        check_neighbor_count(
            spec,
            "k_neighbors",
            n_class,
            f"Class {label!r}",
            "SMOTEN needs 2 or more rows of a class; remove the class from "
            "sampling_strategy, gather more rows, or copy its row with RandomOverSampler",
        )

    def fit(self, X: Any, y: Any) -> SMOTEN:
        """Check the inputs (no missing values, categories the encoder knows) and
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
        self._columns(self._dense(rows))
        return self

    # ------------------------------------------------------------------ columns
    def _dense(self, rows: Rows) -> Rows:
        """A sparse matrix as dense rows (checked to fit), as imbalanced-learn does; a
        list of rows as an object array (each value keeps its type)."""
        if isinstance(rows.data, list):
            return Rows(np.asarray(rows.data, dtype=object), rows.n_samples, rows.n_features)
        if not sparse.issparse(rows.data):
            return rows
        data = rows.data
        check_fits(
            rows.n_samples * rows.n_features * data.dtype.itemsize,
            f"The dense form of the {rows.n_samples:,} x {rows.n_features} sparse X",
            "SMOTEN reads every value of every row; pass fewer rows or columns.",
        )
        warn_caller(
            "Passing a sparse matrix to SMOTEN is not really efficient since it is "
            "converted to a dense array internally.",
            DataConversionWarning,
        )
        return Rows(data.toarray(), rows.n_samples, rows.n_features)

    def _columns(self, rows: Rows) -> list:
        """Fit ``categorical_encoder_`` on X (every column categorical); per column,
        (codes, categories, codes of a pandas column's own categories or None)."""
        self.categorical_features_ = np.arange(rows.n_features)
        self.continuous_features_ = np.empty(0, dtype=np.int64)
        _, categorical, columns = self._split(rows)
        if self.categorical_encoder is None:
            from sklearn.preprocessing import OrdinalEncoder

            encoder = OrdinalEncoder(dtype=np.int32)
        else:
            encoder = clone(self.categorical_encoder)
        self.categorical_encoder_ = encoder.fit(categorical)
        found = getattr(encoder, "categories_", None)
        if found is None or len(found) != rows.n_features:
            raise ValueError(
                "SMOTEN reads each column's categories from the fitted categorical_encoder's "
                f"categories_ (one array per column, {rows.n_features} here); "
                f"{type(encoder).__name__} has "
                + ("none." if found is None else f"{len(found)}.")
                + " Pass an ordinal encoder such as OrdinalEncoder()."
            )
        encoded = self._codes(rows, columns)
        self._check_ordinal(categorical, encoded, rows.n_samples)
        return encoded

    def _check_ordinal(self, categorical: Any, encoded: list, n_rows: int) -> None:
        """Raise unless the encoder gives each category its position in ``categories_``
        (checked on one row of each category)."""
        rows = []
        for codes, categories, _ in encoded:
            row_of = np.full(len(categories), -1, dtype=np.int64)
            row_of[codes] = np.arange(n_rows)
            rows.append(row_of[row_of >= 0])
        rows = np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=np.int64)
        if rows.size == 0:
            return
        sample = categorical.iloc[rows] if hasattr(categorical, "iloc") else categorical[rows]
        matrix = self.categorical_encoder_.transform(sample)
        matrix = matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)
        expected = np.column_stack([codes[rows] for codes, _, _ in encoded])
        if matrix.shape != expected.shape or not np.array_equal(matrix, expected):
            raise ValueError(
                "SMOTEN requires an ordinal encoding: each category encoded as its position "
                "in the encoder's categories_, one column per feature. The provided "
                f"`categorical_encoder` ({type(self.categorical_encoder_).__name__}) does "
                "not encode X that way. Pass an encoder such as `OrdinalEncoder()`."
            )

    # ------------------------------------------------------------------ resampling
    def _fit_resample(self, rows: Rows, target: Target, out: None):
        given = rows.data
        rows = self._dense(rows)
        encoded = self._columns(rows)
        key, plan = self._start(target)
        n = rows.n_samples
        codes = np.column_stack([c for c, _, _ in encoded]).astype(np.int32, copy=False)
        check_output_fits(self.n_samples_out_, rows.n_features, np.int32)
        out_codes = np.empty((self.n_samples_out_, rows.n_features), dtype=np.int32)
        out_codes[:n] = codes
        with numba_threads(get_config()["n_threads"]):
            for class_key, codes_class, voters, start, n_new in self._class_voters(
                codes, encoded, target, key
            ):
                smoten_generate(
                    codes_class, voters, class_key, 0, out_codes, start, n_new, GENERATION_CHUNK
                )
        y_out = target.extended([(p[0], p[2]) for p in plan])
        X_out = self._assemble(rows, out_codes, encoded)
        if isinstance(given, list):
            X_out = X_out.tolist()
        elif sparse.issparse(given):
            X_out = sparse.csr_matrix(X_out) if given.format == "csr" else sparse.csc_matrix(X_out)
        return X_out, y_out

    def _class_voters(self, codes: np.ndarray, encoded: list, target: Target, key: np.uint64):
        """Per class to over-sample: (class key, its codes, each row's voters, first
        output row, rows to generate)."""
        sizes = [len(categories) for _, categories, _ in encoded]
        probabilities = vdm_probabilities(codes, target.encoded, target.classes.size, sizes)
        spec = self.k_neighbors
        self.nn_k_ = neighbors_estimator(spec, metric="precomputed")
        for class_index, label, n_new, start in self._plan(target):
            class_rows = target.rows_of(class_index)
            self._check_class_size(label, class_rows.size, spec)
            codes_class = np.ascontiguousarray(codes[class_rows])
            with phase(f"neighbour search, class {label} ({class_rows.size:,} rows)"):
                if isinstance(spec, numbers.Integral):
                    found = vdm_kneighbors(codes_class, probabilities, int(spec))
                    self_first = np.arange(class_rows.size, dtype=np.int64)[:, np.newaxis]
                    voters = np.hstack([self_first, found.indices])
                    self.nn_k_ = Deferred(
                        neighbors_estimator(spec, metric="precomputed"),
                        _precomputed_vdm,
                        codes_class,
                        probabilities,
                    )
                else:
                    found = vdm_kneighbors(codes_class, probabilities, None, backend=spec)
                    voters = found.indices
                    self.nn_k_ = found.estimator
            self.neighbors_backend_[label] = found.backend
            class_key = stream_key(key, class_stream(class_index))
            yield class_key, codes_class, np.ascontiguousarray(voters), start, n_new

    def _assemble(self, rows: Rows, out_codes: np.ndarray, encoded: list) -> Any:
        """Every column back in the user's container and dtype."""
        n_total = out_codes.shape[0]
        if rows.table is not None:
            return self._assemble_table(rows, None, np.empty((n_total, 0)), out_codes, encoded)
        source = np.asarray(rows.data)
        result = np.empty((n_total, rows.n_features), dtype=source.dtype.newbyteorder("="))
        for j, (_, categories, _) in enumerate(encoded):
            result[:, j] = np.asarray(categories)[out_codes[:, j]]
        return result

    # ------------------------------------------------------------------ origins
    def provenance(self, X: Any, y: Any) -> SyntheticProvenance:
        """Where every synthetic row of the last ``fit_resample`` came from: its base
        row (``neighbor`` is -1 and ``gap`` 0: a SMOTEN row is voted by the base row and
        its neighbours, not interpolated). Recomputed from ``random_key_`` and ``y``.

        Parameters
        ----------
        X, y : array-like
            The inputs given to ``fit_resample``.

        Returns
        -------
        SyntheticProvenance
        """
        self._require_resampled("provenance")
        _, target = self._validate(X, y)
        key = np.uint64(self.random_key_)
        n = target.labels.shape[0]
        bases, labels = [], []
        with numba_threads(get_config()["n_threads"]):
            for class_index, _, n_new, _ in self._plan(target):
                class_rows = target.rows_of(class_index)
                class_key = stream_key(key, class_stream(class_index))
                bases.append(class_rows[smoten_bases(class_key, 0, n_new, class_rows.size)])
                labels.append(np.full(n_new, target.classes[class_index]))
        base = np.concatenate(bases) if bases else np.empty(0, dtype=np.int64)
        label = np.concatenate(labels) if labels else target.classes[:0]
        return SyntheticProvenance(
            np.arange(n, n + base.size, dtype=np.int64),
            label,
            base,
            np.full(base.size, -1, dtype=np.int64),
            np.zeros(base.size),
        )

    def row_origins(self, X: Any, y: Any) -> RowOrigins:
        """Where every output row comes from: input rows are their own origin, a
        synthetic row its base row (no partner: ``partner`` -1, ``gap`` 0, so
        :meth:`RowOrigins.take` gives it the base row's value).

        Parameters
        ----------
        X, y : array-like
            The inputs given to ``fit_resample``.

        Returns
        -------
        RowOrigins
        """
        self._require_resampled("row_origins")
        synthetic = self.provenance(X, y)
        n = _num_samples(X)
        source = np.concatenate([np.arange(n, dtype=np.int64), synthetic.base])
        return RowOrigins.copies(source, n)
