"""``fastsmote.show_versions`` and ``fastsmote info``."""

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import llvmlite.binding as llvm
import numba
import numpy as np
import sklearn

import fastsmote
from fastsmote._show_versions import DEPENDENCIES, OPTIONAL_DEPENDENCIES
from fastsmote.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _value(text, name):
    """The value printed for ``name`` (one ``name: value`` line)."""
    found = re.findall(rf"^ *{re.escape(name)}: (.*)$", text, re.MULTILINE)
    assert len(found) == 1, (name, text)
    return found[0]


def test_show_versions_prints_every_package_and_the_installed_versions(capsys):
    fastsmote.show_versions()
    out = capsys.readouterr().out
    assert _value(out, "version") == fastsmote.__version__
    assert _value(out, "numpy") == np.__version__
    assert _value(out, "numba") == numba.__version__
    assert _value(out, "scikit-learn") == sklearn.__version__
    for name in DEPENDENCIES + OPTIONAL_DEPENDENCIES:
        assert _value(out, name) in (metadata.version(name), "not installed")
    assert _value(out, "threads") == str(numba.get_num_threads())
    assert _value(out, "threading layer").startswith(numba.threading_layer())
    if numba.config.CPU_NAME is None:
        assert _value(out, "cpu") == llvm.get_host_cpu_name()
    assert _value(out, "working_memory") == str(fastsmote.get_config()["working_memory"])
    assert _value(out, "python").startswith(".".join(map(str, sys.version_info[:3])))


def test_an_absent_package_is_not_installed(capsys, monkeypatch):
    version = metadata.version

    def without_polars(name):
        if name == "polars":
            raise metadata.PackageNotFoundError(name)
        return version(name)

    monkeypatch.setattr(metadata, "version", without_polars)
    with fastsmote.config_context(working_memory=64):
        fastsmote.show_versions()
    out = capsys.readouterr().out
    assert _value(out, "polars") == "not installed"
    assert _value(out, "pandas") == version("pandas")
    assert _value(out, "working_memory") == "64"


def test_info_command_prints_the_same_and_json(capsys):
    fastsmote.show_versions()
    expected = capsys.readouterr().out
    assert main(["info"]) == 0
    assert capsys.readouterr().out == expected
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["dependencies"]["numpy"] == np.__version__
    assert info["optional dependencies"].keys() == set(OPTIONAL_DEPENDENCIES)
    assert info["numba"]["threads"] == numba.get_num_threads()
    assert info["config"] == fastsmote.get_config()
    if numba.config.CPU_FEATURES is None and numba.config.ENABLE_AVX:
        host = {name for name, on in llvm.get_host_cpu_features().items() if on}
        assert set(info["numba"]["cpu features"].split()) == host


def test_show_versions_and_info_in_a_fresh_process_import_no_optional_package():
    script = (
        "import sys, fastsmote\n"
        "from fastsmote.cli import main\n"
        "before = set(sys.modules)\n"
        "fastsmote.show_versions()\n"
        "assert main(['info']) == 0\n"
        "new = {name.partition('.')[0] for name in set(sys.modules) - before}\n"
        "optional = {'dask', 'distributed', 'polars', 'pandas', 'pyarrow', 'imblearn',\n"
        "            'matplotlib', 'tqdm', 'pynndescent'}\n"
        "assert not {'dask', 'distributed', 'polars'} & set(sys.modules)\n"
        "print('imported:', sorted(new & optional))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    *printed, imported = result.stdout.splitlines()
    assert imported == "imported: []"
    half = len(printed) // 2
    assert printed[:half] == printed[half:]  # show_versions, then fastsmote info
    assert _value("\n".join(printed[:half]), "numba") == numba.__version__
