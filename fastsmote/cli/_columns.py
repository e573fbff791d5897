"""The columns of a table by role (``--target``, ``--passthrough``, ``--drop``), and
what the commands say about columns a method cannot use.

Every hint names only options of the command that prints it (``command`` below);
``tests/test_cli_columns.py`` checks each against the command's parser.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from typing import Any

from ._common import CommandError

#: Rows read from the start of a column to tell an id from a category.
SAMPLE_ROWS = 100_000
#: An integer feature with a distinct value in each of at least this many sampled rows
#: is reported as a likely id (fewer rows prove little).
ID_MIN_ROWS = 1000


def column_list(text: str) -> list[str]:
    """argparse type: ``a,b,c`` -> ``["a", "b", "c"]``."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"empty column name in {text!r}")
    return names


def add_drop_option(p: Any) -> None:
    """``--drop COLS`` (every batch command)."""
    p.add_argument(
        "--drop",
        type=column_list,
        action="extend",
        default=[],
        metavar="COLS",
        help="comma-separated columns to leave out (repeatable)",
    )


def add_passthrough_option(p: Any) -> None:
    """``--passthrough COLS`` (commands that write a table)."""
    p.add_argument(
        "--passthrough",
        type=column_list,
        action="extend",
        default=[],
        metavar="COLS",
        help="comma-separated columns to carry through unchanged, not as features "
        "(ids, keys): null in the rows the method adds (repeatable)",
    )


@dataclass
class Roles:
    """The columns of the input by role, named columns checked."""

    target: str
    features: list[str]
    passthrough: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def record(self, synthetic_column: str | None = None) -> dict:
        """The roles for the resampling record."""
        return {
            "target": self.target,
            "features": list(self.features),
            "passthrough": list(self.passthrough),
            "dropped": list(self.dropped),
            "synthetic_column": synthetic_column,
        }


def resolve_roles(args: argparse.Namespace, source: Any) -> Roles:
    """Check ``--target``, ``--passthrough`` and ``--drop`` against ``source`` and leave
    the dropped columns out of it.

    Raises
    ------
    MissingColumnError
        A named column is not in the input, or several columns have its name (exit 5).
    CommandError
        The target in ``--passthrough`` or ``--drop``, a column in both or twice, or
        no feature column left (exit 2).
    """
    target = args.target
    passthrough = list(getattr(args, "passthrough", []))
    dropped = list(args.drop)
    source.field(target)
    for option, names in (("--passthrough", passthrough), ("--drop", dropped)):
        for name in names:
            source.field(name)
            if name == target:
                raise CommandError(
                    f"{option} names the target column {target!r}; the target is always "
                    "kept (it is the label column)"
                )
            if names.count(name) > 1:
                raise CommandError(f"{option} names column {name!r} more than once")
    both = [name for name in passthrough if name in dropped]
    if both:
        raise CommandError(
            f"column {both[0]!r} is named by both --passthrough and --drop; a column is "
            "either carried through or left out"
        )
    source.drop_columns(dropped)
    features = [c for c in source.columns if c != target and c not in passthrough]
    if not features:
        options = "--passthrough and --drop" if passthrough else "--drop"
        raise CommandError(
            f"no feature column is left: every column but the target is named by {options}"
        )
    return Roles(target, features, passthrough, dropped)


# --------------------------------------------------------------------------- what to say
def _names(columns: list[str]) -> str:
    return ", ".join(repr(c) for c in columns)


def _flag(option: str, columns: list[str]) -> str:
    return f"{option} {shlex.quote(','.join(columns))}"


def _sample(n_rows: int) -> str:
    return "its rows" if n_rows < SAMPLE_ROWS else f"the first {n_rows:,} rows"


def _id_detail(distinct: int, n_rows: int) -> str:
    if distinct == n_rows:
        return f"a different value in each of {_sample(n_rows)}"
    return f"{distinct:,} different values in {_sample(n_rows)}"


def looks_like_id(distinct: int, n_rows: int) -> bool:
    """More distinct values than half the rows: an id, a key or free text, not a
    category (whose values repeat)."""
    return n_rows > 0 and 2 * distinct > n_rows


def _distinct(source: Any, name: str) -> tuple[int, int] | None:
    """``(distinct values, rows read)`` of a column; None for a repeated name."""
    if source.columns.count(name) > 1:
        return None
    return source.distinct_count(name, SAMPLE_ROWS)


def _they(columns: list[str], one: str, many: str) -> str:
    return one if len(columns) == 1 else many


