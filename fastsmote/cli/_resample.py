"""``fastsmote resample INPUT OUTPUT --target COL``: resample a Parquet or CSV file."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .. import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    AllKNN,
    BorderlineSMOTE,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    InstanceHardnessThreshold,
    KMeansSMOTE,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomOverSampler,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)
from .._validation import NeighborCountError
from ..neighbors import BACKENDS
from ._columns import (
    Roles,
    add_drop_option,
    add_passthrough_option,
    categorical_ids_message,
    integer_id_warnings,
    non_numeric_message,
    resolve_roles,
    scale_warning,
)
from ._common import EXIT_CLASSES, EXIT_OK, EXIT_USAGE, CommandError, emit, run_guarded, warn
from ._progress import progress_display

#: --method -> the sampler it runs; what each option sets is read from the sampler
#: (:func:`method_options`).
METHODS: dict[str, type] = {
    "smote": SMOTE,
    "borderline": BorderlineSMOTE,
    "adasyn": ADASYN,
    "random-over": RandomOverSampler,
    "random-under": RandomUnderSampler,
    "smote-tomek": SMOTETomek,
    "smote-enn": SMOTEENN,
    "tomek": TomekLinks,
    "enn": EditedNearestNeighbours,
    "smotenc": SMOTENC,
    "svm-smote": SVMSMOTE,
    "kmeans-smote": KMeansSMOTE,
    "smoten": SMOTEN,
    "nearmiss": NearMiss,
    "condensed-nn": CondensedNearestNeighbour,
    "one-sided-selection": OneSidedSelection,
    "renn": RepeatedEditedNearestNeighbours,
    "allknn": AllKNN,
    "ncr": NeighbourhoodCleaningRule,
    "iht": InstanceHardnessThreshold,
    "cluster-centroids": ClusterCentroids,
}


class MethodOptions(NamedTuple):
    """What the options of one ``--method`` set, read from its sampler.

    ``seed``, ``k``, ``neighbors``, ``kind``, ``categorical``: the sampler parameter that
    ``--seed``, ``--k``, ``--neighbors``, ``--kind``, ``--categorical`` set (None: the
    option does not apply). For a combination (a sampler with a ``smote`` step) ``k``
    and ``neighbors`` are parameters of its SMOTE step (``step``).
    """

    seed: str | None
    k: str | None
    neighbors: str | None
    kind: str | None
    categorical: str | None
    step: bool
    any_columns: bool  # takes any column type: it selects rows, or encodes categoricals
    distances: bool  # measures distances between rows: results depend on feature scales
    cleaner: bool  # removes rows only (its distances are not for interpolation)


def _parameters(cls: type) -> set[str]:
    return set(inspect.signature(cls).parameters)


def method_options(method: str) -> MethodOptions:
    """What the options of ``--method method`` set (see :class:`MethodOptions`)."""
    cls = METHODS[method]
    own = _parameters(cls)
    step = "smote" in own
    searcher = SMOTE if step else cls
    k = searcher._k_param
    neighbors = "neighbors" if "neighbors" in _parameters(searcher) else None
    return MethodOptions(
        seed="random_state" if "random_state" in own else None,
        k=k,
        neighbors=neighbors,
        kind="kind" if "kind" in own else None,
        categorical="categorical_features" if "categorical_features" in own else None,
        step=step,
        any_columns=not cls._numeric_input,
        distances=k is not None or neighbors is not None,
        cleaner=cls._sampling_type == "clean-sampling",
    )


_STRATEGY_NAMES = ("auto", "minority", "majority", "not minority", "not majority", "all")
_UNITS = {"": 1, "k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}


def add_parser(sub: Any) -> None:
    """Add the ``resample`` sub-command."""
    p = sub.add_parser(
        "resample",
        help="resample a Parquet or CSV file",
        description=(
            "Resample INPUT (Parquet or CSV) and write OUTPUT. SMOTE on Parquet input is "
            "streamed: memory holds the over-sampled classes, not the file."
        ),
    )
    p.add_argument("input", help="input table (.parquet or .csv; or see --format)")
    p.add_argument("output", help="output table (format from its extension or --output-format)")
    p.add_argument("--target", required=True, metavar="COL", help="the class label column")
    p.add_argument(
        "--method",
        choices=list(METHODS),
        default="smote",
        help=(
            "default: smote. iht and cluster-centroids use their default model (a random "
            "forest of 100 trees, 5 folds; KMeans with soft voting: the output holds "
            "cluster centres); other models need the Python API"
        ),
    )
    add_passthrough_option(p)
    add_drop_option(p)
    p.add_argument(
        "--k",
        type=_positive_int,
        default=None,
        help="neighbours (k_neighbors / n_neighbors); default: the method's (5, ENN 3)",
    )
    p.add_argument(
        "--sampling-strategy",
        type=_strategy,
        default="auto",
        metavar="S",
        help="'auto', 'minority', 'not majority', ..., a float ratio (binary), or a JSON "
        "dict of rows per class after resampling, e.g. '{\"1\": 5000}' (default: auto)",
    )
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    p.add_argument(
        "--neighbors",
        choices=list(BACKENDS),
        default=None,
        help="neighbour search: 'approx' is fastsmote's NN-descent, 'pynndescent' "
        "pynndescent's (default: the method's: auto for smote, borderline, adasyn and the "
        "SMOTE step of smote-tomek / smote-enn; exact for the others that take it)",
    )
    p.add_argument(
        "--kind",
        choices=["borderline-1", "borderline-2"],
        default=None,
        help="Borderline-SMOTE variant (default borderline-1)",
    )
    p.add_argument(
        "--categorical",
        metavar="COLS",
        default=None,
        help="smotenc: comma-separated categorical columns (default: the non-numeric ones)",
    )
    p.add_argument(
        "--working-memory",
        type=_memory_mib,
        default=None,
        metavar="SIZE",
        help="memory budget for temporaries and chunks, e.g. 512MiB, 1GiB (default 256MiB)",
    )
    p.add_argument("--threads", type=int, default=None, help="Numba threads")
    p.add_argument(
        "--synthetic-column",
        metavar="NAME",
        default=None,
        help="add a boolean column NAME, true for rows the method added",
    )
    p.add_argument(
        "--provenance",
        metavar="FILE",
        default=None,
        help="smote: write each synthetic row's base row, neighbour row and gap to FILE "
        "(.parquet or .csv; reads the input into memory)",
    )
    p.add_argument(
        "--record",
        metavar="FILE",
        default=None,
        help="where to write the resampling record (.json, or .md for Markdown); "
        "default: OUTPUT.record.json",
    )
    p.add_argument("--no-record", action="store_true", help="do not write a record")
    p.add_argument("--format", choices=["parquet", "csv"], default=None, help="input format")
    p.add_argument(
        "--output-format", choices=["parquet", "csv"], default=None, help="output format"
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument(
        "--in-memory",
        action="store_true",
        help="read the whole input even where SMOTE could stream it",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on a Dask cluster (its scheduler's address, e.g. tcp://host:8786; "
        "'local': Dask's threaded scheduler here): INPUT a Parquet file or dataset "
        "directory, OUTPUT a Parquet dataset directory (needs fastsmote[dask])",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary")


# --------------------------------------------------------------------------- argument types
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _memory_mib(text: str) -> int:
    """'512MiB', '1GiB', '2G', '300' (MiB) -> MiB."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a memory size: {text!r} (e.g. 512MiB, 1GiB)")
    mib = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if mib < 1:
        raise argparse.ArgumentTypeError(f"memory size below 1 MiB: {text!r}")
    return mib


