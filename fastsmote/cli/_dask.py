"""``fastsmote resample INPUT OUTPUT --target COL --scheduler ADDRESS``: the same job on a
Dask cluster, from a Parquet file or dataset directory to a Parquet dataset directory."""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._columns import Roles
from ._common import EXIT_CLUSTER, EXIT_OK, EXIT_USAGE, CommandError, emit

#: ``--scheduler local``: Dask's threaded scheduler in this process, no cluster.
LOCAL = "local"

#: Options of ``fastsmote resample`` that have no meaning on Dask, and why.
_REFUSED = {
    "passthrough": "--passthrough has no Dask implementation; --drop the column, or run "
    "without --scheduler",
    "provenance": "--provenance reads the input into memory; run without --scheduler",
    "in_memory": "--in-memory reads the input into this process; run without --scheduler",
    "working_memory": "--working-memory sets this process's budget, not the workers'",
    "threads": "--threads sets this process's threads; set the workers' threads where "
    "they start (the nthreads of dask worker)",
}


def check_options(args: argparse.Namespace) -> None:
    """Refuse the options that make no sense with ``--scheduler`` (exit 2)."""
    for name, why in _REFUSED.items():
        value = getattr(args, name)
        if value not in (None, False, []):
            raise CommandError(f"--scheduler: {why}")
    if args.format == "csv" or args.output_format == "csv":
        raise CommandError(
            "--scheduler reads Parquet (a file or a directory of Parquet files) and writes "
            "a Parquet dataset directory; CSV is available without --scheduler"
        )
    if args.no_record and args.record:
        raise CommandError("--record and --no-record contradict each other")


def _import_dask() -> Any:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401

        from .. import dask as fastsmote_dask
    except ImportError as error:
        raise CommandError(
            f"--scheduler needs Dask ({error}); pip install 'fastsmote[dask]'"
        ) from None
    return fastsmote_dask


@contextlib.contextmanager
def _scheduler(address: str) -> Iterator[Any]:
    """Make ``address`` the scheduler of the block: a :class:`distributed.Client`
    connected to it (closed on the way out; no cluster is ever started), or, for
    ``local``, Dask's threaded scheduler. Yield the client (None for ``local``)."""
    import dask

    if address == LOCAL:
        with dask.config.set(scheduler="threads"):
            yield None
        return
    import distributed
    from distributed.comm import get_address_host_port, parse_address
    from distributed.comm.registry import get_backend

    try:
        # checked before a Client exists: one built from a bad address fails, then
        # spends a minute closing itself when collected and prints a traceback
        scheme, _ = parse_address(address)
        get_backend(scheme)  # a known scheme
        if scheme in ("tcp", "tls", "ws", "wss"):
            get_address_host_port(address)  # a host and a port
        client = distributed.Client(address, set_as_default=False)
    except (ValueError, TypeError) as error:  # not an address: no port, unknown scheme
        raise CommandError(f"--scheduler {address!r}: {error}", EXIT_USAGE) from None
    except (OSError, TimeoutError) as error:
        raise CommandError(
            f"cannot connect to the Dask scheduler at {address!r}: {error}", EXIT_CLUSTER
        ) from None
    try:
        with client.as_current(), dask.config.set(scheduler=client):
            yield client
    finally:
        with contextlib.suppress(Exception):
            client.close()


def _cluster_error(error: BaseException) -> BaseException:
    """A lost worker or scheduler said as a :class:`CommandError` (exit 12)."""
    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    if isinstance(error, KilledWorker):
        return CommandError(
            f"the cluster lost the job: a worker died each time it ran a task ({error}); "
            "nothing was written",
            EXIT_CLUSTER,
        )
    if isinstance(error, (CommClosedError, TimeoutError)):
        return CommandError(
            f"the connection to the Dask cluster was lost ({error}); nothing was written",
            EXIT_CLUSTER,
        )
    return error


