"""``fastsmote diagnose INPUT --target COL``: class counts and the overlap report."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._common import EXIT_OK, CommandError, emit, progress_factory, run_guarded


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
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--format", choices=["parquet", "csv"], default=None, help="input format")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")


def run(args: argparse.Namespace) -> int:
    """Run ``fastsmote diagnose``; return the exit code."""
    return run_guarded(lambda: _diagnose(args))


def _diagnose(args: argparse.Namespace) -> int:
    try:
        from .. import io
    except ImportError as error:
        raise CommandError(
            f"reading tables needs pyarrow and pandas ({error}); pip install 'fastsmote[io]'"
        ) from None
    from ..diagnostics import overlap_report

    if args.k < 1:
        raise CommandError(f"--k must be >= 1, got {args.k}")
    if args.smote_k < 1:
        raise CommandError(f"--smote-k must be >= 1, got {args.smote_k}")
    source = io.InputTable(args.input, args.format)
    source.field(args.target)
    bad = io.non_numeric_columns(source.schema, (args.target,))
    if bad:
        raise io.NonNumericColumnsError(
            io._non_numeric_message(bad).replace(
                "this method interpolates features", "the overlap report measures distances"
            )
        )
    source.check_read_fits("Use a machine with more memory, or a sample of the rows.")
    progress = progress_factory(args.quiet)
    bar = progress("reading", source.num_rows)
    table = source.read()
    bar.close()
    io.check_labels(table.column(args.target), args.target)
    frame = table.replace_schema_metadata(None).to_pandas()
    X, y = frame.drop(columns=[args.target]), frame[args.target]
    bar = progress("neighbour search", None)
    report = overlap_report(X, y, n_neighbors=args.k, smote_k_neighbors=args.smote_k)
    bar.close()
    if args.json:
        emit(json.dumps(report.to_dict(), indent=2))
    else:
        emit(report.to_text())
    return EXIT_OK
