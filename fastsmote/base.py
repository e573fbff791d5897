"""Base class of every fastsmote sampler.

The base owns the public ``fit`` / ``fit_resample``: parameter checks, input checks,
``sampling_strategy`` resolution and giving results back in the caller's container.
Subclasses implement ``_fit_resample(features, target)`` on validated inputs.

Samplers follow scikit-learn's estimator conventions (``__init__`` stores parameters,
fitted attributes end in ``_``) and imbalanced-learn's sampler API (``fit_resample``),
so they work in ``imblearn.pipeline.Pipeline`` without importing imbalanced-learn.
"""

from __future__ import annotations

import functools
import numbers
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, clone
from sklearn.utils.validation import _num_samples

from ._config import config_context
from ._frames import SAME, SeriesKind, as_series, as_table, series_values
from ._memory import check_fits, resolve_working_memory
from ._numba import numba_threads
from ._record import ResamplingRecord
from ._validation import (
    N_JOBS,
    NONE,
    RANDOM_STATE,
    SAMPLING_STRATEGY,
    Constraint,
    Features,
    Rows,
    Target,
    check_features,
    check_finite,
    check_params,
    check_rows,
    check_sampling_strategy,
    check_target,
    has_methods,
    int_in_range,
    one_of,
    output_row_bytes,
    restore_target,
)
from .neighbors import BACKENDS


class RowOrigins(NamedTuple):
    """Where each row of a resampled output comes from, in input row numbers.

    Attributes
    ----------
    source : ndarray of int64, shape (n_samples_out,)
        The input row copied, or the base row of a synthetic row.
    partner : ndarray of int64, shape (n_samples_out,)
        The input row a synthetic row was interpolated towards; -1 for copied rows.
    gap : ndarray of float64, shape (n_samples_out,)
        The interpolation gap of synthetic rows (0 for copied rows; negative for
        SVMSMOTE's rows extrapolated from a safe support vector):
        ``row = X[source] + gap * (X[partner] - X[source])``.
    n_samples_in : int
        Rows of the input.
    """

    source: np.ndarray
    partner: np.ndarray
    gap: np.ndarray
    n_samples_in: int

    @classmethod
    def copies(cls, source: np.ndarray, n_samples_in: int) -> RowOrigins:
        """Origins of an output made only of copied input rows."""
        source = np.asarray(source, dtype=np.int64)
        return cls(source, np.full(source.size, -1, np.int64), np.zeros(source.size), n_samples_in)

    def select(self, rows: np.ndarray) -> RowOrigins:
        """Origins after a second step kept only ``rows`` of this output."""
        return RowOrigins(self.source[rows], self.partner[rows], self.gap[rows], self.n_samples_in)

    def take(self, values: Any) -> Any:
        """Resample a per-row array (e.g. ``sample_weight``) the way the rows were resampled.

        The rule: a copied row keeps its value. A synthetic row of a **floating** array
        gets the interpolation of its two parents' values with the row's gap,
        ``v[source] + gap * (v[partner] - v[source])`` (so a weight stays between its
        parents' weights, except for SVMSMOTE's extrapolated rows, whose values are
        extrapolated likewise); any other dtype (integers, booleans, strings, objects) takes
        the base row's value. 2-D arrays are resampled row by row, DataFrames column by
        column. A Series (pandas, polars, pyarrow) or DataFrame comes back as the same
        kind with the same name(s) and dtypes (a pandas one with a fresh RangeIndex).

        Parameters
        ----------
        values : array-like, Series or DataFrame of shape (n_samples_in,) or
            (n_samples_in, m)

        Returns
        -------
        ndarray, Series or DataFrame of shape (n_samples_out,) or (n_samples_out, m)
        """
        table = as_table(values)
        if table is not None:
            if table.shape[0] != self.n_samples_in:
                self._check_length(table.shape[0])
            columns = [self._take_array(table.values(j)) for j in range(table.shape[1])]
            return table.build(columns, [SAME] * len(columns))
        series = as_series(values)
        if series is not None:
            return SeriesKind.of(series).build(self._take_array(series_values(series)))
        return self._take_array(np.asarray(values))

    def _check_length(self, n_rows: int) -> None:
        raise ValueError(
            f"per-row values have {n_rows} rows; the resampled input had {self.n_samples_in}."
        )

    def _take_array(self, array: np.ndarray) -> np.ndarray:
        if array.ndim == 0 or array.shape[0] != self.n_samples_in:
            self._check_length(array.shape[0] if array.ndim else 0)
        out = array[self.source]
        synthetic = np.flatnonzero(self.partner >= 0)
        if array.dtype.kind == "f" and synthetic.size:
            base = array[self.source[synthetic]].astype(np.float64)
            partner = array[self.partner[synthetic]].astype(np.float64)
            gap = self.gap[synthetic].reshape((-1,) + (1,) * (array.ndim - 1))
            out[synthetic] = base + gap * (partner - base)
        return out