def non_numeric_message(source: Any, columns: list[str], command: str, what: str) -> str:
    """The error for feature columns that are not numeric: which look like ids (carry
    them through or drop them) and which like categories (encode them, or SMOTE-NC
    where ``command`` is resample).

    ``what``: why the method needs numbers, e.g. "--method smote interpolates features".
    """
    ids, others, details = [], [], {}
    for name in columns:
        counts = _distinct(source, name)
        if counts is not None and looks_like_id(*counts):
            ids.append(name)
            details[name] = _id_detail(*counts)
        else:
            others.append(name)
            details[name] = (
                "several columns have this name"
                if counts is None
                else f"{counts[0]:,} values in {_sample(counts[1])}"
            )
    parts = [
        f"non-numeric feature column(s) {_names(columns)}: {what}, so every feature must "
        "be numeric."
    ]
    if ids:
        it = _they(ids, "it", "them")
        advice = f"leave {it} out with {_flag('--drop', ids)}"
        if command == "resample":
            advice = (
                f"carry {it} through unchanged with {_flag('--passthrough', ids)}, or " + advice
            )
        found = "; ".join(
            f"{details[n]}" if len(ids) == 1 else f"{n!r}: {details[n]}" for n in ids
        )
        looks = _they(ids, "looks like an id", "look like ids")
        parts.append(f"{_names(ids)} {looks} ({found}): {advice}.")
    if others:
        it = _they(others, "it", "them")
        if command == "resample":
            advice = (
                f"encode {it} as numbers, or use --method smotenc, which interpolates the "
                "numeric columns and takes each categorical value from the neighbours"
            )
        else:
            advice = f"encode {it} as numbers, or leave {it} out with {_flag('--drop', others)}"
        found = "; ".join(
            f"{details[n]}" if len(others) == 1 else f"{n!r}: {details[n]}" for n in others
        )
        looks = _they(others, "looks categorical", "look categorical")
        parts.append(f"{_names(others)} {looks} ({found}): {advice}.")
    return " ".join(parts)


def categorical_ids_message(source: Any, columns: list[str]) -> str | None:
    """``resample --method smotenc`` without ``--categorical``: the error for
    non-numeric columns that look like ids (SMOTE-NC would give synthetic rows real
    ids), or None."""
    ids, details = [], []
    for name in columns:
        counts = _distinct(source, name)
        if counts is not None and looks_like_id(*counts):
            ids.append(name)
            details.append(f"{name!r}: {_id_detail(*counts)}")
    if not ids:
        return None
    it = _they(ids, "it", "them")
    looks = _they(ids, "it looks like an id", "they look like ids")
    return (
        f"--method smotenc would treat {_names(ids)} as categorical, but {looks} "
        f"({'; '.join(details)}): synthetic rows would copy real ids from their "
        f"neighbours. Carry {it} through unchanged with {_flag('--passthrough', ids)} or "
        f"leave {it} out with {_flag('--drop', ids)}; to treat {it} as categorical all "
        "the same, name the categorical columns with --categorical COLS"
    )


def integer_id_warnings(source: Any, features: list[str], command: str, use: str) -> list[str]:
    """Warnings for integer features with a different value in every sampled row, as
    ids have (``use``: what the command does with a feature, e.g. "interpolated and
    used in distances")."""
    import pyarrow as pa

    warnings = []
    for column in source.schema:
        name = column.name
        if name not in features or source.columns.count(name) > 1:
            continue  # a repeated name cannot be read alone (nor named in an option)
        if not pa.types.is_integer(column.type):
            continue
        distinct, n_rows = source.distinct_count(name, SAMPLE_ROWS)
        if n_rows < ID_MIN_ROWS or distinct != n_rows:
            continue
        if command == "resample":
            advice = (
                f"carry it through unchanged with {_flag('--passthrough', [name])} or leave "
                f"it out with {_flag('--drop', [name])}"
            )
        else:
            advice = f"leave it out with {_flag('--drop', [name])}"
        warnings.append(
            f"integer column {name!r} holds {_id_detail(distinct, n_rows)}, as an id does; "
            f"it is a feature here ({use}). If it is an id, {advice}."
        )
    return warnings


def scale_warning(feature_std: list, ratio: float) -> str | None:
    """``resample``: a warning when the features' standard deviations differ by more
    than ``ratio`` (neighbours are then chosen by the widest features), or None."""
    varying = [(name, std) for name, std in feature_std if std > 0]
    if len(varying) < 2:
        return None
    largest = max(varying, key=lambda item: item[1])
    smallest = min(varying, key=lambda item: item[1])
    factor = largest[1] / smallest[1]
    if factor <= ratio:
        return None
    wide = [name for name, std in varying if std > ratio * smallest[1]]
    if factor >= 1e6:
        shown = f"{factor:.1e}"
    else:
        shown = f"{factor:,.0f}" if factor >= 100 else f"{factor:.1f}"
    return (
        f"the features' standard deviations differ by a factor of {shown} (largest "
        f"{largest[0]!r}, smallest {smallest[0]!r}; over {ratio:g} times the smallest: "
        f"{_names(wide[:10])}{' ...' if len(wide) > 10 else ''}), so the nearest "
        "neighbours were decided mostly by those columns. Standardise the features first "
        "if their units differ; `fastsmote diagnose --scale` shows how much the "
        "neighbourhoods change"
    )
