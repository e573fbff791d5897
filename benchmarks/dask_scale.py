"""SMOTE on Dask against the streamed and in-memory command line, on one Parquet dataset.

Generates N rows x 20 float32 features and an int64 label with a 1% minority (in 1M-row
chunks), as one Parquet file (for the command line) and as a directory of 1M-row files
(a Dask dataset), then runs, one after the other, each in a fresh process:

    fastsmote resample IN OUT --target y                  (streamed by row groups)
    fastsmote resample IN OUT --target y --in-memory      (fit_resample on the table)
    fastsmote.dask.resample(dd.read_parquet(DIR), "y", SMOTE(random_state=0)).to_parquet()
        on a LocalCluster of --workers processes, one thread each

Reports wall time and peak RSS (the driver and each worker for Dask), the Dask job's
phases (the counting pass when ``resample`` is called, then the tasks by kind, summed
over workers, from Dask's task stream), and checks that the three outputs hold the same
rows (row count, class counts, the exact sum of every feature column). Every job first
runs once on 20k rows so kernels load from the Numba cache. Run it alone.

    python benchmarks/dask_scale.py --rows 2000000
    python benchmarks/dask_scale.py --rows 20000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from cli_stream import CHUNK, N_FEATURES, ROOT, generate, run

DASK_JOB = r"""
import json, sys, time
import dask.dataframe as dd
from dask.distributed import Client, LocalCluster, get_task_stream
from dask.utils import key_split
import fastsmote, fastsmote.dask

def peak_mib():
    # VmHWM: this process's own peak (ru_maxrss would start from the parent's at fork)
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

def job(source, output):
    started = time.perf_counter()
    sampler = fastsmote.SMOTE(random_state=0)
    lazy = fastsmote.dask.resample(dd.read_parquet(source), "y", sampler)
    counted = time.perf_counter()
    with get_task_stream() as stream:
        lazy.to_parquet(output, write_index=False)
    done = time.perf_counter()
    phases = {}
    for task in stream.data:
        spent = sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
        name = key_split(task["key"])
        phases[name] = phases.get(name, 0.0) + spent
    return {"count_s": counted - started, "compute_s": done - counted,
            "wall_s": done - started, "phases": phases,
            "backend": {str(k): v for k, v in sampler.neighbors_backend_.items()}}

if __name__ == "__main__":
    source, output, warm_source, warm_output, workers = sys.argv[1:6]
    with (
        LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                     dashboard_address=":0", memory_limit=0) as cluster,
        Client(cluster) as client,
    ):
        job(warm_source, warm_output)  # loads the kernels on every worker
        result = job(source, output)
        result["worker_peak_mib"] = sorted(client.run(peak_mib).values())
    result["driver_peak_mib"] = peak_mib()
    print("DASK_RESULT " + json.dumps(result))
"""


def write_dataset(source: Path, directory: Path) -> None:
    """The rows of ``source`` as a directory of one file per row group (1M rows)."""
    directory.mkdir()
    f = pq.ParquetFile(source)
    for i in range(f.num_row_groups):
        pq.write_table(f.read_row_group(i), directory / f"part.{i:05d}.parquet")


def summary(path: Path) -> tuple[int, dict, list]:
    """Rows, class counts and, per column, the sum of its values' bit patterns (exact and
    independent of the order of the rows) of a file or a directory."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    counts: dict = {}
    sums = [0] * N_FEATURES
    n_rows = 0
    for file in files:
        for batch in pq.ParquetFile(file).iter_batches(batch_size=CHUNK):
            n_rows += batch.num_rows
            y = batch.column("y").to_numpy()
            for label, n in zip(*np.unique(y, return_counts=True), strict=True):
                counts[int(label)] = counts.get(int(label), 0) + int(n)
            for j in range(N_FEATURES):
                bits = batch.column(j).to_numpy().view(np.uint32)
                sums[j] += int(bits.sum(dtype=np.uint64))
    return n_rows, counts, sums


def dask_job(source: Path, output: Path, warm: tuple[Path, Path], workers: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", DASK_JOB, source, output, *warm, str(workers)]
    done = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the Dask job failed ({done.returncode}):\n{done.stderr[-4000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("DASK_RESULT "))
    return json.loads(line.split(" ", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", default=None, help="work directory (default: a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        tmp = Path(tmp)
        source, dataset = tmp / "in.parquet", tmp / "in"
        generate(source, args.rows)
        write_dataset(source, dataset)
        small, small_dataset = tmp / "small.parquet", tmp / "small"
        generate(small, 20_000)
        write_dataset(small, small_dataset)
        run(["resample", str(small), str(tmp / "warm.parquet"), "--target", "y", "-q"])
        print(f"input: {args.rows:,} rows x {N_FEATURES} float32 + int64 label, 1% minority; ")
        print(f"       {source.stat().st_size / 2**20:,.0f} MiB Parquet, 1M-row row groups/files")
        results = {}
        for name, extra in (("streamed CLI", []), ("in-memory CLI", ["--in-memory"])):
            out = tmp / f"{name.split()[0]}.parquet"
            cmd = ["resample", str(source), str(out), "--target", "y", "-q", "--no-record"]
            results[name] = {**run(cmd + extra), "summary": summary(out)}
            out.unlink()
        out = tmp / "dask_out"
        warm = (small_dataset, tmp / "dask_warm")
        results["dask"] = {**dask_job(dataset, out, warm, args.workers), "summary": summary(out)}
        for name, r in results.items():
            peak = r.get("peak_rss_mib")
            memory = (
                f"peak RSS {peak:6,.0f} MiB"
                if peak is not None
                else f"peak RSS driver {r['driver_peak_mib']:,.0f} MiB, workers "
                + ", ".join(f"{m:,.0f}" for m in r["worker_peak_mib"])
                + " MiB"
            )
            print(f"{name:>14}: {r['wall_s']:7.1f} s wall, {memory}, {r['summary'][0]:,} rows")
        d = results["dask"]
        print(f"dask phases: counting pass {d['count_s']:.1f} s (when resample is called), ")
        print(f"             then {d['compute_s']:.1f} s of computing; task time by kind:")
        for name, spent in sorted(d["phases"].items(), key=lambda item: -item[1]):
            print(f"             {spent:7.1f} s  {name}")
        print(f"dask backend per class: {d['backend']}")
        first = results["streamed CLI"]["summary"]
        same = all(r["summary"] == first for r in results.values())
        print(f"same rows (count, class counts, bit-pattern sums per column): {same}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