def origins_of(sampler: Any, X: Any, y: Any, n_out: int) -> RowOrigins | None:
    """How any sampler mapped the rows of ``X`` to its ``n_out`` output rows: fastsmote's
    ``row_origins``, or a row selector's ``sample_indices_``; None if it cannot say."""
    if hasattr(sampler, "row_origins"):
        return sampler.row_origins(X, y)
    indices = getattr(sampler, "sample_indices_", None)
    if indices is not None and len(indices) == n_out:
        return RowOrigins.copies(indices, _num_samples(X))
    return None


def neighbors_estimator(spec: Any, **params: Any) -> Any:
    """The unfitted estimator behind a neighbour parameter, as imbalanced-learn makes it:
    ``NearestNeighbors(n_neighbors=spec + 1, **params)`` for an int (the row itself is
    one of its neighbours), a clone of an estimator (``params`` set where it has them)."""
    if isinstance(spec, numbers.Integral):
        from sklearn.neighbors import NearestNeighbors

        return NearestNeighbors(n_neighbors=int(spec) + 1, **params)
    estimator = clone(spec)
    known = estimator.get_params(deep=False)
    return estimator.set_params(**{k: v for k, v in params.items() if k in known})


def float_rows(source: Any, rows: np.ndarray | None) -> np.ndarray:
    """Rows ``rows`` (None: all) of validated ``Features`` or of an array, as floats."""
    X = source.as_float_array(exact=False) if hasattr(source, "as_float_array") else source
    return X if rows is None else X[rows]


class Deferred:
    """A neighbours estimator fitted on ``data(*args)`` when it is first read.

    fastsmote searches with its own kernels; the estimator imbalanced-learn would have
    fitted (a tree over the rows for up to 15 features) is built only if it is used.
    Pickled, it holds the rows it is to be fitted on (what imbalanced-learn's fitted
    estimator holds), not ``args``.
    """

    __slots__ = ("estimator", "data", "args")

    def __init__(self, estimator: Any, data: Callable[..., Any], *args: Any) -> None:
        self.estimator, self.data, self.args = estimator, data, args

    def fit(self) -> Any:
        return self.estimator.fit(self.data(*self.args))

    def __reduce__(self) -> tuple:
        return (Deferred, (self.estimator, _identity, self.data(*self.args)))


def _identity(value: Any) -> Any:
    return value


