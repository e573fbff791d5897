"""The documentation site builds with ``mkdocs build --strict``: no broken link or anchor,
no docstring griffe cannot read, every API page rendered from the docstrings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """Build the site once (the docs extra, part of the test extra, provides MkDocs)."""
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml"]
    result = subprocess.run(
        [*command, "-d", str(site)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return result, site


@pytest.fixture(scope="module")
def site(build):
    result, site = build
    if not (site / "reference" / "samplers" / "index.html").is_file():
        pytest.fail(f"the site was not built:\n{result.stdout}{result.stderr}")
    return site


def test_strict_build_has_no_warning(build):
    result, _ = build
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert result.returncode == 0 and not warnings, output


def _page(site, path):
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_the_site_builds_strictly_with_every_reference_page(site):
    pages = ["samplers", "ensemble", "pipeline", "model_selection", "diagnostics", "neighbors"]
    pages.append("dask")
    for name in [*pages, "io", "config"]:
        assert (site / "reference" / name / "index.html").is_file(), name
    assert (site / "reference" / "index.html").is_file()


def test_reference_pages_show_the_docstrings(site):
    samplers = _page(site, "reference/samplers")
    # a class docstring, with its shared parameter texts filled in as at run time
    assert "Over-sample minority classes by interpolating between same-class" in samplers
    assert 'id="fastsmote.SMOTE.fit_resample_iter"' in samplers
    assert "Source of the 64-bit key from which every draw derives" in samplers
    assert "{random_state}" not in samplers and "{sampling_strategy}" not in samplers
    # a Sphinx role became a link to the entry on another page
    assert 'href="../neighbors/#fastsmote.neighbors.resolve_backend"' in samplers
    assert ":func:" not in samplers and ":meth:" not in samplers
    # numpydoc types as written, not read as Python ("array - like")
    model_selection = _page(site, "reference/model_selection")
    assert "<code>array-like</code>" in model_selection and "array - like" not in model_selection
    config = _page(site, "reference/config")
    assert 'id="fastsmote.show_versions"' in config
    assert "Print the versions and settings a bug report needs." in config
    for name, entry in [
        ("pipeline", "fastsmote.pipeline.Pipeline"),
        ("ensemble", "fastsmote.ensemble.BalancedBaggingClassifier"),
        ("model_selection", "fastsmote.model_selection.check_leakage"),
        ("diagnostics", "fastsmote.diagnostics.overlap_report"),
        ("neighbors", "fastsmote.neighbors.kneighbors"),
        ("dask", "fastsmote.dask.resample"),
        ("io", "fastsmote.io.stream_smote"),
    ]:
        assert f'id="{entry}"' in _page(site, f"reference/{name}"), entry
