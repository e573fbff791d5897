"""Time and peak memory of fastsmote's NN-descent graph, kernel by kernel.

Builds the graph of a Gaussian class (the benchmarks' data) once the kernels are loaded,
and prints the rounds, a checksum of the first five neighbours (the graph must not
change when only memory or speed work changes), the time spent in each kernel and the
peak RSS above the start, sampled every 10 ms, while each kernel ran.

    python benchmarks/graph_memory.py --rows 500000 --features 20 [--slots 24] [--in-place]

``--in-place`` reorders the rows in place, as the samplers do (their copy of the class).
"""

from __future__ import annotations

import argparse
import os
import threading
import time

import numpy as np

from fastsmote._kernels import nndescent as kernels
from fastsmote.neighbors import _nndescent
from fastsmote.neighbors._approx import N_TREES, graph_size

PAGE = os.sysconf("SC_PAGE_SIZE")
KERNELS = [
    "rp_forest", "graph_from_forest", "count_reverse_edges", "sample_buckets",
    "mark_sampled", "sample_candidates", "join_chunk", "apply_updates",
]  # fmt: skip


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class Probe:
    """Wraps the kernels to time them and to attribute sampled RSS to the running one
    (kernels an older checkout lacks are skipped, so versions can be compared)."""

    def __init__(self) -> None:
        self.running = "driver"
        self.peak: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.stop = False
        for name in filter(lambda name: hasattr(kernels, name), KERNELS):
            setattr(kernels, name, self._wrap(name, getattr(kernels, name)))

    def _wrap(self, name, kernel):
        def timed(*args):
            self.running = name
            start = time.perf_counter()
            try:
                return kernel(*args)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.calls[name] = self.calls.get(name, 0) + 1
                self._record()
                self.running = "driver"

        return timed

    def _record(self) -> None:
        self.peak[self.running] = max(self.peak.get(self.running, 0), _rss())

    def sample(self) -> None:
        while not self.stop:
            self._record()
            time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--slots", type=int, help="graph neighbours (default: SMOTE's, k=5)")
    parser.add_argument("--in-place", action="store_true")
    args = parser.parse_args()
    slots = args.slots or graph_size(5, args.features, args.rows)
    rng = np.random.default_rng(0)
    data = rng.standard_normal((args.rows, args.features)).astype(np.float32)
    _nndescent.nndescent_graph(data[:3000].copy(), slots, slots, N_TREES, 0)  # load kernels
    probe = Probe()
    base = _rss()
    threading.Thread(target=probe.sample, daemon=True).start()
    start = time.perf_counter()
    in_place = {"reorder_in_place": True} if args.in_place else {}  # older checkouts: off
    _, indices, rounds = _nndescent.nndescent_graph(
        data, slots, slots, N_TREES, 0, n_tracked=5, **in_place
    )
    elapsed = time.perf_counter() - start
    probe.stop = True
    checksum = int(indices[:, :5].astype(np.int64).sum())
    print(f"{args.rows:,} x {args.features}, {slots} slots: {elapsed:.1f} s, {rounds} rounds, "
          f"checksum {checksum}")  # fmt: skip
    print("| kernel | seconds | calls | peak extra MiB | bytes per row |")
    print("|---|---:|---:|---:|---:|")
    for name in ["driver", *filter(probe.calls.get, KERNELS)]:
        extra = probe.peak.get(name, base) - base
        print(f"| {name} | {probe.seconds.get(name, 0):.2f} | {probe.calls.get(name, 0)} "
              f"| {extra / 2**20:.0f} | {extra / args.rows:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
