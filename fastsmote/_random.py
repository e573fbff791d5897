"""Random keys and counter-based draws.

A sampler turns its ``random_state`` into one 64-bit *key* (:func:`key_from_random_state`).
Every random number a kernel uses is then a pure function of ``(key, stream, counter)``:
SplitMix64's output function applied to ``key + counter * golden_gamma``. Each class to
resample gets its own *stream* (its position in the sorted class labels) and each draw
its own *counter* (derived from the global index of the synthetic row), so the output
does not depend on thread count, chunk size or partitioning, and classes never share
random numbers.

Stream numbers are registered below (:data:`STREAMS`), each under a name saying what it
draws; a foreign library (pynndescent, scikit-learn's splitters) gets an int seed from a
key through :func:`foreign_seed` only.

Changing anything here changes every result: bump :data:`RNG_VERSION` when you do.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._numba import jit

#: Version of the draw scheme, recorded with results so they can be reproduced.
RNG_VERSION = 2

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_STREAM_GAMMA = np.uint64(0xD1B54A32D192ED03)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S32, _S11 = np.uint64(32), np.uint64(11)
_TWO_POW_M53 = 1.0 / 9007199254740992.0


@jit(inline="always")
def mix64(z):
    """SplitMix64 output function (a bijective avalanche mix of a uint64)."""
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@jit(inline="always")
def kernel_stream_key(key, stream):
    """:func:`stream_key` for use inside kernels (returns the kernel's uint64)."""
    return mix64(np.uint64(key) ^ mix64(np.uint64(stream + 1) * _STREAM_GAMMA))


def stream_key(key: np.uint64 | int, stream: int) -> np.uint64:
    """Key of the independent stream number ``stream`` derived from ``key``.

    Parameters
    ----------
    key : numpy.uint64 or int
        A sampler key (:func:`key_from_random_state`) or a stream key.
    stream : int
        A stream number: see :data:`STREAMS` for what each number draws.

    Returns
    -------
    numpy.uint64
    """
    return np.uint64(kernel_stream_key(np.uint64(key), stream))


# --------------------------------------------------------------------------- streams
# Streams of a sampler key: ``stream_key(key, n)``.
def class_stream(class_index: int) -> int:
    """Stream of a class's draws (SMOTE family, RandomUnderSampler): its position in
    the sorted class labels."""
    return class_index


def copy_stream(class_index: int) -> int:
    """RandomOverSampler: stream of the rows a class copies."""
    return 2 * class_index


def shrinkage_stream(class_index: int) -> int:
    """RandomOverSampler: stream of a class's smoothed-bootstrap noise."""
    return 2 * class_index + 1


#: Streams ``0, 1, ...`` of the key of a cross-validation run seed its folds' samplers
#: (fold ``i``: stream ``i``); this one seeds the fold assignment.
FOLD_SPLIT_STREAM = 1_000_000

# Sub-streams of a class key: ``stream_key(class_key, n)``.
#: Borderline-SMOTE-2: the draw that halves a gap towards another class.
DAMP_STREAM = 1
#: SMOTE-NC: the draw that breaks a tie between equally frequent categories.
TIE_STREAM = 2
#: Borderline-SMOTE and ADASYN: key of the approximate graph among all rows.
ALL_ROWS_GRAPH_STREAM = 3
#: SMOTE family: key of the approximate graph among the class's rows.
CLASS_GRAPH_STREAM = 4
#: CondensedNearestNeighbour: the seed rows of the class's store.
CNN_SEED_STREAM = 5
#: OneSidedSelection: the seed rows of the class's store.
OSS_SEED_STREAM = 6
#: InstanceHardnessThreshold: key of its one cross-validation over all classes (a
#: sub-stream of class 0's key); its streams below seed the splitter and the classifier.
HARDNESS_STREAM = 7
#: ClusterCentroids: seed of the clustering estimator fitted on the class's rows.
CLUSTERING_STREAM = 8
#: SVMSMOTE: the Beta(10, 10) share of a class's rows that interpolate (draws 0..18).
SVM_SPLIT_STREAM = 9
#: SVMSMOTE: seed of the default SVC (key of the first class over-sampled).
SVM_SEED_STREAM = 10
#: KMeansSMOTE: seed of the default MiniBatchKMeans (key of the first class over-sampled).
KMEANS_SEED_STREAM = 11
#: KMeansSMOTE: first stream of :func:`cluster_graph_stream`, above the fixed ones.
CLUSTER_GRAPH_STREAM = 1_000_000


def cluster_graph_stream(cluster: int) -> int:
    """KMeansSMOTE: key of the approximate graph among the class's rows of one cluster
    (``cluster``: its position in the sorted cluster labels)."""
    return CLUSTER_GRAPH_STREAM + cluster


# Streams of InstanceHardnessThreshold's cross-validation key.
#: Seed of the ``StratifiedKFold`` made for an int ``cv``.
HARDNESS_SPLITTER_STREAM = 0
#: Key of the classifier's seeds: its j-th unset ``random_state`` (by name) gets stream j.
HARDNESS_CLASSIFIER_STREAM = 1


# Streams of an ensemble's key (fastsmote.ensemble): ``stream_key(ensemble_key, n)``.
def ensemble_estimator_stream(estimator_index: int) -> int:
    """Key of an ensemble's ``estimator_index``-th estimator (its position in
    ``estimators_``)."""
    return estimator_index


# Streams of an ensemble estimator's key.
#: The key its sampler draws from (given to it as ``random_state``).
ESTIMATOR_SAMPLER_STREAM = 0
#: scikit-learn's draw of its bagged rows and features (an int seed).
ESTIMATOR_ROWS_STREAM = 1
#: Its classifier's ``random_state`` (an int seed; a tree's splitter, a booster).
ESTIMATOR_MODEL_STREAM = 2

# Streams of an overlap report's key.
#: Key of the approximate graph among all rows.
REPORT_GRAPH_STREAM = 0

# Streams of an NN-descent graph key (used inside the graph kernels).
#: Random-projection tree ``t``: stream ``TREE_STREAM * TREE_STRIDE + t``.
TREE_STREAM, TREE_STRIDE = 1, 1_000_003
#: Random fill of the lists the trees left short.
FILL_STREAM = 2
#: Candidate sampling; round ``r`` uses stream ``r`` of this stream's key.
SAMPLE_STREAM = 3

#: Every registered stream, by name: ``(scope, number)``. A number means something only
#: within its scope (the key it derives from); callables map a class index or fold.
STREAMS = {
    "class": ("sampler key", class_stream),
    "random-over copy": ("sampler key", copy_stream),
    "random-over shrinkage": ("sampler key", shrinkage_stream),
    "fold sampler": ("cross-validation key", lambda fold: fold),
    "fold split": ("cross-validation key", FOLD_SPLIT_STREAM),
    "fold nested random_state": ("fold sampler key", lambda position: position),
    "damp": ("class key", DAMP_STREAM),
    "tie": ("class key", TIE_STREAM),
    "all-rows graph": ("class key", ALL_ROWS_GRAPH_STREAM),
    "class graph": ("class key", CLASS_GRAPH_STREAM),
    "svm split": ("class key", SVM_SPLIT_STREAM),
    "svm seed": ("class key", SVM_SEED_STREAM),
    "kmeans seed": ("class key", KMEANS_SEED_STREAM),
    "kmeans cluster graph": ("class key", cluster_graph_stream),
    "condensed-nn seeds": ("class key", CNN_SEED_STREAM),
    "one-sided-selection seeds": ("class key", OSS_SEED_STREAM),
    "hardness cross-validation": ("class key", HARDNESS_STREAM),
    "clustering": ("class key", CLUSTERING_STREAM),
    "hardness splitter": ("hardness key", HARDNESS_SPLITTER_STREAM),
    "hardness classifier": ("hardness key", HARDNESS_CLASSIFIER_STREAM),
    "ensemble estimator": ("ensemble key", ensemble_estimator_stream),
    "estimator sampler": ("ensemble estimator key", ESTIMATOR_SAMPLER_STREAM),
    "estimator rows": ("ensemble estimator key", ESTIMATOR_ROWS_STREAM),
    "estimator model": ("ensemble estimator key", ESTIMATOR_MODEL_STREAM),
    "report graph": ("overlap report key", REPORT_GRAPH_STREAM),
    "graph tree": ("graph key", lambda t: TREE_STREAM * TREE_STRIDE + t),
    "graph fill": ("graph key", FILL_STREAM),
    "graph sample": ("graph key", SAMPLE_STREAM),
}


def foreign_seed(key: np.uint64 | int, *, bits: int = 31, end: str = "high") -> int:
    """A non-negative int seed of ``bits`` bits taken from a 64-bit key, for a library
    that wants an int (pynndescent, scikit-learn's splitters, NumPy).

    Parameters
    ----------
    key : numpy.uint64 or int
        Usually a stream key (:func:`stream_key`) dedicated to that library's use.
    bits : int, default=31
        Width of the seed, 1 to 64 (31 fits every signed 32-bit API; 64 is the whole
        key, as entropy for :class:`numpy.random.SeedSequence`).
    end : {"high", "low"}, default="high"
        Take the key's top bits (the best mixed), or its low bits (where results already
        depend on them).

    Returns
    -------
    int
    """
    key = np.uint64(key)
    if not 1 <= bits <= 64:
        raise ValueError(f"bits must be in 1..64, got {bits!r}")
    if end == "high":
        return int(key >> np.uint64(64 - bits))
    if end == "low":
        return int(key) & ((1 << bits) - 1)
    raise ValueError(f"end must be 'high' or 'low', got {end!r}")


@jit(inline="always")
def draw_uint64(key, counter):
    """The ``counter``-th uint64 of the stream ``key``."""
    return mix64(np.uint64(key) + np.uint64(counter + 1) * _GOLDEN_GAMMA)


@jit(inline="always")
def uint64_below(z, n):
    """Map a uint64 draw to ``[0, n)`` using its top 32 bits (``n < 2**32``).

    Multiply-shift instead of modulo: no division, and the bias is below
    ``n / 2**32`` (under 1e-4 for a million-row class).
    """
    return np.int64(((z >> _S32) * np.uint64(n)) >> _S32)


@jit(inline="always")
def uint64_to_unit(z):
    """Map a uint64 draw to a float64 in ``[0, 1)`` with 53 random bits."""
    return np.float64(z >> _S11) * _TWO_POW_M53


def key_from_random_state(random_state) -> np.uint64:
    """Turn a scikit-learn style ``random_state`` into a 64-bit key.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        ``None`` draws fresh OS entropy; a non-negative int is hashed through
        :class:`numpy.random.SeedSequence`; a ``RandomState`` or ``Generator`` is
        advanced by one 64-bit draw (as scikit-learn estimators consume them).

    Returns
    -------
    key : numpy.uint64
    """
    if random_state is None:
        return np.random.SeedSequence().generate_state(1, np.uint64)[0]
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return np.random.SeedSequence(int(random_state)).generate_state(1, np.uint64)[0]
    if isinstance(random_state, np.random.RandomState):
        return np.frombuffer(random_state.bytes(8), dtype=np.uint64)[0]
    if isinstance(random_state, np.random.Generator):
        return random_state.integers(0, 2**64 - 1, dtype=np.uint64, endpoint=True)
    raise ValueError(
        "random_state must be None, a non-negative int, a numpy.random.RandomState "
        f"or a numpy.random.Generator; got {random_state!r}"
    )


@jit(inline="always")
def standard_normal(key, counter):
    """A standard normal draw (Box-Muller on draws ``2 * counter`` and ``2 * counter + 1``)."""
    u1 = 1.0 - uint64_to_unit(draw_uint64(key, 2 * counter))  # in (0, 1]: log is finite
    u2 = uint64_to_unit(draw_uint64(key, 2 * counter + 1))
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


#: Key of the approximate graphs of samplers that take no ``random_state`` (the
#: cleaners): fixed, so that their output is a function of the data alone.
FIXED_GRAPH_KEY = key_from_random_state(0)
