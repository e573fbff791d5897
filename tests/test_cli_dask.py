"""``fastsmote resample ... --scheduler ADDRESS``: the job on a Dask cluster, from a
Parquet dataset to a Parquet dataset placed atomically, with the rows of fit_resample."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

dask = pytest.importorskip("dask", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

import dask.dataframe as dd  # noqa: E402
from conftest import assert_same_frame, blobs, fit_resample_in_dask_order  # noqa: E402

from fastsmote import (  # noqa: E402
    SMOTE,
    SMOTEENN,
    SMOTENC,
    AllKNN,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
    io,
)
from fastsmote.cli import _dask, main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def address():
    """One 2-worker cluster on loopback for the module (workers in this process, over
    TCP, so that a command in another process can use it too)."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def _frame(n_per_class=(90, 24), seed=0):
    X, y = blobs(list(n_per_class), 3, seed=seed)
    frame = pd.DataFrame(X, columns=["f0", "f1", "f2"])
    frame["f2"] = frame["f2"].astype(np.float32)
    frame.insert(1, "y", y)
    return frame


@pytest.fixture
def dataset(tmp_path):
    """A directory of 3 Parquet files, and the whole frame."""
    frame = _frame()
    data = tmp_path / "data"
    data.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(data / f"p{i}.parquet", index=False)
    return data, frame


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _names(directory):
    return sorted(p.name for p in Path(directory).iterdir())


@pytest.mark.parametrize(
    ("method", "sampler"),
    [
        ("smote", SMOTE(k_neighbors=3, random_state=7)),
        ("random-under", None),
        ("tomek", TomekLinks()),
        ("enn", EditedNearestNeighbours(n_neighbors=3)),
        ("renn", RepeatedEditedNearestNeighbours(n_neighbors=3)),
        ("allknn", AllKNN(n_neighbors=3)),
        ("ncr", NeighbourhoodCleaningRule(n_neighbors=3)),
        ("nearmiss", NearMiss(n_neighbors=3)),
    ],
)
def test_dataset_is_fit_resample(address, dataset, capsys, method, sampler):
    data, frame = dataset
    out = data.parent / "out"
    argv = ["resample", data, out, "--target", "y", "--scheduler", address, "--seed", 7]
    argv += ["--method", method] + (["--k", 3] if method not in ("random-under", "tomek") else [])
    code, stdout, err = _run(capsys, *argv, "--synthetic-column", "synthetic")
    assert code == 0, err
    assert "wrote" in stdout
    got = pd.read_parquet(out)  # the part files in name order are the rows in order
    reference = sampler or RandomUnderSampler(random_state=7)
    expected = fit_resample_in_dask_order(reference, frame)
    assert_same_frame(got.drop(columns=["synthetic"]), expected)
    n_in = len(frame)
    synthetic = np.arange(len(expected)) >= n_in if method == "smote" else np.zeros(len(got))
    assert np.array_equal(got["synthetic"].to_numpy(), synthetic.astype(bool))
    record = json.loads((data.parent / "out.record.json").read_text())
    after = expected["y"].value_counts().sort_index()
    assert record["class_counts_after"] == [[int(c), int(n)] for c, n in after.items()]
    assert record["class_counts_before"] == [[0, 90], [1, 24]]
    assert record["random_key"] == getattr(reference, "random_key_", None)
    assert record["columns"]["synthetic_column"] == "synthetic"
    assert _names(data.parent) == ["data", "out", "out.record.json"]


@pytest.mark.parametrize(
    ("method", "make"), [("smote-enn", SMOTEENN), ("smote-tomek", SMOTETomek)]
)
def test_smote_then_cleaning_is_fit_resample(address, dataset, capsys, method, make):
    data, frame = dataset
    out = data.parent / "out"
    argv = ["resample", data, out, "--target", "y", "--scheduler", address, "--seed", 7]
    code, _, err = _run(capsys, *argv, "--method", method, "--synthetic-column", "added")
    assert code == 0, err
    got = pd.read_parquet(out)
    reference = make(random_state=7)
    expected = fit_resample_in_dask_order(reference, frame)
    assert_same_frame(got.drop(columns=["added"]), expected)
    cleaner = reference.enn_ if method == "smote-enn" else reference.tomek_
    assert np.array_equal(got["added"].to_numpy(), np.sort(cleaner.sample_indices_) >= len(frame))
    record = json.loads((data.parent / "out.record.json").read_text())
    assert record["n_synthetic"] == reference.record().n_synthetic


