"""``fastsmote`` failures: unreadable inputs, unwritable outputs, full disks, clashing
paths. Each failure is one line on stderr with its exit code, and leaves no file."""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

from fastsmote import io  # noqa: E402
from fastsmote.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "f64": rng.standard_normal(n),
            "f32": rng.standard_normal(n).astype(np.float32),
            "label": (np.arange(n) % 5 == 0).astype(np.int64),
        }
    )


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "in.parquet"
    pq.write_table(_table(), path)
    return path


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _after_first_write(monkeypatch, action):
    """Call ``action()`` right after each output's first batch is written (another
    process acting while the run writes)."""
    write = io.TableWriter.write

    def write_then_act(self, data):
        first = self.rows == 0
        write(self, data)
        if first:
            action()

    monkeypatch.setattr(io.TableWriter, "write", write_then_act)


def _one_line(err, words):
    assert err.startswith("fastsmote: error: ") and err.count("\n") == 1, err
    assert words in err and "Traceback" not in err, err


def _files(directory):
    return sorted(p.name for p in Path(directory).iterdir())


def _cli(*argv, env=None, **kwargs):
    """Run ``python -m fastsmote.cli`` in a new process (for stdout, pipes, rlimits)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    command = [sys.executable, "-m", "fastsmote.cli", *map(str, argv)]
    return subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True, **kwargs)


@contextlib.contextmanager
def _tmpfs(path, options):
    """A tmpfs mounted at ``path`` (root on Linux only)."""
    path.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)])
    if mounted.returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


# --------------------------------------------------------------------------- unreadable input
def _column_chunk_span(path, row_group=0, column=0):
    """Byte range of one column chunk (its dictionary and data pages) in a Parquet file."""
    chunk = pq.ParquetFile(path).metadata.row_group(row_group).column(column)
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    return start, start + chunk.total_compressed_size


def _damaged(tmp_path, how, checksums=True, dictionary=False):
    """A Parquet file with one value byte flipped or the last values zeroed."""
    path = tmp_path / f"{how}-{int(checksums)}{int(dictionary)}.parquet"
    pq.write_table(
        _table(),
        path,
        row_group_size=100,
        compression="none",
        use_dictionary=dictionary,
        write_page_checksum=checksums,
    )
    data = bytearray(path.read_bytes())
    _, end = _column_chunk_span(path, row_group=1)
    if how == "flip":
        data[end - 50] ^= 0x10  # inside the values of the last page
    else:
        data[end - 400 : end] = bytes(400)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("dictionary", [False, True], ids=["plain", "dictionary"])
@pytest.mark.parametrize("how", ["flip", "zero"])
def test_damaged_pages_with_checksums_are_unreadable(tmp_path, capsys, how, dictionary):
    bad = _damaged(tmp_path, how, dictionary=dictionary)
    out = tmp_path / "out.parquet"
    for extra in ([], ["--in-memory"]):
        code, _, err = _run(capsys, "resample", bad, out, "--target", "label", *extra)
        assert code == 4, err
        _one_line(err, f"cannot read {str(bad)!r} as PARQUET (row group 1 of 3)")
        assert "checksum" in err
    code, _, err = _run(capsys, "diagnose", bad, "--target", "label")
    assert code == 4 and "row group 1 of 3" in err
    assert _files(tmp_path) == [bad.name]


def test_truncated_empty_and_broken_files_are_unreadable(tmp_path, capsys, small):
    data = small.read_bytes()
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(data[: len(data) // 2])
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    header = tmp_path / "header.parquet"  # a damaged page header, no checksums
    pq.write_table(_table(), header, row_group_size=100, compression="none")
    start, _ = _column_chunk_span(header, row_group=2)
    broken = bytearray(header.read_bytes())
    broken[start : start + 8] = b"\xff" * 8
    header.write_bytes(bytes(broken))
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("f,label\n1.5,0\n2.5,1,7\n")
    directory = tmp_path / "dir.parquet"
    directory.mkdir()
    out = tmp_path / "out.parquet"
    for path in (truncated, empty, header, ragged, directory):
        for extra in ([], ["--in-memory"]):
            code, _, err = _run(capsys, "resample", path, out, "--target", "label", *extra)
            assert code == 4, (path, err)
            _one_line(err, f"cannot read {str(path)!r}")
    assert not out.exists() and not [p for p in _files(tmp_path) if "fastsmote-tmp" in p]


def test_damaged_text_is_unreadable(tmp_path, capsys):
    # no checksums: a damaged byte still decodes, but not as UTF-8 text
    table = _table().append_column("kind", pa.array(["fraud", "ok", "ok"] * 100))
    path = tmp_path / "text.parquet"
    pq.write_table(table, path, compression="none", use_dictionary=False)
    start, end = _column_chunk_span(path, column=3)
    data = bytearray(path.read_bytes())
    data[data.rindex(b"fraud", start, end)] = 0xFF  # in the values, not the statistics
    path.write_bytes(bytes(data))
    out = tmp_path / "out.parquet"
    for argv in (["--target", "kind"], ["--target", "label", "--method", "random-under"]):
        code, _, err = _run(capsys, "resample", path, out, *argv)
        assert code == 4, err
        _one_line(err, "(row group 0 of 1)")
    assert not out.exists()


def test_inputs_without_rows_are_unreadable(tmp_path, capsys):
    header_only = tmp_path / "header.csv"
    header_only.write_text("f,label\n")
    zero_rows = tmp_path / "zero.parquet"
    pq.write_table(_table().slice(0, 0), zero_rows)
    out = tmp_path / "out.parquet"
    for path in (header_only, zero_rows):
        for argv in (
            ["resample", path, out, "--target", "label"],
            ["resample", path, out, "--target", "label", "--in-memory"],
            ["resample", path, out, "--target", "label", "--method", "random-under"],
            ["diagnose", path, "--target", "label"],
        ):
            code, _, err = _run(capsys, *argv)
            assert code == 4, (argv, err)
            _one_line(err, "has no rows")
    assert not out.exists()


def test_outputs_carry_page_checksums(tmp_path, capsys, small):
    # a file fastsmote wrote and something damaged later is detected when read back
    out = tmp_path / "out.parquet"
    assert _run(capsys, "resample", small, out, "--target", "label", "--no-record", "-q")[0] == 0
    data = bytearray(out.read_bytes())
    _, end = _column_chunk_span(out)
    data[end - 20] ^= 0x01
    out.write_bytes(bytes(data))
    code, _, err = _run(capsys, "diagnose", out, "--target", "label")
    assert code == 4 and "checksum" in err


# --------------------------------------------------------------------------- duplicate names
def test_duplicate_feature_names_keep_each_columns_type(tmp_path, capsys):
    rng = np.random.default_rng(3)
    n = 200
    near_one = 1.0 + rng.standard_normal(n) * 1e-9  # not representable in float32
    table = pa.table(
        [
            pa.array(rng.standard_normal(n).astype(np.float32)),
            pa.array(near_one),
            pa.array((np.arange(n) % 4 == 0).astype(np.int64)),
        ],
        names=["x", "x", "label"],
    )
    path = tmp_path / "dup.parquet"
    pq.write_table(table, path)
    outputs = []
    for name, extra in (("s.parquet", []), ("m.parquet", ["--in-memory"])):
        argv = ["resample", path, tmp_path / name, "--target", "label", "--no-record", "-q"]
        assert _run(capsys, *argv, *extra)[0] == 0
        outputs.append(pq.ParquetFile(tmp_path / name).read())
    streamed, in_memory = outputs
    assert streamed.equals(in_memory)
    assert streamed.column_names == ["x", "x", "label"]
    assert [str(t) for t in streamed.schema.types] == ["float", "double", "int64"]
    np.testing.assert_array_equal(streamed.column(1).to_numpy()[:n], near_one)

    # CSV: duplicate names in, duplicate names out
    csv = tmp_path / "dup.csv"
    csv.write_text(
        "x,x,label\n" + "".join(f"{i}.5,{-i}.25,{int(i % 4 == 0)}\n" for i in range(40))
    )
    assert _run(capsys, "resample", csv, tmp_path / "o.csv", "--target", "label", "-q")[0] == 0
    assert (tmp_path / "o.csv").read_text().splitlines()[:2] == ['"x","x","label"', "0.5,0.25,1"]

    # the target itself must be unique
    twice = pa.table([pa.array([0, 1] * 10), pa.array([1, 0] * 10)], names=["label", "label"])
    pq.write_table(twice, tmp_path / "twice.parquet")
    code, _, err = _run(
        capsys, "resample", tmp_path / "twice.parquet", tmp_path / "t.parquet", "--target", "label"
    )
    assert code == 5
    _one_line(err, "2 columns of")


# --------------------------------------------------------------------------- unwritable output
def test_output_or_record_that_is_a_directory(tmp_path, capsys, small):
    (tmp_path / "out").mkdir()
    argv = ["--target", "label", "--output-format", "parquet", "--overwrite"]
    code, _, err = _run(capsys, "resample", small, tmp_path / "out", *argv)
    assert code == 10
    _one_line(err, "it is a directory")
    (tmp_path / "rec").mkdir()
    out = tmp_path / "o.parquet"
    argv = ["--target", "label", "--record", tmp_path / "rec", "--overwrite"]
    code, _, err = _run(capsys, "resample", small, out, *argv)
    assert code == 10
    _one_line(err, f"cannot write {str(tmp_path / 'rec')!r}: it is a directory")
    assert _files(tmp_path) == ["in.parquet", "out", "rec"]
    assert _files(tmp_path / "out") == [] and _files(tmp_path / "rec") == []


def test_record_in_a_read_only_directory(tmp_path, capsys, small):
    locked = tmp_path / "locked"
    if os.geteuid() == 0:  # root writes anywhere: only a read-only file system stops it
        context = _tmpfs(locked, "ro,size=64k")
    else:
        locked.mkdir()
        locked.chmod(0o555)
        context = contextlib.nullcontext(locked)
    with context:
        out = tmp_path / "out.parquet"
        argv = ["--target", "label", "--record", locked / "rec.json"]
        code, _, err = _run(capsys, "resample", small, out, *argv)
        assert code == 10, err
        _one_line(err, f"cannot write {str(locked / 'rec.json')!r}")
        assert _files(tmp_path) == ["in.parquet", "locked"] and _files(locked) == []


def _limited_runs(commands, limit):
    """Run the commands one after the other in one process whose files cannot grow
    past ``limit`` bytes (writes beyond it fail with EFBIG, as on a full disk); return
    their exit codes and the process's stderr and stdout."""
    script = (
        "import json, resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from fastsmote.cli import main\n"
        "codes = [main(argv) for argv in json.loads(sys.argv[1])]\n"
        "print(json.dumps(codes), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = json.dumps([[str(a) for a in command] for command in commands])
    done = subprocess.run(
        [sys.executable, "-c", script, argv], env=env, capture_output=True, text=True
    )
    *lines, codes = done.stderr.splitlines()
    return json.loads(codes), lines, done.stdout


def test_disk_full_while_writing_the_output_or_its_record(tmp_path, capsys, small):
    source = tmp_path / "in.csv"
    rows = "".join(f"{i * 0.25},{int(i % 4 == 0)}\n" for i in range(16))
    source.write_text("f,label\n" + rows)
    out = tmp_path / "out.csv"
    record = tmp_path / "out.csv.record.json"
    argv = ["resample", source, out, "--target", "label", "--k", "2"]
    assert _run(capsys, *argv, "-q")[0] == 0
    assert out.stat().st_size < 500 < record.stat().st_size  # 500 bytes fail the record only
    out.unlink()
    record.unlink()
    streamed = tmp_path / "big.csv"
    strategy = ["--sampling-strategy", '{"1": 100000}']
    commands = [argv, ["resample", small, streamed, "--target", "label", *strategy]]
    codes, errors, stdout = _limited_runs(commands, 500)
    assert codes == [10, 10] and stdout == "", errors
    assert errors == [
        f"fastsmote: error: cannot write {str(record)!r}: File too large",
        f"fastsmote: error: cannot write {str(streamed)!r}: File too large",
    ]
    assert _files(tmp_path) == ["in.csv", "in.parquet"]


def test_disk_full_on_a_real_file_system(tmp_path, capsys, small, monkeypatch):
    # another process takes the last free byte while the output is being written
    with _tmpfs(tmp_path / "disk", "size=1m") as disk:
        filler = disk / "filler"

        def fill():
            stat = os.statvfs(disk)
            filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize))

        _after_first_write(monkeypatch, fill)
        code, _, err = _run(capsys, "resample", small, disk / "out.parquet", "--target", "label")
        assert code == 10, err
        _one_line(err, "No space left on device")
        assert _files(disk) == ["filler"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_standard_output_that_cannot_be_written(tmp_path, capsys, small, monkeypatch):
    with open("/dev/full", "w") as full:
        # Python buffers stdout unless told otherwise: the failure comes with the flush
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        info = subprocess.run(
            [sys.executable, "-m", "fastsmote.cli", "info"],
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
        monkeypatch.setattr(sys, "stdout", full)
        code = main(["resample", str(small), str(tmp_path / "out.parquet"), "--target", "label"])
    assert info.returncode == 10
    assert (
        info.stderr
        == "fastsmote: error: cannot write to standard output: No space left on device\n"
    )
    assert code == 10
    _one_line(capsys.readouterr().err, "cannot write to standard output")
    assert _files(tmp_path) == ["in.parquet"]  # the summary comes before the files


def test_closed_pipe_on_standard_output():
    read, write = os.pipe()
    os.close(read)  # like `fastsmote info | head` once head has exited
    with os.fdopen(write, "w") as pipe:
        result = _cli("info", stdout=pipe)
    assert result.returncode == 141 and result.stderr == ""


def test_commands_without_files_report_failures_in_one_line(capsys, monkeypatch):
    import fastsmote

    def fail(*args, **kwargs):
        raise MemoryError("no room to compile")

    monkeypatch.setattr(fastsmote, "warmup", fail)
    code, out, err = _run(capsys, "warmup")
    assert code == 11 and out == ""
    assert err.splitlines() == [
        "fastsmote: compiling or loading every kernel (a minute or more with a cold cache, "
        "under a second with a warm one)",
        "fastsmote: error: no room to compile",
    ]

    class Failing:
        def __init__(self, **params):
            pass

        def fit_resample(self, X, y):
            raise MemoryError("no room to compile")

    monkeypatch.setattr(fastsmote, "SMOTE", Failing)
    code, _, err = _run(capsys, "demo", "--rows", "50", "--features", "2", "--minority", "0.1")
    assert code == 11 and err == "fastsmote: error: no room to compile\n"


# --------------------------------------------------------------------------- size checks
def test_output_larger_than_the_free_disk_space_is_refused_before_writing(
    tmp_path, capsys, small, monkeypatch
):
    statvfs = os.statvfs

    def ten_mib_free(path):
        real = statvfs(path)
        blocks = 10 * 2**20 // real.f_frsize
        return os.statvfs_result((real.f_bsize, real.f_frsize, *[blocks] * 3, *real[5:]))

    monkeypatch.setattr(os, "statvfs", ten_mib_free)
    writes = []
    monkeypatch.setattr(io.TableWriter, "write", lambda self, data: writes.append(data))
    out = tmp_path / "out.parquet"
    huge = '{"1": 2000000}'  # 2M rows x 20 bytes: 38 MiB
    for extra in ([], ["--output-format", "csv"]):
        argv = ["--target", "label", "--sampling-strategy", huge, *extra]
        code, _, err = _run(capsys, "resample", small, out, *argv)
        assert code == 10, err
        _one_line(err, f"not enough disk space for {str(out)!r}")
        assert "2,000,240 rows" in err
    # the in-memory path checks what it is about to write
    big = '{"1": 300000}'
    code, _, err = _run(
        capsys, "resample", small, out, "--target", "label", "--sampling-strategy", big,
        "--in-memory", "--output-format", "csv",
    )  # fmt: skip
    assert code == 10 and "not enough disk space" in err
    assert writes == [] and _files(tmp_path) == ["in.parquet"]


def test_output_larger_than_a_real_file_system_is_refused(tmp_path, capsys, small):
    with _tmpfs(tmp_path / "disk", "size=1m") as disk:
        out = disk / "out.parquet"
        argv = ["--target", "label", "--sampling-strategy", '{"1": 100000}']
        code, _, err = _run(capsys, "resample", small, out, *argv)
        assert code == 10
        _one_line(err, "not enough disk space")
        assert _files(disk) == []


def test_memory_checks_before_collecting_or_reading(tmp_path, capsys, small, monkeypatch):
    import fastsmote._memory as memory

    available = [1000]
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: available[0])
    out = tmp_path / "out.parquet"
    code, _, err = _run(capsys, "resample", small, out, "--target", "label")
    assert code == 11
    _one_line(err, "The labels of 300 rows and their class codes would need")
    code, _, err = _run(capsys, "resample", small, out, "--target", "label", "--in-memory")
    assert code == 11
    _one_line(err, f"Reading {str(small)!r} into memory")
    assert "drop --in-memory" in err
    available[0] = 5000  # the labels fit (300 x 16 bytes), 60 rows with 50 neighbours do not
    code, _, err = _run(capsys, "resample", small, out, "--target", "label", "--k", "50")
    assert code == 11
    _one_line(err, "The rows of the classes to over-sample (60 rows x 2 features, float64)")
    assert _files(tmp_path) == ["in.parquet"]


# --------------------------------------------------------------------------- files of a run
def test_one_file_for_two_roles_is_refused(tmp_path, capsys, small, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.json").symlink_to(tmp_path / "out.parquet")
    cases = [
        (["out.parquet", "--record", "out.parquet"], "--record 'out.parquet' and OUTPUT"),
        (["out.parquet", "--provenance", "sub/../out.parquet"], "--provenance"),
        (["out.parquet", "--record", "link.json"], "--record 'link.json' and OUTPUT"),
        (["o.parquet", "--record", "p.csv", "--provenance", "p.csv"], "and --record 'p.csv'"),
        (["o.parquet", "--record", str(small)], f"and INPUT {str(small)!r}"),
        (["in.parquet", "--overwrite"], "OUTPUT 'in.parquet' and INPUT"),
    ]
    before = small.read_bytes()
    for argv, words in cases:
        code, _, err = _run(capsys, "resample", small, *argv[:1], "--target", "label", *argv[1:])
        assert code == 2, (argv, err)
        _one_line(err, words)
        assert "same file" in err
    assert _files(tmp_path) == ["in.parquet", "link.json", "sub"]
    assert small.read_bytes() == before


@pytest.mark.parametrize("extra", [[], ["--in-memory", "--provenance", "prov.csv"]])
def test_output_created_by_another_process_mid_run(tmp_path, capsys, small, monkeypatch, extra):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.parquet"
    _after_first_write(monkeypatch, lambda: out.write_text("theirs"))
    code, _, err = _run(capsys, "resample", small, out, "--target", "label", *extra)
    assert code == 9
    _one_line(err, f"output {str(out)!r} appeared while writing")
    assert out.read_text() == "theirs"
    assert _files(tmp_path) == ["in.parquet", "out.parquet"]  # no record, no provenance


def test_all_files_appear_together(tmp_path, capsys, small, monkeypatch):
    # OUTPUT, record and provenance are moved into place only after all were written
    seen = []
    for name in ("link", "replace"):
        move = getattr(os, name)

        def watch(source, destination, move=move):
            seen.append((Path(destination).name, _files(tmp_path)))
            move(source, destination)

        monkeypatch.setattr(os, name, watch)
    argv = ["--target", "label", "--provenance", tmp_path / "prov.csv", "-q"]
    assert _run(capsys, "resample", small, tmp_path / "out.parquet", *argv)[0] == 0
    assert sorted(name for name, _ in seen) == [
        "out.parquet",
        "out.parquet.record.json",
        "prov.csv",
    ]
    first = seen[0][1]
    assert len([n for n in first if "fastsmote-tmp" in n]) == 3
    assert not {"out.parquet", "out.parquet.record.json", "prov.csv"} & set(first)
    record = json.loads((tmp_path / "out.parquet.record.json").read_text())
    assert record["method"] == "SMOTE"


def test_data_a_method_cannot_work_with_is_a_class_problem(tmp_path, capsys):
    """KMeansSMOTE without a cluster holding enough rows of the class, ADASYN whose
    class has no neighbour of another class, SVMSMOTE whose support vectors are all
    noise: exit 8 and one line, no traceback, no file."""
    rng = np.random.default_rng(0)
    far = np.r_[rng.standard_normal((280, 2)), rng.standard_normal((20, 2)) + 50]
    apart = pa.table({"a": far[:, 0], "b": far[:, 1], "label": np.repeat([0, 1], [280, 20])})
    # minority rows 0.3 apart among 400 others: each one's nearest rows are all others
    grid = np.array([[x, y] for x in (0.2, 0.5, 0.8) for y in (0.2, 0.5, 0.8)])
    scattered = np.r_[rng.random((400, 2)), grid]
    noise = pa.table(
        {"a": scattered[:, 0], "b": scattered[:, 1], "label": np.repeat([0, 1], [400, 9])}
    )
    cases = [
        ("kmeans-smote", noise, "No clusters found with sufficient samples of class 1"),
        ("adasyn", apart, "no neighbour of any row of class 1 belongs to another class"),
        ("svm-smote", noise, "not adapted to your dataset"),
    ]
    for method, table, words in cases:
        source, out = tmp_path / f"{method}.parquet", tmp_path / f"{method}-out.parquet"
        pq.write_table(table, source)
        code, _, err = _run(capsys, "resample", source, out, "--target", "label",
                            "--method", method)  # fmt: skip
        assert code == 8 and words in err, (method, err)
        assert err.startswith("fastsmote: error: ") and err.count("\n") == 1, err
        assert not out.exists() and not [p for p in os.listdir(tmp_path) if "tmp" in p]


@pytest.mark.parametrize("method", ["smote", "borderline"])  # streamed; in memory
def test_an_identifier_float64_would_round_is_refused_where_rows_are_computed(
    tmp_path, capsys, method
):
    n = 300
    ids = np.arange(n, dtype=np.int64) * 3 + 2**60 + 1
    path = tmp_path / "in.parquet"
    pq.write_table(_table(n).append_column("id", pa.array(ids)), path)
    out = tmp_path / "out.parquet"
    code, _, err = _run(capsys, "resample", path, out, "--target", "label", "--method", method)
    assert code == 2 and "'id' holds 1152921504606846977" in err and "\n" not in err.strip()
    assert list(tmp_path.iterdir()) == [path]
    code, _, _ = _run(capsys, "resample", path, out, "--target", "label", "--method", method,
                      "--passthrough", "id")  # fmt: skip
    assert code == 0
    kept = pq.read_table(out).column("id").to_numpy(zero_copy_only=False)
    assert np.array_equal(kept[:n], ids)


def test_row_selectors_take_an_identifier_column_as_it_is(tmp_path, capsys):
    n = 300
    ids = np.arange(n, dtype=np.int64) * 3 + 2**60 + 1
    path = tmp_path / "in.parquet"
    pq.write_table(_table(n).append_column("id", pa.array(ids)), path)
    out = tmp_path / "out.parquet"
    code, _, _ = _run(capsys, "resample", path, out, "--target", "label", "--method",
                      "random-under", "--seed", 0)  # fmt: skip
    assert code == 0
    table = pq.read_table(out)
    assert table.schema.field("id").type == pa.int64()
    assert set(table.column("id").to_pylist()) <= set(ids.tolist())
