"""The command line on a fraud-like table: id columns carried through or dropped, hints
that name real options, CSV floats, feature scales."""

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")
pl = pytest.importorskip("polars")

from fastsmote.cli import _build_parser, main  # noqa: E402
from fastsmote.diagnostics import ResamplingRecord  # noqa: E402

CLI = Path(__file__).resolve().parents[1] / "fastsmote" / "cli"
METHODS = [
    "smote",
    "borderline",
    "adasyn",
    "random-over",
    "random-under",
    "smote-tomek",
    "smote-enn",
    "tomek",
    "enn",
    "smotenc",
]


def _fraud(n=1200, seed=0):
    """Ids (int and text, distinct per row), whole-number amounts, two scores, a
    three-valued channel and a 5% fraud label."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, n // 20, replace=False)] = 1
    return pd.DataFrame(
        {
            "transaction_id": np.arange(7_000_000, 7_000_000 + n, dtype=np.int64),
            "tx_key": [f"tx-{i:06d}" for i in range(n)],
            "amount": np.round(rng.gamma(2.0, 3.0, n)),  # whole numbers, as floats
            "v1": rng.standard_normal(n) + y,
            "channel": rng.choice(["web", "pos", "atm"], n),
            "v2": rng.standard_normal(n) - y,
            "is_fraud": y,
        }
    )


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fraud")
    frame = _fraud()
    parquet = folder / "fraud.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet, row_group_size=300)
    csv = folder / "fraud.csv"
    frame.to_csv(csv, index=False)
    return frame, parquet, csv


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _read(path):
    if str(path).endswith(".csv"):
        return pl.read_csv(path).to_pandas()
    return pq.read_table(path).to_pandas()


# --------------------------------------------------------------------------- carry/drop
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_id_columns_carried_through_or_dropped_for_every_method(
    tables, tmp_path, capsys, method, fmt
):
    frame, parquet, csv = tables
    # Parquet: carry the integer id, drop the text key; CSV: the other way round
    kept, dropped = ("transaction_id", "tx_key")
    if fmt == "csv":
        kept, dropped = dropped, kept
    drop = [dropped] if method == "smotenc" else [dropped, "channel"]
    out = tmp_path / f"out.{fmt}"
    argv = ["resample", parquet if fmt == "parquet" else csv, out, "--target", "is_fraud"]
    argv += ["--method", method, "--passthrough", kept, "--drop", ",".join(drop)]
    argv += ["--synthetic-column", "added", "--record", tmp_path / "record.json", "-q"]
    code, _, err = _run(capsys, *argv)
    assert code == 0, err
    got = _read(out)
    want_columns = [c for c in frame.columns if c not in drop] + ["added"]
    assert list(got.columns) == want_columns
    added = got["added"].to_numpy(dtype=bool)
    # rows the method added have no id; every other row is an input row, unchanged
    assert got[kept].isna().to_numpy().sum() == added.sum()
    real = got[~added]
    assert real[kept].notna().all() and real[kept].is_unique
    source = frame.set_index(kept).loc[real[kept]]
    for name in ("amount", "v1", "v2", "is_fraud"):
        np.testing.assert_allclose(
            real[name].to_numpy(dtype=float), source[name].to_numpy(dtype=float)
        )
    assert added.any() == (method not in ("random-under", "tomek", "enn"))
    if fmt == "parquet":  # a nullable column of the input's type
        assert pq.read_schema(out).field(kept).type == pa.int64()
    record = json.loads((tmp_path / "record.json").read_text())
    assert record["columns"]["passthrough"] == [kept]
    assert record["columns"]["dropped"] == drop
    assert record["columns"]["features"] == [
        c for c in frame.columns if c not in (kept, "is_fraud", *drop)
    ]


def test_column_options_refuse_unknown_target_and_contradictory_columns(tables, tmp_path, capsys):
    _, parquet, _ = tables
    base = ["resample", parquet, tmp_path / "out.parquet", "--target", "is_fraud"]
    cases = [
        (["--passthrough", "nope"], 5, "column 'nope' not found"),
        (["--drop", "transaction_id,nope"], 5, "column 'nope' not found"),
        (["--drop", "is_fraud"], 2, "--drop names the target column 'is_fraud'"),
        (["--passthrough", "is_fraud"], 2, "--passthrough names the target column"),
        (["--passthrough", "tx_key", "--drop", "tx_key"], 2, "both --passthrough and --drop"),
        (["--drop", "v1", "--drop", "v1"], 2, "--drop names column 'v1' more than once"),
        (
            ["--passthrough", "transaction_id,tx_key,channel", "--drop", "amount,v1,v2"],
            2,
            "no feature column is left",
        ),
        (
            ["--method", "smotenc", "--passthrough", "tx_key", "--categorical", "tx_key"],
            2,
            "--categorical names 'tx_key', which is a --passthrough column",
        ),
    ]
    for extra, code, words in cases:
        got, out, err = _run(capsys, *base, *extra)
        assert (got, out) == (code, ""), (extra, err)
        assert err.startswith("fastsmote: error: ") and words in err, (extra, err)
    got, _, err = _run(capsys, "diagnose", parquet, "--target", "is_fraud", "--drop", "nope")
    assert got == 5 and "column 'nope' not found" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing left behind


def test_id_columns_are_never_offered_to_smotenc(tables, tmp_path, capsys):
    frame, parquet, _ = tables
    out = tmp_path / "out.parquet"
    base = ["resample", parquet, out, "--target", "is_fraud", "-q"]

    # a text id stops SMOTE: the hint names --passthrough/--drop, not SMOTE-NC
    code, _, err = _run(capsys, *base, "--drop", "channel")
    assert code == 6
    assert "'tx_key' looks like an id (a different value in each of its rows)" in err
    assert "--passthrough tx_key" in err and "--drop tx_key" in err
    assert "smotenc" not in err
    # a plausible category gets the SMOTE-NC hint (and only that column)
    code, _, err = _run(capsys, *base, "--drop", "tx_key")
    assert code == 6 and "'channel' looks categorical (3 values in its rows)" in err
    assert "--method smotenc" in err and "--passthrough" not in err
    # both at once: each column gets its own advice
    code, _, err = _run(capsys, *base)
    assert code == 6 and "--passthrough tx_key" in err and "--method smotenc" in err
    # SMOTE-NC's default categorical columns: an id among them is refused
    code, _, err = _run(capsys, *base, "--method", "smotenc")
    assert code == 6 and "--method smotenc would treat 'tx_key' as categorical" in err
    assert "--passthrough tx_key" in err and not out.exists()
    # ... unless named on purpose
    code, _, err = _run(capsys, *base, "--method", "smotenc", "--categorical", "channel,tx_key")
    assert code == 0, err
    # diagnose has no --method and no --passthrough: its hints name --drop
    code, _, err = _run(capsys, "diagnose", parquet, "--target", "is_fraud")
    assert code == 6 and "--drop tx_key" in err and "--drop channel" in err
    assert "--method" not in err and "--passthrough" not in err


def test_integer_ids_used_as_features_are_reported(tables, tmp_path, capsys):
    _, parquet, csv = tables
    for source in (parquet, csv):
        argv = ["resample", source, tmp_path / "out.parquet", "--target", "is_fraud"]
        code, _, err = _run(capsys, *argv, "--drop", "tx_key,channel", "--overwrite", "-q")
        assert code == 0
        assert "warning: integer column 'transaction_id' holds a different value" in err
        assert "--passthrough transaction_id" in err
    code, _, err = _run(
        capsys, "diagnose", parquet, "--target", "is_fraud", "--drop", "tx_key,channel", "-q"
    )
    assert code == 0 and "--drop transaction_id" in err and "--passthrough" not in err
    code, _, err = _run(
        capsys,
        *("resample", parquet, tmp_path / "o2.parquet", "--target", "is_fraud", "-q"),
        *("--drop", "tx_key,channel", "--passthrough", "transaction_id"),
    )
    assert code == 0 and "integer column" not in err


# --------------------------------------------------------------------------- hint flags
def _subcommands():
    parser = _build_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    flags = {
        name: {s for action in p._actions for s in action.option_strings}
        for name, p in sub.choices.items()
    }
    flags["fastsmote"] = {s for action in parser._actions for s in action.option_strings}
    return flags


_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
_OTHER_COMMAND = re.compile(r"`fastsmote (\w+)([^`]*)`")


def _check_flags(text: str, command: str, flags: dict) -> list[str]:
    """Flags in ``text`` that its command does not have (a backticked `fastsmote CMD
    ...` names flags of CMD)."""
    wrong = []
    for other, rest in _OTHER_COMMAND.findall(text):
        wrong += [f"{other} {f}" for f in _FLAG.findall(rest) if f not in flags[other]]
    text = _OTHER_COMMAND.sub("", text)
    return wrong + [f"{command} {f}" for f in _FLAG.findall(text) if f not in flags[command]]


def _strings(path: Path) -> list[str]:
    """The string constants of a module (f-strings' literal parts included)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_every_flag_a_hint_names_exists_on_its_command(tables, tmp_path, capsys):
    flags = _subcommands()
    everything = set().union(*flags.values())
    # statically: a command's own module names only its flags; shared modules only flags
    # that some command has (which command prints them is checked below)
    for path in sorted(CLI.glob("*.py")):
        owner = {"_resample.py": "resample", "_dask.py": "resample", "_diagnose.py": "diagnose"}
        owner = owner.get(path.name)
        for text in _strings(path):
            if owner is not None:
                assert not _check_flags(text, owner, flags), (path.name, text)
            else:
                assert set(_FLAG.findall(text)) <= everything, (path.name, text)
    # dynamically: every hint each command prints, on inputs that trigger them all
    frame, parquet, _ = tables
    odd = tmp_path / "table"  # no extension
    odd.write_bytes(parquet.read_bytes())
    wide = tmp_path / "wide.parquet"
    scaled = frame.assign(amount=frame["amount"] * 1e6)
    pq.write_table(pa.Table.from_pandas(scaled, preserve_index=False), wide)
    out = tmp_path / "out.parquet"
    runs = {
        "resample": [
            [parquet, out],
            [parquet, out, "--drop", "channel"],
            [parquet, out, "--drop", "tx_key"],
            [parquet, out, "--method", "smotenc"],
            [parquet, out, "--method", "enn"],
            [parquet, out, "--drop", "tx_key,channel", "--no-record"],
            [parquet, out, "--drop", "tx_key,channel", "--no-record"],  # exists
            [wide, tmp_path / "w.parquet", "--drop", "tx_key,channel", "--no-record"],
            [odd, out, "--overwrite"],
            [parquet, tmp_path / "out.txt"],
            [parquet, out, "--provenance", tmp_path / "p.txt", "--overwrite"],
        ],
        "diagnose": [
            [parquet],
            [parquet, "--drop", "channel"],
            [parquet, "--drop", "tx_key"],
            [wide, "--drop", "tx_key,channel"],
            [odd],
        ],
    }
    seen = 0
    for command, cases in runs.items():
        for extra in cases:
            _, out_text, err = _run(
                capsys, command, *extra[:1], "--target", "is_fraud", *extra[1:]
            )
            for text in (err, out_text):
                assert not _check_flags(text, command, flags), (command, extra, text)
                seen += len(_FLAG.findall(text))
    assert seen > 20  # the inputs above do trigger hints


# --------------------------------------------------------------------------- CSV floats
def test_csv_floats_read_back_as_floats(tables, tmp_path, capsys):
    frame = tables[0].drop(columns=["tx_key", "channel"])
    parquet, csv = tmp_path / "in.parquet", tmp_path / "in.csv"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet, row_group_size=300)
    frame.to_csv(csv, index=False)
    for source, extra in ((parquet, []), (parquet, ["--in-memory"]), (csv, [])):
        out = tmp_path / "out.csv"
        argv = ["resample", source, out, "--target", "is_fraud", "--overwrite", "-q", *extra]
        code, _, err = _run(capsys, *argv)
        assert code == 0, err
        assert out.read_text().splitlines()[1].split(",")[1] == f"{frame['amount'][0]:.1f}"
        polars_types = dict(pl.read_csv(out).schema)
        assert polars_types["amount"] == pl.Float64 and polars_types["v1"] == pl.Float64
        assert polars_types["transaction_id"] == pl.Float64  # interpolated: a float feature
        assert polars_types["is_fraud"] == pl.Int64
        got = pd.read_csv(out)
        assert got["amount"].dtype == np.float64 and got["is_fraud"].dtype == np.int64
        np.testing.assert_array_equal(got["amount"].to_numpy()[: len(frame)], frame["amount"])


