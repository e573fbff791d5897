"""Memory checks: what this process can still allocate (machine, cgroups, rlimits), and
neighbour tables refused before they are allocated."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import blobs

import fastsmote._memory as memory
from fastsmote import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, EditedNearestNeighbours
from fastsmote.neighbors import (
    approx_kneighbors,
    exact_kneighbors,
    exact_kneighbors_of,
    exact_kneighbors_of_points,
    kneighbors,
    mixed_kneighbors,
)

GIB = 1 << 30


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_headroom_is_the_least_over_the_cgroup_and_its_parents(tmp_path):
    mount = tmp_path / "cg2"
    mine = mount / "user.slice" / "job"
    _write(mine / "memory.max", f"{4 * GIB}\n")
    _write(mine / "memory.current", f"{3 * GIB}\n")
    _write(mine / "memory.stat", f"anon 123\ninactive_file {GIB // 2}\nactive_file 9\n")
    _write(mount / "user.slice" / "memory.max", "max\n")  # no limit at this level
    _write(mount / "user.slice" / "memory.current", f"{10 * GIB}\n")
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("0::/user.slice/job\n")
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        f"30 23 0:26 / {mount} rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
        "31 23 0:27 / /proc rw - proc proc rw\n"
    )
    # limit 4 GiB, used 3 GiB of which 0.5 GiB is reclaimable file cache
    assert memory.cgroup_available_bytes(str(cgroup), str(mountinfo)) == GIB + GIB // 2
    _write(mount / "user.slice" / "memory.max", f"{11 * GIB}\n")  # a tighter parent
    assert memory.cgroup_available_bytes(str(cgroup), str(mountinfo)) == GIB
    _write(mine / "memory.max", "max\n")
    _write(mount / "user.slice" / "memory.max", "max\n")
    assert memory.cgroup_available_bytes(str(cgroup), str(mountinfo)) is None


def test_cgroup_v1_memory_controller_and_a_namespaced_mount(tmp_path):
    mount = tmp_path / "memory"
    # the mount shows the hierarchy from /docker/abc on: the process is at its root
    _write(mount / "memory.limit_in_bytes", f"{2 * GIB}\n")
    _write(mount / "memory.usage_in_bytes", f"{GIB}\n")
    _write(mount / "memory.stat", f"cache 5\ntotal_inactive_file {GIB // 4}\n")
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n")
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        f"35 31 0:32 /docker/abc {mount} rw,relatime - cgroup cgroup rw,memory\n"
        f"36 31 0:33 /docker/abc {tmp_path / 'cpu'} rw - cgroup cgroup rw,cpu,cpuacct\n"
    )
    expected = GIB + GIB // 4
    assert memory.cgroup_available_bytes(str(cgroup), str(mountinfo)) == expected
    _write(mount / "memory.limit_in_bytes", "9223372036854771712\n")  # v1's "no limit"
    assert memory.cgroup_available_bytes(str(cgroup), str(mountinfo)) is None
    # no cgroup files at all: nothing known
    assert memory.cgroup_available_bytes(str(tmp_path / "none"), str(mountinfo)) is None


def test_available_memory_is_the_least_of_what_is_known(monkeypatch):
    monkeypatch.setattr(memory, "system_available_bytes", lambda: 8 * GIB)
    monkeypatch.setattr(memory, "cgroup_available_bytes", lambda: 3 * GIB)
    monkeypatch.setattr(memory, "rlimit_available_bytes", lambda: None)
    assert memory.available_memory_bytes() == 3 * GIB
    monkeypatch.setattr(memory, "rlimit_available_bytes", lambda: -5)  # over its limit
    assert memory.available_memory_bytes() == 0
    for name in ("system_available_bytes", "cgroup_available_bytes", "rlimit_available_bytes"):
        monkeypatch.setattr(memory, name, lambda: None)
    assert memory.available_memory_bytes() is None


# A subprocess whose address space is limited (RLIMIT_AS) 600 MiB above what it has
# mapped after importing fastsmote: every neighbour table below needs far more.
_LIMITED = textwrap.dedent(
    """
    import resource
    import numpy as np
    import fastsmote as fs
    from fastsmote._memory import available_memory_bytes, rlimit_available_bytes

    rng = np.random.default_rng(0)
    X = rng.standard_normal((30_000, 4))
    y = np.repeat([0, 1], [20_000, 10_000])
    Xc = np.column_stack([X[:, :3], rng.integers(0, 3, len(X))])
    fs.SMOTE(random_state=0).fit_resample(X[::10], y[::10])  # loads the kernels
    with open("/proc/self/status") as f:
        size = next(int(l.split()[1]) for l in f if l.startswith("VmSize:")) * 1024
    limit = size + 600 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    assert rlimit_available_bytes() <= 600 * 2**20, rlimit_available_bytes()
    assert available_memory_bytes() <= 600 * 2**20
    cases = {
        "SMOTE": (fs.SMOTE(k_neighbors=9_000), X),
        "SMOTE-approx": (fs.SMOTE(k_neighbors=500, neighbors="approx"), X),
        "BorderlineSMOTE": (fs.BorderlineSMOTE(m_neighbors=20_000), X),
        "ADASYN": (fs.ADASYN(n_neighbors=9_000), X),
        "ENN": (fs.EditedNearestNeighbours(n_neighbors=20_000), X),
        "SMOTENC": (fs.SMOTENC(categorical_features=[3], k_neighbors=9_000), Xc),
    }
    for name, (sampler, data) in cases.items():
        try:
            sampler.fit_resample(data, y)
        except MemoryError as error:
            print(name, "|", error)
        else:
            print(name, "| no error")
    X_small, y_small = fs.SMOTE(random_state=0).fit_resample(X, y)  # what fits still runs
    print("small", X_small.shape)
    """
)


def test_neighbour_tables_beyond_an_address_space_limit_are_refused_clearly():
    env = dict(os.environ, NUMBA_NUM_THREADS="2")
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = dict(line.split(" | ", 1) for line in done.stdout.splitlines() if " | " in line)
    assert set(lines) == {"SMOTE", "SMOTE-approx", "BorderlineSMOTE", "ADASYN", "ENN", "SMOTENC"}
    for name, message in lines.items():
        assert "available to this process" in message, (name, message)
        assert "neighbour" in message and "fewer neighbours" in message, (name, message)
    assert "small (40000, 4)" in done.stdout


@pytest.fixture
def little_memory(monkeypatch):
    """Pretend 1 MiB is available: enough for no table below."""
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 1 << 20)


def test_every_search_checks_its_tables_before_allocating(little_memory):
    X = np.random.default_rng(1).standard_normal((2000, 12))
    rows = np.arange(len(X))
    codes = np.zeros((len(X), 1), dtype=np.int32)
    searches = {
        "direct": lambda: exact_kneighbors(X, 100, method="direct"),
        "fused": lambda: exact_kneighbors(X, 100, method="fused"),
        "blas": lambda: exact_kneighbors(X, 100, method="blas"),
        "one-sided": lambda: exact_kneighbors_of(X, rows[:500], 300),
        "points": lambda: exact_kneighbors_of_points(X[:500], X, 300),
        "mixed": lambda: mixed_kneighbors(X, codes, 100),
        "approx": lambda: approx_kneighbors(X, 20, rows, key=0),
        "pynndescent": lambda: approx_kneighbors(X, 20, rows, key=0, method="pynndescent"),
        "all rows": lambda: kneighbors(X, 100, queries=rows[:1500], backend="exact", key=0)[:2],
    }
    for search in searches.values():
        with pytest.raises(MemoryError, match="neighbour .* fewer neighbours"):
            search()


def test_samplers_refuse_tables_that_cannot_fit(monkeypatch):
    X, y = blobs([600, 300])
    # the outputs fit in 1 MiB; a 300 x 299 (or 900 x 500) table of int64 and float64 does not
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 1 << 20)
    for sampler in (
        SMOTE(k_neighbors=299),
        BorderlineSMOTE(m_neighbors=500),
        ADASYN(n_neighbors=299),
        EditedNearestNeighbours(n_neighbors=500),
        SMOTENC(categorical_features=[0], k_neighbors=299),
    ):
        with pytest.raises(MemoryError, match="for [0-9]{3} neighbours each"):
            sampler.fit_resample(X, y)
    SMOTE(k_neighbors=5).fit_resample(X, y)  # small tables still fit


def _over_samplers():
    """Every over-sampler (and the combinations), each with an input it takes."""
    import pandas as pd
    from scipy import sparse

    import fastsmote as fs

    X, y = blobs([600, 300])
    X_cat = np.column_stack([np.round(X[:, 0]) % 3, X[:, 1:]])
    frame = pd.DataFrame(X, columns=list("abcd")).assign(tag="x")  # a text column
    return {
        "SMOTE": (fs.SMOTE(), X),
        "SMOTE-sparse": (fs.SMOTE(), sparse.csr_matrix(X)),
        "SMOTENC": (fs.SMOTENC(categorical_features=[0]), X_cat),
        "SMOTEN": (fs.SMOTEN(), np.round(X).astype(np.int64)),
        "BorderlineSMOTE": (fs.BorderlineSMOTE(), X),
        "ADASYN": (fs.ADASYN(), X),
        "SVMSMOTE": (fs.SVMSMOTE(), X),
        "KMeansSMOTE": (fs.KMeansSMOTE(), X),
        "RandomOverSampler": (fs.RandomOverSampler(), frame),
        "RandomOverSampler-list": (fs.RandomOverSampler(), X.tolist()),
        "RandomOverSampler-shrinkage": (fs.RandomOverSampler(shrinkage=1.0), X),
        "SMOTEENN": (fs.SMOTEENN(), X),
        "SMOTETomek-sparse": (fs.SMOTETomek(), sparse.csr_matrix(X)),
    }, y


@pytest.mark.parametrize("name", list(_over_samplers()[0]))
def test_every_over_sampler_checks_its_output_before_making_it(monkeypatch, name):
    """Asked for 10 million rows with 1 MiB free, each raises before anything of the
    output's size is allocated (tracemalloc sees less than a tenth of it), saying which
    ways it has of getting the output (out=, fit_resample_iter, or fewer rows)."""
    import tracemalloc

    from fastsmote.base import OutputTooLarge

    samplers, y = _over_samplers()
    sampler, X = samplers[name]
    sampler.set_params(sampling_strategy={1: 10_000_000})
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 1 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(OutputTooLarge, match=r"10,000,600 rows x [45] features") as error:
            sampler.fit_resample(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000 * 8 // 10, peak
    message = str(error.value)
    assert message.endswith("lower sampling_strategy.") or message.endswith(
        " available to this process. Lower sampling_strategy."
    )
    offers_out = "out=np.memmap" in message
    assert offers_out == (isinstance(X, np.ndarray) and name.split("-")[0] in DENSE_OUT)


#: The samplers whose dense output can be written into out= (the others return rows in
#: the caller's container, or are combinations).
DENSE_OUT = {"SMOTE", "BorderlineSMOTE", "ADASYN", "SVMSMOTE", "KMeansSMOTE"}