def _strategy(text: str) -> Any:
    if text in _STRATEGY_NAMES:
        return text
    try:
        return float(text)
    except ValueError:
        pass
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a strategy name ({', '.join(_STRATEGY_NAMES)}), a float or a "
            "JSON dict of class -> rows, e.g. '{\"1\": 5000}'"
        )
    return value


def _match_classes(strategy: Any, labels: np.ndarray) -> Any:
    """JSON keys are strings: match each to the class whose text it is."""
    if not isinstance(strategy, dict):
        return strategy
    classes = np.unique(labels).tolist()
    by_text = {str(c).lower(): c for c in classes}
    result = {}
    for key, n in strategy.items():
        if str(key).lower() not in by_text:
            raise CommandError(
                f"--sampling-strategy names class {key!r}, which is not in the target "
                f"column (classes: {', '.join(map(str, classes[:20]))})"
            )
        result[by_text[str(key).lower()]] = n
    return result


# --------------------------------------------------------------------------- samplers
def build_sampler(args: argparse.Namespace, strategy: Any, categorical: list[str] | None):
    """The sampler named by ``--method`` with the options that apply to it."""
    method = args.method
    options = method_options(method)
    if args.neighbors is not None and options.neighbors is None:
        raise CommandError(f"--neighbors does not apply to --method {method}")
    if args.kind is not None and options.kind is None:
        raise CommandError(f"--kind applies to --method {_methods_with('kind')} only")
    if args.k is not None and options.k is None:
        raise CommandError(f"--k does not apply to --method {method}")
    params: dict[str, Any] = {"sampling_strategy": strategy}
    if options.seed is not None:
        params[options.seed] = args.seed
    searched = {}
    if args.k is not None:
        searched[options.k] = args.k
    if args.neighbors is not None:
        searched[options.neighbors] = args.neighbors
    if args.kind is not None:
        params[options.kind] = args.kind
    if options.categorical is not None:
        params[options.categorical] = categorical
    if options.step:  # the options configure the SMOTE step; the cleaner keeps its own
        smote = SMOTE(sampling_strategy=strategy, random_state=args.seed, **searched)
        return METHODS[method](random_state=args.seed, smote=smote)
    return METHODS[method](**params, **searched)