def test_local_scheduler_and_drop(dataset, capsys):
    data, frame = dataset
    out = data.parent / "out.parquet"
    code, _, err = _run(
        capsys, "resample", data / "p0.parquet", out, "--target", "y", "--scheduler", "local",
        "--drop", "f1", "--no-record", "-q",
    )  # fmt: skip
    assert code == 0, err
    part = frame.iloc[: len(pd.read_parquet(data / "p0.parquet"))].drop(columns=["f1"])
    assert_same_frame(
        pd.read_parquet(out), fit_resample_in_dask_order(SMOTE(random_state=0), part)
    )
    assert _names(data.parent) == ["data", "out.parquet"]


def test_smotenc_local(tmp_path, capsys):
    frame = _frame()
    frame.insert(3, "town", np.random.default_rng(1).choice(["p", "q", "r"], len(frame)))
    data = tmp_path / "data"
    data.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(data / f"p{i}.parquet", index=False)
    out = tmp_path / "out"
    code, _, err = _run(
        capsys, "resample", data, out, "--target", "y", "--method", "smotenc",
        "--categorical", "town", "--scheduler", "local", "--seed", 3, "--no-record", "-q",
    )  # fmt: skip
    assert code == 0, err
    whole = dd.read_parquet(data).compute().reset_index(drop=True)
    expected = fit_resample_in_dask_order(SMOTENC(["town"], random_state=3), whole)
    assert_same_frame(pd.read_parquet(out), expected)


# --------------------------------------------------------------------------- errors
def _fails(capsys, data, code, words, *extra, address="local"):
    before = _names(data.parent)
    got, _, err = _run(
        capsys, "resample", data, data.parent / "out", "--target", "y", "--scheduler",
        address, *extra,
    )  # fmt: skip
    assert got == code, err
    assert err.startswith("fastsmote: error: ") and err.count("\n") == 1, err
    assert words in err and "Traceback" not in err, err
    assert _names(data.parent) == before  # no OUTPUT, no record, no temporary directory


def test_unknown_target(address, dataset, capsys):
    data, _ = dataset
    _fails(capsys, data, 5, "column 'label' is not in", "--target", "label", address=address)


def test_unreachable_and_malformed_scheduler(dataset, capsys):
    data, _ = dataset
    with dask.config.set({"distributed.comm.timeouts.connect": "0.5s"}):
        _fails(
            capsys, data, 12, "cannot connect to the Dask scheduler", address="tcp://127.0.0.1:1"
        )
    _fails(capsys, data, 2, "--scheduler 'nowhere'", address="nowhere")


@pytest.mark.parametrize("address", ["not an address", "tcp://host", "foo://host:1"])
def test_a_malformed_scheduler_address_leaves_one_line(dataset, address):
    """Refused before a Client exists: nothing is printed after the error when the
    process ends (a Client built from the address would close itself then, printing a
    traceback a minute later)."""
    data, _ = dataset
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = data.parent / "out-malformed"
    command = [sys.executable, "-m", "fastsmote.cli", "resample", str(data), str(out)]
    command += ["--target", "y", "--scheduler", address]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"fastsmote: error: --scheduler {address!r}")
    assert done.stderr.count("\n") == 1, done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--method", "condensed-nn"], "--method condensed-nn has no Dask implementation"),
        (["--method", "smotenc"], "--method smotenc found no non-numeric column"),
        (["--method", "smotenc", "--categorical", "y"], "'y', which is the target"),
        (["--method", "borderline", "--neighbors", "approx"], "BorderlineSMOTE"),
        (["--in-memory"], "--in-memory"),
        (["--passthrough", "f0"], "--passthrough"),
        (["--threads", "2"], "--threads"),
        (["--output-format", "csv"], "Parquet"),
    ],
)
def test_refused_methods_and_options(address, dataset, capsys, extra, words):
    data, _ = dataset
    _fails(capsys, data, 2, words, *extra, address=address)


def test_output_inside_input(dataset, capsys):
    data, _ = dataset
    code, _, err = _run(
        capsys, "resample", data, data / "out", "--target", "y", "--scheduler", "local"
    )
    assert code == 2 and "inside one another" in err
    assert _names(data) == ["p0.parquet", "p1.parquet", "p2.parquet"]
    record = data.parent / "out" / "record.json"
    _fails(capsys, data, 2, "inside one another", "--record", record)


def test_without_the_dask_extra(dataset, capsys, monkeypatch):
    data, _ = dataset
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    _fails(capsys, data, 2, "pip install 'fastsmote[dask]'")


