"""fastsmote's NN-descent: kernels against plain-Python references, then the graph."""

import os
import subprocess
import sys

import numpy as np
import pytest
from naive import knn, nndescent_edge_key, nndescent_round, sq_distances_to, stream_key

from fastsmote import _numba
from fastsmote._kernels import nndescent as kernels
from fastsmote._kernels.knn import block_distances
from fastsmote._numba import numba_threads
from fastsmote.neighbors import _nndescent, approx_kneighbors, exact_kneighbors
from fastsmote.neighbors._nndescent import (
    CandidateSampler,
    graph_bytes,
    join_chunk_blocks,
    nndescent_graph,
    refine_graph,
)


def recall(found, exact):
    return np.mean([len(set(a) & set(e)) / len(e) for a, e in zip(found, exact, strict=True)])


def random_graph(data, n_slots, seed):
    """A full graph of random neighbours with their exact distances and random flags."""
    rng = np.random.default_rng(seed)
    n = data.shape[0]
    g_dist = np.empty((n, n_slots), dtype=data.dtype)
    g_pos = np.empty((n, n_slots), dtype=np.int32)
    for i in range(n):
        others = rng.choice(np.delete(np.arange(n), i), n_slots, replace=False)
        dist = sq_distances_to(data, i)[others]
        order = np.lexsort((others, dist))
        g_dist[i], g_pos[i] = dist[order], others[order]
    return g_dist, g_pos, rng.random((n, n_slots)) < 0.6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_features", [3, 8, 13])
def test_block_distances_to_a_column_range_match_the_defined_order(dtype, n_features):
    data = np.random.default_rng(0).standard_normal((37, n_features)).astype(dtype)
    cand_t = np.zeros((n_features, 48), dtype=dtype)
    cand_t[:, :37] = data.T
    dist = np.full(48, -1.0, dtype=dtype)
    for a, first in [(0, 0), (5, 0), (20, 16), (36, 32)]:
        block_distances(data[a], cand_t, first, 48, dist)
        np.testing.assert_array_equal(dist[first:37], sq_distances_to(data, a)[first:])
    assert np.all(dist[32:48] >= 0)  # padding columns are computed, not left as garbage


def test_push_sorted_keeps_the_best_distinct_entries_whatever_the_order():
    rng = np.random.default_rng(1)
    offers = [
        (float(d), int(p))
        for d, p in zip(rng.integers(0, 20, 200), rng.integers(0, 60, 200), strict=True)
    ]
    offers = [(float(p % 20), p) for _, p in offers]  # one distance per position, with ties
    expected = sorted(set(offers))[:10]
    for order in range(3):
        shuffled = [offers[t] for t in np.random.default_rng(order).permutation(len(offers))]
        dist = np.full(10, np.inf)
        pos = np.full(10, kernels.EMPTY, dtype=np.int32)
        new = np.zeros(10, dtype=np.bool_)
        slots = [kernels._push_sorted(dist, pos, new, d, p) for d, p in shuffled]
        assert list(zip(dist.tolist(), pos.tolist(), strict=True)) == expected
        assert sum(slot >= 0 for slot in slots) >= 10 and new.all()
        assert slots[0] == 0 and all(-1 <= slot < 10 for slot in slots)


