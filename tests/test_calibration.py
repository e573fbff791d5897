"""Calibration metrics, the analytic prior correction and PriorCorrectedClassifier."""

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from naive import ece as naive_ece
from scipy.special import expit, logit, softmax
from sklearn.base import clone
from sklearn.calibration import calibration_curve
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import estimator_checks_generator

from fastsmote import SMOTE, RandomOverSampler, RandomUnderSampler, SMOTETomek
from fastsmote.diagnostics import (
    PriorCorrectedClassifier,
    brier_score,
    expected_calibration_error,
    prior_correction,
    reliability_curve,
)


def probabilities(n=3000, seed=0):
    """Labels drawn from miscalibrated probabilities (true p = proba ** 2)."""
    rng = np.random.default_rng(seed)
    proba = rng.random(n)
    y = (rng.random(n) < proba**2).astype(int)
    return y, proba


# --------------------------------------------------------------------------- metrics
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 5, 10])
def test_reliability_curve_is_sklearns_with_counts(strategy, n_bins):
    y, p = probabilities()
    p[:20] = 0.3  # values on an inner edge of the uniform bins
    curve = reliability_curve(y, p, n_bins=n_bins, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    np.testing.assert_array_equal(curve.prob_true, prob_true)
    np.testing.assert_array_equal(curve.prob_pred, prob_pred)
    assert curve.counts.sum() == y.size and (curve.counts > 0).all()
    # counts agree with the bins: sum of positives per bin / count = prob_true
    edges = curve.bin_edges
    naive = []
    for b in range(n_bins):
        mask = np.ones(p.size, dtype=bool)
        if b > 0:
            mask &= p > edges[b]
        if b < n_bins - 1:
            mask &= p <= edges[b + 1]
        if mask.sum():
            naive.append(mask.sum())
    np.testing.assert_array_equal(curve.counts, naive)


def test_reliability_two_columns_and_pos_label():
    y, p = probabilities()
    two = np.column_stack([1 - p, p])
    a = reliability_curve(y, p)
    b = reliability_curve(y, two)
    np.testing.assert_array_equal(a.prob_true, b.prob_true)
    labels = np.where(y == 1, "yes", "no")
    c = reliability_curve(labels, 1 - p, pos_label="no")
    np.testing.assert_allclose(c.prob_true, calibration_curve(y == 0, 1 - p, n_bins=10)[0])


def test_brier_is_sklearns():
    y, p = probabilities()
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p), rel=1e-15)
    assert brier_score(y, np.column_stack([1 - p, p])) == pytest.approx(brier_score_loss(y, p))


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 3, 10, 15])
def test_ece_matches_naive_loop(strategy, n_bins):
    y, p = probabilities(n=600, seed=n_bins)
    p[:30] = np.round(p[:30], 1)  # on the uniform edges
    curve = reliability_curve(y, p, n_bins=n_bins, strategy=strategy)
    expected = naive_ece(y, p, curve.bin_edges)
    assert expected_calibration_error(y, p, n_bins=n_bins, strategy=strategy) == pytest.approx(
        expected, rel=1e-10, abs=1e-15
    )
    # and it is the count-weighted gap of the reliability curve
    gap = np.sum(curve.counts * np.abs(curve.prob_true - curve.prob_pred)) / y.size
    assert expected == pytest.approx(gap, rel=1e-10)


def test_ece_of_calibrated_probabilities_is_small_and_of_miscalibrated_large():
    rng = np.random.default_rng(0)
    p = rng.random(200_000)
    y = rng.random(p.size) < p
    assert expected_calibration_error(y, p) < 0.005
    assert expected_calibration_error(y, np.clip(p + 0.2, 0, 1)) > 0.15


