"""Dataset helpers: :func:`make_imbalance` (imbalanced-learn's ``imblearn.datasets``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._validation import RANDOM_STATE
from .under_sampling import RandomUnderSampler

__all__ = ["make_imbalance"]


def make_imbalance(
    X: Any,
    y: Any,
    *,
    sampling_strategy: Mapping | Any = None,
    random_state: Any = None,
    verbose: bool = False,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """Make a dataset imbalanced by keeping a random subset of rows of some classes.

    A drop-in for ``imblearn.datasets.make_imbalance``, resampling with
    :class:`fastsmote.RandomUnderSampler` (without replacement). The class counts are
    imbalanced-learn's; the kept rows differ from imbalanced-learn's for the same
    ``random_state`` (fastsmote's draws derive from a 64-bit key), and are the same for
    the same ``random_state``.

    Parameters
    ----------
    X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
        Not modified.
    y : array-like of shape (n_samples,)
        Class labels. Not modified.
    sampling_strategy : dict or callable
        ``{class: n_rows_to_keep}`` for the classes to reduce (others are kept whole),
        or a callable ``sampling_strategy(y, **kwargs)`` returning such a dict. A count
        larger than the class refuses with a ``ValueError``.
    random_state : None, int, RandomState or Generator, default=None
        Source of the key of the draws.
    verbose : bool, default=False
        Print the class counts before and after.
    **kwargs
        Keyword arguments given to a callable ``sampling_strategy``.

    Returns
    -------
    X_resampled : ndarray, DataFrame or sparse matrix of shape (n_samples_new, n_features)
        The kept rows, in ``X``'s container.
    y_resampled : ndarray or Series of shape (n_samples_new,)

    Examples
    --------
    >>> import numpy as np
    >>> from fastsmote import make_imbalance
    >>> X, y = np.zeros((30, 2)), np.repeat([0, 1, 2], 10)
    >>> X_res, y_res = make_imbalance(X, y, sampling_strategy={0: 2, 1: 5}, random_state=0)
    >>> np.bincount(y_res).tolist()
    [2, 5, 10]
    """
    if not isinstance(verbose, bool):
        raise ValueError(
            f"The 'verbose' parameter of make_imbalance must be a bool. Got {verbose!r} instead."
        )
    if not RANDOM_STATE.accepts(random_state):
        raise ValueError(
            "The 'random_state' parameter of make_imbalance must be "
            f"{RANDOM_STATE.description}. Got {random_state!r} instead."
        )
    if isinstance(sampling_strategy, Mapping):
        strategy = dict(sampling_strategy)
    elif callable(sampling_strategy):
        strategy = sampling_strategy(y, **kwargs)
        if not isinstance(strategy, Mapping):
            raise ValueError(
                "make_imbalance's callable sampling_strategy must return a dict "
                f"{{class: n_rows_to_keep}}; it returned {type(strategy).__name__}."
            )
        strategy = dict(strategy)
    else:
        raise ValueError(
            "The 'sampling_strategy' parameter of make_imbalance must be a dict "
            f"{{class: n_rows_to_keep}} or a callable returning one. Got {sampling_strategy!r} "
            "instead."
        )
    sampler = RandomUnderSampler(
        sampling_strategy=strategy, random_state=random_state, replacement=False
    )
    if verbose:
        print(f"The original target distribution in the dataset is: {_counter(y)}")
    X_res, y_res = sampler.fit_resample(X, y)
    if verbose:
        print(f"Make the dataset imbalanced: {_counter(y_res)}")
    return X_res, y_res


def _counter(y: Any) -> Counter:
    return Counter(np.asarray(y).tolist())
