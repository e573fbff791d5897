"""fastsmote's approximate k-nearest-neighbour graph (NN-descent), driven round by round.

The kernels are in :mod:`fastsmote._kernels.nndescent`; this module chooses sizes,
allocates the work arrays once (first touches of fresh memory are slow on some machines,
so every round reuses them) and runs the rounds until they stop improving the graph.
"""

from __future__ import annotations

import numpy as np

from .._kernels import nndescent as kernels
from .._memory import budget_bytes, check_fits

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
    max_candidates: int,
    working_memory: int | None = None,
    distance_bytes: int = 4,
    n_rows: int | None = None,
) -> int:
    """Blocks of rows joined before their updates are applied, so that the update
    buffers and their grouped copy (sized for the worst case: every pair improves both
    rows) stay within the working-memory budget (4 blocks at least), and no more blocks
    than ``n_rows`` rows fill (the budget is a ceiling, not an allocation). Only the
    updates actually found touch memory."""
    per_block = _join_block_bytes(max_candidates, distance_bytes)
    blocks = int(np.clip(budget_bytes(working_memory) // per_block, 4, 256))
    if n_rows is not None:
        blocks = min(blocks, max(1, -(-n_rows // kernels.JOIN_BLOCK)))
    return blocks


def _join_block_bytes(max_candidates: int, distance_bytes: int) -> int:
    # per update: target and other row (int32) and a distance, buffered and grouped
    update_bytes = 2 * (4 + 4 + distance_bytes)
    return kernels.JOIN_BLOCK * update_capacity_per_row(max_candidates) * update_bytes


def graph_bytes(
    shape: tuple[int, int],
    itemsize: int,
    n_slots: int,
    max_candidates: int,
    n_trees: int,
    working_memory: int | None = None,
) -> int:
    """An upper bound on the memory ``nndescent_graph`` allocates for data of ``shape``:
    per row the reordered copy, the graph (distance, position, flag) and its reordered
    result, the forest and the candidates (never alive together, counted both), plus
    the workspace (``workspace_bytes``: at most the budget)."""
    n_rows, n_features = shape
    copy = n_features * itemsize
    graph = 2 * n_slots * (itemsize + 4) + n_slots
    forest = 3 * 4 * n_trees
    candidates = 2 * 4 * max_candidates + 2 * 4 + 8
    workspace = workspace_bytes(n_rows, n_slots, max_candidates, itemsize, working_memory)
    return n_rows * (copy + graph + forest + candidates) + workspace


def workspace_bytes(
    n_rows: int,
    n_slots: int,
    max_candidates: int,
    distance_bytes: int,
    working_memory: int | None = None,
) -> int:
    """Size of the workspace shared by sampling and joins: what they need to handle
    every row at once, but no more than the ``working_memory`` budget (except that the
    joins always get their minimum of 4 blocks: tiny budgets)."""
    blocks = join_chunk_blocks(max_candidates, working_memory, distance_bytes, n_rows)
    joins = blocks * _join_block_bytes(max_candidates, distance_bytes)
    bucket = 1 << BUCKET_SHIFT
    # CandidateSampler: half for every bucket's heaps, half for every reverse edge
    heaps = -(-n_rows // bucket) * bucket * CandidateSampler.row_bytes(max_candidates)
    sampling = 2 * max(heaps, 8 * n_rows * n_slots) + 256
    return max(joins, min(budget_bytes(working_memory), sampling))


def update_capacity_per_row(max_candidates: int) -> int:
    """Most directed updates one row's local join can emit: each of its (at most)
    ``max_candidates`` new candidates against every other candidate, both ends."""
    return 2 * max_candidates * (2 * max_candidates - 1)


def nndescent_graph(
    data: np.ndarray,
    n_slots: int,
    max_candidates: int,
    n_trees: int,
    key: np.uint64 | int,
    working_memory: int | None = None,
    n_tracked: int | None = None,
    reorder_in_place: bool = False,
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
    key : numpy.uint64 or int
        64-bit key every random choice derives from (trees, fill, candidate sampling);
        the graph is the same for any thread count.
    working_memory : int, optional
        Budget in MiB for the workspace of sampling and joins (default: the global
        config); the graph and the sampled candidates come on top (``graph_bytes``).
    n_tracked : int, optional
        Neighbours per row the caller will use (default: all ``n_slots``): rounds stop
        once they barely change these.
    reorder_in_place : bool, default=False
        Reorder ``data``'s rows in place (for a caller's own copy) instead of working on
        a reordered copy, saving a class-sized copy of the rows while the graph is
        refined. The graph returned is the same.

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
    check_fits(
        graph_bytes(
            data.shape, data.dtype.itemsize, n_slots, max_candidates, n_trees, working_memory
        ),  # fmt: skip
        f"The approximate neighbour graph of {n_rows:,} rows ({n_slots} neighbours per row)",
        'Use neighbors="exact", fewer neighbours, or a smaller working_memory.',
    )
    key = np.uint64(key)
    perm, leaf_of, leaf_bounds = kernels.rp_forest(data, key, n_trees, n_slots)
    # Work on a copy ordered like the first tree's leaves: rows that are close in space
    # become close in memory, so the random accesses of every round hit cache more often.
    order = perm[0].copy()
    rank = np.empty_like(order)
    rank[order] = np.arange(n_rows, dtype=np.int32)
    if reorder_in_place:
        data[:] = data[order]
        ordered = data
    else:
        ordered = data[order]
    perm = rank[perm]
    leaf_of = np.ascontiguousarray(leaf_of[:, order])
    g_dist, g_pos, g_new = kernels.graph_from_forest(
        ordered, perm, leaf_of, leaf_bounds, n_slots, key
    )
    del perm, leaf_of, leaf_bounds
    n_rounds = refine_graph(
        ordered, g_dist, g_pos, g_new, max_candidates, key, max_rounds(n_rows),
        working_memory, n_tracked or n_slots,
    )  # fmt: skip
    # back to the caller's rows and their order, with no int64 copy of the graph
    del ordered, g_new
    indices = order[g_pos]
    del g_pos
    return g_dist[rank], indices[rank], n_rounds


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
    cand_new = np.empty((n_rows, max_candidates), dtype=np.int32)
    cand_old = np.empty_like(cand_new)
    n_new = np.zeros(n_rows, dtype=np.int32)
    n_old = np.zeros(n_rows, dtype=np.int32)
    new_max = np.empty(n_rows, dtype=np.uint64)

    # Sampling and joining alternate, so their temporaries share one workspace (within
    # the budget): the update buffers and their grouped copy, or a range of rows' heaps
    # and reverse edges.
    itemsize = g_dist.dtype.itemsize
    chunk_blocks = join_chunk_blocks(max_candidates, working_memory, itemsize, n_rows)
    size = workspace_bytes(n_rows, n_slots, max_candidates, itemsize, working_memory)
    workspace = np.empty(size, dtype=np.uint8)
    capacity = kernels.JOIN_BLOCK * update_capacity_per_row(max_candidates)
    buf_target, buf_other, buf_dist, sorted_target, sorted_other, sorted_dist = carve(
        workspace,
        *[((chunk_blocks, capacity), dtype) for dtype in (np.int32, np.int32, g_dist.dtype)],
        *[(chunk_blocks * capacity, dtype) for dtype in (np.int32, np.int32, g_dist.dtype)],
    )
    buf_n = np.zeros(chunk_blocks, dtype=np.int64)
    sampler = CandidateSampler(n_rows, n_slots, max_candidates, workspace)

    chunk_rows = chunk_blocks * kernels.JOIN_BLOCK
    n_tracked = n_tracked or n_slots
    for round_ in range(rounds):
        sampler.sample(
            g_pos, g_new, np.uint64(kernels.round_key(key, round_)),
            cand_new, n_new, cand_old, n_old, new_max,
        )  # fmt: skip
        inserted = np.zeros(2, dtype=np.int64)  # into the tracked slots, into any
        for start in range(0, n_rows, chunk_rows):
            stop = min(n_rows, start + chunk_rows)
            buf_n[:] = 0
            kernels.join_chunk(
                data, g_dist, cand_new, n_new, cand_old, n_old, start, stop,
                buf_target, buf_other, buf_dist, buf_n,
            )  # fmt: skip
            inserted += kernels.apply_updates(
                g_dist, g_pos, g_new, buf_target, buf_other, buf_dist, buf_n, BUCKET_SHIFT,
                sorted_target, sorted_other, sorted_dist, n_tracked,
            )  # fmt: skip
        if inserted[0] <= DELTA * n_rows * n_tracked or inserted[1] <= DELTA * n_rows * n_slots:
            return round_ + 1
    return rounds


class CandidateSampler:
    """Samples each round's join candidates range of rows by range, so that the heaps
    and grouped reverse edges (the range's share of class-sized structures) fit in
    ``workspace``; only the candidates themselves (int32 rows) are class-sized.

    A range is a run of at most ``bucket_capacity`` whole buckets (``2**BUCKET_SHIFT``
    rows) with at most ``edge_capacity`` reverse edges (a bucket with more gets a range,
    and grouped arrays, of its own). Every range reads the whole graph to find its
    reverse edges, so ranges are as large as the workspace allows. The candidates do not
    depend on the ranges (see ``kernels.sample_buckets``).
    """

    def __init__(
        self, n_rows: int, n_slots: int, max_candidates: int, workspace: np.ndarray
    ) -> None:
        self.max_candidates = max_candidates
        bucket = 1 << BUCKET_SHIFT
        # half the workspace for heaps (uint64 keys and a count per row), half for edges
        half = workspace.nbytes // 2
        n_buckets = -(-n_rows // bucket)
        row_bytes = self.row_bytes(max_candidates)
        self.bucket_capacity = int(np.clip(half // (row_bytes * bucket), 1, n_buckets))
        rows = min(n_rows, self.bucket_capacity * bucket)
        # a pass has at most n_rows * n_slots reverse edges
        self.edge_capacity = max(bucket, min(half // 8, n_rows * n_slots))
        if rows * row_bytes + self.edge_capacity * 8 > workspace.nbytes:  # tiny budgets
            workspace = np.empty(rows * row_bytes + self.edge_capacity * 8 + 256, np.uint8)
        self.heap, self.heap_n, self.grouped_target, self.grouped_source = carve(
            workspace,
            ((rows, max_candidates), np.uint64),
            (rows, np.int64),
            (self.edge_capacity, np.int32),
            (self.edge_capacity, np.int32),
        )

    @staticmethod
    def row_bytes(max_candidates: int) -> int:
        """Heap bytes per row: a uint64 key per candidate and a count."""
        return 8 * max_candidates + 8

    def bucket_ranges(self, edges_per_bucket: np.ndarray) -> list[tuple[int, int]]:
        """Consecutive runs of buckets within the row and edge capacities (one bucket
        at least)."""
        ranges = []
        start, edges = 0, 0
        for b, count in enumerate(edges_per_bucket.tolist()):
            full = b - start == self.bucket_capacity or edges + count > self.edge_capacity
            if b > start and full:
                ranges.append((start, b))
                start, edges = b, 0
            edges += count
        ranges.append((start, len(edges_per_bucket)))
        return ranges

    def sample(self, g_pos, g_new, key, cand_new, n_new, cand_old, n_old, new_max) -> None:
        """New candidates of every row, then old ones (only for rows with new ones), then
        the sampled new entries are marked old (``kernels.mark_sampled``)."""
        for old, cand, counts in ((False, cand_new, n_new), (True, cand_old, n_old)):
            edges = kernels.count_reverse_edges(g_pos, g_new, old, n_new, BUCKET_SHIFT)
            per_bucket = edges.sum(axis=0)
            for b0, b1 in self.bucket_ranges(per_bucket):
                n_edges = int(per_bucket[b0:b1].sum())
                if n_edges > self.grouped_target.size:  # one bucket many rows point to
                    self.grouped_target = np.empty(n_edges, dtype=np.int32)
                    self.grouped_source = np.empty(n_edges, dtype=np.int32)
                kernels.sample_buckets(
                    g_pos, g_new, key, old, n_new, BUCKET_SHIFT, b0, b1, edges,
                    self.heap, self.heap_n, self.grouped_target, self.grouped_source,
                    cand, counts, new_max,
                )  # fmt: skip
        kernels.mark_sampled(g_pos, g_new, key, n_new, new_max, self.max_candidates)


def carve(workspace: np.ndarray, *specs: tuple) -> list[np.ndarray]:
    """Arrays of the given (shape, dtype) laid out one after another in ``workspace``
    (uint8), each starting a multiple of 64 bytes after the previous one."""
    arrays, offset = [], 0
    for shape, dtype in specs:
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        if offset + size > workspace.nbytes:
            raise ValueError(f"a workspace of {workspace.nbytes} bytes is too small")
        arrays.append(workspace[offset : offset + size].view(dtype).reshape(shape))
        offset += -(-size // 64) * 64
    return arrays