def test_multiclass_top_label_ece_matches_naive_loop():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet([1, 1, 1], size=500)
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 500)]
    hit = np.array(["a", "b", "c"])[proba.argmax(1)] == y
    conf = proba.max(1)
    expected = naive_ece(hit, conf, np.linspace(0, 1, 11))
    assert expected_calibration_error(y, proba) == pytest.approx(expected, rel=1e-10)
    with pytest.raises(ValueError, match="pass labels="):
        expected_calibration_error(y[y != "c"], proba[y != "c"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_bins": 0}, "n_bins must be a positive int"),
        ({"n_bins": 2.5}, "n_bins must be a positive int"),
        ({"strategy": "equal"}, "strategy must be one of"),
    ],
)
def test_bad_binning(kwargs, match):
    y, p = probabilities(n=50)
    with pytest.raises(ValueError, match=match):
        expected_calibration_error(y, p, **kwargs)
    with pytest.raises(ValueError, match=match):
        reliability_curve(y, p, **kwargs)


@pytest.mark.parametrize(
    "y, p, match",
    [
        ([0, 1, 0], [0.1, 1.2, 0.3], r"probabilities in \[0, 1\]"),
        ([0, 1, 0], [0.1, np.nan, 0.3], "NaN"),
        ([0, 1], [0.1, 0.2, 0.3], "different lengths"),
        ([1, 1, 1], [0.1, 0.2, 0.3], "one class only"),
        ([0, 1, 0], np.full((3, 3), 1 / 3), "proba has 3 columns"),
    ],
)
def test_bad_calibration_input(y, p, match):
    for metric in (brier_score, expected_calibration_error, reliability_curve):
        with pytest.raises(ValueError, match=match):
            metric(y, p)


# --------------------------------------------------------------------------- correction
def test_prior_correction_is_exact_for_a_known_binary_model():
    # x | y=1 ~ N(1, 1), x | y=0 ~ N(-1, 1): log-likelihood ratio 2x, so at positive
    # prior pi the posterior is expit(2x + logit(pi)).
    x = np.linspace(-6, 6, 2001)
    for prior_a, prior_b in [(0.5, 0.02), (0.02, 0.5), (0.3, 0.7), (0.999, 0.001)]:
        posterior_a = expit(2 * x + logit(prior_a))
        posterior_b = expit(2 * x + logit(prior_b))
        corrected = prior_correction(posterior_a, train_prior=prior_a, true_prior=prior_b)
        # rtol: 1 - p carries float rounding relative to 1 - p itself when p is near 1
        np.testing.assert_allclose(corrected, posterior_b, rtol=1e-9, atol=1e-15)
        two = np.column_stack([1 - posterior_a, posterior_a])
        as_arrays = prior_correction(
            two, train_prior=[1 - prior_a, prior_a], true_prior=[1 - prior_b, prior_b]
        )
        np.testing.assert_allclose(as_arrays[:, 1], posterior_b, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(as_arrays.sum(axis=1), 1.0)


def test_prior_correction_is_exact_for_a_known_multiclass_model():
    # three unit-variance Gaussians in 1-D at -2, 0, 3: posterior = softmax(loglik + log prior)
    x = np.linspace(-8, 8, 801)[:, None]
    loglik = -0.5 * (x - np.array([-2.0, 0.0, 3.0])) ** 2
    prior_a = np.array([1 / 3, 1 / 3, 1 / 3])
    prior_b = np.array([0.90, 0.08, 0.02])
    post_a = softmax(loglik + np.log(prior_a), axis=1)
    post_b = softmax(loglik + np.log(prior_b), axis=1)
    corrected = prior_correction(post_a, train_prior=prior_a, true_prior=prior_b)
    np.testing.assert_allclose(corrected, post_b, rtol=1e-10, atol=1e-15)
    # dicts keyed by class, columns named by classes=
    classes = np.array(["cat", "cow", "dog"])
    as_dicts = prior_correction(
        post_a,
        train_prior=dict(zip(classes, prior_a, strict=True)),
        true_prior={"dog": 0.02, "cat": 0.90, "cow": 0.08},
        classes=classes,
    )
    np.testing.assert_allclose(as_dicts, post_b, rtol=1e-10, atol=1e-15)
    # round trip
    back = prior_correction(corrected, train_prior=prior_b, true_prior=prior_a)
    np.testing.assert_allclose(back, post_a, rtol=1e-10, atol=1e-15)


def test_prior_correction_identity_and_ranking():
    rng = np.random.default_rng(0)
    p = rng.random(10_000)
    np.testing.assert_allclose(prior_correction(p, train_prior=0.2, true_prior=0.2), p)
    q = prior_correction(p, train_prior=0.5, true_prior=0.01)
    order = np.argsort(p)
    assert (np.diff(q[order]) > 0).all()  # strictly increasing: ranking unchanged


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"train_prior": [0.5, 0.6], "true_prior": 0.1}, "must sum to 1"),
        ({"train_prior": [0.0, 1.0], "true_prior": 0.1}, r"in \(0, 1\)"),
        ({"train_prior": 1.0, "true_prior": 0.1}, r"in \(0, 1\)"),
        ({"train_prior": [0.2, 0.3, 0.5], "true_prior": 0.1}, "array of 2 shares"),
        ({"train_prior": "balanced", "true_prior": 0.1}, "must be a float"),
        ({"train_prior": {0: 0.5, 1: 0.5}, "true_prior": {0: 1.0}}, "has 1 classes"),
    ],
)
def test_bad_priors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        prior_correction([0.2, 0.7], **kwargs)


