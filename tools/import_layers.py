"""The package's shape: modules, the largest, imports that run back up the layers, and
imports of another subpackage's private modules.

    python tools/import_layers.py

Layers, lowest first (a module may import its own layer and those below): the kernels
with their decorator and random draws; the other shared infrastructure (top-level private
modules); neighbour search; the base sampler and the record; the samplers; the combined
samplers and ``make_imbalance``; what uses samplers (pipeline, model selection,
diagnostics, ensembles); tables on disk (io) and clusters (dask); the command line,
``warmup``, ``show_versions`` and the package's face. Every import counts, also those
inside functions.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "fastsmote"

LAYERS = [
    ["_kernels", "_numba", "_random"],
    ["_config", "_frames", "_memory", "_progress", "_tags", "_validation", "_version"],
    ["neighbors"],
    ["_record", "base"],
    ["over_sampling", "under_sampling", "_function_sampler"],
    ["combine", "datasets"],
    ["pipeline", "model_selection", "diagnostics", "ensemble"],
    ["io", "dask"],
    ["cli", "_warmup", "_show_versions", "__init__"],
]
LAYER_OF = {name: depth for depth, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """Absolute names of the modules (or names) an ``import from`` reaches."""
    if node.level:
        base = importer.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("fastsmote"):
        return []
    if node.module is None:  # from . import a, b: each name may be a module
        return [f"{target}.{alias.name}" for alias in node.names]
    return [target]


def top_part(name: str) -> str:
    """The first part below ``fastsmote`` (``__init__`` for the package itself)."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def main() -> int:
    files = sorted(ROOT.rglob("*.py"))
    sizes = {module_name(p): len(p.read_text().splitlines()) for p in files}
    upward, private = [], []
    for path in files:
        importer = module_name(path)
        own = (
            top_part(importer)
            if path.name != "__init__.py" or importer != "fastsmote"
            else "__init__"
        )
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            for target in resolve(importer, path.name == "__init__.py", node):
                part = top_part(target)
                if part == own or part not in LAYER_OF:
                    continue
                if LAYER_OF[part] > LAYER_OF[own]:
                    upward.append(f"{importer} -> {target}")
                inner = target.split(".")[2:]
                if inner and any(piece.startswith("_") for piece in inner):
                    private.append(f"{importer} -> {target}")
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    print(f"modules: {len(files)}")
    print("largest: " + ", ".join(f"{name} ({n})" for name, n in largest))
    print(f"imports up the layers: {len(upward)}")
    for line in sorted(set(upward)):
        print(f"  {line}")
    print(f"imports of another subpackage's private modules: {len(private)}")
    for line in sorted(set(private)):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
