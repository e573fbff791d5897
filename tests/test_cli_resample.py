"""``fastsmote resample`` / ``diagnose`` and fastsmote.io: formats, streaming, failures."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import mixed_frame

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

import fastsmote  # noqa: E402
from fastsmote import SMOTE  # noqa: E402
from fastsmote.base import BaseSampler  # noqa: E402
from fastsmote.cli import _build_parser, main  # noqa: E402
from fastsmote.cli._common import CommandError  # noqa: E402
from fastsmote.cli._resample import METHODS, _categorical, build_sampler  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def parquet_file(tmp_path):
    path = tmp_path / "in.parquet"
    pq.write_table(
        pa.Table.from_pandas(mixed_frame(), preserve_index=False), path, row_group_size=250
    )
    return path


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- results
def test_streamed_and_in_memory_outputs_are_the_same_table(parquet_file, tmp_path, capsys):
    frame = mixed_frame()
    X, y = frame.drop(columns=["label"]), frame["label"]
    X_ref, _ = SMOTE(random_state=7, k_neighbors=3).fit_resample(X, y)
    args = ["--target", "label", "--seed", "7", "--k", "3", "--synthetic-column", "is_syn", "-q"]
    assert _run(capsys, "resample", parquet_file, tmp_path / "s.parquet", *args)[0] == 0
    assert (
        _run(capsys, "resample", parquet_file, tmp_path / "m.parquet", *args, "--in-memory")[0]
        == 0
    )
    streamed = pq.read_table(tmp_path / "s.parquet")
    assert streamed.equals(pq.read_table(tmp_path / "m.parquet"))
    assert streamed.column_names == ["f32", "label", "f64", "count", "is_syn"]
    assert [str(t) for t in streamed.schema.types] == [
        "float",
        "int64",
        "double",
        "double",
        "bool",
    ]
    assert streamed.column("is_syn").to_numpy().sum() == len(X_ref) - len(X)
    assert not streamed.column("is_syn").to_numpy()[: len(X)].any()


def test_csv_round_trip_keeps_columns_labels_and_marks_synthetic_rows(tmp_path, capsys):
    frame = mixed_frame(labels=("fraud", "ok", "review"), shares=(0.05, 0.85, 0.1))
    frame.to_csv(tmp_path / "in.csv", index=False)
    code, out, _ = _run(
        capsys,
        "resample",
        tmp_path / "in.csv",
        tmp_path / "out.csv",
        "--target",
        "label",
        "--synthetic-column",
        "synthetic",
    )
    assert code == 0 and "rows" in out
    got = pd.read_csv(tmp_path / "out.csv")
    assert list(got.columns) == ["f32", "label", "f64", "count", "synthetic"]
    n_max = frame["label"].value_counts().max()
    assert got["label"].value_counts().to_dict() == {"ok": n_max, "fraud": n_max, "review": n_max}
    assert got["synthetic"].dtype == bool and got["synthetic"].sum() == 3 * n_max - 1200
    pd.testing.assert_frame_equal(
        got.iloc[:1200, :4], frame.astype({"count": float, "f32": float}), atol=1e-6
    )


def test_parquet_round_trip_row_selection_keeps_dtypes_and_string_target(tmp_path, capsys):
    frame = mixed_frame(labels=("a", "b", "c"))
    frame["note"] = "x"  # any column type for row-selecting methods
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "in.parquet")
    code, _, _ = _run(
        capsys,
        "resample",
        tmp_path / "in.parquet",
        tmp_path / "out.parquet",
        "--target",
        "label",
        "--method",
        "random-under",
        "--synthetic-column",
        "syn",
        "-q",
    )
    assert code == 0
    got = pq.read_table(tmp_path / "out.parquet")
    want = pq.read_table(tmp_path / "in.parquet").schema
    assert got.schema.names == [*want.names, "syn"]
    assert got.schema.types[:-1] == want.types
    assert not got.column("syn").to_numpy().any()
    assert len(set(pd.Series(got.column("label").to_pylist()).value_counts())) == 1


def test_record_provenance_and_overwrite(parquet_file, tmp_path, capsys):
    out = tmp_path / "out.parquet"
    assert _run(capsys, "resample", parquet_file, out, "--target", "label", "-q")[0] == 0
    record = json.loads((tmp_path / "out.parquet.record.json").read_text())
    assert record["method"] == "SMOTE" and record["n_synthetic"] == 3060 - 1200
    assert record["class_counts_after"] == [[0, 1020], [1, 1020], [2, 1020]]

    code, _, err = _run(capsys, "resample", parquet_file, out, "--target", "label", "-q")
    assert code == 9 and err.startswith("fastsmote: error: output") and "--overwrite" in err
    before = out.stat().st_mtime_ns

    md, prov = tmp_path / "rec.md", tmp_path / "prov.csv"
    args = ["--target", "label", "--overwrite", "--record", md, "--provenance", prov, "-q"]
    assert _run(capsys, "resample", parquet_file, out, *args)[0] == 0
    assert out.stat().st_mtime_ns >= before and "# Resampling record: SMOTE" in md.read_text()
    origin = pd.read_csv(prov)
    assert list(origin.columns) == ["row", "label", "base", "neighbor", "gap"]
    assert origin["row"].tolist() == list(range(1200, 3060))

    assert (
        _run(
            capsys,
            "resample",
            parquet_file,
            tmp_path / "n.parquet",
            "--target",
            "label",
            "--no-record",
            "-q",
        )[0]
        == 0
    )
    assert not (tmp_path / "n.parquet.record.json").exists()
    assert not [p for p in os.listdir(tmp_path) if "fastsmote-tmp" in p]


# --------------------------------------------------------------------------- failures
def _write(tmp_path, frame, name="bad.parquet"):
    path = tmp_path / name
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


@pytest.mark.parametrize("in_memory", [False, True])
def test_the_first_missing_cell_is_named_by_every_path(tmp_path, capsys, in_memory):
    """The first row holding a missing or non-finite value, and its first such column,
    whichever column holds the earlier one (the streamed path reads column by column)."""
    frame = mixed_frame()
    frame["f32"] = frame["f32"].astype("Float32")
    frame.loc[900, "f32"] = None  # a null, in the first feature column
    frame.loc[700, "count"] = np.nan  # a null (int with missing values), later column
    frame.loc[700, "f64"] = np.inf  # a non-finite value, in an earlier column
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    args = ["resample", path, tmp_path / "out.parquet", "--target", "label"]
    with warnings.catch_warnings(record=True) as caught:  # one line on stderr, no warning
        warnings.simplefilter("always")
        code, _, err = _run(capsys, *args, *(["--in-memory"] if in_memory else []))
    assert code == 7 and "row 700" in err and "'f64'" in err, err
    assert "\n" not in err.strip() and not caught, [str(w.message) for w in caught]
    assert list(tmp_path.iterdir()) == [path]


def test_each_failure_has_its_exit_code_and_one_line(parquet_file, tmp_path, capsys):
    out = tmp_path / "out.parquet"
    (tmp_path / "corrupt.parquet").write_bytes(b"PAR1 not really")
    nan = mixed_frame()
    nan.loc[700, "f64"] = np.nan
    text = mixed_frame()
    text["city"] = "Lyon"
    tiny = mixed_frame()
    tiny.loc[:, "label"] = 0
    tiny.loc[:2, "label"] = 1
    cases = [
        (3, "input file not found", [tmp_path / "missing.parquet", out, "--target", "label"]),
        (4, "cannot read", [tmp_path / "corrupt.parquet", out, "--target", "label"]),
        (5, "column 'y' not found", [parquet_file, out, "--target", "y"]),
        (6, "'city'", [_write(tmp_path, text), out, "--target", "label"]),
        (7, "row 700", [_write(tmp_path, nan, "nan.parquet"), out, "--target", "label"]),
        (7, "row 700", [tmp_path / "nan.parquet", out, "--target", "label", "--in-memory"]),
        (
            8,
            "3 row(s) but --k 5 needs at least 6: use --k 2 or lower",
            [_write(tmp_path, tiny, "tiny.parquet"), out, "--target", "label"],
        ),
        (
            8,
            "use --k 2 or lower",
            [tmp_path / "tiny.parquet", out, "--target", "label", "--method", "adasyn"],
        ),
        (
            8,
            "use --k 2 or lower",
            [tmp_path / "tiny.parquet", out, "--target", "label", "--method", "smote-tomek"],
        ),
        (
            8,
            "--k 3 needs at least 4: use --k 2 or lower",
            [tmp_path / "tiny.parquet", out, "--target", "label", "--in-memory", "--k", "3"],
        ),
        (  # NearMiss measures distances to another class: all 3 of its rows may count
            8,
            "The minority class 1 has 3 row(s) but --k 5 needs at least 5: use --k 3 or lower",
            [
                tmp_path / "tiny.parquet",
                out,
                "--target",
                "label",
                "--method",
                "nearmiss",
                "--k",
                "5",
            ],
        ),  # fmt: skip
        (
            2,
            "not in the target",
            [parquet_file, out, "--target", "label", "--sampling-strategy", '{"7": 5000}'],
        ),
        (
            2,
            "--neighbors",
            [
                parquet_file,
                out,
                "--target",
                "label",
                "--method",
                "random-over",
                "--neighbors",
                "exact",
            ],
        ),
        (2, "from its extension", [parquet_file, tmp_path / "out.xlsx", "--target", "label"]),
    ]
    for code, words, argv in cases:
        got, _, err = _run(capsys, "resample", *argv)
        assert (got, words) == (code, words) and words in err, (argv, err)
        assert err.startswith("fastsmote: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
    assert not out.exists() and not [p for p in os.listdir(tmp_path) if "fastsmote-tmp" in p]

    # diagnose's --k (neighbours per row among all rows) is named as the option too
    small = _write(tmp_path, mixed_frame().head(40), "forty.parquet")
    got, _, err = _run(capsys, "diagnose", small, "--target", "label", "--k", "45")
    assert got == 8 and err == (
        "fastsmote: error: the table has 40 rows but --k 45 needs at least 46: "
        "use --k 39 or lower.\n"
    )

    with pytest.raises(SystemExit) as exc:
        main(["resample", str(parquet_file), str(out), "--target", "label", "--k", "0"])
    assert exc.value.code == 2


#: ``python -c`` program: the command line, whose first write to an output creates the
#: file ``argv[1]`` and then waits (in short sleeps, so signals are handled), so that a
#: test can signal the process in the middle of writing.
_PAUSED_AFTER_FIRST_WRITE = """
import sys, time
from pathlib import Path
from fastsmote import io
from fastsmote.cli import main