def test_bad_priors_multiclass_and_proba():
    p = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="single number"):
        prior_correction(p, train_prior=0.5, true_prior=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"missing \['c'\], unknown \['d'\]"):
        prior_correction(
            p,
            train_prior={"a": 0.2, "b": 0.3, "d": 0.5},
            true_prior=[0.2, 0.3, 0.5],
            classes=["a", "b", "c"],
        )
    with pytest.raises(ValueError, match="NaN"):
        prior_correction([0.2, np.nan], train_prior=0.5, true_prior=0.1)
    with pytest.raises(ValueError, match="probabilities"):
        prior_correction([0.2, 1.5], train_prior=0.5, true_prior=0.1)


# --------------------------------------------------------------------------- estimator
def _estimator_checks():
    estimator = PriorCorrectedClassifier(LogisticRegression())
    for instance, check in estimator_checks_generator(estimator, mark="skip"):
        name = getattr(check, "func", check).__name__
        # Array API input is a non-goal (NumPy only); sklearn skips it without SCIPY_ARRAY_API.
        if name != "check_array_api_input":
            yield pytest.param(instance, check, id=name)


@pytest.mark.parametrize("estimator, check", list(_estimator_checks()))
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def imbalanced(n=6000, seed=0):
    X, y = make_classification(
        n_samples=n,
        n_features=8,
        n_informative=4,
        weights=[0.95],
        class_sep=0.8,
        random_state=seed,
    )
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)


def smote_pipeline(sampler=None):
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("sampler", sampler if sampler is not None else SMOTE(random_state=0)),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    )


def test_estimator_conventions():
    model = PriorCorrectedClassifier(smote_pipeline(), true_prior=0.02)
    params = model.get_params()
    assert params["true_prior"] == 0.02 and params["train_prior"] is None
    assert params["prefit"] is False and "estimator__sampler__k_neighbors" in params
    twin = clone(model)
    assert twin.get_params()["estimator__sampler__random_state"] == 0
    assert not hasattr(twin, "estimator_")


@pytest.mark.parametrize(
    "sampler",
    [
        SMOTE(random_state=0),
        SMOTE(sampling_strategy=0.4, random_state=0),
        RandomUnderSampler(random_state=0),
        RandomOverSampler(sampling_strategy=0.25, random_state=0),
        SMOTETomek(random_state=0),
    ],
    ids=["smote", "smote-0.4", "under", "over-0.25", "smote-tomek"],
)
def test_train_prior_is_the_resampled_distribution(sampler):
    X_train, _, y_train, _ = imbalanced(n=2000)
    model = PriorCorrectedClassifier(smote_pipeline(sampler)).fit(X_train, y_train)
    X_scaled = StandardScaler().fit_transform(X_train)
    _, y_res = clone(sampler).fit_resample(X_scaled, y_train)
    expected = np.bincount(y_res) / y_res.size
    np.testing.assert_allclose(model.train_prior_, expected)
    np.testing.assert_allclose(model.true_prior_, np.bincount(y_train) / y_train.size)
    # the prefit path measures it by re-running the pipeline's steps: same answer
    prefit = PriorCorrectedClassifier(model.estimator_, prefit=True).fit(X_train, y_train)
    assert prefit.estimator_ is model.estimator_
    np.testing.assert_allclose(prefit.train_prior_, expected)
    # the private wrapper used to count labels is gone from the fitted estimator
    assert "fit" not in vars(model.estimator_.named_steps["clf"])


