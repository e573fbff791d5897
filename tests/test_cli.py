"""The command line: demo, warmup, info, version."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from fastsmote import __version__
from fastsmote.cli import main


def test_demo_prints_counts_time_and_memory(capsys):
    assert main(["demo", "--rows", "20000", "--features", "5", "--minority", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "class counts before: {0: 19000, 1: 1000}" in out
    assert "class counts after:  {0: 19000, 1: 19000}" in out
    assert "fit_resample:" in out and "peak RSS" in out


def test_warmup_reports_progress_on_stderr_unless_quiet_and_info(capsys):
    assert main(["warmup"]) == 0
    out, err = capsys.readouterr()
    first, *lines = err.splitlines()
    assert first.startswith("fastsmote: compiling or loading every kernel")
    steps = [re.fullmatch(r"fastsmote: \[(\d+)/(\d+)\] (.+) \((\d+) s\)", line) for line in lines]
    assert steps and all(steps), lines
    assert [int(m[1]) for m in steps] == list(range(1, int(steps[0][2]) + 1))
    assert {"SMOTE float32", "SMOTE float64", "diagnostics float64"} <= {m[3] for m in steps}
    assert out.startswith("kernels ready in")
    assert main(["warmup", "-q"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("kernels ready in")
    assert main(["info"]) == 0
    assert f"version: {__version__}\n" in capsys.readouterr().out


_WARMUP_IN_PROCESSES = """
import json, fastsmote
from numba.core import event
from fastsmote._warmup import _cache_holds
compiled = []
class Listener(event.Listener):
    def on_start(self, ev):
        pass
    def on_end(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__name__)
