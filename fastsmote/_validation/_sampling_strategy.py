"""``sampling_strategy`` resolved into exact per-class row counts, as in imbalanced-learn."""

from __future__ import annotations

import numbers
from collections import OrderedDict
from typing import Any

import numpy as np

from ._target import Target

SAMPLING_TYPES = ("over-sampling", "under-sampling", "clean-sampling")
_STRATEGY_STRINGS = ("minority", "majority", "not minority", "not majority", "all", "auto")


def check_sampling_strategy(
    sampling_strategy: Any, target: Target, sampling_type: str
) -> OrderedDict:
    """Resolve ``sampling_strategy`` into ``{class: n_samples}`` like imbalanced-learn.

    For over-sampling the values are the numbers of rows to *generate*; for
    under-sampling the numbers of rows to *keep*. Keys are sorted.
    """
    if sampling_type not in SAMPLING_TYPES:
        raise ValueError(f"sampling_type must be one of {SAMPLING_TYPES}, got {sampling_type!r}")
    stats = target.class_counts()
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in _STRATEGY_STRINGS:
            raise ValueError(
                f"When 'sampling_strategy' is a string, it needs to be one of "
                f"{_STRATEGY_STRINGS}. Got '{sampling_strategy}' instead."
            )
        result = _strategy_from_string(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, dict):
        result = _strategy_from_dict(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, list):
        if sampling_type != "clean-sampling":
            raise ValueError(
                "'sampling_strategy' cannot be a list for samplers which are not cleaning methods."
            )
        _check_known_classes(sampling_strategy, stats)
        result = {c: min(stats.values()) for c in sampling_strategy}
    elif isinstance(sampling_strategy, numbers.Real) and not isinstance(sampling_strategy, bool):
        result = _strategy_from_float(float(sampling_strategy), stats, sampling_type)
    elif callable(sampling_strategy):
        result = _strategy_from_dict(sampling_strategy(target.labels), stats, sampling_type)
    else:
        raise ValueError(
            "'sampling_strategy' must be a float, a str, a dict or a callable; "
            f"got {sampling_strategy!r}."
        )
    return OrderedDict(sorted(result.items()))


def _strategy_from_string(name: str, stats: dict, sampling_type: str) -> dict:
    n_max, n_min = max(stats.values()), min(stats.values())
    # max()/min() over the sorted labels: the first class wins ties, like imbalanced-learn.
    majority = max(stats, key=stats.get)
    minority = min(stats, key=stats.get)
    if name == "auto":
        name = "not majority" if sampling_type == "over-sampling" else "not minority"
    over = sampling_type == "over-sampling"
    if name == "majority" and over:
        raise ValueError("'sampling_strategy'='majority' cannot be used with over-sampler.")
    if name == "minority" and not over:
        raise ValueError(
            "'sampling_strategy'='minority' cannot be used with under-sampler and clean-sampler."
        )
    targeted = {
        "minority": [minority],
        "majority": [majority],
        "not minority": [c for c in stats if c != minority],
        "not majority": [c for c in stats if c != majority],
        "all": list(stats),
    }[name]
    if over:
        return {c: n_max - stats[c] for c in targeted}
    return {c: n_min for c in targeted}


def _check_known_classes(classes: Any, stats: dict) -> None:
    unknown = set(classes) - set(stats)
    if unknown:
        raise ValueError(f"The {unknown} target class is/are not present in the data.")


def _strategy_from_dict(wanted: Any, stats: dict, sampling_type: str) -> dict:
    if not isinstance(wanted, dict):
        raise ValueError(
            f"A callable 'sampling_strategy' must return a dict; it returned {wanted!r}."
        )
    _check_known_classes(wanted, stats)
    for c, n in wanted.items():
        # a count is never rounded or truncated: 100.5 rows has no meaning
        if not isinstance(n, numbers.Integral) or isinstance(n, (bool, np.bool_)):
            raise ValueError(
                "The number of samples in a class must be an int; 'sampling_strategy' "
                f"asks for {n!r} samples of class {c!r}. Give whole numbers of rows, "
                "e.g. int(round(n))."
            )
    if any(n < 0 for n in wanted.values()):
        raise ValueError(
            "The number of samples in a class cannot be negative."
            f"'sampling_strategy' contains some negative value: {wanted}"
        )
    if sampling_type == "clean-sampling":
        raise ValueError(
            "'sampling_strategy' as a dict for cleaning methods is not supported. "
            "Please give a list of the classes to be targeted by the sampling."
        )
    result = {}
    for c, n in wanted.items():
        if sampling_type == "over-sampling" and n < stats[c]:
            raise ValueError(
                "With over-sampling methods, the number of samples in a class should be "
                f"greater or equal to the original number of samples. Originally, there "
                f"is {stats[c]} samples and {n} samples are asked."
            )
        if sampling_type == "under-sampling" and n > stats[c]:
            raise ValueError(
                "With under-sampling methods, the number of samples in a class should be "
                f"less or equal to the original number of samples. Originally, there is "
                f"{stats[c]} samples and {n} samples are asked."
            )
        result[c] = int(n - stats[c]) if sampling_type == "over-sampling" else int(n)
    return result


def _strategy_from_float(ratio: float, stats: dict, sampling_type: str) -> dict:
    if ratio <= 0 or ratio > 1:
        raise ValueError(
            "When 'sampling_strategy' is a float, it should be in the range (0, 1]. "
            f"Got {ratio} instead."
        )
    if len(stats) != 2:
        raise ValueError(
            '"sampling_strategy" can be a float only when the type of target is binary. '
            "For multi-class, use a dict."
        )
    if sampling_type == "clean-sampling":
        raise ValueError(
            "'clean-sampling' methods do not let the user specify the sampling ratio: give "
            "the classes to clean as a list, or a str such as 'auto'."
        )
    if sampling_type == "over-sampling":
        n_max = max(stats.values())
        majority = max(stats, key=stats.get)
        result = {c: int(n_max * ratio - n) for c, n in stats.items() if c != majority}
        if any(n <= 0 for n in result.values()):
            raise ValueError(
                "The specified ratio required to remove samples from the minority class "
                "while trying to generate new samples. Please increase the ratio."
            )
        return result
    n_min = min(stats.values())
    minority = min(stats, key=stats.get)
    result = {c: int(n_min / ratio) for c in stats if c != minority}
    if any(n > stats[c] for c, n in result.items()):
        raise ValueError(
            "The specified ratio required to generate new sample in the majority class "
            "while trying to remove samples. Please increase the ratio."
        )
    return result