def test_works_with_fastsmote_pipeline():
    from fastsmote.pipeline import make_pipeline

    X_train, X_test, y_train, _ = imbalanced(n=2000)
    pipe = make_pipeline(
        StandardScaler(), SMOTE(sampling_strategy=0.5, random_state=0), LogisticRegression()
    )
    model = PriorCorrectedClassifier(pipe).fit(X_train, y_train)
    np.testing.assert_allclose(model.train_prior_, [2 / 3, 1 / 3], atol=1e-3)
    prefit = PriorCorrectedClassifier(model.estimator_, prefit=True).fit(X_train, y_train)
    np.testing.assert_array_equal(prefit.train_prior_, model.train_prior_)
    np.testing.assert_array_equal(prefit.predict_proba(X_test), model.predict_proba(X_test))


def test_no_sampler_means_no_correction():
    X_train, X_test, y_train, _ = imbalanced(n=1000)
    model = PriorCorrectedClassifier(LogisticRegression()).fit(X_train, y_train)
    plain = LogisticRegression().fit(X_train, y_train)
    np.testing.assert_allclose(model.predict_proba(X_test), plain.predict_proba(X_test))
    np.testing.assert_array_equal(model.predict(X_test), plain.predict(X_test))


def test_explicit_priors_and_from_fitted():
    X_train, X_test, y_train, _ = imbalanced(n=1000)
    fitted = smote_pipeline().fit(X_train, y_train)
    model = PriorCorrectedClassifier.from_fitted(fitted, train_prior=0.5, true_prior=0.01)
    expected = prior_correction(
        fitted.predict_proba(X_test), train_prior=[0.5, 0.5], true_prior=[0.99, 0.01]
    )
    np.testing.assert_allclose(model.predict_proba(X_test), expected)
    np.testing.assert_array_equal(model.predict(X_test), expected.argmax(axis=1))
    np.testing.assert_array_equal(model.classes_, [0, 1])
    with pytest.raises(ValueError, match="needs both train_prior and true_prior"):
        PriorCorrectedClassifier.from_fitted(fitted, train_prior=0.5, true_prior=None)
    explicit = PriorCorrectedClassifier(
        smote_pipeline(), train_prior={0: 0.5, 1: 0.5}, true_prior={0: 0.99, 1: 0.01}
    ).fit(X_train, y_train)
    np.testing.assert_allclose(explicit.predict_proba(X_test), expected)


