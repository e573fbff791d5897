"""The SMOTE plan: per-class generation jobs, and the functions that run them.

A :class:`ClassJob` holds everything that defines the synthetic rows of one class: the
rows they are interpolated from, the possible bases, each base's neighbour table and
the class's stream key. Synthetic row ``j`` of the class is a pure function of these
(see :mod:`fastsmote._kernels.smote`), so any range ``j0 .. j1`` can be generated on its
own, in any order, by any process. A :class:`SmotePlan` is the jobs of one resampling,
in output order. The SMOTE-family samplers build jobs; generating, chunking and
recomputing origins all go through the functions here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse as sp

from .._config import get_config
from .._kernels.smote import (
    NO_COUNTS,
    NO_DAMP,
    NO_GROUPS,
    NO_STEPS,
    smote_draws_range,
    smote_generate,
    smote_origins,
    smotenc_codes,
    smotenc_generate,
)
from .._numba import numba_threads
from .._progress import phase
from .._random import class_stream, stream_key
from .._validation import _float_dtype

#: Synthetic rows per parallel task; fixed so that scheduling never depends on threads.
GENERATION_CHUNK = 2048

_NO_KEY = np.uint64(0)


class SyntheticProvenance(NamedTuple):
    """Where each synthetic row of a ``fit_resample`` output came from.

    All arrays have one entry per synthetic row, in output order.

    Attributes
    ----------
    row : ndarray of int64
        Row number of the synthetic row in ``X_resampled``.
    label : ndarray
        Its class label.
    base : ndarray of int64
        Input row number of the base row.
    neighbor : ndarray of int64
        Input row number of the neighbour it was interpolated towards.
    gap : ndarray of float64
        ``u`` in ``base + u * (neighbor - base)`` before rounding to the data dtype
        (negative for SVM-SMOTE's extrapolated rows).
    """

    row: np.ndarray
    label: np.ndarray
    base: np.ndarray
    neighbor: np.ndarray
    gap: np.ndarray


@dataclass(frozen=True, eq=False)
class ClassJob:
    """The synthetic rows of one class: what they are made from and where they go.

    Synthetic row ``j`` (``0 <= j < n_new``) takes base ``bases[b]`` and its neighbour
    ``neighbors[b, s]`` (both rows of ``source``), ``b``, ``s`` and the gap being draws
    ``3j .. 3j + 2`` of the stream ``key``. Build one with :meth:`for_class` from a
    class's rows and neighbour table; the samplers build theirs while fitting.

    Attributes
    ----------
    class_index : int
        Position of the class in the sorted class labels (its stream number).
    label : object
        The class label.
    key : numpy.uint64
        Key of the class stream: ``stream_key(sampler key, class_index)``.
    n_new : int
        Synthetic rows of the class.
    first_row : int
        Output row of synthetic row 0 in ``fit_resample``'s output.
    source : ndarray of shape (n_source, n_features)
        The rows interpolated from: the class's rows, or all input rows.
    bases : ndarray of int64 of shape (n_bases,)
        Rows of ``source`` that can be bases.
    neighbors : ndarray of int64 of shape (n_bases, k)
        Rows of ``source`` each base is interpolated towards.
    row_map : ndarray of int64 or None
        Input row of each row of ``source`` (None: ``source`` is the input itself).
    cum_counts : ndarray of int64
        Empty, or synthetic rows per base, cumulated (ADASYN): the base is then fixed by
        ``j`` instead of drawn.
    damp : ndarray of bool
        Empty, or shape ``(n_bases, k)`` (Borderline-SMOTE-2): where True the gap is
        multiplied by ``0.5 * u``, ``u`` drawn from the stream ``damp_key``.
    damp_key : numpy.uint64
    codes : ndarray of int32 or None
        SMOTE-NC: category codes of the rows of ``source`` (categorical features take
        the most frequent code among the base's neighbours, ties drawn from
        ``tie_key``).
    tie_key : numpy.uint64
    groups : ndarray of int64
        Empty, or shape ``(n_groups, 2)`` (SVM-SMOTE, KMeans-SMOTE): the bases come in
        consecutive groups, each with its own number of synthetic rows; row ``g`` holds
        the cumulative end of group ``g``'s bases and of its synthetic rows. A synthetic
        row of group ``g`` draws its base among that group's bases only.
    steps : ndarray of float64
        With ``groups``, shape ``(n_groups,)``: the gap of a row of group ``g`` is
        multiplied by ``steps[g]`` (1: interpolation; ``-s``: a step of up to ``s``
        times the distance from the base away from the neighbour).
    """

    class_index: int
    label: Any
    key: np.uint64
    n_new: int
    first_row: int
    source: np.ndarray
    bases: np.ndarray
    neighbors: np.ndarray
    row_map: np.ndarray | None = None
    cum_counts: np.ndarray = field(default_factory=lambda: NO_COUNTS)
    damp: np.ndarray = field(default_factory=lambda: NO_DAMP)
    damp_key: np.uint64 = _NO_KEY
    codes: np.ndarray | None = None
    tie_key: np.uint64 = _NO_KEY
    groups: np.ndarray = field(default_factory=lambda: NO_GROUPS)
    steps: np.ndarray = field(default_factory=lambda: NO_STEPS)

    def __post_init__(self) -> None:
        # the kernels index without bounds checks: refuse what would read out of bounds
        source, bases, neighbors = self.source, self.bases, self.neighbors
        if source.ndim != 2 or source.dtype not in (np.float32, np.float64):
            raise ValueError(
                "the rows to interpolate from (source, X_class) must be a 2-D float32 or "
                f"float64 array, got {source.dtype} with shape {source.shape}"
            )
        for name, table, ndim in (("bases", bases, 1), ("neighbors", neighbors, 2)):
            if table.ndim != ndim or table.dtype.kind not in "iu":
                raise ValueError(f"{name} must be a {ndim}-D integer array, got {table.dtype}")
            if table.size and not (0 <= table.min() and table.max() < source.shape[0]):
                raise ValueError(
                    f"{name} must hold positions in the {source.shape[0]} rows of source"
                )
        n_bases = source.shape[0] if self.codes is not None else bases.shape[0]
        if neighbors.shape[0] != n_bases or (neighbors.shape[1] == 0 and self.n_new):
            raise ValueError(
                f"neighbors must have one row per base ({n_bases}) and at least one "
                f"column, got shape {neighbors.shape}"
            )
        if self.n_new < 0 or (self.n_new and n_bases == 0):
            raise ValueError(f"cannot generate {self.n_new} rows from {n_bases} bases")
        if self.cum_counts.size and (
            self.cum_counts.shape != (n_bases,) or self.cum_counts[-1] != self.n_new
        ):
            raise ValueError("cum_counts must have one entry per base and end at n_new")
        if self.damp.size and self.damp.shape != neighbors.shape:
            raise ValueError("damp must have the shape of neighbors")
        if self.codes is not None and self.codes.shape[0] != source.shape[0]:
            raise ValueError("codes must have one row per row of source")
        if self.groups.size:
            self._check_groups(n_bases)

    def _check_groups(self, n_bases: int) -> None:
        groups, steps = self.groups, self.steps
        if self.cum_counts.size or self.codes is not None:
            raise ValueError("groups cannot be combined with cum_counts or codes")
        if (
            groups.ndim != 2
            or groups.shape[1] != 2
            or groups.dtype != np.int64
            or steps.shape != (groups.shape[0],)
            or steps.dtype != np.float64
        ):
            raise ValueError(
                "groups must be an (n_groups, 2) int64 array and steps an (n_groups,) "
                "float64 array"
            )
        ends = np.concatenate([[[0, 0]], groups])
        sizes = np.diff(ends, axis=0)
        if (sizes < 0).any() or groups[-1, 0] != n_bases or groups[-1, 1] != self.n_new:
            raise ValueError(
                "groups must hold non-decreasing cumulative ends of the bases (ending at "
                f"{n_bases}) and of the synthetic rows (ending at n_new={self.n_new})"
            )
        if ((sizes[:, 1] > 0) & (sizes[:, 0] == 0)).any():
            raise ValueError("a group with synthetic rows needs at least one base")
        if not np.isfinite(steps).all():
            raise ValueError("steps must be finite")

    @classmethod
    def for_class(
        cls,
        X_class: np.ndarray,
        neighbors: np.ndarray,
        key: np.uint64 | int,
        class_index: int,
        n_new: int,
        *,
        label: Any = None,
        first_row: int = 0,
        row_map: np.ndarray | None = None,
    ) -> ClassJob:
        """The plain-SMOTE job of a class from its rows and neighbour table.

        What a worker needs to generate any range of a class's synthetic rows, without
        a fitted sampler: the result is that of ``SMOTE(random_state=...)`` whose
        ``random_key_`` is ``key``, when ``neighbors`` is the table it used.

        Parameters
        ----------
        X_class : ndarray of shape (n_class, n_features)
            The class's rows in input order, float32 or float64.
        neighbors : ndarray of int of shape (n_class, k)
            Positions in ``X_class`` of each row's same-class neighbours.
        key : numpy.uint64 or int
            The sampler key (``random_key_``), not the class key.
        class_index : int
            Position of the class in the sorted labels of the whole target.
        n_new : int
            Synthetic rows of the class.
        label : object, optional
        first_row : int, default=0
            Output row of synthetic row 0 (for :meth:`SmotePlan.provenance`).
        row_map : ndarray of int, optional
            Input row number of each row of ``X_class``.

        Returns
        -------
        ClassJob
        """
        X_class = np.ascontiguousarray(X_class)
        neighbors = np.ascontiguousarray(neighbors, dtype=np.int64)
        return cls(
            class_index=int(class_index),
            label=label,
            key=stream_key(key, class_stream(class_index)),
            n_new=int(n_new),
            first_row=int(first_row),
            source=X_class,
            bases=np.arange(X_class.shape[0], dtype=np.int64),
            neighbors=neighbors,
            row_map=None if row_map is None else np.asarray(row_map, dtype=np.int64),
        )

    def _range(self, j0: int, j1: int | None) -> tuple[int, int]:
        j1 = self.n_new if j1 is None else j1
        if not 0 <= j0 <= j1 <= self.n_new:
            raise ValueError(
                f"synthetic rows {j0}..{j1} are out of range: class {self.label!r} has "
                f"{self.n_new}"
            )
        return int(j0), int(j1)

    def generate(
        self,
        j0: int = 0,
        j1: int | None = None,
        *,
        out: np.ndarray | None = None,
        out_row: int = 0,
        out_codes: np.ndarray | None = None,
    ) -> np.ndarray:
        """Synthetic rows ``j0 .. j1 - 1`` of the class.

        Any split of ``0 .. n_new`` into ranges gives, concatenated, the rows of one
        call, bit for bit, whatever the thread count.

        Parameters
        ----------
        j0 : int, default=0
            First synthetic row.
        j1 : int, optional
            Past-the-last synthetic row (default: ``n_new``, the last of the class).
        out : ndarray, optional
            Written at rows ``out_row .. out_row + j1 - j0 - 1`` (same dtype as
            ``source``); by default a new array.
        out_row : int, default=0
        out_codes : ndarray of int32, optional
            SMOTE-NC: where the categorical codes go (rows as in ``out``); required for
            a job with ``codes``.

        Returns
        -------
        ndarray
            ``out`` (or the new array).
        """
        j0, j1 = self._range(j0, j1)
        if sp.issparse(self.source):
            raise TypeError(
                "a job on sparse rows writes no dense rows: SMOTE.fit_resample returns "
                "its sparse output"
            )
        m = j1 - j0
        if out is None:
            out, out_row = np.empty((m, self.source.shape[1]), dtype=self.source.dtype), 0
        _check_out(out, out_row, m, self.source, "out")
        if self.codes is not None and out_codes is not None:
            _check_out(out_codes, out_row, m, self.codes, "out_codes")
        with numba_threads(get_config()["n_threads"]):
            if self.codes is None:
                smote_generate(
                    self.source, self.bases, self.neighbors, self.key, j0, out, out_row, m,
                    GENERATION_CHUNK, self.cum_counts, self.damp, self.damp_key,
                    self.groups, self.steps,
                )  # fmt: skip
            else:
                if out_codes is None:
                    raise ValueError("a SMOTE-NC job needs out_codes for the categories")
                smotenc_generate(
                    self.source, self.codes, self.neighbors, self.key, self.tie_key, j0,
                    out, out_codes, out_row, m, GENERATION_CHUNK,
                )  # fmt: skip
        return out

    def categorical_codes(
        self, j0: int = 0, j1: int | None = None, *, out: np.ndarray | None = None,
        out_row: int = 0,
    ) -> np.ndarray:  # fmt: skip
        """SMOTE-NC: the categorical codes of synthetic rows ``j0 .. j1 - 1``, those
        :meth:`generate` writes to ``out_codes`` (for rows whose continuous features are
        made elsewhere: a sparse output's).

        Parameters
        ----------
        j0, j1 : int
            As in :meth:`generate`.
        out : ndarray of int32, optional
            Written at rows ``out_row ..``; by default a new array.
        out_row : int, default=0

        Returns
        -------
        ndarray of int32
            ``out`` (or the new array).
        """
        if self.codes is None:
            raise ValueError("only a SMOTE-NC job has categorical codes")
        j0, j1 = self._range(j0, j1)
        m = j1 - j0
        if out is None:
            out, out_row = np.empty((m, self.codes.shape[1]), dtype=np.int32), 0
        _check_out(out, out_row, m, self.codes, "out")
        with numba_threads(get_config()["n_threads"]):
            smotenc_codes(
                self.codes, self.neighbors, self.key, self.tie_key, j0, out, out_row, m,
                GENERATION_CHUNK,
            )  # fmt: skip
        return out

    def origins(
        self, j0: int = 0, j1: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Base row, neighbour row and gap of synthetic rows ``j0 .. j1 - 1``.

        Rows are input row numbers when the job has a ``row_map`` (or ``source`` is the
        input), else rows of ``source``.

        Returns
        -------
        base, neighbor : ndarray of int64
        gap : ndarray of float64
        """
        j0, j1 = self._range(j0, j1)
        with numba_threads(get_config()["n_threads"]):
            base, neighbor, gap = smote_origins(
                self.bases, self.neighbors, self.key, j0, j1 - j0,
                self.cum_counts, self.damp, self.damp_key, self.groups, self.steps,
            )  # fmt: skip
        if self.row_map is not None:
            base, neighbor = self.row_map[base], self.row_map[neighbor]
        return base, neighbor, gap


def _check_out(out: np.ndarray, out_row: int, m: int, like: np.ndarray, name: str) -> None:
    """``out`` can take ``m`` rows like those of ``like`` from row ``out_row``."""
    if (
        not isinstance(out, np.ndarray)
        or out.ndim != 2
        or out.dtype != like.dtype
        or out.shape[1] != like.shape[1]
        or not out.flags.writeable
    ):
        raise ValueError(
            f"{name} must be a writeable 2-D {like.dtype} array with {like.shape[1]} columns"
        )
    if not 0 <= out_row <= out.shape[0] - m:
        raise ValueError(
            f"{name} has {out.shape[0]} rows: {m} rows cannot be written from row {out_row}"
        )


def draw_bases(
    key: np.uint64, j0: int, j1: int, n_class: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Base position (in the class) and neighbour slot of a class's synthetic rows
    ``j0 .. j1 - 1`` under plain SMOTE: which neighbour tables those rows read.

    Parameters
    ----------
    key : numpy.uint64
        The class key (:attr:`ClassJob.key`).
    j0, j1 : int
    n_class, k : int
        Rows of the class and neighbours per row.

    Returns
    -------
    base, slot : ndarray of int64
    """
    with numba_threads(get_config()["n_threads"]):
        base, slot, _ = smote_draws_range(np.uint64(key), j0, j1 - j0, n_class, k)
    return base, slot


def compute_dtype(dtype: Any) -> np.dtype:
    """The float dtype SMOTE computes and returns rows in for features of ``dtype``:
    float32 (and float16) give float32, everything else float64."""
    return _float_dtype(np.dtype(dtype))


@dataclass
class SmotePlan:
    """The synthetic rows of one resampling: its :class:`ClassJob` records in output
    order, after ``n_samples`` input rows.

    Parameters
    ----------
    jobs : sequence of ClassJob
        One per class with rows to generate, ``first_row`` increasing.
    n_samples : int
        Input rows (they come first in the output).
    """

    jobs: Sequence[ClassJob]
    n_samples: int

    @property
    def n_synthetic(self) -> int:
        """Synthetic rows of all classes."""
        return sum(job.n_new for job in self.jobs)

    @property
    def n_samples_out(self) -> int:
        """Rows of the whole output."""
        return self.n_samples + self.n_synthetic

    def job(self, class_index: int) -> ClassJob:
        """The job of the class at ``class_index`` in the sorted labels.

        Parameters
        ----------
        class_index : int

        Returns
        -------
        ClassJob

        Raises
        ------
        KeyError
            No rows are planned for that class.
        """
        for job in self.jobs:
            if job.class_index == class_index:
                return job
        raise KeyError(f"no synthetic rows are planned for class index {class_index}")

    def generate(self, out: np.ndarray, out_codes: np.ndarray | None = None) -> np.ndarray:
        """Write every synthetic row at its output row (``first_row`` onwards).

        Parameters
        ----------
        out : ndarray of shape (n_samples_out, n_features)
            The output, in the jobs' dtype; rows before each job's ``first_row`` are
            left alone (the input rows go first).
        out_codes : ndarray of int32, optional
            SMOTE-NC: the categorical codes, rows as in ``out``.

        Returns
        -------
        ndarray
            ``out``.
        """
        for job in self.jobs:
            with phase(f"generating {job.n_new:,} rows"):
                job.generate(out=out, out_row=job.first_row, out_codes=out_codes)
        return out

    def chunks(self, chunk_rows: int) -> Iterator[tuple[ClassJob, np.ndarray]]:
        """The synthetic rows class by class, at most ``chunk_rows`` at a time.

        A chunk never spans two classes; concatenated, the chunks are the rows
        :meth:`generate` writes, bit for bit, whatever ``chunk_rows`` is.

        Parameters
        ----------
        chunk_rows : int
            Rows per chunk (at least 1).

        Yields
        ------
        job : ClassJob
            The class the chunk belongs to.
        rows : ndarray of shape (n_rows, n_features)
        """
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be a positive int, got {chunk_rows!r}")
        for job in self.jobs:
            for j0 in range(0, job.n_new, chunk_rows):
                yield job, job.generate(j0, min(job.n_new, j0 + chunk_rows))

    def provenance(self, classes: np.ndarray | None = None) -> SyntheticProvenance:
        """Output row, label, base row, neighbour row and gap of every synthetic row.

        Parameters
        ----------
        classes : ndarray, optional
            The sorted class labels: labels are then ``classes[class_index]`` (in the
            labels' dtype, also when no row is planned); by default each job's ``label``.

        Returns
        -------
        SyntheticProvenance
        """
        parts = []
        for job in self.jobs:
            base, neighbor, gap = job.origins()
            label = job.label if classes is None else classes[job.class_index]
            rows = np.arange(job.first_row, job.first_row + job.n_new, dtype=np.int64)
            parts.append((rows, np.full(job.n_new, label), base, neighbor, gap))
        if not parts:
            empty = np.empty(0, dtype=np.int64)
            labels = np.empty(0) if classes is None else classes[:0]
            return SyntheticProvenance(empty, labels, empty, empty, np.empty(0))
        return SyntheticProvenance(*(np.concatenate(p) for p in zip(*parts, strict=True)))


@dataclass
class StreamPlan:
    """SMOTE of a table read in passes (see :func:`stream_plan`): the counts known from
    the labels, which rows to collect, then the synthetic rows from those rows.

    Attributes
    ----------
    selected : ndarray of bool of shape (n_samples,)
        The rows of the classes to over-sample: collect their features, in input order.
    counts_before, counts_after : dict
        ``{class: rows}`` of the input and of the output.
    n_samples_out : int
        Rows of the output.
    n_synthetic : int
        Synthetic rows.
    """

    sampler: Any
    target: Any
    selected: np.ndarray
    counts_before: dict
    counts_after: dict
    n_samples_out: int
    n_synthetic: int

    def chunks(
        self, X_classes: np.ndarray, chunk_rows: int | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The synthetic rows of ``sampler.fit_resample`` on the whole table, class by
        class in chunks ``(X_chunk, y_chunk)`` (bit-identical for the same key).

        Parameters
        ----------
        X_classes : ndarray of shape (n_selected, n_features)
            The rows :attr:`selected`, in input order, finite, C-contiguous, in
            :func:`compute_dtype` of the features.
        chunk_rows : int, optional
            By default from the sampler's ``working_memory``.

        Returns
        -------
        iterator of (X_chunk, y_chunk)
            As the tail of ``sampler.fit_resample_iter`` yields them.
        """
        return self.sampler._stream_synthetic(self.target, X_classes, chunk_rows=chunk_rows)


def stream_plan(sampler: Any, y: Any) -> StreamPlan:
    """Plan SMOTE on a table whose features are read later, from its labels only.

    Checks the sampler's parameters and ``y`` and resolves ``sampling_strategy_`` and
    the output size before any feature is read; the caller then collects the rows
    :attr:`StreamPlan.selected` and asks :meth:`StreamPlan.chunks` for the synthetic
    rows (the input rows are written by the caller, unchanged).

    Parameters
    ----------
    sampler : fastsmote.SMOTE
    y : array-like of shape (n_samples,)
        Labels of every row, in input order.

    Returns
    -------
    StreamPlan
    """
    target = sampler._stream_fit_target(y)
    strategy = sampler.sampling_strategy_
    collect = np.zeros(target.classes.size, dtype=bool)
    collect[[target.class_index(label) for label, n in strategy.items() if n > 0]] = True
    counts_before = target.class_counts()
    counts_after = {c: n + int(strategy.get(c, 0)) for c, n in counts_before.items()}
    return StreamPlan(
        sampler,
        target,
        collect[target.encoded],
        counts_before,
        counts_after,
        int(sampler.n_samples_out_),
        int(sum(strategy.values())),
    )