def _read(fd: Any, args: argparse.Namespace) -> tuple[Any, Roles]:
    """Open INPUT with ``dask.dataframe.read_parquet``; check the named columns."""
    import dask.dataframe as dd

    from .. import io

    path = Path(args.input)
    if not path.exists():
        raise io.InputNotFoundError(f"input {str(path)!r} does not exist")
    try:
        ddf = dd.read_parquet(str(path))
    except (OSError, ValueError) as error:
        raise io.UnreadableInputError(
            f"cannot read {str(path)!r} as a Parquet file or dataset directory: {error}"
        ) from None
    columns = list(ddf.columns)
    for name in [args.target, *args.drop]:
        if columns.count(name) != 1:
            raise io.MissingColumnError(
                f"column {name!r} is not in {str(path)!r} (columns: "
                f"{', '.join(map(repr, columns[:20]))})"
            )
    if args.target in args.drop:
        raise CommandError(
            f"--drop names the target column {args.target!r}; the target is always kept "
            "(it is the label column)"
        )
    if len(set(args.drop)) != len(args.drop):
        raise CommandError("--drop names a column more than once")
    if args.drop:
        ddf = ddf.drop(columns=args.drop)
    features = [c for c in ddf.columns if c != args.target]
    if not features:
        raise CommandError("no feature column is left: every column but the target is dropped")
    if args.synthetic_column is not None and args.synthetic_column in columns:
        raise CommandError(
            f"--synthetic-column {args.synthetic_column!r} is already a column of the input"
        )
    return ddf, Roles(args.target, features, [], list(args.drop))


def _strategy(args: argparse.Namespace, ddf: Any) -> Any:
    """``--sampling-strategy``; a JSON dict's keys matched to the labels (one pass)."""
    from ._resample import _match_classes

    strategy = args.sampling_strategy
    if not isinstance(strategy, dict):
        return strategy
    labels = ddf[args.target].drop_duplicates().compute().to_numpy()
    return _match_classes(strategy, labels)


def write_partition(frame: Any, path: str, shown: str) -> int:
    """Write one partition to ``path`` (Parquet with page checksums, as the command
    writes on one machine; no pandas index); return its rows. Runs on a worker;
    ``shown`` is the file's name in messages (its place in OUTPUT)."""
    import pyarrow as pa

    from .. import io

    table = pa.Table.from_pandas(frame, preserve_index=False)
    io.write_table(table, path, "parquet", progress=io.no_progress, shown=shown)
    return table.num_rows


def _write(out: Any, tmp: Path, output: Path, client: Any) -> list[int]:
    """Write every partition of ``out`` into the directory ``tmp`` (``part.N.parquet``,
    N zero-padded so that the names sort in row order); return their rows. On any
    failure or signal the tasks not finished are cancelled."""
    import dask
    from dask import delayed

    parts = out.to_delayed()
    width = len(str(max(len(parts) - 1, 0)))
    names = [f"part.{i:0{width}d}.parquet" for i in range(len(parts))]
    tasks = [
        delayed(write_partition)(part, str(tmp / name), str(output / name))
        for part, name in zip(parts, names, strict=True)
    ]
    if client is None:
        return list(dask.compute(*tasks))
    futures = client.compute(tasks)
    try:
        return client.gather(futures)
    except BaseException:
        client.cancel(futures, force=True)
        raise


def _check_written(tmp: Path, rows: list[int], expected: int, output: Path) -> None:
    """Every file the workers wrote is here, with the rows the sampler planned."""
    import pyarrow.parquet as pq

    from .. import io

    found = 0
    files = sorted(tmp.glob("*.parquet"))
    for file in files:
        found += pq.ParquetFile(file).metadata.num_rows
    if len(files) != len(rows) or found != expected or sum(rows) != expected:
        raise io.OutputError(
            f"cannot write {str(output)!r}: the workers wrote {len(rows)} file(s) with "
            f"{sum(rows):,} rows, but {len(files)} file(s) with {found:,} rows are seen "
            f"here ({expected:,} expected); OUTPUT must be on a file system that every "
            "worker sees at the same path"
        )


