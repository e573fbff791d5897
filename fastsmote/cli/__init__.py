"""The ``fastsmote`` command line: ``resample``, ``diagnose``, ``demo``, ``warmup``, ``info``."""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import sys

from .._version import __version__
from . import _diagnose, _resample
from ._common import emit, run_guarded


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fastsmote", description="Fast, reproducible resampling for imbalanced data."
    )
    parser.add_argument("--version", action="version", version=f"fastsmote {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _resample.add_parser(sub)
    _diagnose.add_parser(sub)

    demo = sub.add_parser("demo", help="resample a generated imbalanced dataset")
    demo.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    demo.add_argument("--features", type=int, default=20, help="features (default 20)")
    demo.add_argument("--minority", type=float, default=0.01, help="minority share (default 0.01)")
    demo.add_argument("--k", type=int, default=5, help="k_neighbors (default 5)")
    demo.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    demo.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    demo.add_argument("--threads", type=int, default=None, help="Numba threads")

    warm = sub.add_parser("warmup", help="compile and cache every kernel")
    warm.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    info = sub.add_parser(
        "info", help="versions, threads, the CPU Numba compiles for, the Numba cache, the config"
    )
    info.add_argument("--json", action="store_true", help="one JSON object instead of text")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fastsmote`` command."""
    args = _build_parser().parse_args(argv)
    if not faulthandler.is_enabled():
        # a crash in compiled code (Numba, LLVM, Arrow) prints where it happened
        # instead of ending the process without a word
        with contextlib.suppress(AttributeError, ValueError, OSError):
            faulthandler.enable()
    if args.command == "resample":
        return _resample.run(args)
    if args.command == "diagnose":
        return _diagnose.run(args)
    if args.command == "demo":
        from ._demo import run_demo

        return run_guarded(lambda: run_demo(args))
    if args.command == "warmup":
        return run_guarded(lambda: _warmup(args.quiet))
    return run_guarded(lambda: _info(args.json))


def _info(as_json: bool) -> int:
    from .._show_versions import versions_text

    emit(versions_text(as_json))
    return 0


def _warmup(quiet: bool) -> int:
    from .. import warmup

    def say(line: str) -> None:  # progress on stderr, so stdout keeps the result only
        print(f"fastsmote: {line}", file=sys.stderr, flush=True)

    if not quiet:  # a cold cache compiles for a minute or more: say what is happening
        say(
            "compiling or loading every kernel (a minute or more with a cold cache, "
            "under a second with a warm one)"
        )
    emit(f"kernels ready in {warmup(progress=None if quiet else say):.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
