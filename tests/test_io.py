"""fastsmote.io without the command line: streamed SMOTE, the CSV writer."""

import datetime

import numpy as np
import pytest
from conftest import mixed_frame

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")
pacsv = pytest.importorskip("pyarrow.csv")

from fastsmote import SMOTE, io  # noqa: E402


def test_stream_smote_writes_exactly_fit_resample(tmp_path):
    frame = mixed_frame()
    parquet_file = tmp_path / "in.parquet"
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False), parquet_file, row_group_size=250
    )
    X, y = frame.drop(columns=["label"]), frame["label"]
    X_ref, y_ref = SMOTE(random_state=7, k_neighbors=3).fit_resample(X, y)

    # batches smaller than the row groups
    source = io.InputTable(parquet_file)
    out = tmp_path / "direct.parquet"
    result = io.stream_smote(
        source, out, "parquet", SMOTE(random_state=7, k_neighbors=3), "label", batch_rows=97
    )
    got = pq.read_table(out).to_pandas()
    assert result.rows_out == len(got) == len(X_ref)
    pd.testing.assert_frame_equal(got.drop(columns=["label"]), X_ref)
    np.testing.assert_array_equal(got["label"].to_numpy(), y_ref.to_numpy())
    assert result.counts_after == {0: 1020, 1: 1020, 2: 1020}


def test_csv_writer_writes_what_pyarrow_writes_except_floats(tmp_path):
    table = pa.table(
        {
            "i": pa.array([1, None, -3]),
            "f": pa.array([6.0, None, 2.5]),
            "f32": pa.array([1.0, 0.1, None], pa.float32()),
            "g": pa.array([-0.0, float("nan"), 1e20]),
            "b": pa.array([True, None, False]),
            "s": pa.array(['a"b', None, "x,y\nz"]),
            "e": pa.array(["", None, "q"]),
            "d": pa.array(["u", "v", None]).dictionary_encode(),
            "t": pa.array([datetime.datetime(2020, 1, 2, 3, 4, 5), None, None]),
            "n": pa.nulls(3),
        }
    )
    path = tmp_path / "t.csv"
    io.write_table(table, path, "csv")
    assert path.read_text() == (
        '"i","f","f32","g","b","s","e","d","t","n"\n'
        '1,6.0,1.0,-0.0,true,"a""b","","u",2020-01-02 03:04:05.000000,\n'
        ',,0.1,nan,,,,"v",,\n'
        '-3,2.5,,1e+20,false,"x,y\nz","q",,,\n'
    )
    # text that needs no quotes is written bare (pyarrow assembles the lines)
    plain = pa.table({"s": ["fraud", None, "ok"], "f": [1.0, 2.5, None], "k": [1, 2, 3]})
    io.write_table(plain, tmp_path / "plain.csv", "csv")
    assert (tmp_path / "plain.csv").read_text() == '"s","f","k"\nfraud,1.0,1\n,2.5,2\nok,,3\n'
    back = pacsv.read_csv(path)
    assert back.column("f").type == pa.float64() and back.column("f32").type == pa.float64()
    with pytest.raises(io.OutputError, match="'l' \\(list<item: int64>\\) have no CSV form"):
        io.write_table(pa.table({"l": pa.array([[1], [2]])}), tmp_path / "l.csv", "csv")


def test_resample_table_checks_its_arrow_output_before_making_it(monkeypatch):
    """The resampled frame fits, the Arrow table with a long text column carried through
    does not: refused naming it, before it is built; with room for both it is built."""
    import fastsmote._memory as memory
    from fastsmote import RandomOverSampler

    rng = np.random.default_rng(0)
    n = 2_000
    table = pa.table(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "note": ["x" * 500] * n,
            "y": np.repeat([0, 1], [1_500, 500]),
        }
    )
    resampled_frame = 3_000 * (2 * 8 + 8)  # rows out x (two float features + the label)
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2 * resampled_frame)
    with pytest.raises(MemoryError, match=r"resampled table as Arrow columns \(3,000 rows\)"):
        io.resample_table(table, "y", RandomOverSampler(random_state=0), passthrough=["note"])
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 20 * 2**20)
    out, _ = io.resample_table(table, "y", RandomOverSampler(random_state=0), passthrough=["note"])
    assert out.num_rows == 3_000 and out.column_names == table.column_names