def test_failure_while_writing_leaves_nothing(
    address, dataset, capsys, monkeypatch, tmp_path_factory
):
    """A partition fails once its file is written: no OUTPUT, no temporary directory,
    no record."""
    data, _ = dataset
    seen = (
        tmp_path_factory.mktemp("seen") / "files"
    )  # the task runs on a copy of this test's objects
    write = _dask.write_partition

    def fail_last(frame, path, shown):
        rows = write(frame, path, shown)
        if path.endswith("part.3.parquet"):  # the synthetic rows
            seen.write_text(str(len(list(Path(path).parent.iterdir()))))
            raise io.OutputError(f"cannot write {shown!r}: No space left on device")
        return rows

    monkeypatch.setattr(_dask, "write_partition", fail_last)
    _fails(capsys, data, 10, "No space left on device", address=address)
    assert int(seen.read_text()) >= 1  # files were in the temporary directory


def test_existing_output(dataset, capsys):
    data, _ = dataset
    out = data.parent / "out"
    out.mkdir()
    (out / "old.parquet").write_bytes(b"old")
    _fails(capsys, data, 9, "exists; pass --overwrite")
    code, _, err = _run(
        capsys, "resample", data, out, "--target", "y", "--scheduler", "local", "--overwrite"
    )
    assert code == 0, err
    assert len(pd.read_parquet(out)) == 180
    assert "old.parquet" not in _names(out)
    assert _names(data.parent) == ["data", "out", "out.record.json"]
    (out / "notes.txt").write_text("mine")  # not a Parquet dataset: never replaced
    _fails(capsys, data, 10, "holds more than Parquet files", "--overwrite")
    assert (out / "notes.txt").read_text() == "mine"


#: A write that blocks until released (module level, so that tasks refer to it by name).
_STARTED, _RELEASE = threading.Event(), threading.Event()


def _blocked_write(frame, path, shown):
    _STARTED.set()
    _RELEASE.wait(20)
    raise RuntimeError("released")


def test_sigterm_while_workers_write(address, dataset, monkeypatch):
    """The command ends on SIGTERM while the workers write (they run in this process):
    exit 143, and no OUTPUT or temporary directory is left."""
    data, _ = dataset
    monkeypatch.setattr(_dask, "write_partition", _blocked_write)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "fastsmote.cli", "resample", str(data)]
    command += [str(data.parent / "out"), "--target", "y", "--scheduler", address]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert _STARTED.wait(20), "no partition was written"
        assert any(p.name.startswith(".out.fastsmote-tmp-") for p in data.parent.iterdir())
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        _RELEASE.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143, err
    assert "fastsmote: terminated" in err
    assert _names(data.parent) == ["data"]


def _write_when_told(frame, path, shown):
    """Runs on a worker process: say which process writes, wait for ``go``, write."""
    from fastsmote.cli._dask import write_partition  # the worker's own, unpatched

    flags = Path(os.environ["FASTSMOTE_TEST_FLAGS"])
    (flags / f"writing-{os.getpid()}").touch()
    for _ in range(2000):
        if (flags / "go").exists():
            break
        time.sleep(0.01)
    return write_partition(frame, path, shown)


def test_worker_killed_mid_job(dataset, capsys, monkeypatch, tmp_path_factory):
    """A worker process killed while it writes a partition: Dask runs its tasks again
    elsewhere and the dataset is that of fit_resample, or the command fails (exit 12)
    and leaves nothing; never a partial dataset."""
    cloudpickle = pytest.importorskip("cloudpickle")
    data, frame = dataset
    flags = tmp_path_factory.mktemp("flags")
    monkeypatch.setenv("FASTSMOTE_TEST_FLAGS", str(flags))  # the workers inherit it
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import it
    monkeypatch.setattr(_dask, "write_partition", _write_when_told)
    out, result = data.parent / "out", {}
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        argv = ["resample", str(data), str(out), "--target", "y", "--scheduler"]
        argv += [cluster.scheduler_address, "--no-record"]
        command = threading.Thread(target=lambda: result.update(code=main(argv)))
        command.start()
        try:
            for _ in range(3000):  # a partition is being written
                writers = list(flags.glob("writing-*"))
                if writers or not command.is_alive():
                    break
                time.sleep(0.01)
            assert writers, "no partition was written"
            os.kill(int(writers[0].name.split("-")[1]), signal.SIGKILL)
        finally:
            (flags / "go").touch()
            command.join(60)
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    _, err = capsys.readouterr()
    assert result["code"] in (0, 12), err
    if result["code"] == 0:
        assert_same_frame(
            pd.read_parquet(out), fit_resample_in_dask_order(SMOTE(random_state=0), frame)
        )
        assert _names(data.parent) == ["data", "out"]
    else:
        assert "the cluster lost the job" in err
        assert _names(data.parent) == ["data"]
