"""Cold start: what the first call of each entry point costs in a fresh environment.

    python benchmarks/cold_start.py                          # every entry point, 3 runs
    python benchmarks/cold_start.py --only smote-f32 smote-f64 --repeat 5
    python benchmarks/cold_start.py --json cold_start.json   # also write the raw runs

Each run is a fresh Python process with its own empty Numba cache (``NUMBA_CACHE_DIR``
set to a new temporary directory): "cold" is the first use after installing fastsmote.
The same code then runs again in another new process on the cache the first one filled:
"warm" is every later process. Data are tiny, so compiling dominates.

Per run: the process's CPU time (user + sys of the child, from
``getrusage(RUSAGE_CHILDREN)``) and wall time, whole and for the entry point's call
alone (after imports and data), and the number of kernel specialisations compiled
(cold) or loaded from the cache (warm), counted on the kernels' dispatchers. Compiling
runs on one thread, so on an idle machine cold wall time is close to CPU time; on a
shared one CPU time is the steadier figure. Medians over ``--repeat`` runs.
Run it alone (``nice`` is fine): a parallel job slows it down and inflates both figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

#: Printed by the child before its JSON line.
MARK = "COLD_START_RESULT "

#: Tiny two-class data; {dtype} is filled in per entry point.
TINY = """\
rng = np.random.default_rng(0)
X = rng.standard_normal((200, 4)).astype(np.{dtype})
y = np.repeat([0, 1], [150, 50])
X[y == 1] += 0.5
"""

#: name -> (what, dtype, setup, call)
ENTRIES = {
    "import": ("import fastsmote", None, "", "import fastsmote"),
    "smote-f32": (
        "SMOTE float32, 200 x 4",
        "float32",
        TINY,
        "fastsmote.SMOTE(random_state=0).fit_resample(X, y)",
    ),
    "smote-f64": (
        "SMOTE float64, 200 x 4",
        "float64",
        TINY,
        "fastsmote.SMOTE(random_state=0).fit_resample(X, y)",
    ),
    "smote-f32-wide": (
        "SMOTE float32, 20,000 x 20 (shortlist search)",
        "float32",
        "rng = np.random.default_rng(0)\n"
        "X = rng.standard_normal((20_000, 20), dtype=np.float32)\n"
        "y = (rng.random(20_000) < 0.1).astype(np.int64)\n"
        "X[y == 1] += 0.5\n",
        "fastsmote.SMOTE(random_state=0).fit_resample(X, y)",
    ),
    "borderline": (
        "BorderlineSMOTE float64, 200 x 4",
        "float64",
        TINY,
        "fastsmote.BorderlineSMOTE(random_state=0).fit_resample(X, y)",
    ),
    "adasyn": (
        "ADASYN float64, 200 x 4",
        "float64",
        TINY,
        "fastsmote.ADASYN(random_state=0).fit_resample(X, y)",
    ),
    "smotenc": (
        "SMOTENC float64, 200 x 4, 1 categorical",
        "float64",
        TINY + "X[:, 0] = np.round(X[:, 0])\n",
        "fastsmote.SMOTENC(categorical_features=[0], random_state=0).fit_resample(X, y)",
    ),
    "tomek": (
        "TomekLinks float64, 200 x 4",
        "float64",
        TINY,
        "fastsmote.TomekLinks().fit_resample(X, y)",
    ),
    "enn": (
        "EditedNearestNeighbours float64, 200 x 4",
        "float64",
        TINY,
        "fastsmote.EditedNearestNeighbours().fit_resample(X, y)",
    ),
    "ros-shrinkage": (
        "RandomOverSampler(shrinkage=1.0) float64, 200 x 4",
        "float64",
        TINY,
        "fastsmote.RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)",
    ),
    "demo": (
        "`fastsmote demo` (1M x 20 float32)",
        None,
        "from fastsmote.cli import main",
        "main(['demo'])",
    ),
    "warmup": ("fastsmote.warmup()", None, "", "fastsmote.warmup()"),
    "warmup-cli": (
        "`fastsmote warmup`",
        None,
        "from fastsmote.cli import main",
        "main(['warmup'])",
    ),
}

CHILD = """\
import json, sys, time
import numpy as np
import fastsmote
{setup}
c0, w0 = time.process_time(), time.perf_counter()
{call}
c1, w1 = time.process_time(), time.perf_counter()
from numba.core.registry import CPUDispatcher
kernels = {{}}
for name, module in list(sys.modules.items()):
    if name.startswith("fastsmote"):
        for attr in vars(module).values():
            if isinstance(attr, CPUDispatcher) and attr.py_func.__module__.startswith("fastsmote"):
                kernels[attr.py_func.__module__ + "." + attr.__name__] = attr
