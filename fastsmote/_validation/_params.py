"""Parameter rules: the accepted forms of each parameter, one message for every bad value,
and neighbour counts checked against the rows they search."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._sampling_strategy import _STRATEGY_STRINGS


@dataclass(frozen=True)
class Constraint:
    """One accepted form of a parameter: a predicate and how to describe it."""

    accepts: Callable[[Any], bool]
    description: str


def int_in_range(low: int, high: int | None = None) -> Constraint:
    def accepts(v):
        return (
            isinstance(v, numbers.Integral)
            and not isinstance(v, bool)
            and v >= low
            and (high is None or v <= high)
        )

    upper = "inf)" if high is None else f"{high}]"
    return Constraint(accepts, f"an int in the range [{low}, {upper}")


def has_methods(*names: str) -> Constraint:
    quoted = [repr(n) for n in names]
    listed = quoted[0] if len(names) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return Constraint(
        lambda v: all(callable(getattr(v, n, None)) for n in names),
        "an object implementing " + listed,
    )


def one_of(*options: Any) -> Constraint:
    listed = "{" + ", ".join(repr(o) for o in options) + "}"  # in a fixed order
    return Constraint(lambda v: isinstance(v, str) and v in options, f"a str among {listed}")


FLOAT_RATIO = Constraint(
    lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 < v <= 1,
    "a float in the range (0, 1]",
)
DICT = Constraint(lambda v: isinstance(v, dict), "a dict")
LIST = Constraint(lambda v: isinstance(v, list), "a list of classes")
CALLABLE = Constraint(callable, "a callable")
NONE = Constraint(lambda v: v is None, "None")
RANDOM_STATE = Constraint(
    lambda v: (
        v is None
        or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0)
        or isinstance(v, (np.random.RandomState, np.random.Generator))
    ),
    "None, a non-negative int, a numpy RandomState or Generator",
)
N_JOBS = Constraint(
    lambda v: (
        v is None or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v != 0)
    ),
    "None or a non-zero int (-1: all cores)",
)
SAMPLING_STRATEGY = [
    FLOAT_RATIO,
    one_of(*_STRATEGY_STRINGS),
    DICT,
    CALLABLE,
]


def check_params(estimator: Any, constraints: dict[str, list[Constraint]]) -> None:
    """Raise a ``ValueError`` naming the first parameter that fits none of its forms."""
    for name, allowed in constraints.items():
        value = getattr(estimator, name)
        if not any(c.accepts(value) for c in allowed):
            forms = [c.description for c in allowed]
            text = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]
            raise ValueError(
                f"The {name!r} parameter of {type(estimator).__name__} must be {text}. "
                f"Got {value!r} instead."
            )


def neighbors_asked(spec: Any) -> int | None:
    """How many neighbours (the row itself not counted) an int or an estimator asks for.

    An estimator's ``n_neighbors`` counts the row itself, as in imbalanced-learn. None
    when the estimator does not say (no int ``n_neighbors`` attribute).
    """
    if isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
        return int(spec)
    n = getattr(spec, "n_neighbors", None)
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        return int(n) - 1
    return None


class NeighborCountError(ValueError):
    """Rows too few for the neighbour count asked: ``where`` has ``n_rows`` rows, the
    parameter ``param`` asks for ``n_neighbors``; the search needs ``needed`` rows and at
    most ``most`` neighbours work (``n_neighbors + 1`` and ``n_rows - 1`` when each row is
    searched among the others, ``n_neighbors`` and ``n_rows`` among rows of another
    class: ``among_others=False``), and ``advice`` says what to do when none does. A
    command line names its own option from these."""

    def __init__(
        self,
        message: str,
        param: str,
        n_neighbors: int,
        n_rows: int,
        where: str,
        advice: str,
        among_others: bool = True,
    ):
        super().__init__(message)
        self.param, self.n_neighbors, self.n_rows = param, n_neighbors, n_rows
        self.where, self.advice = where, advice
        self.needed = n_neighbors + 1 if among_others else n_neighbors
        self.most = n_rows - 1 if among_others else n_rows


class UnsuitedDataError(RuntimeError):
    """The data do not suit the method as configured (e.g. no cluster holds enough rows
    of a class): a ``RuntimeError``, as imbalanced-learn raises there, that a command
    line reports as a problem of the classes, not as an internal error."""


def check_neighbor_count(
    spec: Any, name: str, n_rows: int, where: str, one_row_advice: str = ""
) -> None:
    """Raise unless ``n_rows`` rows hold a row and the neighbours ``spec`` asks for.

    A neighbour count is never lowered to fit the data: the message names the parameter,
    ``where`` the rows are searched (e.g. ``"Class 1"``, ``"X"``), their number and the
    largest value that works (``one_row_advice`` when one row leaves none).
    """
    k = neighbors_asked(spec)
    if k is None:
        return
    if isinstance(spec, numbers.Integral):
        asked, fix = f"{name}={k}", f"use {name} <= {n_rows - 1}"
    else:
        asked, fix = f"{name}={spec!r}", f"give the estimator n_neighbors <= {n_rows}"
        if k < 1:
            raise ValueError(
                f"{asked} asks for no neighbour: an estimator's n_neighbors counts the row "
                "itself, so it must be 2 or more."
            )
    if k + 1 <= n_rows:
        return
    if n_rows < 2 and one_row_advice:
        fix = one_row_advice
    raise NeighborCountError(
        f"{where} has {n_rows} row(s) but {asked} needs at least {k + 1}: {fix}.",
        name, k, n_rows, where, one_row_advice,
    )  # fmt: skip
