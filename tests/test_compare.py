"""compare_strategies: in-fold resampling, metrics against sklearn, capacity, summary."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import LinearSVC

from fastsmote import SMOTE
from fastsmote.diagnostics import compare_strategies, expected_calibration_error
from fastsmote.diagnostics._compare import DEFAULT_STRATEGIES, fold_metrics

pytest.importorskip("pandas")

SEEN = []


class SpySampler(BaseEstimator):
    """Records how many rows it was asked to resample; changes nothing."""

    def fit_resample(self, X, y):
        SEEN.append(len(X))
        return X, y


class ScaleSpy(BaseEstimator):
    """Records the column standard deviations of the rows it was asked to resample."""

    def fit_resample(self, X, y):
        SEEN.append(np.asarray(X).std(axis=0))
        return X, y


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    n_neg, n_pos = 240, 40
    X = np.vstack([rng.standard_normal((n_neg, 4)), rng.standard_normal((n_pos, 4)) + 1.0])
    y = np.repeat([0, 1], [n_neg, n_pos])
    return X, y


def wide(result):
    return result.per_fold.pivot_table(
        index=["strategy", "fold"], columns="metric", values="value"
    )


def test_per_fold_metrics_equal_sklearn_on_recomputed_out_of_fold_predictions(data):
    from imblearn.pipeline import make_pipeline

    X, y = data
    result = compare_strategies(
        LogisticRegression(), X, y, strategies=["smote"], cv=4, random_state=1
    )
    folds = StratifiedKFold(4, shuffle=True, random_state=1).split(X, y)
    got = wide(result).loc["smote"]
    for f, (train, test) in enumerate(folds):
        model = make_pipeline(SMOTE(random_state=1), LogisticRegression())
        p = model.fit(X[train], y[train]).predict_proba(X[test])[:, 1]
        yt = y[test]
        row = got.loc[f]
        assert row["average_precision"] == pytest.approx(average_precision_score(yt, p))
        assert row["roc_auc"] == pytest.approx(roc_auc_score(yt, p))
        assert row["brier"] == pytest.approx(brier_score_loss(yt, p))
        assert row["ece"] == pytest.approx(expected_calibration_error(yt, p, n_bins=10))
        assert row["alerts_at_0.5"] == (p > 0.5).sum()
        n_pos = yt.sum()
        top = np.argsort(-p, kind="stable")[:n_pos]
        assert row["capacity"] == n_pos
        assert row["recall_at_capacity"] == pytest.approx(yt[top].sum() / n_pos)
    table = result.table
    assert table.loc["smote", ("roc_auc", "mean")] == pytest.approx(got["roc_auc"].mean())
    assert table.loc["smote", ("roc_auc", "std")] == pytest.approx(got["roc_auc"].std())


def test_resampling_happens_only_inside_training_folds(data):
    X, y = data
    SEEN.clear()
    compare_strategies(LogisticRegression(), X, y, strategies={"spy": SpySampler()}, cv=4)
    train_sizes = [
        len(tr) for tr, _ in StratifiedKFold(4, shuffle=True, random_state=0).split(X, y)
    ]
    assert SEEN == train_sizes
    assert y.size not in SEEN


def test_capacity_metrics():
    y = np.array([1, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.1, 0.6])
    m = fold_metrics(y, s)  # default capacity: 2 positives
    assert (m["capacity"], m["recall_at_capacity"], m["precision_at_capacity"]) == (2, 0.5, 0.5)
    m = fold_metrics(y, s, 3)
    assert m["recall_at_capacity"] == 1.0 and m["precision_at_capacity"] == pytest.approx(2 / 3)
    m = fold_metrics(y, s, 0.2)  # a fraction of the 5 rows: 1 alert
    assert (m["capacity"], m["recall_at_capacity"], m["precision_at_capacity"]) == (1, 0.5, 1.0)
    assert m["alerts_at_0.5"] == 4 and m["alert_rate_at_0.5"] == pytest.approx(0.8)
    tied = fold_metrics(np.array([0, 1]), np.array([0.5, 0.5]), 1)  # ties: earlier row first
    assert tied["recall_at_capacity"] == 0.0 and tied["alerts_at_0.5"] == 0


def test_default_strategies_table_and_summary(data):
    X, y = data
    result = compare_strategies(LogisticRegression(), X, y, cv=3, capacity=10)
    assert set(result.table.index) == set(DEFAULT_STRATEGIES)
    ap = result.table[("average_precision", "mean")]
    assert list(ap) == sorted(ap, reverse=True)
    for name in DEFAULT_STRATEGIES:
        assert name in result.summary
    assert "PR-AUC" in result.summary and "ECE" in result.summary
    assert (wide(result)["capacity"] == 10).all()
    assert result.pos_label == 1 and result.n_splits == 3
    # resampling raises the alert volume at 0.5 compared with no resampling
    alerts = result.table[("alerts_at_0.5", "mean")]
    assert alerts["random_over"] > alerts["none"]


def test_class_weight_is_skipped_with_a_note_without_the_parameter(data):
    X, y = data
    result = compare_strategies(GaussianNB(), X, y, strategies=["none", "class_weight"], cv=3)
    assert list(result.table.index) == ["none"]
    assert any("class_weight skipped" in n for n in result.notes)
    assert "class_weight skipped" in result.summary


def test_dict_strategies_and_bad_input(data):
    X, y = data
    result = compare_strategies(
        LogisticRegression(), X, y, strategies={"plain": None, "sm": SMOTE(k_neighbors=3)}, cv=3
    )
    assert set(result.table.index) == {"plain", "sm"}
    with pytest.raises(TypeError, match="predict_proba"):
        compare_strategies(LinearSVC(), X, y)
    with pytest.raises(ValueError, match="binary"):
        compare_strategies(LogisticRegression(), X, np.arange(y.size) % 3)
    with pytest.raises(ValueError, match="capacity"):
        compare_strategies(LogisticRegression(), X, y, capacity=1.5)
    with pytest.raises(ValueError, match="Unknown strategies"):
        compare_strategies(LogisticRegression(), X, y, strategies=["smoote"])
    X_nan = X.copy()
    X_nan[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        compare_strategies(LogisticRegression(), X_nan, y)


# --------------------------------------------------------------------------- placement
@pytest.fixture
def unscaled(data):
    X, y = data
    return X * np.array([1.0, 1000.0, 0.001, 50.0]), y


def test_sampler_sees_the_pipelines_scaled_features(unscaled):
    from sklearn.pipeline import make_pipeline as sk_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = unscaled
    estimator = sk_pipeline(StandardScaler(), LogisticRegression())
    SEEN.clear()
    result = compare_strategies(estimator, X, y, strategies={"spy": ScaleSpy()}, cv=3)
    assert len(SEEN) == 3
    for std in SEEN:  # standardised training folds, not the raw 0.001..1000 scales
        np.testing.assert_allclose(std, 1.0, rtol=1e-9)
    assert any("after steps ['standardscaler']" in n for n in result.notes)
    SEEN.clear()
    compare_strategies(
        estimator, X, y, strategies={"spy": ScaleSpy()}, cv=3, sampler_position=0
    )  # the caller asks for the raw features
    assert all(std[1] > 100 * std[2] for std in SEEN)


def test_smote_after_the_scaler_equals_the_hand_built_pipeline(unscaled):
    from sklearn.preprocessing import StandardScaler

    from fastsmote.pipeline import make_pipeline

    X, y = unscaled
    estimator = make_pipeline(StandardScaler(), LogisticRegression())
    got = wide(compare_strategies(estimator, X, y, strategies=["smote"], cv=3, random_state=2))
    by_name = wide(
        compare_strategies(
            estimator,
            X,
            y,
            strategies=["smote"],
            cv=3,
            random_state=2,
            sampler_position="logisticregression",
        )
    )
    first = wide(
        compare_strategies(
            estimator, X, y, strategies=["smote"], cv=3, random_state=2, sampler_position=0
        )
    )
    folds = StratifiedKFold(3, shuffle=True, random_state=2).split(X, y)
    for f, (train, test) in enumerate(folds):
        for steps, result in (
            ((StandardScaler(), SMOTE(random_state=2), LogisticRegression()), got),
            ((SMOTE(random_state=2), StandardScaler(), LogisticRegression()), first),
        ):
            p = make_pipeline(*steps).fit(X[train], y[train]).predict_proba(X[test])[:, 1]
            ap = result.loc[("smote", f), "average_precision"]
            assert ap == pytest.approx(average_precision_score(y[test], p), abs=1e-12)
    assert got["average_precision"].tolist() == by_name["average_precision"].tolist()
    assert got["average_precision"].tolist() != first["average_precision"].tolist()


def test_plain_estimator_keeps_the_sampler_in_front_and_bad_positions_fail(data):
    from sklearn.pipeline import make_pipeline as sk_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data
    result = compare_strategies(LogisticRegression(), X, y, strategies=["smote"], cv=3)
    assert any("raw features before LogisticRegression" in n for n in result.notes)
    with pytest.raises(ValueError, match="needs a Pipeline estimator"):
        compare_strategies(LogisticRegression(), X, y, sampler_position="scaler")
    estimator = sk_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(ValueError, match="not a step of the pipeline"):
        compare_strategies(estimator, X, y, sampler_position="scaler")
    with pytest.raises(ValueError, match="out of range for a pipeline of 2 steps"):
        compare_strategies(estimator, X, y, sampler_position=2)


def test_share_capacity_is_floor_of_the_decimal_share():
    # 0.29 * 100 is 28.999999999999996 in binary floating point: the share written is 29%
    y = np.r_[np.ones(50, int), np.zeros(50, int)]
    s = np.arange(100) / 100
    for share, alerts in [(0.29, 29), (0.57, 57), (0.58, 58), (0.3, 30), (0.005, 1)]:
        assert fold_metrics(y, s, share)["capacity"] == alerts
    assert fold_metrics(y, s, np.float32(0.29))["capacity"] == 29
    assert fold_metrics(y[45:52], s[45:52], 0.5)["capacity"] == 3  # floor, never above


def test_cv_none_is_stratified_like_the_default(data):
    # rows ordered by label: unstratified, unshuffled folds would hold one class each
    X, y = data
    default = wide(compare_strategies(LogisticRegression(), X, y, strategies=["none"]))
    none = wide(compare_strategies(LogisticRegression(), X, y, strategies=["none"], cv=None))
    assert none.shape[0] == 5
    assert none.drop(columns="fit_seconds").equals(default.drop(columns="fit_seconds"))


def test_groups_go_to_the_splitter(data):
    from sklearn.model_selection import GroupKFold

    X, y = data
    groups = np.arange(y.size) % 7
    result = compare_strategies(
        LogisticRegression(), X, y, strategies=["none"], cv=GroupKFold(3), groups=groups
    )
    got = wide(result).loc["none"]
    for f, (train, test) in enumerate(GroupKFold(3).split(X, y, groups)):
        assert not set(groups[train]) & set(groups[test])
        p = LogisticRegression().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
        assert got.loc[f, "average_precision"] == pytest.approx(
            average_precision_score(y[test], p), abs=1e-12
        )
    with pytest.raises(ValueError, match="GroupKFold splits by groups: pass groups="):
        compare_strategies(LogisticRegression(), X, y, cv=GroupKFold(3))
    with pytest.raises(ValueError, match="ignores groups"):
        compare_strategies(LogisticRegression(), X, y, cv=3, groups=groups)
    with pytest.raises(ValueError, match="one label per row"):
        compare_strategies(LogisticRegression(), X, y, cv=GroupKFold(3), groups=groups[:-1])


def test_a_fold_with_one_class_is_named(data):
    from sklearn.model_selection import GroupKFold, KFold

    X, y = data  # 240 negatives then 40 positives
    with pytest.raises(ValueError, match=r"Fold 0 of cv: its validation part \(94 rows\)"):
        compare_strategies(LogisticRegression(), X, y, strategies=["none"], cv=KFold(3))
    groups = np.where(y == 1, 0, 1 + np.arange(y.size) % 3)  # group 0: every positive
    with pytest.raises(ValueError, match=r"Fold \d of cv: its validation part .* only"):
        compare_strategies(
            LogisticRegression(), X, y, strategies=["none"], cv=GroupKFold(4), groups=groups
        )
    # an explicit split that validates every positive trains on negatives only
    split = [(np.arange(0, 200), np.arange(200, 280))]
    with pytest.raises(ValueError, match=r"Fold 0 of cv: its training part .* 200 negative"):
        compare_strategies(LogisticRegression(), X, y, strategies=["none"], cv=split)