def run(args: argparse.Namespace) -> int:
    """Run ``fastsmote resample ... --scheduler ADDRESS``; return the exit code."""
    from ._resample import METHODS, _check_clashes, _k_flag_error, build_sampler

    check_options(args)
    fd = _import_dask()
    from .. import io
    from .._validation import NeighborCountError

    cls = METHODS[args.method]
    on_dask = (*fd.SUPPORTED, *fd.COMBINATIONS, *fd.ROUNDS)
    if cls not in on_dask:
        methods = [m for m, c in METHODS.items() if c in on_dask]
        raise CommandError(
            f"--method {args.method} has no Dask implementation; with --scheduler use "
            f"{', '.join(methods)}, or run without --scheduler"
        )
    output = Path(args.output)
    record_path = None if args.no_record else Path(args.record or f"{output}.record.json")
    _check_clashes([("INPUT", Path(args.input)), ("OUTPUT", output), ("--record", record_path)])
    _check_nested(("INPUT", Path(args.input)), ("OUTPUT", output))
    if record_path is not None:
        _check_nested(("--record", record_path), ("OUTPUT", output))
    started = time.perf_counter()
    with _scheduler(args.scheduler) as client, io.output_files(overwrite=args.overwrite) as files:
        tmp = files.add_directory(output)
        tmp_record = None if record_path is None else files.add(record_path)
        ddf, roles = _read(fd, args)
        sampler = build_sampler(args, _strategy(args, ddf), _categorical(args, ddf, roles))
        try:
            out = fd.resample(ddf, args.target, sampler, synthetic_column=args.synthetic_column)
            rows = _write(out, tmp, output, client)
        except NeighborCountError as error:
            raise _k_flag_error(error, args.method) from None
        except NotImplementedError as error:
            raise CommandError(str(error), EXIT_USAGE) from None
        except Exception as error:
            raise _cluster_error(error) from None
        record = sampler.record()
        _check_written(tmp, rows, sum(n for _, n in record.class_counts_after), output)
        elapsed = time.perf_counter() - started
        rows_in = sum(n for _, n in record.class_counts_before)
        record.applied_to = f"{args.input} ({rows_in:,} rows) -> {args.output}"
        record.elapsed_seconds = elapsed
        record.columns = roles.record(args.synthetic_column)
        if tmp_record is not None:
            text = (
                record.to_markdown() if record_path.suffix.lower() == ".md" else record.to_json()
            )
            io.write_text(tmp_record, text, record_path)
        if not args.quiet:  # before the files are moved into place, as on one machine
            emit(
                f"wrote {str(output)!r}: {rows_in:,} -> {sum(rows):,} rows in "
                f"{len(rows)} file(s) in {elapsed:.1f} s"
                + ("" if record_path is None else f"; record: {str(record_path)!r}")
            )
    return EXIT_OK


def _categorical(args: argparse.Namespace, ddf: Any, roles: Roles) -> list[str] | None:
    """SMOTENC's categorical columns: those named by ``--categorical``, else the
    non-numeric features (as without ``--scheduler``)."""
    import pandas as pd

    from ._resample import takes_categorical

    if not takes_categorical(args):
        return None
    if args.categorical is None:
        found = [c for c in roles.features if not pd.api.types.is_numeric_dtype(ddf.dtypes[c])]
        if not found:
            raise CommandError(
                "--method smotenc found no non-numeric column to treat as categorical; "
                "name them with --categorical COL,COL"
            )
        return found
    names = [c.strip() for c in args.categorical.split(",") if c.strip()]
    for name in names:
        if name not in roles.features:
            what = "the target" if name == roles.target else "not a feature column"
            raise CommandError(f"--categorical names {name!r}, which is {what}")
    return names


def _check_nested(first: tuple[str, Path], second: tuple[str, Path]) -> None:
    """Refuse two paths inside one another: a dataset read would include the output,
    the output would replace the input, or the record would land inside the output."""
    (role, path), (other, other_path) = first, second
    a, b = path.resolve(), other_path.resolve()
    if a in b.parents or b in a.parents:
        raise CommandError(
            f"{role} {str(path)!r} and {other} {str(other_path)!r} are inside one another; "
            f"give {other} a place of its own"
        )