def test_push_heap_keeps_the_smallest_distinct_keys():
    rng = np.random.default_rng(2)
    keys = rng.integers(0, 500, 300).astype(np.uint64)  # with repeats
    heap = np.zeros((1, 16), dtype=np.uint64)
    counts = np.zeros(1, dtype=np.int64)
    for item in keys:
        kernels._push_heap(heap, counts, 0, item)
    assert counts[0] == 16
    assert sorted(heap[0].tolist()) == sorted(set(keys.tolist()))[:16]
    assert all(heap[0, (t - 1) // 2] >= heap[0, t] for t in range(1, 16))  # max-heap


def test_edge_key_and_round_key_follow_the_reference_hash():
    for i, j in [(0, 1), (7, 3), (123456, 99)]:
        assert int(kernels._edge_key(np.uint64(42), i, j)) == nndescent_edge_key(42, i, j)
    assert int(kernels.round_key(np.uint64(42), 3)) == stream_key(stream_key(42, 3), 3)


@pytest.mark.parametrize("n", [200, 1000])
def test_rp_forest_partitions_every_tree_into_small_leaves(n):
    data = np.random.default_rng(3).standard_normal((n, 5)).astype(np.float32)
    data[: n // 4] = data[0]  # a block of duplicates must still split (by halving)
    perm, leaf_of, bounds = kernels.rp_forest(data, np.uint64(9), 3, 12)
    for t in range(3):
        np.testing.assert_array_equal(np.sort(perm[t]), np.arange(n))
        n_leaves = leaf_of[t].max() + 1
        sizes = np.diff(bounds[t, : n_leaves + 1])
        assert sizes.min() >= 1 and sizes.max() <= 12 and bounds[t, n_leaves] == n
        for leaf in range(n_leaves):
            assert np.all(leaf_of[t, perm[t, bounds[t, leaf] : bounds[t, leaf + 1]]] == leaf)
    again = kernels.rp_forest(data, np.uint64(9), 3, 12)
    np.testing.assert_array_equal(perm, again[0])
    assert not np.array_equal(perm, kernels.rp_forest(data, np.uint64(10), 3, 12)[0])


def test_initial_graph_is_each_rows_best_leaf_mates():
    data = np.random.default_rng(4).standard_normal((300, 6))
    perm, leaf_of, bounds = kernels.rp_forest(data, np.uint64(5), 2, 16)
    g_dist, g_pos, g_new = kernels.graph_from_forest(data, perm, leaf_of, bounds, 8, np.uint64(5))
    for i in range(300):
        mates = set()
        for t in range(2):
            leaf = leaf_of[t, i]
            mates |= set(perm[t, bounds[t, leaf] : bounds[t, leaf + 1]].tolist())
        mates.discard(i)
        dist = sq_distances_to(data, i)
        best = sorted((dist[j], j) for j in mates)[:8]
        if len(best) == 8:  # otherwise topped up with random rows
            assert list(zip(g_dist[i].tolist(), g_pos[i].tolist(), strict=True)) == best
        assert i not in g_pos[i] and len(set(g_pos[i].tolist())) == 8
        np.testing.assert_array_equal(g_dist[i], dist[g_pos[i]])
    assert g_new.all()


_sampler_init = CandidateSampler.__init__


def tiny_sampler(self, *args):
    _sampler_init(self, *args)
    self.bucket_capacity, self.edge_capacity = 1, 8
    self.grouped_target, self.grouped_source = np.empty(8, np.int32), np.empty(8, np.int32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("max_candidates, n_slots", [(4, 9), (9, 9), (17, 20)])
@pytest.mark.parametrize("ranges", ["one", "many"])
def test_one_round_matches_the_reference(dtype, max_candidates, n_slots, ranges, monkeypatch):
    # 17 candidates: a join crosses a 16-column vector boundary
    if ranges == "many":
        # 16-row buckets sampled one at a time, each with more reverse edges than the
        # (shrunk) grouped arrays hold
        monkeypatch.setattr(_nndescent, "BUCKET_SHIFT", 4)
        monkeypatch.setattr(CandidateSampler, "__init__", tiny_sampler)
    data = np.random.default_rng(5).standard_normal((400, 7)).astype(dtype)
    g_dist, g_pos, g_new = random_graph(data, n_slots, seed=6)
    key = 1234567
    expected = nndescent_round(
        data, g_dist, g_pos, g_new, max_candidates, stream_key(stream_key(key, 3), 0)
    )
    rounds = refine_graph(data, g_dist, g_pos, g_new, max_candidates, np.uint64(key), rounds=1)
    assert rounds == 1
    np.testing.assert_array_equal(g_pos, expected[1])
    np.testing.assert_array_equal(g_dist, expected[0])
    np.testing.assert_array_equal(g_new, expected[2])


def test_rounds_do_not_depend_on_chunking_or_threads():
    data = np.random.default_rng(7).standard_normal((3000, 10)).astype(np.float32)
    results = []
    for threads, budget in [(1, None), (2, None), (2, 1)]:  # 1 MiB: many small chunks
        with numba_threads(threads):
            results.append(nndescent_graph(data, 12, 12, 4, key=3, working_memory=budget))
    for dist, pos, rounds in results[1:]:
        np.testing.assert_array_equal(pos, results[0][1])
        np.testing.assert_array_equal(dist, results[0][0])
        assert rounds == results[0][2]


def round_step_by_step(data, threads):
    """Every output of each kernel of one graph and one round, with ``threads`` threads."""
    n_slots, max_candidates, key = 8, 6, np.uint64(21)
    outputs = []
    with numba_threads(threads):
        forest = kernels.rp_forest(data, key, 3, n_slots)
        graph = kernels.graph_from_forest(data, *forest, n_slots, key)
        perm, leaf_of, bounds = forest
        used_bounds = [bounds[t, : leaf_of[t].max() + 2] for t in range(3)]  # the rest: unset
        outputs += [perm, leaf_of, *used_bounds, *(part.copy() for part in graph)]
        n = len(data)
        cand = {old: np.zeros((n, max_candidates), np.int32) for old in (False, True)}
        n_cand = {old: np.zeros(n, np.int32) for old in (False, True)}
        new_max = np.zeros(n, np.uint64)
        heap = np.zeros((n, max_candidates), np.uint64)
        heap_n = np.zeros(n, np.int64)
        grouped = np.zeros(n * n_slots, np.int32), np.zeros(n * n_slots, np.int32)
        for old in (False, True):
            edges = kernels.count_reverse_edges(*graph[1:], old, n_cand[False], 4)
            outputs.append(edges)
            for b0, b1 in [(0, 3), (3, 4), (4, edges.shape[1])]:  # several calls
                kernels.sample_buckets(
                    *graph[1:], key, old, n_cand[False], 4, b0, b1, edges, heap, heap_n,
                    *grouped, cand[old], n_cand[old], new_max,
                )  # fmt: skip
            outputs += [cand[old], n_cand[old]]
        kernels.mark_sampled(*graph[1:], key, n_cand[False], new_max, max_candidates)
        outputs += [new_max, graph[2].copy()]
        capacity = kernels.JOIN_BLOCK * _nndescent.update_capacity_per_row(max_candidates)
        n_blocks = -(-n // kernels.JOIN_BLOCK)
        buffers = [
            np.zeros((n_blocks, capacity), dtype) for dtype in (np.int32, np.int32, data.dtype)
        ]
        buf_n = np.zeros(n_blocks, np.int64)
        kernels.join_chunk(data, graph[0], cand[False], n_cand[False], cand[True], n_cand[True],
                           0, n, *buffers, buf_n)  # fmt: skip
        outputs += [buf_n] + [b[blk, : buf_n[blk]] for b in buffers for blk in range(n_blocks)]
        outputs += list(kernels._bucket_offsets(buffers[0], buf_n, 4, -(-n // 16)))
        work = [np.zeros(n_blocks * capacity, b.dtype) for b in buffers]
        inserted = kernels.apply_updates(*graph, *buffers, buf_n, 4, *work, 4)
        outputs += [np.array(inserted), *graph]
    return outputs


def test_each_kernel_gives_the_same_output_for_one_and_two_threads(monkeypatch):
    # with 3 ranges per thread, task ranges split the fixed blocks, parts and buckets
    # unevenly (16-row buckets, 64-row join blocks)
    monkeypatch.setattr(_numba, "RANGES_PER_THREAD", 3)
    data = np.random.default_rng(16).standard_normal((700, 5)).astype(np.float32)
    one, two = round_step_by_step(data, 1), round_step_by_step(data, 2)
    assert len(one) == len(two) and one[-4][1] > 0  # the round inserted something
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


def test_two_threads_build_the_graph_on_the_workqueue_layer():
    # Numba's "workqueue" layer aborts the process when two threads enter parallel
    # regions at once: parallel_for's ranges run concurrently, so no NN-descent task
    # kernel may contain one (np.zeros or a slice assignment would become one)
    script = (
        "import numpy as np\n"
        "from fastsmote._numba import numba_threads\n"
        "from fastsmote.neighbors._nndescent import nndescent_graph\n"
        "data = np.random.default_rng(0).standard_normal((3000, 6))\n"
        "with numba_threads(2):\n"
        "    print(nndescent_graph(data, 8, 8, 2, key=0)[1].shape)\n"
    )
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue")
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "(3000, 8)"


def test_update_buffers_and_their_grouped_copy_fit_the_budget():
    import tracemalloc

    # 10k rows: a 32 MiB budget is not clipped (fewer blocks than rows, more than 4)
    data = np.random.default_rng(9).standard_normal((10_000, 8))
    for dtype, distance_bytes in ((np.float32, 4), (np.float64, 8)):  # in the updates
        assert 4 < join_chunk_blocks(12, 32, distance_bytes, len(data)) < len(data) // 64
        peaks = {}
        tracemalloc.start()
        for budget in (2, 32):
            tracemalloc.reset_peak()
            nndescent_graph(data.astype(dtype), 12, 12, 2, key=3, working_memory=budget)
            peaks[budget] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # the class-sized arrays are the same for both budgets: the difference is the
        # update machinery, which must fit 32 MiB (and uses most of it)
        assert 16 * 2**20 < peaks[32] - peaks[2] <= 32 * 2**20, dtype


def test_sampling_ranges_respect_both_capacities():
    sampler = CandidateSampler(4000, 8, 8, workspace=np.empty(2**20, np.uint8))
    sampler.bucket_capacity, sampler.edge_capacity = 2, 10
    edges = np.array([3, 4, 5, 20, 1, 1, 1])
    # a bucket over the edge capacity gets a range of its own
    assert sampler.bucket_ranges(edges) == [(0, 2), (2, 3), (3, 4), (4, 6), (6, 7)]


def test_only_the_candidates_grow_with_the_rows():
    import tracemalloc

    # The arrays refine_graph allocates: candidate rows and counts per row (class-sized),
    # then sampling and update buffers within the budget. The graph is the caller's.
    n_slots, budget = 12, 8
    for n_rows in (2_000, 50_000):  # the first loads the kernels, which tracemalloc sees
        data = np.random.default_rng(11).standard_normal((n_rows, 8)).astype(np.float32)
        g_dist, g_pos, g_new = kernels.graph_from_forest(
            data, *kernels.rp_forest(data, np.uint64(1), 2, n_slots), n_slots, np.uint64(1)
        )
        tracemalloc.start()
        refine_graph(data, g_dist, g_pos, g_new, n_slots, np.uint64(1), 2, working_memory=budget)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    # candidates (int32), their counts, a heap key, and two tables per bucket of 512
    # rows with one int64 per source part (edge counts and offsets): 2 bytes per row
    per_row = 2 * 4 * n_slots + 2 * 4 + 8 + 2
    assert peak <= n_rows * per_row + budget * 2**20 + 2**16  # + array headers


def test_graph_bytes_bounds_what_the_graph_allocates():
    import tracemalloc

    data = np.random.default_rng(12).standard_normal((20_000, 8))
    for dtype in (np.float32, np.float64):
        sample = data.astype(dtype)
        nndescent_graph(sample[:2000], 12, 12, 4, key=0)  # load the kernels
        tracemalloc.start()
        nndescent_graph(sample, 12, 12, 4, key=0, working_memory=4)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        bound = graph_bytes(data.shape, sample.itemsize, 12, 12, 4, working_memory=4)
        assert peak <= bound < 2 * peak, dtype  # an upper bound, not a loose one


def test_a_graph_that_cannot_fit_is_refused_before_it_is_built(monkeypatch):
    from conftest import blobs

    import fastsmote._memory as memory
    from fastsmote import SMOTE

    data = np.random.default_rng(13).standard_normal((5000, 8)).astype(np.float32)
    need = graph_bytes(data.shape, 4, 12, 12, 4)
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: need - 1)
    with pytest.raises(MemoryError, match="graph of 5,000 rows .*exact"):
        nndescent_graph(data, 12, 12, 4, key=0)
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: need)
    nndescent_graph(data, 12, 12, 4, key=0)
    # through a sampler: the output fits, the graph does not
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2**23)
    X, y = blobs([4000, 1000])
    with pytest.raises(MemoryError, match="graph of 1,000 rows"):
        SMOTE(neighbors="approx").fit_resample(X, y)


def test_reordering_in_place_gives_the_same_graph():
    data = np.random.default_rng(14).standard_normal((3000, 10)).astype(np.float32)
    before = data.copy()
    copied = nndescent_graph(data, 12, 12, 4, key=5)
    np.testing.assert_array_equal(data, before)  # the default leaves the input alone
    in_place = nndescent_graph(data, 12, 12, 4, key=5, reorder_in_place=True)
    assert not np.array_equal(data, before)  # rows were reordered...
    np.testing.assert_array_equal(np.sort(data, axis=0), np.sort(before, axis=0))  # ...only
    for a, b in zip(copied, in_place, strict=True):
        np.testing.assert_array_equal(a, b)


def test_graph_is_sorted_self_free_and_exact_in_its_distances():
    data = np.random.default_rng(8).standard_normal((2000, 12)).astype(np.float32)
    dist, pos, rounds = nndescent_graph(data, 10, 10, 4, key=1)
    assert 1 <= rounds
    assert not np.any(pos == np.arange(2000)[:, None])
    assert all(len(set(row)) == 10 for row in pos.tolist())
    for i in range(0, 2000, 97):
        np.testing.assert_array_equal(dist[i], sq_distances_to(data, i)[pos[i]])
    assert np.all(np.diff(dist, axis=1) >= 0)
    _, exact = knn(data, np.arange(2000), 5)
    assert recall(pos[:, :5], exact) >= 0.95


def test_duplicate_rows_get_distinct_neighbours():
    data = np.repeat(np.random.default_rng(9).standard_normal((40, 6)), 60, axis=0)
    found = approx_kneighbors(data, 5, np.arange(len(data)), key=0)
    assert not np.any(found == np.arange(len(data))[:, None])
    assert all(len(set(row)) == 5 for row in found.tolist())
    # each row's 59 copies are at distance 0: its neighbours must be copies
    own_block = np.broadcast_to(np.arange(len(data))[:, None] // 60, found.shape)
    np.testing.assert_array_equal(found // 60, own_block)


def test_approx_kneighbors_selected_rows_and_small_sets():
    X = np.random.default_rng(10).standard_normal((5000, 20)).astype(np.float32)
    rows = np.arange(1, 5000, 2)
    found = approx_kneighbors(X, 5, rows, key=4)
    assert found.shape == (rows.size, 5) and found.dtype == np.int64
    assert recall(found, exact_kneighbors(X, 5, rows)) >= 0.95
    small = approx_kneighbors(X, 5, rows[:40], key=4)  # fewer than two graph rows: exact
    np.testing.assert_array_equal(small, exact_kneighbors(X, 5, rows[:40]))


def test_a_large_budget_is_a_ceiling_not_an_allocation(monkeypatch):
    import tracemalloc

    from conftest import blobs

    import fastsmote._memory as memory
    from fastsmote import SMOTE

    data = np.random.default_rng(15).standard_normal((2000, 8)).astype(np.float32)
    # a 2k-row class needs ~30 MiB (update buffers for all its rows at once, sized for
    # the worst case) whatever the budget above that
    need = graph_bytes(data.shape, 4, 12, 12, 4, working_memory=32768)
    assert need == graph_bytes(data.shape, 4, 12, 12, 4, working_memory=256) < 64 * 2**20
    expected = nndescent_graph(data, 12, 12, 4, key=2, working_memory=1)
    tracemalloc.start()
    found = nndescent_graph(data, 12, 12, 4, key=2, working_memory=32768)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= need, peak
    for a, b in zip(expected, found, strict=True):
        np.testing.assert_array_equal(a, b)  # the same graph for any budget
    # through a sampler, with 1 GiB available: a 32 GiB budget is not an allocation
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2**30)
    X, y = blobs([6000, 2000])
    small = SMOTE(neighbors="approx", random_state=0, working_memory=256).fit_resample(X, y)
    large = SMOTE(neighbors="approx", random_state=0, working_memory=32768).fit_resample(X, y)
    np.testing.assert_array_equal(small[0], large[0])