def test_multiclass_pipeline_with_dict_priors():
    X, y = make_classification(
        n_samples=3000,
        n_classes=3,
        n_informative=4,
        weights=[0.8, 0.15, 0.05],
        random_state=0,
    )
    labels = np.array(["a", "b", "c"])[y]
    model = PriorCorrectedClassifier(
        smote_pipeline(), true_prior={"a": 0.9, "b": 0.08, "c": 0.02}
    ).fit(X, labels)
    np.testing.assert_allclose(model.train_prior_, [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(model.true_prior_, [0.9, 0.08, 0.02])
    expected = prior_correction(
        model.estimator_.predict_proba(X),
        train_prior=[1 / 3, 1 / 3, 1 / 3],
        true_prior=[0.9, 0.08, 0.02],
    )
    np.testing.assert_allclose(model.predict_proba(X), expected)
    np.testing.assert_array_equal(model.classes_, ["a", "b", "c"])
    np.testing.assert_array_equal(model.predict(X), model.classes_[expected.argmax(axis=1)])


def test_bad_estimators():
    X_train, _, y_train, _ = imbalanced(n=500)
    with pytest.raises(TypeError, match="has no predict_proba"):
        PriorCorrectedClassifier(LinearSVC()).fit(X_train, y_train)
    with pytest.raises(Exception, match="not fitted"):
        PriorCorrectedClassifier(LogisticRegression(), prefit=True).fit(X_train, y_train)
    with pytest.raises(ValueError, match="prefit must be a bool"):
        PriorCorrectedClassifier(LogisticRegression(), prefit="yes").fit(X_train, y_train)
    with pytest.raises(ValueError, match="train_prior must sum to 1"):
        PriorCorrectedClassifier(LogisticRegression(), train_prior=[0.5, 0.6]).fit(
            X_train, y_train
        )


def test_prior_correction_restores_calibration_after_smote_and_keeps_ranking():
    """The data demonstration: logistic regression on SMOTE-balanced data."""
    X_train, X_test, y_train, y_test = imbalanced(n=8000, seed=1)
    model = PriorCorrectedClassifier(smote_pipeline()).fit(X_train, y_train)
    np.testing.assert_allclose(model.train_prior_, [0.5, 0.5])
    before = model.estimator_.predict_proba(X_test)[:, 1]
    after = model.predict_proba(X_test)[:, 1]
    ece_before = expected_calibration_error(y_test, before)
    ece_after = expected_calibration_error(y_test, after)
    assert ece_before > 0.1  # SMOTE to 50 % inflates the probabilities ...
    assert ece_after < ece_before / 4  # ... and the correction undoes most of it
    assert brier_score(y_test, after) < brier_score(y_test, before)
    # ranking preserved exactly: same AUC and average precision
    assert roc_auc_score(y_test, after) == roc_auc_score(y_test, before)
    assert average_precision_score(y_test, after) == average_precision_score(y_test, before)


# --------------------------------------------------------------------------- wrappers
def test_train_prior_is_measured_through_a_search():
    from sklearn.model_selection import GridSearchCV

    X_train, X_test, y_train, _ = imbalanced(n=2000)
    sampler = SMOTE(sampling_strategy=0.5, random_state=0)
    direct = PriorCorrectedClassifier(smote_pipeline(sampler)).fit(X_train, y_train)
    np.testing.assert_allclose(direct.train_prior_, [2 / 3, 1 / 3], atol=1e-3)
    search = GridSearchCV(smote_pipeline(sampler), {"clf__C": [0.1, 1.0]}, cv=3)
    model = PriorCorrectedClassifier(search).fit(X_train, y_train)
    np.testing.assert_array_equal(model.train_prior_, direct.train_prior_)
    best = model.estimator_.best_estimator_
    expected = prior_correction(
        best.predict_proba(X_test), train_prior=direct.train_prior_, true_prior=model.true_prior_
    )
    np.testing.assert_allclose(model.predict_proba(X_test), expected)
    # already fitted, and a search as the last step of an outer pipeline
    prefit = PriorCorrectedClassifier(model.estimator_, prefit=True).fit(X_train, y_train)
    np.testing.assert_array_equal(prefit.train_prior_, direct.train_prior_)
    outer = Pipeline([("scale", StandardScaler()), ("search", clone(search))])
    nested = PriorCorrectedClassifier(outer).fit(X_train, y_train)
    np.testing.assert_array_equal(nested.train_prior_, direct.train_prior_)
    assert "fit" not in vars(nested.estimator_.named_steps["search"])


def _balanced_ensembles():
    import imblearn.ensemble as imb
    from sklearn.tree import DecisionTreeClassifier

    import fastsmote.ensemble as fs

    for module in (fs, imb):
        yield module.BalancedRandomForestClassifier(n_estimators=5, random_state=0)
        yield module.BalancedBaggingClassifier(n_estimators=3, random_state=0)
        yield module.EasyEnsembleClassifier(n_estimators=2, random_state=0)
        yield module.RUSBoostClassifier(
            DecisionTreeClassifier(max_depth=3), n_estimators=3, random_state=0
        )


@pytest.mark.parametrize(
    "ensemble",
    list(_balanced_ensembles()),
    ids=lambda e: f"{type(e).__module__.split('.')[0]}-{type(e).__name__}",
)
def test_train_prior_of_balanced_ensembles_is_their_samplers(ensemble):
    X_train, _, y_train, _ = imbalanced(n=1000)
    model = PriorCorrectedClassifier(ensemble).fit(X_train, y_train)
    np.testing.assert_allclose(model.train_prior_, [0.5, 0.5])  # the defaults balance
    np.testing.assert_allclose(model.true_prior_, np.bincount(y_train) / y_train.size)
    ratio = clone(ensemble).set_params(sampling_strategy=0.5)
    in_pipeline = Pipeline([("scale", StandardScaler()), ("clf", ratio)])
    model = PriorCorrectedClassifier(in_pipeline).fit(X_train, y_train)
    np.testing.assert_allclose(model.train_prior_, [2 / 3, 1 / 3], atol=1e-2)
    prefit = PriorCorrectedClassifier(model.estimator_, prefit=True).fit(X_train, y_train)
    np.testing.assert_array_equal(prefit.train_prior_, model.train_prior_)


def test_train_prior_of_bagging_with_its_own_sampler():
    from fastsmote.ensemble import BalancedBaggingClassifier

    X_train, _, y_train, _ = imbalanced(n=1000)
    bagging = BalancedBaggingClassifier(
        LogisticRegression(),
        n_estimators=3,
        sampling_strategy=0.25,
        sampler=SMOTE(),
        random_state=0,
    )
    model = PriorCorrectedClassifier(bagging).fit(X_train, y_train)
    n_major = np.bincount(y_train).max()
    expected = np.array([n_major, n_major // 4]) / (n_major + n_major // 4)
    np.testing.assert_allclose(model.train_prior_, expected)


def test_unknown_wrapper_around_a_sampler_asks_for_train_prior():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import BaggingClassifier, StackingClassifier

    from fastsmote.ensemble import BalancedBaggingClassifier

    X_train, X_test, y_train, _ = imbalanced(n=1000)
    wrapped = [
        CalibratedClassifierCV(smote_pipeline(), cv=3),
        BaggingClassifier(smote_pipeline(), n_estimators=2),
        StackingClassifier([("a", smote_pipeline())], final_estimator=LogisticRegression()),
        BalancedBaggingClassifier(smote_pipeline(), n_estimators=2),
        Pipeline([("scale", StandardScaler()), ("cal", CalibratedClassifierCV(smote_pipeline()))]),
    ]
    for estimator in wrapped:
        model = PriorCorrectedClassifier(estimator)
        with pytest.raises(ValueError, match="Pass train_prior explicitly"):
            model.fit(X_train, y_train)
        assert not hasattr(model, "estimator_")  # refused before fitting
    # with the prior given it is used as is
    explicit = PriorCorrectedClassifier(wrapped[0], train_prior=0.5).fit(X_train, y_train)
    np.testing.assert_allclose(explicit.train_prior_, [0.5, 0.5])
    # a meta-estimator without any sampler inside trains on the labels as given
    plain = PriorCorrectedClassifier(BaggingClassifier(LogisticRegression(), n_estimators=2))
    plain.fit(X_train, y_train)
    np.testing.assert_allclose(plain.train_prior_, np.bincount(y_train) / y_train.size)
    np.testing.assert_allclose(plain.predict_proba(X_test), plain.estimator_.predict_proba(X_test))


def test_prior_corrected_refit_on_an_array_leaves_no_column_names():
    import pandas as pd

    X, y = make_classification(200, n_features=5, weights=[0.8], random_state=0)
    model = PriorCorrectedClassifier(LogisticRegression(), train_prior=0.5)
    model.fit(pd.DataFrame(X, columns=list("abcde")), y)
    assert list(model.feature_names_in_) == list("abcde")
    model.fit(X[:, :3], y)
    assert model.n_features_in_ == 3 and not hasattr(model, "feature_names_in_")
