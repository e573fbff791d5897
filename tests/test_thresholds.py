"""Precision-recall table, threshold for an alert capacity, alert volume at a prevalence."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve

from fastsmote.diagnostics import (
    expected_alert_volume,
    precision_recall_table,
    threshold_for_capacity,
)


def scored(n=2000, prevalence=0.1, seed=0, decimals=None):
    """Labels and scores with a positive shift; rounding creates ties."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(int)
    s = rng.standard_normal(n) + 1.5 * y
    if decimals is not None:
        s = np.round(s, decimals)
    return y, s


# --------------------------------------------------------------------------- table
@pytest.mark.parametrize("decimals", [None, 1])
def test_table_matches_sklearn_curve_and_brute_force_alerts(decimals):
    y, s = scored(decimals=decimals)
    table = precision_recall_table(y, s)
    precision, recall, thresholds = precision_recall_curve(y, s)
    np.testing.assert_array_equal(table.threshold, thresholds)
    np.testing.assert_array_equal(table.precision, precision[:-1])
    np.testing.assert_array_equal(table.recall, recall[:-1])
    brute = np.array([(s >= t).sum() for t in table.threshold])
    np.testing.assert_array_equal(table.alerts, brute)
    np.testing.assert_allclose(table.alert_rate, brute / s.size)
    # precision and recall again, from the flagged rows themselves
    tp = np.array([(y[s >= t] == 1).sum() for t in table.threshold])
    np.testing.assert_allclose(table.precision, tp / brute)
    np.testing.assert_allclose(table.recall, tp / y.sum())
    assert (table.n_rows, table.n_positive) == (s.size, int(y.sum()))


def test_table_gives_sklearn_average_precision():
    y, s = scored(decimals=2)
    t = precision_recall_table(y, s)
    # AP = sum over thresholds of (R_k - R_{k+1}) * P_k, recall decreasing with threshold
    ap = np.sum((t.recall - np.append(t.recall[1:], 0.0)) * t.precision)
    assert ap == pytest.approx(average_precision_score(y, s), rel=1e-12)


def test_table_pos_label_and_string_labels():
    y, s = scored()
    labels = np.where(y == 1, "fraud", "ok")
    # "ok" > "fraud", so the default positive class is "ok": pass pos_label
    table = precision_recall_table(labels, s, pos_label="fraud")
    np.testing.assert_array_equal(table.precision, precision_recall_table(y, s).precision)
    default = precision_recall_table(labels, -s)
    assert default.n_positive == int((y == 0).sum())


def test_to_frame_columns():
    pd = pytest.importorskip("pandas")
    y, s = scored(n=300)
    frame = precision_recall_table(y, s).to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["threshold", "precision", "recall", "alerts", "alert_rate"]
    assert len(frame) == np.unique(s).size


# --------------------------------------------------------------------------- capacity
def brute_force_capacity(s, max_alerts):
    """Lowest distinct score at which at most max_alerts rows have score >= it."""
    fits = [t for t in np.unique(s) if (s >= t).sum() <= max_alerts]
    return min(fits) if fits else None


@pytest.mark.parametrize("decimals", [None, 1, 0])
def test_capacity_is_lowest_threshold_not_exceeding_capacity(decimals):
    y, s = scored(n=1500, decimals=decimals, seed=3)
    for capacity in [1, 2, 7, 50, 149, 150, 151, 600, 1499, 1500, 5000]:
        result = threshold_for_capacity(y, s, capacity=capacity)
        expected = brute_force_capacity(s, capacity)
        flagged = s >= result.threshold
        assert flagged.sum() == result.alerts <= capacity
        if expected is None:
            assert result.alerts == 0 and np.isnan(result.precision)
            assert result.threshold > s.max()
        else:
            assert result.threshold == expected
            # one step lower (the next distinct score below) would exceed the capacity
            lower = np.unique(s)[np.unique(s) < expected]
            if lower.size:
                assert (s >= lower[-1]).sum() > capacity
            assert result.precision == pytest.approx(y[flagged].mean())
            assert result.recall == pytest.approx(y[flagged].sum() / y.sum())


