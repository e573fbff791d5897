"""SMOTE draws and the gather-interpolate generation kernel.

Synthetic row ``j`` of a class (``j`` counts from 0 over all rows generated for that
class) uses three draws of the class stream, at counters ``3j``, ``3j+1`` and ``3j+2``:
the base row (uniform over the class), the neighbour slot (uniform over the k
neighbours) and the gap ``u`` in ``[0, 1)``. Nothing else influences the values, so
any split of ``j`` into chunks or threads gives the same rows.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .._random import draw_uint64, uint64_below, uint64_to_unit

DRAWS_PER_SAMPLE = 3


@jit(inline="always")
def smote_draws(class_key, j, n_class, k):
    """(base position, neighbour slot, gap) of synthetic row ``j`` of a class."""
    c = DRAWS_PER_SAMPLE * j
    base = uint64_below(draw_uint64(class_key, c), n_class)
    slot = uint64_below(draw_uint64(class_key, c + 1), k)
    gap = uint64_to_unit(draw_uint64(class_key, c + 2))
    return base, slot, gap


def smote_draws_range(class_key, start, n_new, n_class, k):
    """Draws of synthetic rows ``start .. start + n_new - 1`` (for provenance)."""
    base = np.empty(n_new, dtype=np.int64)
    slot = np.empty(n_new, dtype=np.int64)
    gap = np.empty(n_new, dtype=np.float64)
    parallel_for(_draws_of, n_new, class_key, start, n_class, k, base, slot, gap)
    return base, slot, gap


@jit(tasks=True)
def _draws_of(t0, t1, class_key, start, n_class, k, base, slot, gap):
    """Entries ``t0 .. t1 - 1`` of :func:`smote_draws_range`."""
    for t in range(t0, t1):
        base[t], slot[t], gap[t] = smote_draws(class_key, start + t, n_class, k)


@jit(inline="always")
def _interpolate(X, base, neighbor, gap, gap_cast, out, row):
    """``out[row] = X[base] + g * (X[neighbor] - X[base])``, ``g`` = gap rounded to X's dtype.

    ``gap_cast`` is a one-element scratch array of the data dtype (the rounding).
    """
    gap_cast[0] = gap
    g = gap_cast[0]
    for f in range(X.shape[1]):
        xb = X[base, f]
        out[row, f] = xb + g * (X[neighbor, f] - xb)


@jit(inline="always")
def _base_of(j, cum_counts):
    """Base position of sample ``j`` when bases are repeated by counts (ADASYN)."""
    lo, hi = 0, cum_counts.shape[0] - 1
    while lo < hi:  # first position whose cumulative count exceeds j
        mid = (lo + hi) // 2
        if cum_counts[mid] > j:
            hi = mid
        else:
            lo = mid + 1
    return lo


@jit(inline="always")
def _group_of(j, groups):
    """Group of sample ``j``: the first whose cumulative row count exceeds ``j``."""
    g = 0
    while groups[g, 1] <= j:
        g += 1
    return g


@jit(inline="always")
def _sample(class_key, j, neighbor_rows, counted_base, damp, damp_key, groups, steps):
    """(base position, neighbour slot, gap) of sample ``j``, damping and groups applied.

    ``counted_base``: the base when bases are repeated by counts (ADASYN; see
    :func:`_base_of`), else -1 (the base is drawn).
    """
    base_pos, slot, gap = smote_draws(class_key, j, neighbor_rows.shape[0], neighbor_rows.shape[1])
    if counted_base >= 0:
        base_pos = counted_base
    if groups.shape[0] > 0:  # the base is drawn among its group's bases only
        g = _group_of(j, groups)
        first = groups[g - 1, 0] if g > 0 else 0
        base_pos = first + uint64_below(
            draw_uint64(class_key, DRAWS_PER_SAMPLE * j), groups[g, 0] - first
        )
        gap = gap * steps[g]
    if damp.shape[0] > 0 and damp[base_pos, slot]:
        gap = gap * (0.5 * uint64_to_unit(draw_uint64(damp_key, j)))
    return base_pos, slot, gap


def smote_generate(
    X,
    base_rows,
    neighbor_rows,
    class_key,
    start,
    out,
    out_start,
    n_new,
    chunk,
    cum_counts,
    damp,
    damp_key,
    groups,
    steps,
):
    """Write synthetic rows ``start .. start + n_new - 1`` of one class into ``out``.

    Parameters
    ----------
    X : (n, d) array holding the rows referred to (``out`` itself is allowed: its first
        rows are the copied input and are never written here)
    base_rows : (n_base,) int64 row numbers in ``X`` of the possible base rows
    neighbor_rows : (n_base, k) int64 row numbers in ``X`` of each base's neighbours
    class_key : uint64 key of the class stream
    out : (m, d) output, same dtype as ``X``; rows ``out_start .. out_start + n_new - 1``
        are written, each by exactly one parallel iteration
    chunk : rows per parallel iteration (scheduling only, never the values)
    cum_counts : empty, or (n_base,) cumulative rows per base (ADASYN): sample ``j``
        then uses base ``i`` with ``cum_counts[i-1] <= j < cum_counts[i]`` instead of a
        drawn one (draw ``3j`` is skipped, the slot and gap draws are unchanged)
    damp : empty, or (n_base, k) bool (Borderline-SMOTE-2): where True the gap is
        multiplied by ``0.5 * u``, ``u`` the ``j``-th draw of the stream ``damp_key``
    groups : empty, or (n_groups, 2) int64 (SVM-SMOTE, KMeans-SMOTE): per group of
        consecutive bases, the cumulative end of its bases and of its samples. Sample
        ``j`` of group ``g`` (``groups[g-1, 1] <= j < groups[g, 1]``) draws its base
        uniformly among that group's bases (draw ``3j``), the slot and gap as usual
    steps : (n_groups,) float64 with ``groups``: the gap of a sample of group ``g`` is
        multiplied by ``steps[g]`` (negative: a step from the base away from the
        neighbour, i.e. extrapolation)

    The gap is rounded to the data dtype once, then ``base + gap * (neighbour - base)``
    is evaluated in that dtype, exactly as ``tests/naive.py`` does it with NumPy.
    """
    n_chunks = (n_new + chunk - 1) // chunk
    parallel_for(_generate_chunks, n_chunks, X, base_rows, neighbor_rows, class_key, start, out,
                 out_start, n_new, chunk, cum_counts, damp, damp_key, groups, steps)  # fmt: skip


@jit(tasks=True, read_only=("X",))
def _generate_chunks(c0, c1, X, base_rows, neighbor_rows, class_key, start, out, out_start,
                     n_new, chunk, cum_counts, damp, damp_key, groups, steps):  # fmt: skip
    """Chunks ``c0 .. c1 - 1`` of :func:`smote_generate`."""
    counted = cum_counts.shape[0] > 0
    gap_cast = np.empty(1, dtype=out.dtype)
    for c in range(c0, c1):
        t1 = min(n_new, (c + 1) * chunk)
        # with counts, consecutive samples have non-decreasing bases: search once per
        # chunk, then step forward
        counted_base = _base_of(start + c * chunk, cum_counts) if counted else -1
        for t in range(c * chunk, t1):
            if counted:
                while cum_counts[counted_base] <= start + t:
                    counted_base += 1
            base_pos, slot, gap = _sample(
                class_key, start + t, neighbor_rows, counted_base, damp, damp_key, groups, steps
            )
            neighbor = neighbor_rows[base_pos, slot]
            _interpolate(X, base_rows[base_pos], neighbor, gap, gap_cast, out, out_start + t)


def smote_origins(
    base_rows, neighbor_rows, class_key, start, n_new, cum_counts, damp, damp_key, groups, steps
):
    """Base row, neighbour row and gap of the rows :func:`smote_generate` writes with the
    same arguments (for provenance and per-row values such as sample weights)."""
    base = np.empty(n_new, dtype=np.int64)
    neighbor = np.empty(n_new, dtype=np.int64)
    gap = np.empty(n_new, dtype=np.float64)
    parallel_for(_origins_of, n_new, base_rows, neighbor_rows, class_key, start, cum_counts,
                 damp, damp_key, groups, steps, base, neighbor, gap)  # fmt: skip
    return base, neighbor, gap


@jit(tasks=True)
def _origins_of(t0, t1, base_rows, neighbor_rows, class_key, start, cum_counts, damp, damp_key,
                groups, steps, base, neighbor, gap):  # fmt: skip
    """Entries ``t0 .. t1 - 1`` of :func:`smote_origins`."""
    for t in range(t0, t1):
        j = start + t
        counted_base = _base_of(j, cum_counts) if cum_counts.shape[0] > 0 else -1
        base_pos, slot, gap[t] = _sample(
            class_key, j, neighbor_rows, counted_base, damp, damp_key, groups, steps
        )
        base[t] = base_rows[base_pos]
        neighbor[t] = neighbor_rows[base_pos, slot]


NO_COUNTS = np.empty(0, dtype=np.int64)
NO_DAMP = np.empty((0, 0), dtype=np.bool_)
NO_GROUPS = np.empty((0, 2), dtype=np.int64)
NO_STEPS = np.empty(0, dtype=np.float64)


def smotenc_generate(
    X, codes, neighbors, class_key, tie_key, start, out, out_codes, out_start, n_new, chunk
):
    """SMOTE-NC rows ``start .. start + n_new - 1`` of one class.

    Continuous features: exactly :func:`smote_generate` (same draws). Categorical
    feature ``f``: the most frequent code among the base row's k neighbours; ties are
    broken uniformly with draw ``j * n_cat + f`` of ``tie_key`` among the tied codes in
    increasing order. Only existing codes of neighbours can be produced.
    """
    n_chunks = (n_new + chunk - 1) // chunk
    parallel_for(_smotenc_chunks, n_chunks, X, codes, neighbors, class_key, tie_key, start, out,
                 out_codes, out_start, n_new, chunk)  # fmt: skip


@jit(tasks=True, read_only=("X", "codes"))
def _smotenc_chunks(c0, c1, X, codes, neighbors, class_key, tie_key, start, out, out_codes,
                    out_start, n_new, chunk):  # fmt: skip
    """Chunks ``c0 .. c1 - 1`` of :func:`smotenc_generate`."""
    n_class = X.shape[0]
    k = neighbors.shape[1]
    gap_cast = np.empty(1, dtype=out.dtype)
    votes = np.empty(k, dtype=np.int64)
    tied = np.empty(k, dtype=codes.dtype)
    for c in range(c0, c1):
        for t in range(c * chunk, min(n_new, (c + 1) * chunk)):
            j = start + t
            base, slot, gap = smote_draws(class_key, j, n_class, k)
            row = out_start + t
            _interpolate(X, base, neighbors[base, slot], gap, gap_cast, out, row)
            _vote(codes, neighbors[base], tie_key, j, votes, tied, out_codes[row])


def smotenc_codes(codes, neighbors, class_key, tie_key, start, out_codes, out_start, n_new,
                  chunk):  # fmt: skip
    """The categorical codes of SMOTE-NC rows ``start .. start + n_new - 1`` of one class
    (``codes``: one row per row of the class), those of :func:`smotenc_generate`
    without the continuous features (a sparse output interpolates them on its own)."""
    n_chunks = (n_new + chunk - 1) // chunk
    parallel_for(_codes_chunks, n_chunks, codes, neighbors, class_key, tie_key, start,
                 out_codes, out_start, n_new, chunk)  # fmt: skip


@jit(tasks=True, read_only=("codes",))
def _codes_chunks(c0, c1, codes, neighbors, class_key, tie_key, start, out_codes, out_start,
                  n_new, chunk):  # fmt: skip
    """Chunks ``c0 .. c1 - 1`` of :func:`smotenc_codes`."""
    n_class = codes.shape[0]
    k = neighbors.shape[1]
    votes = np.empty(k, dtype=np.int64)
    tied = np.empty(k, dtype=codes.dtype)
    for c in range(c0, c1):
        for t in range(c * chunk, min(n_new, (c + 1) * chunk)):
            j = start + t
            base, _, _ = smote_draws(class_key, j, n_class, k)
            _vote(codes, neighbors[base], tie_key, j, votes, tied, out_codes[out_start + t])


@jit(inline="always")
def _vote(codes, near, tie_key, j, votes, tied, out):
    """Synthetic row ``j``'s categorical codes into ``out``: per feature ``f``, the most
    frequent code among the rows ``near`` (the base's neighbours), ties drawn with draw
    ``j * n_cat + f`` of ``tie_key`` among the tied codes in increasing order."""
    n_cat = codes.shape[1]
    k = near.shape[0]
    for f in range(n_cat):
        best = 0
        for s in range(k):
            votes[s] = 0
            code = codes[near[s], f]
            for r in range(k):
                if codes[near[r], f] == code:
                    votes[s] += 1
            best = max(best, votes[s])
        n_tied = 0
        for s in range(k):  # distinct tied codes, kept sorted
            if votes[s] != best:
                continue
            code = codes[near[s], f]
            p = 0
            while p < n_tied and tied[p] < code:
                p += 1
            if p < n_tied and tied[p] == code:
                continue
            for q in range(n_tied, p, -1):
                tied[q] = tied[q - 1]
            tied[p] = code
            n_tied += 1
        pick = uint64_below(draw_uint64(tie_key, j * n_cat + f), n_tied)
        out[f] = tied[pick]