class FittedNeighbors:
    """A fitted neighbours-estimator attribute (imbalanced-learn's ``nn_k_``, ``nn_m_``,
    ``nn_``): a :class:`Deferred` value is fitted when the attribute is first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, sampler: Any, owner: type | None = None) -> Any:
        if sampler is None:
            return self
        try:
            value = sampler.__dict__[self.name]
        except KeyError:
            raise AttributeError(
                f"{type(sampler).__name__!r} object has no attribute {self.name!r}"
            ) from None
        if isinstance(value, Deferred):
            value = sampler.__dict__[self.name] = value.fit()
        return value

    def __set__(self, sampler: Any, value: Any) -> None:
        sampler.__dict__[self.name] = value

    def __delete__(self, sampler: Any) -> None:
        sampler.__dict__.pop(self.name, None)


# --------------------------------------------------------------------------- shared parameters
# Rules of the parameters several samplers take, each declared once: a sampler's
# ``_parameter_constraints`` extends its base class's table with the ones it adds, as
# imbalanced-learn's do (``{**BaseSampler._parameter_constraints, ...}``).
#: ``random_state``: where the 64-bit key comes from.
SEED = [RANDOM_STATE]
#: ``n_jobs``: threads for one call.
THREADS = [N_JOBS]
#: ``working_memory``: MiB for temporaries; None follows ``get_config()``.
WORKING_MEMORY = [NONE, int_in_range(1)]
#: A neighbour count (``k_neighbors``, ``n_neighbors``, ``m_neighbors``): an int, or an
#: estimator whose own ``n_neighbors`` counts the row itself.
NEIGHBOR_COUNT = [int_in_range(1), has_methods("kneighbors", "kneighbors_graph")]
#: ``neighbors`` of the SMOTE family: a backend name or an estimator to search with.
NEIGHBORS = [one_of(*BACKENDS), has_methods("fit", "kneighbors")]
#: ``neighbors`` of the cleaners: a backend name.
NEIGHBOR_BACKEND = [one_of(*BACKENDS)]

# Parameters text of the parameters several samplers take, each written once:
# :func:`shared_doc` puts it in place of ``{name}`` in a sampler's docstring (indented
# for a Parameters entry of a class docstring). A sampler adds lines of its own below
# the placeholder, indented as the text is.
_SAMPLING_STRATEGY_DOCS = {
    "over-sampling": """sampling_strategy : float, str, dict or callable, default='auto'
        How many rows each class should have after resampling, with
        imbalanced-learn's semantics:

        - float (binary only): desired ratio minority / majority after resampling;
        - 'minority', 'not minority', 'not majority', 'all', 'auto' (= 'not majority');
        - dict ``{class: n_rows_after}``;
        - callable ``f(y) -> dict``.""",
    "under-sampling": """sampling_strategy : float, str, dict or callable, default='auto'
        How many rows each class keeps, with imbalanced-learn's semantics:

        - float (binary only): desired ratio minority / majority after resampling;
        - 'majority', 'not minority', 'not majority', 'all', 'auto' (= 'not minority');
        - dict ``{class: n_rows_to_keep}``;
        - callable ``f(y) -> dict``.""",
    "clean-sampling": """sampling_strategy : str or list, default='auto'
        Classes to clean: 'auto' (= 'not minority'), 'majority', 'not minority',
        'not majority', 'all', or a list of labels.""",
}
#: The ``n_jobs`` parameter, written once (see :data:`SHARED_DOCS`).
N_JOBS_DOC = """n_jobs : int, default=None
        Threads for this call: fastsmote's Numba kernels use ``n_jobs`` threads (and a
        neighbours estimator that EditedNearestNeighbours fits gets it as its own
        ``n_jobs``, as in imbalanced-learn). None keeps the current setting
        (``fastsmote.set_config(n_threads=...)``, else Numba's); -1 uses all cores and
        other negative values count back from them as in scikit-learn
        (``n_cores + 1 + n_jobs``, at least 1); at most the threads Numba started with
        (``numba.config.NUMBA_NUM_THREADS``). The previous thread count is restored when
        the call returns or raises. Results never depend on it."""
#: ``{name}`` -> Parameters text; ``{sampling_strategy}`` depends on the sampling type.
SHARED_DOCS = {
    "random_state": """random_state : None, int, RandomState or Generator, default=None
        Source of the 64-bit key from which every draw derives. With the same key the
        output is bit-identical for any number of threads.""",
    "n_jobs": N_JOBS_DOC,
    "working_memory": """working_memory : int, optional
        Budget in MiB for this sampler's temporaries (default:
        ``fastsmote.get_config()["working_memory"]``, 256). A class is copied into a
        contiguous block for its search and generation only when the copy fits the
        budget; a larger class is read in place. Also the workspace of the approximate
        graph (whose lists and sampled candidates, ~0.5 KB per class row at 20
        features, are class-sized). Results never depend on it.""",
}


def shared_doc(cls: type) -> type:
    """Put the shared parameter texts (``{random_state}``, ``{n_jobs}``,
    ``{working_memory}``, ``{sampling_strategy}`` of ``cls``'s sampling type) into
    ``cls``'s docstring. Every :class:`BaseSampler` subclass gets this when defined."""
    doc = cls.__dict__.get("__doc__")
    if not doc:
        return cls
    texts = {**SHARED_DOCS}
    sampling_type = getattr(cls, "_sampling_type", None)
    if sampling_type in _SAMPLING_STRATEGY_DOCS:
        texts["sampling_strategy"] = _SAMPLING_STRATEGY_DOCS[sampling_type]
    for name, text in texts.items():
        doc = doc.replace("{" + name + "}", text)
    cls.__doc__ = doc
    return cls


class OutputTooLarge(MemoryError):
    """An over-sampler's output would not fit in memory (raised before it is made)."""


@contextmanager
def call_threads(n_jobs: int | None) -> Iterator[None]:
    """Run the body with ``n_jobs`` threads (see :data:`N_JOBS_DOC`); None: no change."""
    if n_jobs is None:
        yield
        return
    with config_context(n_threads=int(n_jobs)), numba_threads(int(n_jobs)):
        yield


def with_n_jobs(method: Callable) -> Callable:
    """Run a sampler method with the sampler's ``n_jobs`` threads, when it has that
    parameter (checked first, so a bad value gets the parameter's own message)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        allowed = self._parameter_constraints.get("n_jobs")
        if allowed is None:
            return method(self, *args, **kwargs)
        check_params(self, {"n_jobs": allowed})
        with call_threads(self.n_jobs):
            return method(self, *args, **kwargs)

    return run


class BaseSampler(OneToOneFeatureMixin, BaseEstimator):
    """Shared ``fit`` / ``fit_resample`` logic; not meant to be used directly."""

    _sampling_type: ClassVar[str] = "over-sampling"
    #: Rules of the parameters; subclasses extend it (``{**Base._parameter_constraints,
    #: ...}``) and the cleaners replace the sampling_strategy rule with theirs.
    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "sampling_strategy": SAMPLING_STRATEGY,
    }
    #: False for samplers that only select rows: any dtype, NaN and sparse X are fine.
    _numeric_input: ClassVar[bool] = True
    #: True for numeric samplers that take a SciPy sparse X (computed as CSR, returned
    #: in the input's sparse format).
    _accept_sparse: ClassVar[bool] = False
    #: True when ``_fit_resample`` already returns X in the user's container.
    _returns_container: ClassVar[bool] = False
    #: True when a pandas X keeps the selected rows' index labels, a pandas y taking X's
    #: (imbalanced-learn's RandomUnderSampler); other samplers return a fresh RangeIndex.
    _keeps_index: ClassVar[bool] = False
    #: The parameter giving the number of neighbours, if any (the command line's --k).
    _k_param: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        shared_doc(cls)

    def _validate(
        self, X: Any, y: Any, *, neighbors: bool = True
    ) -> tuple[Features | Rows, Target]:
        """Check parameters and inputs, resolve ``sampling_strategy_``; with
        ``neighbors``, also check the neighbour counts against the rows (``fit`` does not:
        like imbalanced-learn's, it succeeds on data that resampling would refuse)."""
        self._check_params()
        target = check_target(y)
        if self._numeric_input:
            features = check_features(X, target.labels.shape[0], sparse=self._accept_sparse)
        else:
            features = check_rows(X, target.labels.shape[0])
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, target, self._sampling_type
        )
        if neighbors:
            self._check_neighbors(target)
        self.n_features_in_ = features.n_features
        if features.columns is not None and all(isinstance(c, str) for c in features.columns):
            self.feature_names_in_ = np.asarray(features.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.classes_ = target.classes
        if self._sampling_type == "over-sampling":
            self.n_samples_out_ = features.n_samples + sum(self.sampling_strategy_.values())
        elif self._sampling_type == "under-sampling":
            counts = target.class_counts()
            counts.update(self.sampling_strategy_)
            self.n_samples_out_ = sum(counts.values())
        return features, target

    def _check_params(self) -> None:
        """Check the parameters and resolve the memory budget of this call once (MiB,
        ``_working_memory_mib``): a config change during the call does not split it."""
        check_params(self, self._parameter_constraints)
        self._working_memory_mib = resolve_working_memory(getattr(self, "working_memory", None))

    def _check_neighbors(self, target: Target) -> None:
        """Raise when a neighbour count does not fit the rows it is searched among
        (called once ``sampling_strategy_`` is resolved, before any search)."""

    @with_n_jobs
    def fit(self, X: Any, y: Any) -> BaseSampler:
        """Check the inputs and resolve ``sampling_strategy_`` without resampling.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        features, _ = self._validate(X, y, neighbors=False)
        if self._numeric_input:
            check_finite(features.as_float_array(exact=False))
        return self

    @with_n_jobs
    def fit_resample(self, X: Any, y: Any, *, out: np.ndarray | None = None) -> tuple[Any, Any]:
        """Resample the dataset.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric features: a NumPy array, a list of rows, or a pandas (NumPy, nullable
            or pyarrow dtypes), polars or pyarrow DataFrame with numeric columns and no
            missing values (row selectors accept any columns); a SciPy sparse matrix or
            array for the samplers whose ``input_tags.sparse`` is True (the "Sparse
            input" section of the samplers guide). Not modified.
        y : array-like or Series of shape (n_samples,)
            Class labels (binary, multiclass, or one-hot encoded multiclass), also as a
            pandas, polars or pyarrow Series. Not modified.
        out : ndarray, optional
            Where to write the resampled features, e.g. an ``np.memmap`` for outputs
            larger than memory: C-contiguous, shape ``(n_samples_out_, n_features)``
            (``n_samples_out_`` is set by :meth:`fit`), dtype float32 for float32 input,
            float64 otherwise. When given, ``out`` itself is returned as ``X_resampled``.
            Samplers that return rows in your container (row selectors, cleaners,
            model-based under-samplers) refuse it with a ``ValueError``.

        Returns
        -------
        X_resampled : {ndarray, sparse matrix, DataFrame} of shape (n_samples_new, n_features)
            The same kind of object as ``X``, with its column names (sparse X: CSC for
            CSC, CSR for other formats, a sparse array for a sparse array). Selected rows keep
            every dtype; synthetic values come in float columns: a float column keeps its
            dtype, another numeric column becomes a float column of the same dtype family
            (pandas ``Int64`` -> ``Float64``, ``int64[pyarrow]`` -> ``double[pyarrow]``,
            polars ``Int64`` -> ``Float64``, NumPy integers -> ``float64``). Samplers
            have no ``set_output``: scikit-learn's ``transform_output`` does not change
            this (as in imbalanced-learn).
        y_resampled : {ndarray, Series} of shape (n_samples_new,)
            The same kind of object as ``y``, with its name and dtype.
        """
        if out is not None and (not self._numeric_input or self._returns_container):
            # row selectors and samplers returning the caller's container write no array
            what = (
                "returns X in its own container, each column keeping its type"
                if self._returns_container
                else "selects rows"
            )
            raise ValueError(f"{type(self).__name__} {what}; it does not support out=.")
        started = time.perf_counter()
        features, target = self._validate(X, y)
        if out is not None and getattr(features, "sparse", False):
            raise TypeError(
                f"{type(self).__name__}: out= takes a dense array, X is sparse; call "
                "fit_resample without out= to get a sparse result."
            )
        self._check_output_fits(features, target, out)
        X_out, y_codes = self._fit_resample(features, target, out)
        keep = out is not None or self._returns_container
        X_res = X_out if keep else features.restore(X_out)
        before = target.class_counts()
        self._log_resampling(before, self._counts_after(before, target), started)
        y_res = restore_target(target, y_codes)
        if self._keeps_index and hasattr(X_res, "iloc") and hasattr(y_res, "iloc"):
            y_res.index = X_res.index  # aligned with X's rows, as imbalanced-learn aligns them
        return X_res, y_res

    def _check_output_fits(self, features: Any, target: Target, out: Any) -> None:
        """Raise ``MemoryError`` before anything is allocated when an over-sampler's
        output rows and labels (its rows without ``out``) cannot fit in memory."""
        if self._sampling_type != "over-sampling":
            return
        n_out = self.n_samples_out_
        row_bytes = target.labels.dtype.itemsize
        if out is None:
            row_bytes += output_row_bytes(features)
        check_fits(
            n_out * row_bytes,
            f"The resampled data ({n_out:,} rows x {features.n_features} features"
            + (f", {features.dtype.name}" if hasattr(features, "dtype") else "")
            + ", with their labels)",
            self._output_advice(dense=not getattr(features, "sparse", False)),
            OutputTooLarge,
        )

    def _output_advice(self, dense: bool = True) -> str:
        """How to resample when the output does not fit in memory."""
        ways = []
        if dense and hasattr(self, "fit_resample_iter"):
            ways.append("use fit_resample_iter() to get it in chunks")
        if dense and self._numeric_input and not self._returns_container:
            ways.append("pass out=np.memmap(...) to fit_resample()")
        if not ways:
            return "Lower sampling_strategy."
        text = ", ".join(ways) + ", or lower sampling_strategy."
        return text[0].upper() + text[1:]

    def _counts_after(self, before: dict, target: Target) -> dict:
        """Class counts of the output, without reading the output labels: over-samplers
        add what they made (``n_synthetic_`` when a class may get fewer rows than asked),
        row selectors count the class codes of ``sample_indices_``."""
        if self._sampling_type == "over-sampling":
            added = getattr(self, "n_synthetic_", self.sampling_strategy_)
            return {c: n + int(added.get(c, 0)) for c, n in before.items()}
        return target.class_counts(self.sample_indices_)

    def _log_resampling(self, before: dict, after: dict, started: float, **moved: int) -> None:
        # Private on purpose: fit_resample's public fitted attributes stay imblearn's.
        self._resampling_log = {
            "counts_before": before,
            "counts_after": after,
            "elapsed_seconds": time.perf_counter() - started,
            **moved,
        }

    def row_origins(self, X: Any, y: Any) -> RowOrigins:
        """Where every row of the last ``fit_resample(X, y)`` output comes from.

        Use it to carry per-row data through the resampling, e.g.
        ``sampler.row_origins(X, y).take(sample_weight)``; :class:`fastsmote.pipeline.Pipeline`
        does this for per-row fit parameters.

        Parameters
        ----------
        X, y : array-like
            The inputs given to ``fit_resample``.

        Returns
        -------
        RowOrigins
        """
        indices = getattr(self, "sample_indices_", None)
        if indices is None:
            raise AttributeError(
                f"row_origins() needs a resampled sampler: call {type(self).__name__}"
                ".fit_resample(X, y) first."
            )
        return RowOrigins.copies(indices, _num_samples(X))

    def record(self, applied_to: str | None = None) -> ResamplingRecord:
        """What the last ``fit_resample`` did: a resampling record.

        Parameters
        ----------
        applied_to : str, optional
            Where the resampling was applied (e.g. ``"fold 2 of 5, training part"``).

        Returns
        -------
        ResamplingRecord
            Method, parameters, versions, key, class counts before/after, synthetic rows,
            neighbour backend, time; ``.save(path)`` writes JSON or Markdown.
        """
        log = getattr(self, "_resampling_log", None)
        if log is None:
            raise AttributeError(
                f"{type(self).__name__}.record() describes a resampling: call "
                "fit_resample(X, y) first."
            )
        return ResamplingRecord.build(self, applied_to=applied_to, **log)

    def _fit_resample(
        self, features: Features, target: Target, out: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the resampled float array and labels (class codes if one-hot)."""
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.allow_nan = not self._numeric_input
        tags.input_tags.sparse = not self._numeric_input or self._accept_sparse
        tags.input_tags.string = not self._numeric_input
        # Samplers that keep BaseSampler.row_origins output copies of input rows only and
        # list them in sample_indices_; the others (synthetic rows) override row_origins.
        copies_only = type(self).row_origins is BaseSampler.row_origins
        from ._tags import sampler_tags  # scikit-learn >= 1.6 (its Tags) calls this only

        return sampler_tags(tags, sample_indices=copies_only)
