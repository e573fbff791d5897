"""``show_versions``: what a bug report needs to know about the installation."""

from __future__ import annotations

import json
import platform
import sys
import textwrap
from importlib import metadata
from typing import Any

#: Distributions fastsmote needs, by their names on PyPI.
DEPENDENCIES = (
    "numpy",
    "numba",
    "llvmlite",
    "scikit-learn",
    "scipy",
    "pynndescent",
    "narwhals",
)
#: Distributions that extras or optional features use.
OPTIONAL_DEPENDENCIES = (
    "pandas",
    "pyarrow",
    "polars",
    "dask",
    "distributed",
    "imbalanced-learn",
    "matplotlib",
    "tqdm",
)
NOT_INSTALLED = "not installed"


def _version(distribution: str) -> str:
    """The installed version, read from the package metadata (nothing is imported)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def _numba_info() -> dict[str, Any]:
    """Numba's threads and the CPU its kernels are compiled for."""
    import numba
    from numba.core.codegen import get_host_cpu_features

    from ._numba import CACHE, serialises_parallel_kernels, thread_count

    try:
        serial = serialises_parallel_kernels()  # starts Numba's threads: the layer is chosen
        layer = numba.threading_layer() + (
            " (pynndescent's kernels run one at a time)" if serial else ""
        )
    except (ValueError, ImportError, RuntimeError) as error:  # no layer can be loaded
        layer = f"unknown ({error})"
    if numba.config.CPU_NAME is None:
        import llvmlite.binding as llvm

        cpu_name = llvm.get_host_cpu_name()
    else:
        cpu_name = f"{numba.config.CPU_NAME} (NUMBA_CPU_NAME)"
    # "+avx2,-avx512f,...": the features Numba compiles for (NUMBA_CPU_FEATURES if set)
    flags = numba.config.CPU_FEATURES
    if flags is None:
        flags = get_host_cpu_features()
    features = sorted(flag[1:] for flag in flags.split(",") if flag.startswith("+"))
    return {
        "threads": thread_count(),
        "max threads": numba.config.NUMBA_NUM_THREADS,
        "threading layer": layer,
        "cpu": cpu_name,
        "cpu features": " ".join(features),
        "cache": "on" if CACHE else "off",
        "cache dir": numba.config.CACHE_DIR or "__pycache__ next to the sources",
    }


def versions_info() -> dict[str, dict[str, Any]]:
    """Everything :func:`show_versions` prints, as a dict of sections."""
    from . import __version__, get_config
    from ._random import RNG_VERSION

    return {
        "fastsmote": {"version": __version__, "RNG version": RNG_VERSION},
        "system": {
            "python": sys.version.replace("\n", " "),
            "executable": sys.executable,
            "machine": platform.platform(),
        },
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
        "optional dependencies": {name: _version(name) for name in OPTIONAL_DEPENDENCIES},
        "numba": _numba_info(),
        "config": get_config(),
    }


def format_versions(info: dict[str, dict[str, Any]]) -> list[str]:
    """The lines :func:`show_versions` prints for ``info`` (from :func:`versions_info`)."""
    lines = []
    for section, values in info.items():
        if lines:
            lines.append("")
        lines.append(f"{section}:")
        width = max(len(str(key)) for key in values)
        for key, value in values.items():
            first = f"    {key:>{width}}: "
            # a long value (the CPU features) continues under its own start
            wrapped = textwrap.wrap(
                str(value),
                88,
                initial_indent=first,
                subsequent_indent=" " * len(first),
                break_long_words=False,
                break_on_hyphens=False,
            )
            lines.extend(wrapped or [first.rstrip()])
    return lines


def show_versions(as_json: bool = False) -> None:
    """Print the versions and settings a bug report needs.

    fastsmote's version and RNG version; Python, its executable and the platform; the
    versions of the dependencies (NumPy, Numba, llvmlite, scikit-learn, SciPy,
    pynndescent, narwhals) and of the optional ones (pandas, pyarrow, polars, Dask,
    distributed, imbalanced-learn, matplotlib, tqdm), or "not installed"; Numba's thread
    count and threading layer, the CPU name and features its kernels are compiled for,
    its cache; fastsmote's configuration (:func:`get_config`). The same as
    ``fastsmote info`` on the command line.

    Versions are read from the installed packages' metadata: no optional package is
    imported.

    Parameters
    ----------
    as_json : bool, default=False
        Print one JSON object (sections as keys) instead of text.

    Examples
    --------
    >>> import fastsmote
    >>> fastsmote.show_versions()  # doctest: +SKIP
    fastsmote:
        version: 0.1.0
    ...
    """
    print(versions_text(as_json))


def versions_text(as_json: bool = False) -> str:
    """What :func:`show_versions` prints (``fastsmote info`` writes it too)."""
    info = versions_info()
    if as_json:
        return json.dumps(info, indent=2, default=str)
    return "\n".join(format_versions(info))
