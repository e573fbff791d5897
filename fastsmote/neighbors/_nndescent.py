"""fastsmote's approximate k-nearest-neighbour graph (NN-descent), driven round by round.

The kernels are in :mod:`fastsmote._kernels.nndescent`; this module chooses sizes,
allocates the work arrays once (first touches of fresh memory are slow on some machines,
so every round reuses them) and runs the rounds until they stop improving the graph.
"""

from __future__ import annotations

import numpy as np

from .._kernels import nndescent as kernels
from .._memory import budget_bytes
from .._random import key_from_random_state

#: NN-descent stops after a round that changes at most this share of the entries the
#: caller uses (the first ``n_tracked`` of each row), or of all entries.
DELTA = 0.003
#: Rows per bucket when updates are grouped by target row (2**9 rows: their lists fit
#: in a core's L2 cache at up to 64 slots).
BUCKET_SHIFT = 9


def max_rounds(n_rows: int) -> int:
    """Upper bound on NN-descent rounds (pynndescent's rule: about log2 of the rows)."""
    return max(5, int(round(np.log2(max(n_rows, 2)))))


def join_chunk_blocks(
    max_candidates: int, working_memory: int | None = None, distance_bytes: int = 4
) -> int:
    """Blocks of rows joined before their updates are applied, so that the update
    buffers and their grouped copy (sized for the worst case: every pair improves both
    rows) stay within the working-memory budget (4 blocks at least). Only the updates
    actually found touch memory."""
    # per update: target and other row (int32) and a distance, buffered and grouped
    update_bytes = 2 * (4 + 4 + distance_bytes)
    per_block = kernels.JOIN_BLOCK * update_capacity_per_row(max_candidates) * update_bytes
    return int(np.clip(budget_bytes(working_memory) // per_block, 4, 256))


def update_capacity_per_row(max_candidates: int) -> int:
    """Most directed updates one row's local join can emit: each of its (at most)
    ``max_candidates`` new candidates against every other candidate, both ends."""
    return 2 * max_candidates * (2 * max_candidates - 1)


def nndescent_graph(
    data: np.ndarray,
    n_slots: int,
    max_candidates: int,
    n_trees: int,
    seed: int,
    working_memory: int | None = None,
    n_tracked: int | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Approximate ``n_slots`` nearest neighbours of every row of ``data`` among its rows.

    Parameters
    ----------
    data : ndarray of shape (n_rows, n_features), C-contiguous float32 or float64
        ``n_rows`` must exceed ``n_slots``.
    n_slots : int
        Neighbours kept per row while the graph is refined.
    max_candidates : int
        New and old candidates sampled per row and round.
    n_trees : int
        Random-projection trees for the initial graph (leaves of ``n_slots`` rows).
    seed : int
        Every random choice derives from it; the graph is the same for any thread count.
    working_memory : int, optional
        Budget in MiB for the update buffers (default: the global config).
    n_tracked : int, optional
        Neighbours per row the caller will use (default: all ``n_slots``): rounds stop
        once they barely change these.

    Returns
    -------
    distances : ndarray of shape (n_rows, n_slots), data's dtype
        Squared distances, ascending per row (ties by position).
    indices : ndarray of shape (n_rows, n_slots), int32
    n_rounds : int
        NN-descent rounds run.
    """
    n_rows = data.shape[0]
    if n_rows <= n_slots:
        raise ValueError(f"need more than n_slots={n_slots} rows, got {n_rows}")
    key = key_from_random_state(seed)
    perm, leaf_of, leaf_bounds = kernels.rp_forest(data, key, n_trees, n_slots)
    # Work on a copy ordered like the first tree's leaves: rows that are close in space
    # become close in memory, so the random accesses of every round hit cache more often.
    order = perm[0].astype(np.int64)
    rank = np.empty_like(order)
    rank[order] = np.arange(n_rows)
    ordered = data[order]
    perm = rank[perm].astype(np.int32)
    leaf_of = np.ascontiguousarray(leaf_of[:, order])
    g_dist, g_pos, g_new = kernels.graph_from_forest(
        ordered, perm, leaf_of, leaf_bounds, n_slots, key
    )
    del perm, leaf_of, leaf_bounds
    n_rounds = refine_graph(
        ordered, g_dist, g_pos, g_new, max_candidates, key, max_rounds(n_rows),
        working_memory, n_tracked or n_slots,
    )  # fmt: skip
    indices = order[g_pos[rank]].astype(np.int32)
    return g_dist[rank], indices, n_rounds


def refine_graph(
    data: np.ndarray,
    g_dist: np.ndarray,
    g_pos: np.ndarray,
    g_new: np.ndarray,
    max_candidates: int,
    key: np.uint64,
    rounds: int,
    working_memory: int | None = None,
    n_tracked: int | None = None,
) -> int:
    """Up to ``rounds`` NN-descent rounds on the graph (in place), stopping early after a
    round that inserts at most a ``DELTA`` share of the entries in the first
    ``n_tracked`` slots, or of all entries; returns the rounds run."""
    n_rows, n_slots = g_pos.shape
    parts = kernels.SAMPLE_PARTS
    new_heap = np.empty((n_rows, max_candidates), dtype=np.uint64)
    old_heap = np.empty_like(new_heap)
    n_new = np.zeros(n_rows, dtype=np.int64)
    n_old = np.zeros(n_rows, dtype=np.int64)
    rev_target = np.empty((parts, kernels.sample_part_rows(n_rows) * n_slots), dtype=np.int32)
    rev_source = np.empty_like(rev_target)
    grouped_target = np.empty(n_rows * n_slots, dtype=np.int32)
    grouped_source = np.empty_like(grouped_target)

    chunk_blocks = join_chunk_blocks(max_candidates, working_memory, g_dist.dtype.itemsize)
    capacity = kernels.JOIN_BLOCK * update_capacity_per_row(max_candidates)
    buf_target = np.empty((chunk_blocks, capacity), dtype=np.int32)
    buf_other = np.empty_like(buf_target)
    buf_dist = np.empty((chunk_blocks, capacity), dtype=g_dist.dtype)
    buf_n = np.zeros(chunk_blocks, dtype=np.int64)
    sorted_target = np.empty(buf_target.size, dtype=np.int32)
    sorted_other = np.empty_like(sorted_target)
    sorted_dist = np.empty(buf_target.size, dtype=g_dist.dtype)

    chunk_rows = chunk_blocks * kernels.JOIN_BLOCK
    n_tracked = n_tracked or n_slots
    for round_ in range(rounds):
        kernels.sample_candidates(
            g_pos, g_new, np.uint64(kernels.round_key(key, round_)), BUCKET_SHIFT,
            new_heap, n_new, old_heap, n_old,
            rev_target, rev_source, grouped_target, grouped_source,
        )  # fmt: skip
        inserted = np.zeros(2, dtype=np.int64)  # into the tracked slots, into any
        for start in range(0, n_rows, chunk_rows):
            stop = min(n_rows, start + chunk_rows)
            buf_n[:] = 0
            kernels.join_chunk(
                data, g_dist, new_heap, n_new, old_heap, n_old, start, stop,
                buf_target, buf_other, buf_dist, buf_n,
            )  # fmt: skip
            inserted += kernels.apply_updates(
                g_dist, g_pos, g_new, buf_target, buf_other, buf_dist, buf_n, BUCKET_SHIFT,
                sorted_target, sorted_other, sorted_dist, n_tracked,
            )  # fmt: skip
        if inserted[0] <= DELTA * n_rows * n_tracked or inserted[1] <= DELTA * n_rows * n_slots:
            return round_ + 1
    return rounds