event.register("numba:compile", Listener())
before = _cache_holds(2)
fastsmote.warmup(samplers=("SMOTE",), processes=2)
print(json.dumps([before, compiled]))
"""


def test_warmup_on_a_cold_cache_compiles_in_child_processes(tmp_path):
    # the dtypes compile in two processes at once; this one then only loads
    result = subprocess.run(
        [sys.executable, "-c", _WARMUP_IN_PROCESSES],
        capture_output=True,
        text=True,
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    warm_before, compiled = json.loads(result.stdout.splitlines()[-1])
    assert not warm_before
    # a rare race on a kernel's cache index makes this process compile that one itself
    assert len(compiled) <= 2, compiled


def _warmup_children(parent: int) -> list[int]:
    """Processes whose parent is ``parent`` and that compile a warm-up share (Linux)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = open(f"/proc/{entry}/stat").read()  # noqa: SIM115
            cmdline = open(f"/proc/{entry}/cmdline").read()  # noqa: SIM115
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and "_compile_share" in cmdline:
            found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_warmup_ended_by_a_signal_leaves_no_compiling_process(tmp_path, signum):
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastsmote.cli", "warmup", "-q"],
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(children := _warmup_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(children) == 2
    proc.send_signal(signum)
    proc.wait(60)
    deadline = time.monotonic() + 10  # a child notices its parent has gone within 0.2 s
    while any(os.path.exists(f"/proc/{c}") for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [c for c in children if os.path.exists(f"/proc/{c}")]
    assert not alive or all(" Z " in open(f"/proc/{c}/stat").read() for c in alive)  # noqa: SIM115


@pytest.mark.parametrize("processes", [0, -1, 1.5, "2", True])
def test_warmup_refuses_a_bad_process_count(processes):
    import fastsmote

    with pytest.raises(ValueError, match="processes must be a positive int or None"):
        fastsmote.warmup(processes=processes)


def test_version_and_help_from_a_fresh_process():
    result = subprocess.run(
        [sys.executable, "-m", "fastsmote.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == f"fastsmote {__version__}"


def test_bad_arguments_exit_with_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--rows", "many"])
    assert exc.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_import_compiles_nothing_and_loads_no_extras():
    script = (
        "import sys, fastsmote, fastsmote.pipeline, fastsmote.model_selection\n"
        "import fastsmote.diagnostics\n"
        "from fastsmote._kernels import knn, smote, arrays, leakage\n"
        "kernels = [knn._knn_blocks, knn._symmetric_tasks, smote._generate_chunks,\n"
        "           smote._draws_of, smote._origins_of, leakage._segment_rows,\n"
        "           arrays._copy_blocks, arrays._first_nonfinite_blocks]\n"
        "assert all(not k.signatures for k in kernels), [k.signatures for k in kernels]\n"
        # (pandas is left out: scikit-learn >= 1.9 imports it itself when installed)
        "assert not {'imblearn', 'pynndescent', 'matplotlib'} & set(sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_batch_commands_have_help(capsys):
    for command in ("resample", "diagnose"):
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert f"usage: fastsmote {command}" in out and "--target" in out and "--quiet" in out


def test_after_warmup_nothing_compiles_for_read_only_or_sparse_inputs_approx_or_diagnostics():
    # Read-only arrays (np.load(mmap_mode="r"), Arrow buffers) are a separate Numba type:
    # without warm-up coverage their first use compiled for seconds. The diagnostics call
    # kernels from Python: check_leakage's value counts (run only when rows lie on
    # segments, as after SMOTE before the split) and overlap_report's SMOTE draws.
    script = (
        "import numpy as np, fastsmote\n"
        "from fastsmote._kernels import (arrays, cleaning, clusters, condensed, knn, leakage,\n"
        "                                nearmiss, nndescent, sampling, smote, sparse)\n"
        "from fastsmote.diagnostics import overlap_report\n"
        "from fastsmote.model_selection import check_leakage\n"
        "from fastsmote.neighbors import exact_kneighbors_of, exact_kneighbors_of_points\n"
        "kernels = [getattr(m, n) for m in (arrays, cleaning, clusters, condensed, knn, leakage,\n"
        "                                   nearmiss, nndescent, sampling, smote, sparse)\n"
        "           for n in dir(m)\n"
        "           if hasattr(getattr(m, n), 'signatures')]\n"
        "fastsmote.warmup()\n"
        "before = {k: len(k.signatures) for k in kernels}\n"
        "rng = np.random.default_rng(1)\n"
        "y = (rng.random(600) < 0.2).astype(int)\n"
        "for dtype in (np.float32, np.float64):\n"
        "    for d in (6, 40):\n"
        "        X = rng.standard_normal((600, d)).astype(dtype) + y[:, None]\n"
        "        X.flags.writeable = False\n"
        "        for name in ('SMOTE', 'BorderlineSMOTE', 'ADASYN', 'TomekLinks',\n"
        "                     'EditedNearestNeighbours', 'RandomOverSampler',\n"
        "                     'RandomUnderSampler', 'SMOTETomek', 'SMOTEENN'):\n"
        "            getattr(fastsmote, name)().fit_resample(X, y)\n"
        "        fastsmote.EditedNearestNeighbours(sampling_strategy=[1]).fit_resample(X, y)\n"
        "        exact_kneighbors_of(X, np.arange(10), 3)\n"
        "        exact_kneighbors_of_points(X[:50] + 0.5, X, 2, return_distance=True)\n"
        "        doubled = np.vstack([X, X])  # over 1024 rows: one-sided shortlists\n"
        "        doubled.flags.writeable = False\n"
        "        exact_kneighbors_of(doubled, np.arange(10), 3)\n"
        # many queries against fewer rows: the query-major shortlists
        "        many = np.repeat(X, 8, axis=0) + rng.standard_normal((4800, d)).astype(dtype)\n"
        "        many.flags.writeable = False\n"
        "        exact_kneighbors_of(many, np.arange(4200), 3)\n"
        "        fastsmote.NearMiss().fit_resample(many, np.repeat(y, 8))\n"
        "        fastsmote.SMOTE(neighbors='approx').fit_resample(X, y)\n"
        # large inputs skip the small-input NumPy paths of the whole-array helpers
        "        arrays.NUMPY_MAX_VALUES = 0\n"
        "        for name in ('SMOTE', 'TomekLinks', 'RandomUnderSampler'):\n"
        "            getattr(fastsmote, name)().fit_resample(X, y.astype(np.int32))\n"
        "        arrays.NUMPY_MAX_VALUES = 1 << 16\n"
        # sparse input: every sampler that takes it
        "import scipy.sparse\n"
        "for dtype in (np.float32, np.float64):\n"
        "    X = rng.standard_normal((600, 30)).astype(dtype) + y[:, None]\n"
        "    X[X < 0.5] = 0\n"
        "    M = scipy.sparse.csr_matrix(X)\n"
        "    for sampler in (fastsmote.SMOTE(), fastsmote.BorderlineSMOTE(), fastsmote.ADASYN(),\n"
        "                    fastsmote.RandomOverSampler(shrinkage=1.0), fastsmote.TomekLinks(),\n"
        "                    fastsmote.EditedNearestNeighbours(), fastsmote.AllKNN(),\n"
        "                    fastsmote.RepeatedEditedNearestNeighbours(),\n"
        "                    fastsmote.NeighbourhoodCleaningRule(),\n"
        "                    fastsmote.OneSidedSelection(),\n"
        "                    fastsmote.CondensedNearestNeighbour(), fastsmote.SMOTEENN(),\n"
        "                    *(fastsmote.NearMiss(version=v) for v in (1, 2, 3)),\n"
        "                    fastsmote.SVMSMOTE(), fastsmote.KMeansSMOTE(kmeans_estimator=2),\n"
        "                    fastsmote.SMOTENC(categorical_features=[0])):\n"
        "        sampler.fit_resample(M, y)\n"
        "y = (rng.random(300) < 0.2).astype(int)\n"
        "X = rng.standard_normal((300, 4)) + y[:, None]\n"
        "X_res, y_res = fastsmote.SMOTE(random_state=0).fit_resample(X, y)\n"
        "assert check_leakage(X_res[::2], y_res[::2], X_res[1::2], y_res[1::2]).leaked\n"
        "overlap_report(X, y)\n"
        "grown = [k.__name__ for k in kernels if len(k.signatures) != before[k]]\n"
        "assert not grown, grown\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]


def test_demo_peak_is_its_own_not_the_parents_at_fork():
    # ru_maxrss of a process started by another begins at the parent's RSS at fork
    import platform

    if platform.system() != "Linux":  # pragma: no cover - the CI runs Linux
        pytest.skip("the fork quirk and VmHWM are Linux's")
    held = np.ones(600 * 2**20 // 8)  # this process: 600 MiB more, touched
    code = "from fastsmote.cli._demo import _peak_rss_mib; print(_peak_rss_mib())"
    child = float(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert 20 < child < 400, child
    del held