# --------------------------------------------------------------------------- scales
def test_diagnose_warns_about_scales_and_standardises_with_scale(tables, tmp_path, capsys):
    frame, _, _ = tables
    wide = tmp_path / "wide.csv"
    frame.assign(amount=frame["amount"] * 1e6).to_csv(wide, index=False)
    argv = ["diagnose", wide, "--target", "is_fraud", "--drop", "transaction_id,tx_key,channel"]
    code, out, _ = _run(capsys, *argv)
    assert code == 0 and "differ by a factor of" in out and "feature 'amount'" in out
    assert "--scale standardises them" in out
    code, out, _ = _run(capsys, *argv, "--scale")
    assert code == 0 and out.startswith("Features standardised (--scale)")
    assert "Warning: the features' standard deviations" not in out
    code, out, _ = _run(capsys, *argv, "--scale", "--json")
    report = json.loads(out)
    assert report["scaling"]["standardised"] is True
    assert report["scaling"]["std_ratio_before"] > 1e5
    assert report["feature_scale"]["std_ratio"] == pytest.approx(1.0)
    code, out, _ = _run(capsys, *argv, "--json")
    assert json.loads(out)["scaling"] == {"standardised": False}


def test_resample_warns_when_feature_scales_differ(tables, tmp_path, capsys):
    frame, _, _ = tables
    wide = tmp_path / "wide.parquet"
    table = pa.Table.from_pandas(frame.assign(amount=frame["amount"] * 1e6), preserve_index=False)
    pq.write_table(table, wide, row_group_size=300)
    columns = ["--drop", "tx_key,channel", "--passthrough", "transaction_id", "-q"]
    for extra in ([], ["--in-memory"], ["--method", "enn"]):
        argv = ["resample", wide, tmp_path / "o.parquet", "--target", "is_fraud", "--overwrite"]
        code, _, err = _run(capsys, *argv, *columns, *extra)
        assert code == 0
        assert "warning: the features' standard deviations differ by a factor of" in err
        assert "(largest 'amount', smallest" in err
    code, _, err = _run(capsys, *argv, *columns, "--method", "random-under")
    assert code == 0 and "standard deviations" not in err  # no distances: no warning