def test_capacity_with_ties_at_the_top_flags_nothing():
    y = np.array([0, 1, 1, 0, 1, 0])
    s = np.array([0.9, 0.9, 0.9, 0.1, 0.2, 0.3])
    result = threshold_for_capacity(y, s, capacity=2)
    assert result.alerts == 0 and result.threshold > 0.9 and result.recall == 0.0
    result = threshold_for_capacity(y, s, capacity=3)
    assert result.alerts == 3 and result.threshold == 0.9


def test_capacity_share_and_batch_size():
    y, s = scored(n=2000)
    share = threshold_for_capacity(y, s, capacity=0.05)
    assert share.max_alerts == 100 and share.alerts <= 100
    assert share.alerts == threshold_for_capacity(y, s, capacity=100).alerts
    batch = threshold_for_capacity(y, s, capacity=25, batch_size=1000)  # 50 over 2000 rows
    assert batch.max_alerts == 50 and batch.alerts <= 50
    assert batch.alerts_per_batch == pytest.approx(batch.alert_rate * 1000)
    assert batch.alerts_per_batch <= 25
    # a batch capacity that does not divide evenly rounds down (never exceeds capacity)
    assert threshold_for_capacity(y, s, capacity=3, batch_size=7).max_alerts == 857


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"capacity": 0}, "positive int"),
        ({"capacity": -3}, "positive int"),
        ({"capacity": 1.5}, r"float in \(0, 1\)"),
        ({"capacity": 0.0}, r"float in \(0, 1\)"),
        ({"capacity": True}, "capacity"),
        ({"capacity": "10"}, "capacity"),
        ({"capacity": 11, "batch_size": 10}, r"in \[1, 10\]"),
        ({"capacity": 0.1, "batch_size": 10}, "int of alerts per batch"),
        ({"capacity": 1, "batch_size": 0}, "batch_size"),
    ],
)
def test_capacity_out_of_range(kwargs, match):
    y, s = scored(n=100)
    with pytest.raises(ValueError, match=match):
        threshold_for_capacity(y, s, **kwargs)


# --------------------------------------------------------------------------- volume
def test_alert_volume_formula_matches_validation_set_resampled_to_new_prevalence():
    y, s = scored(n=4000, prevalence=0.3, seed=1)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rng = np.random.default_rng(7)
    for pi in (0.01, 0.3, 0.6):
        # deployment rows: bootstrap each class of the validation set at share pi
        n = 400_000
        n_pos = rng.binomial(n, pi)
        rows = np.concatenate([rng.choice(pos, n_pos), rng.choice(neg, n - n_pos)])
        for thr in (0.0, 1.0, 2.5):
            volume = expected_alert_volume(y, s, thr, deployment_prevalence=pi, n_rows=n)
            flagged = s[rows] >= thr
            sigma = np.sqrt(volume.alert_rate * (1 - volume.alert_rate) / n)
            assert abs(flagged.mean() - volume.alert_rate) < 5 * sigma
            precision = y[rows][flagged].mean()
            se = np.sqrt(volume.precision * (1 - volume.precision) / flagged.sum())
            assert abs(precision - volume.precision) < 5 * se + 1e-12
            assert volume.expected_alerts == pytest.approx(volume.alert_rate * n)


def test_alert_volume_at_validation_prevalence_is_the_observed_rate():
    y, s = scored(n=3000, seed=2)
    for thr in np.quantile(s, [0.1, 0.5, 0.9, 0.99]):
        v = expected_alert_volume(y, s, thr, deployment_prevalence=float(y.mean()))
        assert v.alert_rate == pytest.approx((s >= thr).mean(), rel=1e-12)
        assert v.precision == pytest.approx(y[s >= thr].mean(), rel=1e-12)
        assert v.tpr == pytest.approx((s[y == 1] >= thr).mean())
        assert v.fpr == pytest.approx((s[y == 0] >= thr).mean())
        assert v.validation_prevalence == pytest.approx(y.mean())


