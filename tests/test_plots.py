"""Decision-support pictures render (matplotlib, Agg backend) and fail clearly without it."""

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from fastsmote.diagnostics import (  # noqa: E402
    plot_alert_volume,
    plot_overlap,
    plot_precision_recall,
    plot_reliability,
    prior_correction,
)


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.05).astype(int)
    logits = rng.standard_normal(3000) + 2.5 * y - 1.0
    proba = 1 / (1 + np.exp(-logits))
    return y, proba


def saved(ax, path):
    ax.figure.savefig(path, dpi=60)
    plt.close(ax.figure)
    assert path.exists() and path.stat().st_size > 5_000
    return path


def test_plot_precision_recall_marks_capacity(scored, tmp_path):
    y, p = scored
    ax = plot_precision_recall(y, p, capacity=100)
    assert ax.get_xlabel() == "recall"
    assert any("capacity 100 (100 alerts)" in t.get_text() for t in ax.texts)
    saved(ax, tmp_path / "pr.png")


def test_plot_reliability_before_and_after(scored, tmp_path):
    y, p = scored
    corrected = prior_correction(p, train_prior=0.05, true_prior=0.02)
    ax = plot_reliability(y, p, corrected=corrected)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(s.startswith("as trained (ECE") for s in labels)
    assert any(s.startswith("prior-corrected (ECE") for s in labels)
    saved(ax, tmp_path / "reliability.png")


def test_plot_alert_volume_on_given_axes(scored, tmp_path):
    y, p = scored
    fig, ax = plt.subplots()
    out = plot_alert_volume(y, p, deployment_prevalence=0.01, n_rows=10_000, ax=ax)
    assert out is ax and len(ax.lines) == 2
    assert "10000 rows" in ax.get_ylabel()
    saved(ax, tmp_path / "volume.png")


def test_plot_overlap_from_dict_and_report_like(tmp_path):
    typology = {
        0: {"safe": 0.9, "borderline": 0.08, "rare": 0.015, "outlier": 0.005},
        1: {"safe": 0.2, "borderline": 0.45, "rare": 0.2, "outlier": 0.15},
    }
    ax = plot_overlap(typology)
    assert len(ax.patches) == 8
    saved(ax, tmp_path / "overlap.png")

    class Report:  # what overlap_report returns exposes .typology
        pass

    report = Report()
    report.typology = typology
    saved(plot_overlap(report), tmp_path / "overlap2.png")
    with pytest.raises(ValueError, match="unknown types"):
        plot_overlap({0: {"safe": 0.5, "noise": 0.5}})
    with pytest.raises(TypeError, match="OverlapReport or a non-empty dict"):
        plot_overlap([0.1, 0.9])


def test_missing_matplotlib_names_the_extra(scored, monkeypatch):
    y, p = scored
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "fastsmote\[plot\]"'):
        plot_reliability(y, p)