def test_resample_warns_about_a_feature_of_tiny_values(tables, tmp_path, capsys):
    """A feature whose squares underflow float64 (values ~1e-180): its standard
    deviation is taken on the values scaled by a power of two, not read as 0 (which
    would drop it from the warning), streamed and in memory alike."""
    frame, _, _ = tables
    tiny = tmp_path / "tiny.parquet"
    scaled = frame.assign(v1=np.ldexp(frame["v1"].to_numpy(np.float64), -600))
    pq.write_table(pa.Table.from_pandas(scaled, preserve_index=False), tiny, row_group_size=300)
    columns = ["--drop", "tx_key,channel", "--passthrough", "transaction_id", "-q"]
    for extra in ([], ["--in-memory"]):
        argv = ["resample", tiny, tmp_path / "o.parquet", "--target", "is_fraud", "--overwrite"]
        code, _, err = _run(capsys, *argv, *columns, *extra)
        assert code == 0 and "smallest 'v1'" in err, err
        factor = float(re.search(r"differ by a factor of ([0-9.e+]+)", err).group(1))
        assert factor > 1e170


def test_diagnose_scale_standardises_a_feature_of_tiny_values():
    """--scale on a feature whose squares underflow: standardised like the same values
    at an ordinary scale (it was left unscaled, its deviation read as 0)."""
    import pandas as pd

    from fastsmote.cli._diagnose import _standardised

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.standard_normal((500, 3)) * [1.0, 3.0, 2.0], columns=list("abc"))
    tiny = X.assign(b=np.ldexp(X["b"].to_numpy(), -600))
    expected, _ = _standardised(X)
    got, record = _standardised(tiny)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-12)
    std = X.to_numpy().std(axis=0)
    std[1] = np.ldexp(std[1], -600)
    assert record["std_ratio_before"] == pytest.approx(std.max() / std.min())


def test_record_columns_round_trip(tables, tmp_path, capsys):
    _, parquet, _ = tables
    for name in ("r.json", "r.md"):
        argv = ["resample", parquet, tmp_path / f"{name}.parquet", "--target", "is_fraud"]
        argv += ["--passthrough", "transaction_id", "--drop", "tx_key,channel"]
        code, _, _ = _run(capsys, *argv, "--record", tmp_path / name, "-q")
        assert code == 0
        record = ResamplingRecord.load(tmp_path / name)
        assert record.columns == {
            "target": "is_fraud",
            "features": ["amount", "v1", "v2"],
            "passthrough": ["transaction_id"],
            "dropped": ["tx_key", "channel"],
            "synthetic_column": None,
        }
    assert "- passthrough: `transaction_id`" in (tmp_path / "r.md").read_text()
    # records written without the field still load
    data = record.to_dict()
    del data["columns"]
    assert ResamplingRecord.from_dict(data).columns is None
