"""Progress of the batch commands: the library's phases, lines in logs, bars on a
terminal, silence with -q."""

import io as text_io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from fastsmote import _progress  # noqa: E402
from fastsmote.cli import _progress as display_module  # noqa: E402
from fastsmote.cli import main  # noqa: E402
from fastsmote.cli._progress import INTERVAL_ENV, ProgressDisplay, progress_display  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^fastsmote: \[\d+ s\] ")


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rng = np.random.default_rng(3)
    n = 1500
    y = (rng.random(n) < 0.05).astype(np.int64)
    columns = {f"f{i}": rng.standard_normal(n) + y for i in range(4)}
    path = tmp_path_factory.mktemp("progress") / "in.parquet"
    pq.write_table(pa.table({**columns, "label": y}), path, row_group_size=400)
    return path


class _Recorder:
    """A reporter that records what the library announces."""

    def __init__(self):
        self.events = []

    def __call__(self, label, total):
        self.events.append(("start", label, total))
        recorder = self

        class Handle:
            def update(self, n):
                recorder.events.append(("update", label, n))

            def close(self):
                recorder.events.append(("close", label, None))

        return Handle()


# --------------------------------------------------------------------------- the hook
def test_library_phases_reach_an_installed_reporter_only():
    from fastsmote import SMOTETomek

    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.1).astype(int)
    X = rng.standard_normal((400, 3)) + y[:, None]
    assert _progress.start("nobody watches", 5) is _progress.start("x")  # silent, shared
    recorder = _Recorder()
    with _progress.report_progress(recorder):
        SMOTETomek(random_state=0).fit_resample(X, y)
        with pytest.raises(RuntimeError), _progress.phase("outer"):
            with _progress.phase("inner", 10) as inner:
                inner.update(4)
                raise RuntimeError
        with _progress.phase("after"):
            pass
    starts = [label for kind, label, _ in recorder.events if kind == "start"]
    assert starts == [
        "over-sampling (SMOTE)",
        "over-sampling (SMOTE): neighbour search, class 1 (42 rows)",
        "over-sampling (SMOTE): generating 316 rows",
        "cleaning (TomekLinks)",
        "cleaning (TomekLinks): neighbour search, 716 rows among all 716",
        "outer",
        "outer: inner",
        "after",  # the failed phases were closed: no stale prefix
    ]
    closes = [label for kind, label, _ in recorder.events if kind == "close"]
    assert sorted(closes) == sorted(starts)
    assert ("update", "outer: inner", 4) in recorder.events
    _progress.start("no reporter any more").close()
    assert len(recorder.events) == 2 * len(starts) + 1


# --------------------------------------------------------------------------- lines
def test_lines_without_a_terminal_and_silence_with_quiet(table, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(INTERVAL_ENV, "0")  # a line at every step
    out = tmp_path / "out.csv"
    argv = ["resample", table, out, "--target", "label", "--no-record"]
    assert main([str(a) for a in argv]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err and all(LINE.match(line) for line in err), err
    text = "\n".join(err)
    n_min = int(pq.read_table(table).column("label").to_numpy().sum())
    n_new = 1500 - 2 * n_min
    for step in (
        "opening",
        "reading labels: 1,500/1,500 rows (100%)",
        "copying input rows: 1,500/1,500 rows (100%)",
        f"synthetic rows: 0/{n_new:,} rows (0%)",
        f"synthetic rows: neighbour search, class 1 ({n_min} rows)",
        f"synthetic rows: {n_new:,}/{n_new:,} rows (100%)",
        "synthetic rows: done",
    ):
        assert step in text, step
    argv = ["resample", table, out, "--target", "label", "--no-record", "--overwrite"]
    assert main([str(a) for a in [*argv, "--method", "smote-enn"]]) == 0
    text = capsys.readouterr().err
    assert "resampling (SMOTEENN): cleaning (EditedNearestNeighbours): neighbour search" in text
    assert "writing: " in text
    assert main([str(a) for a in [*argv, "-q"]]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["diagnose", str(table), "--target", "label"]) == 0
    text = capsys.readouterr().err
    assert f"overlap report: class 1: neighbour search, {n_min} rows among all 1,500" in text
    assert main(["diagnose", str(table), "--target", "label", "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_lines_keep_coming_while_one_step_runs():
    stream = text_io.StringIO()
    display = ProgressDisplay(stream, bars=False, interval=0.05)
    with _progress.report_progress(display):
        with _progress.phase("neighbour search, class 1 (5 rows)"):
            time.sleep(0.5)  # as a kernel would: no update, the main thread busy
    display.close()
    lines = stream.getvalue().splitlines()
    running = [line for line in lines if "neighbour search" in line and "done" not in line]
    assert len(running) >= 3 and all(LINE.match(line) for line in lines)
    assert lines[-1].endswith("neighbour search, class 1 (5 rows): done, 0 s")


def test_a_subprocess_logs_progress_on_its_stderr(table, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), INTERVAL_ENV: "0"}
    argv = [sys.executable, "-m", "fastsmote.cli", "resample", str(table)]
    argv += [str(tmp_path / "o.parquet"), "--target", "label", "--no-record"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "copying input rows: 1,500/1,500 rows (100%)" in done.stderr
    assert done.stdout.startswith("wrote ")


# --------------------------------------------------------------------------- bars
class _Terminal(text_io.StringIO):
    def isatty(self):
        return True


def test_bars_on_a_terminal_and_lines_without_tqdm(monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.setattr(display_module, "BAR_DELAY", 0.0)
    terminal = _Terminal()
    with progress_display(stream=terminal) as display:
        assert display.bars
        with _progress.phase("writing", 100) as bar:
            bar.update(40)
            display.say("fastsmote: warning: something")
            with _progress.phase("inner step"):
                time.sleep(0.6)  # the background thread refreshes the elapsed time
            bar.update(60)
    text = terminal.getvalue()
    assert "writing: 100%" in text and "100/100" in text
    assert "  inner step [00:00]" in text and "fastsmote: warning: something\n" in text
    assert not display._ticker.is_alive()  # the refresh thread ended with the display
    # without tqdm: lines, on a terminal too
    monkeypatch.setattr(display_module, "_has_tqdm", lambda: False)
    monkeypatch.setenv(INTERVAL_ENV, "0")
    terminal = _Terminal()
    with progress_display(stream=terminal) as display:
        assert not display.bars
        with _progress.phase("writing", 100) as bar:
            bar.update(100)
    assert "] writing: 100/100 rows (100%)" in terminal.getvalue()
    with progress_display(quiet=True, stream=terminal) as display:
        assert display is None and _progress.start("x") is _progress.start("y")
