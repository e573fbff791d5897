"""Peak memory and time of ``fastsmote resample`` on Parquet: streamed vs in memory.

Generates (in 1M-row chunks, never all in memory) a Parquet file of N rows x 20 float32
features and an int64 label with a 1% minority, one row group per 1M rows, then runs

    fastsmote resample IN OUT --target y -q               (SMOTE streamed by row groups)
    fastsmote resample IN OUT --target y -q --in-memory   (whole table in memory)

each in a subprocess under ``/usr/bin/time -v`` (wall time, peak RSS), after one small
warm-up run so both load compiled kernels from the Numba cache. Checks that both outputs
hold the same rows (row count, class counts and a checksum of every feature column).

    python benchmarks/cli_stream.py --rows 2000000
    python benchmarks/cli_stream.py --rows 20000000 --skip-in-memory
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1_000_000
N_FEATURES = 20


def generate(path: Path, n_rows: int, minority: float = 0.01, seed: int = 0) -> None:
    """Write the dataset chunk by chunk: memory holds one 1M-row chunk."""
    names = [f"x{j:02d}" for j in range(N_FEATURES)]
    schema = pa.schema([*(pa.field(n, pa.float32()) for n in names), pa.field("y", pa.int64())])
    seeds = np.random.SeedSequence(seed).spawn((n_rows + CHUNK - 1) // CHUNK)
    with pq.ParquetWriter(path, schema) as writer:
        for i, start in enumerate(range(0, n_rows, CHUNK)):
            m = min(CHUNK, n_rows - start)
            rng = np.random.default_rng(seeds[i])
            X = rng.standard_normal((m, N_FEATURES), dtype=np.float32)
            y = (rng.random(m) < minority).astype(np.int64)
            X[y == 1] += 1.0
            columns = [pa.array(np.ascontiguousarray(X[:, j])) for j in range(N_FEATURES)]
            writer.write_table(pa.table([*columns, pa.array(y)], schema=schema), CHUNK)


def run(args: list[str]) -> dict:
    """Run the command under /usr/bin/time -v; wall seconds and peak RSS (MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        cmd = ["/usr/bin/time", "-v", "-o", report.name, sys.executable, "-m", "fastsmote.cli"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(cmd + args, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr}")
        text = report.read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    h, m, s = (float(g) if g else 0.0 for g in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return {"wall_s": h * 3600 + m * 60 + s, "peak_rss_mib": rss / 1024}


def summary(path: Path) -> tuple[int, dict, list]:
    """Rows, class counts and per-column sums (float64), read batch by batch."""
    f = pq.ParquetFile(path)
    counts: dict = {}
    sums = None
    for batch in f.iter_batches(batch_size=CHUNK):
        y = batch.column("y").to_numpy()
        for label, n in zip(*np.unique(y, return_counts=True), strict=True):
            counts[int(label)] = counts.get(int(label), 0) + int(n)
        part = [batch.column(j).to_numpy().sum(dtype=np.float64) for j in range(N_FEATURES)]
        sums = part if sums is None else [a + b for a, b in zip(sums, part, strict=True)]
    return f.metadata.num_rows, counts, sums


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dir", default=None, help="work directory (default: a temp dir)")
    parser.add_argument("--skip-in-memory", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        tmp = Path(tmp)
        source = tmp / "in.parquet"
        generate(source, args.rows)
        small = tmp / "small.parquet"
        generate(small, 20_000)
        run(["resample", str(small), str(tmp / "warm.parquet"), "--target", "y", "-q"])
        size = source.stat().st_size
        print(f"input: {args.rows:,} rows x {N_FEATURES} float32 + int64 label, 1% minority, ")
        print(f"       {size / 2**20:,.0f} MiB Parquet, row groups of {CHUNK:,} rows")
        results = {}
        modes = [("streamed", [])] + (
            [] if args.skip_in_memory else [("in-memory", ["--in-memory"])]
        )
        for name, extra in modes:
            out = tmp / f"{name}.parquet"
            cmd = ["resample", str(source), str(out), "--target", "y", "-q", "--no-record"]
            results[name] = run(cmd + extra)
            results[name]["out_mib"] = out.stat().st_size / 2**20
            results[name]["summary"] = summary(out)
        for name, r in results.items():
            rows = r["summary"][0]
            print(
                f"{name:>10}: {r['wall_s']:7.1f} s wall, peak RSS {r['peak_rss_mib']:7,.0f} MiB, "
                f"output {rows:,} rows, {r['out_mib']:,.0f} MiB"
            )
        if len(results) == 2:
            a, b = (results[k]["summary"] for k in ("streamed", "in-memory"))
            same = a[0] == b[0] and a[1] == b[1] and np.allclose(a[2], b[2], rtol=0, atol=0)
            print(f"same rows (count, class counts, column sums): {same}")
            if not same:
                raise SystemExit(1)


if __name__ == "__main__":
    main()