def test_alert_volume_array_thresholds_match_scalar_calls():
    y, s = scored(n=500)
    thresholds = np.array([-1.0, 0.5, 2.0, 10.0])
    many = expected_alert_volume(y, s, thresholds, deployment_prevalence=0.02, n_rows=1000)
    for i, t in enumerate(thresholds):
        one = expected_alert_volume(y, s, t, deployment_prevalence=0.02, n_rows=1000)
        assert one.alert_rate == many.alert_rate[i]
        assert one.expected_alerts == many.expected_alerts[i]
    assert np.isnan(many.precision[-1]) and many.alert_rate[-1] == 0.0


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "y, s, match",
    [
        ([0, 1, 0], [0.1, 0.2], "different lengths"),
        ([0, 1, 0], [0.1, np.nan, 0.3], "NaN .first at row 1"),
        ([0, 1, 0], [0.1, np.inf, 0.3], "infinity"),
        ([1, 1, 1], [0.1, 0.2, 0.3], r"one class only \(1\)"),
        ([0, 1, 2], [0.1, 0.2, 0.3], "must be binary"),
        ([0, 1, 0], [[0.1, 0.9], [0.2, 0.8], [0.5, 0.5]], "proba.:, 1."),
        ([], [], "non-empty"),
        ([0, 1, 0], ["a", "b", "c"], "numeric"),
    ],
)
def test_bad_scores_and_labels(y, s, match):
    with pytest.raises(ValueError, match=match):
        precision_recall_table(y, s)
    with pytest.raises(ValueError, match=match):
        threshold_for_capacity(y, s, capacity=1)
    with pytest.raises(ValueError, match=match):
        expected_alert_volume(y, s, 0.5, deployment_prevalence=0.1)


def test_bad_pos_label():
    with pytest.raises(ValueError, match="pos_label=3 is not a label"):
        precision_recall_table([0, 1], [0.1, 0.9], pos_label=3)


@pytest.mark.parametrize("pi", [0, 1, 0.0, 1.0, -0.1, 1.2, None, "0.1", True])
def test_bad_prevalence(pi):
    with pytest.raises(ValueError, match=r"deployment_prevalence must be a float in the open"):
        expected_alert_volume([0, 1], [0.1, 0.9], 0.5, deployment_prevalence=pi)


@pytest.mark.parametrize("n_rows", [0, -5, 2.5, True])
def test_bad_n_rows(n_rows):
    with pytest.raises(ValueError, match="n_rows must be a positive int"):
        expected_alert_volume([0, 1], [0.1, 0.9], 0.5, deployment_prevalence=0.1, n_rows=n_rows)


def test_bad_threshold():
    with pytest.raises(ValueError, match="threshold must be"):
        expected_alert_volume([0, 1], [0.1, 0.9], np.nan, deployment_prevalence=0.1)


def test_capacity_share_is_floor_of_the_decimal_share():
    # 0.29 * 100 == 28.999999999999996: a share means floor of the decimal written
    n = 100
    y = np.r_[np.ones(50, int), np.zeros(n - 50, int)]
    s = np.arange(n) / n  # distinct scores: every count of alerts is reachable
    for share in (0.29, 0.57, 0.58, 0.3, 0.01, 0.99):
        expected = round(share * n)  # the decimal product is an integer here
        result = threshold_for_capacity(y, s, capacity=share)
        assert result.max_alerts == result.alerts == expected
    assert threshold_for_capacity(y, s, capacity=np.float32(0.57)).max_alerts == 57
    assert threshold_for_capacity(y, s, capacity=np.float64(0.58)).max_alerts == 58
    # floor of the exact product: never above the share (0.295 of 100 rows is 29)
    assert threshold_for_capacity(y, s, capacity=0.295).max_alerts == 29
    assert threshold_for_capacity(y[45:52], s[45:52], capacity=0.5).max_alerts == 3