def _methods_with(option: str) -> str:
    """The --method values an option applies to, for a message."""
    return ", ".join(m for m in METHODS if getattr(method_options(m), option) is not None)


# --------------------------------------------------------------------------- the command
def run(args: argparse.Namespace) -> int:
    """Run ``fastsmote resample``; return the exit code."""
    if args.scheduler is not None:
        from . import _dask

        return run_guarded(lambda: _dask.run(args))
    return run_guarded(lambda: _resample(args))


def _output_paths(args: argparse.Namespace) -> tuple[Path, Path | None, Path | None]:
    output = Path(args.output)
    if args.no_record and args.record:
        raise CommandError("--record and --no-record contradict each other")
    record = None if args.no_record else Path(args.record or f"{args.output}.record.json")
    provenance = Path(args.provenance) if args.provenance else None
    return output, record, provenance


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (relative paths, symlinks and hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


def _check_clashes(named: list[tuple[str, Path | None]]) -> None:
    """Refuse two roles for one file: every file a run writes is new, and INPUT is
    never written."""
    named = [(role, path) for role, path in named if path is not None]
    for i, (role, path) in enumerate(named):
        for other, other_path in named[:i]:
            if _same_file(path, other_path):
                raise CommandError(
                    f"{role} {str(path)!r} and {other} {str(other_path)!r} are the same "
                    "file; give each its own path"
                )


def _k_flag_error(error: NeighborCountError, method: str) -> Exception:
    """A class too small for the neighbours asked, said with ``--k`` where that option
    set them (the library names the parameter)."""
    if error.param != method_options(method).k:
        return error
    most = error.most
    fix = f"use --k {most} or lower" if most >= 1 else (error.advice or "gather more rows")
    return CommandError(
        f"{error.where} has {error.n_rows} row(s) but --k {error.n_neighbors} needs at least "
        f"{error.needed}: {fix}.",
        EXIT_CLASSES,
    )


def _resample(args: argparse.Namespace) -> int:
    try:
        from .. import io
    except ImportError as error:
        raise CommandError(
            f"reading tables needs pyarrow and pandas ({error}); pip install 'fastsmote[io]'"
        ) from None

    output, record_path, provenance = _output_paths(args)
    out_format = io.detect_format(
        output, args.output_format or _same_format(args, output), "--output-format"
    )
    if provenance is not None:
        io.detect_format(provenance, option="")
        if args.method != "smote":
            raise CommandError("--provenance is available for --method smote only")
    _check_clashes(
        [
            ("INPUT", Path(args.input)),
            ("OUTPUT", output),
            ("--record", record_path),
            ("--provenance", provenance),
        ]
    )
    # every file is written to a temporary file created now (an unwritable place fails
    # before any work) and moved into place only when everything has succeeded
    with (
        progress_display(args.quiet) as display,
        io.output_files(overwrite=args.overwrite) as files,
    ):
        tmp = files.add(output)
        tmp_record = None if record_path is None else files.add(record_path)
        tmp_prov = None if provenance is None else files.add(provenance)
        try:
            result, record = _run_method(
                args,
                out_format,
                (output, tmp),
                None if provenance is None else (provenance, tmp_prov),
                display,
            )
        except NeighborCountError as error:
            raise _k_flag_error(error, args.method) from None
        if tmp_record is not None:
            text = (
                record.to_markdown() if record_path.suffix.lower() == ".md" else record.to_json()
            )
            io.write_text(tmp_record, text, record_path)
        if not args.quiet:
            # before the files are moved into place: a summary that cannot be printed
            # fails the run, and a failed run leaves no file
            rows_in = sum(result.counts_before.values())
            emit(
                f"wrote {str(output)!r}: {rows_in:,} -> {result.rows_out:,} rows in "
                f"{result.elapsed_seconds:.1f} s"
                + ("" if record_path is None else f"; record: {str(record_path)!r}")
            )
    return EXIT_OK


def _check_columns(args: argparse.Namespace, source: Any, roles: Roles, display: Any) -> None:
    """Refuse features the method cannot use; warn about integer ids used as features."""
    from .. import io

    if args.synthetic_column is not None and args.synthetic_column in source.columns:
        raise CommandError(
            f"--synthetic-column {args.synthetic_column!r} is already a column of the input"
        )
    options = method_options(args.method)
    if not options.any_columns:
        bad = io.non_numeric_columns(source.schema, (roles.target, *roles.passthrough))
        if bad:
            what = (
                f"--method {args.method} measures distances between rows"
                if options.cleaner
                else f"--method {args.method} interpolates features"
            )
            raise io.NonNumericColumnsError(non_numeric_message(source, bad, "resample", what))
    if options.distances:
        if options.cleaner:
            use = "used in neighbour distances"
        elif METHODS[args.method] is SMOTEN:
            use = "each value a category of its own in neighbour distances and synthetic rows"
        else:
            use = "interpolated in synthetic rows and used in neighbour distances"
        for text in integer_id_warnings(source, roles.features, "resample", use):
            warn(text, display)


def _run_method(
    args: argparse.Namespace,
    out_format: str,
    output: tuple[Path, Path],
    provenance: tuple[Path, Path] | None,
    display: Any,
) -> tuple[Any, Any]:
    """Read, resample and write OUTPUT (and the provenance table) to their temporary
    files (``(destination, temporary)`` pairs); return the result and its record."""
    from .. import config_context, io
    from .._progress import phase

    output, tmp = output
    provenance, tmp_provenance = provenance or (None, None)

    in_format = io.detect_format(args.input, args.format)
    with phase("reading" if in_format == "csv" else "opening"):  # CSV is parsed whole
        source = io.InputTable(args.input, in_format)
    roles = resolve_roles(args, source)
    categorical = _categorical(args, source, roles)
    _check_columns(args, source, roles, display)
    streamed = (
        args.method == "smote"
        and source.format == "parquet"
        and not args.in_memory
        and provenance is None
    )
    with config_context(working_memory=args.working_memory, n_threads=args.threads):
        if streamed:
            strategy = args.sampling_strategy
            if isinstance(strategy, dict):  # the labels are read again by stream_smote
                strategy = _match_classes(strategy, source.read_labels(args.target))
            sampler = build_sampler(args, strategy, categorical)
            result = io.stream_smote(
                source,
                tmp,
                out_format,
                sampler,
                args.target,
                passthrough=roles.passthrough,
                synthetic_column=args.synthetic_column,
                shown=output,
            )
        else:
            streams = args.method == "smote" and source.format == "parquet"
            source.check_read_fits(
                "SMOTE on Parquet streams the file: drop --in-memory and --provenance."
                if streams
                else "Use a machine with more memory, or split the input."
            )
            table = source.read()
            labels = table.column(args.target).to_numpy()
            strategy = _match_classes(args.sampling_strategy, labels)
            sampler = build_sampler(args, strategy, categorical)
            with phase(f"resampling ({METHODS[args.method].__name__})"):
                table_out, result = io.resample_table(
                    table,
                    args.target,
                    sampler,
                    passthrough=roles.passthrough,
                    synthetic_column=args.synthetic_column,
                    with_provenance=provenance is not None,
                )
            del table
            needs = [(output, io.estimate_table_bytes(table_out, out_format))]
            if provenance is not None:
                provenance_format = io.detect_format(provenance, option="")
                estimate = io.estimate_table_bytes(result.provenance, provenance_format)
                needs.append((provenance, estimate))
            io.check_disk_space(
                needs,
                f"The output has {table_out.num_rows:,} rows; free space, write it to "
                "another disk, or lower --sampling-strategy.",
            )
            io.write_table(table_out, tmp, out_format, shown=output)
            if provenance is not None:
                io.write_table(
                    result.provenance, tmp_provenance, provenance_format, shown=provenance
                )
    # SMOTEN compares categories, not values: feature scales do not matter to it
    scaled = METHODS[args.method] is not SMOTEN
    if method_options(args.method).distances and scaled and result.feature_std:
        from ..diagnostics import SCALE_RATIO

        text = scale_warning(result.feature_std, SCALE_RATIO)
        if text is not None:
            warn(text, display)
    record = _record(args, sampler, result, source, streamed=streamed)
    if record is not None:
        record.columns = roles.record(args.synthetic_column)
    return result, record


def _same_format(args: argparse.Namespace, output: Path) -> str | None:
    """No extension on OUTPUT and no --output-format: use the input's format."""
    if output.suffix:
        return None
    from ..io import detect_format

    return detect_format(args.input, args.format)


def takes_categorical(args: argparse.Namespace) -> bool:
    """Whether ``--method`` takes categorical columns; ``--categorical`` with one that
    does not is refused."""
    if method_options(args.method).categorical is not None:
        return True
    if args.categorical is not None:
        raise CommandError(
            f"--categorical applies to --method {_methods_with('categorical')} only"
        )
    return False


def _categorical(args: argparse.Namespace, source: Any, roles: Roles) -> list[str] | None:
    if not takes_categorical(args):
        return None
    from ..io import NonNumericColumnsError, non_numeric_columns

    if args.categorical is None:
        found = non_numeric_columns(source.schema, (roles.target, *roles.passthrough))
        if not found:
            raise CommandError(
                "--method smotenc found no non-numeric column to treat as categorical; "
                "name them with --categorical COL,COL"
            )
        message = categorical_ids_message(source, found)
        if message is not None:
            raise NonNumericColumnsError(message)
        return found
    names = [c.strip() for c in args.categorical.split(",") if c.strip()]
    for name in names:
        source.field(name)
        if name not in roles.features:
            role = "the target" if name == roles.target else "a --passthrough column"
            raise CommandError(f"--categorical names {name!r}, which is {role}, not a feature")
    return names


def _record(args, sampler, result, source, *, streamed: bool):
    """The resampling record (None when the sampler cannot make one)."""
    applied_to = f"{args.input} ({source.num_rows:,} rows) -> {args.output}"
    if not streamed and hasattr(sampler, "record"):
        return sampler.record(applied_to=applied_to)
    from ..diagnostics import ResamplingRecord

    return ResamplingRecord.build(
        sampler,
        counts_before=result.counts_before,
        counts_after=result.counts_after,
        elapsed_seconds=result.elapsed_seconds,
        applied_to=applied_to,
    )


__all__ = ["add_parser", "run", "EXIT_USAGE"]