write = io.TableWriter.write

def write_then_wait(self, data):
    write(self, data)
    Path(sys.argv[1]).write_text("written")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)

io.TableWriter.write = write_then_wait
sys.exit(main(sys.argv[2:]))
"""


def _paused_run(tmp_path, parquet_file):
    flag = tmp_path / "first-write"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-c",
        _PAUSED_AFTER_FIRST_WRITE,
        str(flag),
        "resample",
        str(parquet_file),
        str(tmp_path / "out.parquet"),
        "--target",
        "label",
        "-q",
    ]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not flag.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.05)
    temps = [p for p in os.listdir(tmp_path) if ".out.parquet.fastsmote-tmp-" in p]
    assert len(temps) == 1 and not (tmp_path / "out.parquet").exists()
    return proc


def test_killed_or_terminated_mid_write_leaves_no_output(parquet_file, tmp_path):
    killed, terminated = tmp_path / "k", tmp_path / "t"
    killed.mkdir()
    terminated.mkdir()
    a = _paused_run(killed, parquet_file)
    b = _paused_run(terminated, parquet_file)
    a.send_signal(signal.SIGKILL)
    b.send_signal(signal.SIGTERM)
    assert a.wait(60) == -signal.SIGKILL
    assert b.wait(60) == 143 and "terminated" in b.stderr.read()
    assert not (killed / "out.parquet").exists()  # only the hidden temporary file is left
    assert sorted(os.listdir(terminated)) == ["first-write"]


# --------------------------------------------------------------------------- diagnose
def test_diagnose_text_and_json(parquet_file, capsys):
    code, out, _ = _run(capsys, "diagnose", parquet_file, "--target", "label", "--k", "3")
    assert code == 0 and "Overlap score" in out
    code, out, _ = _run(capsys, "diagnose", parquet_file, "--target", "label", "--json")
    assert code == 0 and isinstance(json.loads(out), dict)
    code, _, err = _run(capsys, "diagnose", parquet_file, "--target", "nope")
    assert code == 5 and "not found" in err


# --------------------------------------------------------------------------- methods
def _method_args(method, **options):
    argv = ["resample", "in.parquet", "out.parquet", "--target", "label", "--method", method]
    for option, value in options.items():
        argv += [f"--{option}", str(value)]
    return _build_parser().parse_args(argv)


def test_every_public_sampler_is_a_method():
    public = {getattr(fastsmote, name) for name in fastsmote.__all__}
    samplers = {c for c in public if isinstance(c, type) and issubclass(c, BaseSampler)}
    # FunctionSampler resamples with a Python function: nothing a command line can name
    assert set(METHODS.values()) == samplers - {fastsmote.FunctionSampler}


@pytest.mark.parametrize("method", list(METHODS))
def test_each_option_sets_the_parameter_the_sampler_takes(method):
    categorical = ["f32"] if method == "smotenc" else None
    params = build_sampler(_method_args(method), "auto", categorical).get_params(deep=True)

    def taken(*names):  # the first of these parameters the sampler (or its step) takes
        return next((name for name in names if name in params), None)

    options = [
        ("seed", 11, taken("random_state")),
        ("k", 4, taken("k_neighbors", "n_neighbors", "smote__k_neighbors")),
        ("neighbors", "pynndescent", taken("neighbors", "smote__neighbors")),
        ("kind", "borderline-2", taken("kind")),
    ]
    for option, value, name in options:
        args = _method_args(method, **{option: value})
        if name is None and option == "seed":  # --seed has a default: unseeded methods ignore it
            assert "random_state" not in build_sampler(args, "auto", categorical).get_params()
            continue
        if name is None:
            with pytest.raises(CommandError, match=f"--{option}"):
                build_sampler(args, "auto", categorical)
            continue
        built = build_sampler(args, "auto", categorical).get_params(deep=True)
        assert built[name] == value, (option, name)
        if option == "seed" and "smote__random_state" in built:
            assert built["smote__random_state"] == value  # the step is seeded too
    args = _method_args(method, categorical="f32")
    if "categorical_features" in params:
        assert params["categorical_features"] == ["f32"]
    else:
        with pytest.raises(CommandError, match="--categorical applies to --method smotenc"):
            _categorical(args, None, None)


def test_cleaners_take_the_neighbour_search(parquet_file, tmp_path, capsys):
    out = tmp_path / "out.parquet"
    for method in ("tomek", "enn"):
        argv = [parquet_file, out, "--target", "label", "--method", method]
        code, _, err = _run(capsys, "resample", *argv, "--neighbors", "exact", "--overwrite")
        assert code == 0, err
        record = json.loads(Path(f"{out}.record.json").read_text())
        assert record["parameters"]["neighbors"] == "exact"