per_kernel = {{k: len(d.signatures) for k, d in sorted(kernels.items()) if d.signatures}}
compiled = sum(len(d.stats.cache_misses) for d in kernels.values())
loaded = sum(len(d.stats.cache_hits) for d in kernels.values())
print({mark!r} + json.dumps({{"call_cpu": c1 - c0, "call_wall": w1 - w0,
    "specialisations": sum(per_kernel.values()), "compiled": compiled, "loaded": loaded,
    "per_kernel": per_kernel}}), flush=True)
"""


def child_code(name: str) -> str:
    _, dtype, setup, call = ENTRIES[name]
    return CHILD.format(setup=setup.format(dtype=dtype), call=call, mark=MARK)


def run_child(code: str, cache_dir: str) -> dict:
    """One fresh process on ``cache_dir``: its CPU and wall time and what it reported."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    env.pop("FASTSMOTE_NUMBA_CACHE", None)
    env.pop("NUMBA_DISABLE_JIT", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(  # run elsewhere: a fastsmote/ in the working directory would win
        [sys.executable, "-c", code],
        env=env,
        cwd=cache_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    line = next(x for x in reversed(proc.stdout.splitlines()) if x.startswith(MARK))
    result = json.loads(line[len(MARK) :])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result.update(cpu=cpu, wall=wall)
    return result


def measure(name: str, repeat: int) -> dict:
    """Cold then warm, ``repeat`` times, each pair on a new empty cache."""
    code = child_code(name)
    runs = {"cold": [], "warm": []}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="fastsmote-cold-") as cache_dir:
            runs["cold"].append(run_child(code, cache_dir))
            runs["warm"].append(run_child(code, cache_dir))
    summary = {"entry": name, "what": ENTRIES[name][0], "runs": runs}
    for state, results in runs.items():
        for key in ("cpu", "wall", "call_cpu", "call_wall", "compiled", "loaded"):
            summary[f"{state}_{key}"] = statistics.median(r[key] for r in results)
        summary[f"{state}_per_kernel"] = results[-1]["per_kernel"]
    summary["specialisations"] = runs["cold"][-1]["specialisations"]
    return summary


def print_table(rows: list[dict], verbose: bool) -> None:
    head = (
        f"{'entry point':<48} {'cold: CPU':>9} {'wall':>6} {'call CPU':>8} {'compiled':>8}"
        f" | {'warm: CPU':>9} {'wall':>6} {'loaded':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['what']:<48} {r['cold_cpu']:9.1f} {r['cold_wall']:6.1f} {r['cold_call_cpu']:8.1f}"
            f" {r['cold_compiled']:8.0f} | {r['warm_cpu']:9.1f} {r['warm_wall']:6.1f}"
            f" {r['warm_loaded']:6.0f}"
        )
        if verbose:
            for kernel, n in r["cold_per_kernel"].items():
                print(f"    {n:3d}  {kernel}")


def _fastsmote_location() -> str:
    """Where the children import fastsmote from (PYTHONPATH or the installed package)."""
    code = "import fastsmote, os; print(os.path.dirname(fastsmote.__file__))"
    with tempfile.TemporaryDirectory() as elsewhere:
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True
        )
    return proc.stdout.strip() or proc.stderr.strip()[-200:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(ENTRIES), help="entry points to run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per entry point (median)")
    parser.add_argument("--json", metavar="PATH", help="also write every run as JSON")
    parser.add_argument("--verbose", action="store_true", help="specialisations per kernel")
    args = parser.parse_args()
    import numba

    names = args.only or list(ENTRIES)
    load_before = os.getloadavg()
    rows = []
    for name in names:
        rows.append(measure(name, args.repeat))
        print(f"  done: {name}", file=sys.stderr, flush=True)
    load_after = os.getloadavg()
    print(f"fastsmote from {_fastsmote_location()}")
    print(
        f"python {platform.python_version()}, numba {numba.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after; medians of {args.repeat} runs, seconds"
    )
    print_table(rows, args.verbose)
    if args.json:
        meta = {
            "python": platform.python_version(),
            "numba": numba.__version__,
            "cpus": os.cpu_count(),
            "load_average": [load_before, load_after],
            "repeat": args.repeat,
        }
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "entries": rows}, f, indent=1)


if __name__ == "__main__":
    main()
