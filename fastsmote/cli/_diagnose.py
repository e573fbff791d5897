"""``fastsmote diagnose INPUT --target COL``: class counts and the overlap report."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._validation import NeighborCountError
from ._columns import add_drop_option, integer_id_warnings, non_numeric_message, resolve_roles
from ._common import EXIT_CLASSES, EXIT_OK, CommandError, emit, run_guarded, warn
from ._progress import progress_display


def add_parser(sub: Any) -> None:
    """Add the ``diagnose`` sub-command."""
    p = sub.add_parser(
        "diagnose",
        help="class counts and class overlap of a Parquet or CSV file",
        description=(
            "Read INPUT (Parquet or CSV) and describe its classes: counts, how each "
            "class's rows sit among the others, and where SMOTE's rows would land (see "
            "fastsmote.diagnostics.overlap_report). The features are used as they are in "
            "the file: standardise them first if their units differ (the report warns). "
            "Whether resampling helps a model depends on the model as well: measure it "
            "with fastsmote.diagnostics.compare_strategies."
        ),
    )
    p.add_argument("input", help="input table (.parquet or .csv; or see --format)")
    p.add_argument("--target", required=True, metavar="COL", help="the class label column")
    p.add_argument("--k", type=int, default=5, help="neighbours per row (default 5)")
    p.add_argument(
        "--smote-k",
        type=int,
        default=5,
        metavar="K",
        help="k_neighbors of the simulated SMOTE (default 5, as SMOTE's)",
    )
    add_drop_option(p)
    p.add_argument(
        "--scale",
        action="store_true",
        help="standardise the features (mean 0, standard deviation 1) before the "
        "neighbour search; the report says so",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--format", choices=["parquet", "csv"], default=None, help="input format")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")


def run(args: argparse.Namespace) -> int:
    """Run ``fastsmote diagnose``; return the exit code."""
    return run_guarded(lambda: _diagnose(args))


def _k_flag_error(error: NeighborCountError) -> CommandError:
    """Rows too few for ``--k`` (each row's neighbours among all rows) or ``--smote-k``
    (a class SMOTE would over-sample), said with the option."""
    most = error.n_rows - 1
    if error.param == "n_neighbors":
        return CommandError(
            f"the table has {error.n_rows:,} rows but --k {error.n_neighbors} needs at "
            f"least {error.n_neighbors + 1}: use --k {most} or lower.",
            EXIT_CLASSES,
        )
    fix = f"use --smote-k {most} or lower" if most >= 1 else "gather more rows"
    return CommandError(
        f"{error.where} has {error.n_rows} row(s) but --smote-k {error.n_neighbors} needs "
        f"at least {error.n_neighbors + 1} (SMOTE refuses this class): {fix}.",
        EXIT_CLASSES,
    )


def _diagnose(args: argparse.Namespace) -> int:
    try:
        from .. import io
    except ImportError as error:
        raise CommandError(
            f"reading tables needs pyarrow and pandas ({error}); pip install 'fastsmote[io]'"
        ) from None
    from .._progress import phase
    from ..diagnostics import SCALE_RATIO, overlap_report

    if args.k < 1:
        raise CommandError(f"--k must be >= 1, got {args.k}")
    if args.smote_k < 1:
        raise CommandError(f"--smote-k must be >= 1, got {args.smote_k}")
    with progress_display(args.quiet) as display:
        in_format = io.detect_format(args.input, args.format)
        with phase("reading" if in_format == "csv" else "opening"):  # CSV is parsed whole
            source = io.InputTable(args.input, in_format)
        roles = resolve_roles(args, source)
        bad = io.non_numeric_columns(source.schema, (args.target,))
        if bad:
            raise io.NonNumericColumnsError(
                non_numeric_message(
                    source, bad, "diagnose", "the overlap report measures distances between rows"
                )
            )
        for text in integer_id_warnings(
            source, roles.features, "diagnose", "used in neighbour distances"
        ):
            warn(text, display)
        source.check_read_fits("Use a machine with more memory, or a sample of the rows.")
        table = source.read()
        io.check_labels(table.column(args.target), args.target)
        frame = table.replace_schema_metadata(None).to_pandas()
        del table
        X, y = frame.drop(columns=[args.target]), frame[args.target]
        del frame
        scaling = {"standardised": False}
        if args.scale:
            X, scaling = _standardised(X)
        with phase("overlap report"):
            try:
                report = overlap_report(X, y, n_neighbors=args.k, smote_k_neighbors=args.smote_k)
            except NeighborCountError as error:
                raise _k_flag_error(error) from None
    if args.json:
        data = report.to_dict()
        data["scaling"] = scaling
        emit(json.dumps(data, indent=2))
        return EXIT_OK
    lines = [report.to_text()]
    if args.scale:
        before = scaling["std_ratio_before"]
        lines.insert(
            0,
            "Features standardised (--scale): each feature centred and divided by its "
            "standard deviation before the neighbour search"
            + (
                ""
                if before is None
                else f" (their standard deviations differ by a factor "
                f"of {before:,.0f} in the file)"
            )
            + ".\n",
        )
    elif report.feature_scale.get("std_ratio", 1.0) > SCALE_RATIO:
        lines.append(
            "\nThe features' scales differ (see the warning above): --scale standardises "
            "them before the neighbour search."
        )
    emit("\n".join(lines))
    return EXIT_OK


def _standardised(X: Any) -> tuple[Any, dict]:
    """Each feature centred and divided by its standard deviation (constant features
    centred only); the record of what was done for the report."""
    import numpy as np
    import pandas as pd

    from .._memory import check_fits
    from .._validation import std_exponents

    dtype = np.float32 if all(t == np.float32 for t in X.dtypes) else np.float64
    check_fits(
        X.shape[0] * X.shape[1] * np.dtype(dtype).itemsize,
        f"The standardised features ({X.shape[0]:,} rows x {X.shape[1]})",
        "Standardise a sample of the rows, or run without --scale.",
    )
    values = X.to_numpy(dtype=dtype, copy=True)
    # columns of extreme magnitude are scaled by a power of two first (exact): their
    # squares would underflow or overflow; standardised, the values are the same
    exponent = std_exponents(values.max(axis=0), values.min(axis=0))
    if exponent.any():
        np.ldexp(values, -exponent, out=values)
    mean = values.mean(axis=0, dtype=np.float64)
    values -= mean.astype(dtype)
    squares = np.zeros(values.shape[1])
    for start in range(0, values.shape[0], 1 << 16):  # bounded temporaries
        squares += np.square(values[start : start + (1 << 16)], dtype=np.float64).sum(axis=0)
    std = np.sqrt(squares / values.shape[0])
    varying = std > 0
    values /= np.where(varying, std, 1.0).astype(dtype)
    true_std = np.ldexp(std, exponent)
    ratio = (
        float(true_std[varying].max() / true_std[varying].min()) if varying.sum() >= 2 else None
    )
    scaled = pd.DataFrame(values, columns=X.columns, index=X.index, copy=False)
    return scaled, {"standardised": True, "std_ratio_before": ratio}
