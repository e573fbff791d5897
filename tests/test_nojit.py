"""The kernels' Python logic, run with ``NUMBA_DISABLE_JIT=1`` on tiny data.

Coverage tools cannot see inside compiled kernels; running them as plain Python in a
subprocess (``nojit_kernels.py``) shows every branch is exercised and still matches the
references, and that every kernel entry point is among them.
"""

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import fastsmote

PACKAGE = Path(fastsmote.__file__).parent


def kernel_entry_points() -> set[str]:
    """``module.name`` of every function of ``fastsmote._kernels`` that code outside it
    imports (``from .._kernels.m import f``) or calls as ``kernels.f`` on an imported
    kernel module."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "_kernels":
            continue
        tree = ast.parse(path.read_text())
        modules = {}  # local name -> kernel module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and "_kernels" in node.module:
                if node.module.endswith("_kernels"):  # from .._kernels import m as name
                    for alias in node.names:
                        modules[alias.asname or alias.name] = f"fastsmote._kernels.{alias.name}"
                else:
                    module = "fastsmote._kernels." + node.module.rsplit(".", 1)[-1]
                    found.update(f"{module}.{alias.name}" for alias in node.names)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id in modules:
                    found.add(f"{modules[node.value.id]}.{node.attr}")
    functions = set()
    for name in found:
        module, _, attr = name.rpartition(".")
        if callable(getattr(importlib.import_module(module), attr)):  # not constants
            functions.add(name)
    return functions


def test_entry_points_are_found():
    entry_points = kernel_entry_points()
    assert "fastsmote._kernels.cleaning.tomek_link_mask" in entry_points
    assert "fastsmote._kernels.nndescent.join_chunk" in entry_points
    assert "fastsmote._kernels.smote.NO_COUNTS" not in entry_points
    assert len(entry_points) >= 30


def test_every_kernel_entry_point_runs_as_python():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    tests_dir = Path(__file__).parent
    env["PYTHONPATH"] = os.pathsep.join([str(tests_dir), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, str(tests_dir / "nojit_kernels.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    *called, last = result.stdout.split()
    assert last == "ok"
    not_run = sorted(kernel_entry_points() - set(called))
    assert not not_run, f"kernel entry points not run by nojit_kernels.py: {not_run}"
