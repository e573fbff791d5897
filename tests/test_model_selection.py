"""Per-fold helpers and the leakage check: resampling stays inside training parts."""

import numpy as np
import pytest
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GroupKFold, StratifiedKFold, train_test_split

import fastsmote as fs
from fastsmote.model_selection import (
    check_leakage,
    cross_validate_resampled,
    fold_seed,
    resampled_splits,
)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=1500, n_features=8, n_informative=5, weights=[0.92], random_state=0
    )
    return X.astype(np.float32), y


@pytest.mark.parametrize(
    "sampler",
    [fs.SMOTE(), fs.BorderlineSMOTE(kind="borderline-2"), fs.ADASYN(), fs.SMOTETomek()],
    ids=lambda s: type(s).__name__,
)
def test_no_training_row_has_a_parent_in_its_validation_part(sampler, data):
    X, y = data
    folds = list(resampled_splits(X, y, sampler, cv=4, random_state=0))
    assert len(folds) == 4
    for fold in folds:
        origins = fold.row_origins()
        parents = np.concatenate([origins.source, origins.partner[origins.partner >= 0]])
        assert np.intersect1d(parents, fold.valid_index).size == 0
        assert np.intersect1d(fold.train_index, fold.valid_index).size == 0
        # the validation part is the input rows, untouched
        np.testing.assert_array_equal(fold.X_valid, X[fold.valid_index])
        np.testing.assert_array_equal(fold.y_valid, y[fold.valid_index])
        # synthetic rows really are interpolations of training rows
        synthetic = origins.partner >= 0
        gap = origins.gap[synthetic].astype(np.float32)[:, None]
        base, partner = X[origins.source[synthetic]], X[origins.partner[synthetic]]
        np.testing.assert_array_equal(fold.X_train[synthetic], base + gap * (partner - base))


def test_fold_seeds_records_and_reproducibility(data):
    X, y = data
    first = list(resampled_splits(X, y, fs.SMOTE(), cv=3, random_state=7))
    again = list(resampled_splits(X, y, fs.SMOTE(), cv=3, random_state=7))
    other = list(resampled_splits(X, y, fs.SMOTE(), cv=3, random_state=8))
    seeds = [f.seed for f in first]
    assert seeds == [fold_seed(7, i) for i in range(3)] == [f.seed for f in again]
    assert len(set(seeds)) == 3 and seeds != [f.seed for f in other]
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a.X_train, b.X_train)
        np.testing.assert_array_equal(a.valid_index, b.valid_index)
        assert a.record.parameters["random_state"] == a.seed
        assert a.record.applied_to.startswith(f"fold {a.fold + 1} of 3, training part")
        train_labels = y[a.train_index]
        assert a.record.counts_before() == {c: int(np.sum(train_labels == c)) for c in (0, 1)}
        assert a.record.counts_after() == {0: int(np.sum(train_labels == 0))} | {
            1: int(np.sum(train_labels == 0))
        }


def test_sample_weight_is_split_and_resampled(data):
    X, y = data
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    for fold in resampled_splits(X, y, fs.SMOTE(), cv=3, sample_weight=w, random_state=0):
        origins = fold.row_origins()
        # origins are in input row numbers: they resample the full-length weights
        np.testing.assert_array_equal(origins.take(w), fold.sample_weight_train)
        synthetic = origins.partner >= 0
        expected = w[origins.source].copy()
        g = origins.gap[synthetic]
        expected[synthetic] += g * (w[origins.partner[synthetic]] - w[origins.source[synthetic]])
        np.testing.assert_allclose(fold.sample_weight_train, expected, rtol=0, atol=1e-15)
        np.testing.assert_array_equal(fold.sample_weight_valid, w[fold.valid_index])


def test_group_splitter_and_no_sampler(data):
    X, y = data
    groups = np.arange(len(y)) % 10
    folds = list(resampled_splits(X, y, None, cv=GroupKFold(5), groups=groups))
    for fold in folds:
        assert fold.record is None and fold.sampler is None
        assert not set(groups[fold.train_index]) & set(groups[fold.valid_index])
        np.testing.assert_array_equal(fold.X_train, X[fold.train_index])


def test_cross_validate_resampled_scores_untouched_validation_parts(data):
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate_resampled(
        LogisticRegression(),
        X,
        y,
        sampler=fs.SMOTE(),
        cv=cv,
        scoring=["average_precision", "roc_auc"],
        random_state=0,
        return_estimator=True,
    )
    assert set(result.scores) == {"average_precision", "roc_auc"}
    for i, (train, valid) in enumerate(cv.split(X, y)):
        seed = fold_seed(0, i)
        X_res, y_res = fs.SMOTE(random_state=seed).fit_resample(X[train], y[train])
        model = LogisticRegression().fit(X_res, y_res)
        expected = average_precision_score(y[valid], model.predict_proba(X[valid])[:, 1])
        assert result.scores["average_precision"][i] == pytest.approx(expected, abs=1e-12)
    assert result.mean["roc_auc"] == pytest.approx(np.mean(result.scores["roc_auc"]))
    assert len(result.records) == 3 and len(result.estimators) == 3
    table = result.to_frame()
    assert list(table.index[-2:]) == ["mean", "std"]


def test_cross_validate_resampled_resamples_after_a_pipelines_preprocessing(data):
    """With a scaler + classifier pipeline, the sampler sees the scaled features, as in
    a fastsmote Pipeline; sample weights reach the final step."""
    from sklearn.base import BaseEstimator
    from sklearn.model_selection import cross_validate
    from sklearn.preprocessing import StandardScaler

    from fastsmote.pipeline import make_pipeline

    X, y = data
    X = X * np.logspace(-3, 3, X.shape[1], dtype=np.float32)  # units far apart
    cv = StratifiedKFold(3, shuffle=True, random_state=0)

    class Spy(BaseEstimator):
        seen: list = []

        def fit_resample(self, X, y):
            Spy.seen.append(np.std(X, axis=0))
            return X, y

    model = make_pipeline(StandardScaler(), LogisticRegression())
    cross_validate_resampled(model, X, y, sampler=Spy(), cv=cv)
    assert len(Spy.seen) == 3 and np.allclose(Spy.seen, 1.0, atol=1e-3)
    result = cross_validate_resampled(
        model, X, y, sampler=fs.TomekLinks(), cv=cv, scoring="average_precision",
        return_estimator=True,
    )  # fmt: skip
    by_hand = make_pipeline(StandardScaler(), fs.TomekLinks(), LogisticRegression())
    expected = cross_validate(by_hand, X, y, cv=cv, scoring="average_precision")
    np.testing.assert_allclose(result.scores["average_precision"], expected["test_score"])
    assert [name for name, _ in result.estimators[0].steps] == [
        "standardscaler",
        "logisticregression",
    ]
    raw = cross_validate_resampled(
        model, X, y, sampler=fs.TomekLinks(), cv=cv, scoring="average_precision",
        sampler_position=0,
    )  # fmt: skip
    assert not np.allclose(raw.scores["average_precision"], expected["test_score"])
    weighted = cross_validate_resampled(
        model, X, y, sampler=fs.SMOTE(), cv=cv, sample_weight=np.ones(len(y)), random_state=0
    )
    unweighted = cross_validate_resampled(model, X, y, sampler=fs.SMOTE(), cv=cv, random_state=0)
    np.testing.assert_allclose(weighted.scores["score"], unweighted.scores["score"])
    with pytest.raises(ValueError, match="not a step"):
        cross_validate_resampled(model, X, y, sampler=Spy(), sampler_position="scaler")


def test_weights_reach_a_pipeline_under_metadata_routing(data):
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    w = np.random.default_rng(0).uniform(0.5, 3.0, len(y))

    from sklearn.preprocessing import StandardScaler

    from fastsmote.pipeline import make_pipeline

    def run():
        clf = LogisticRegression()
        if sklearn.get_config()["enable_metadata_routing"]:
            clf.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        model = make_pipeline(StandardScaler(), clf)
        return cross_validate_resampled(
            model, X, y, sampler=fs.SMOTE(), cv=cv, sample_weight=w, random_state=0
        ).scores["score"]

    legacy = run()
    with sklearn.config_context(enable_metadata_routing=True):
        routed = run()
    np.testing.assert_allclose(routed, legacy)


def _random_states(estimator):
    return {
        name: value
        for name, value in estimator.get_params(deep=True).items()
        if name == "random_state" or name.endswith("__random_state")
    }


def _composite_samplers():
    from imblearn.combine import SMOTEENN as ImbSMOTEENN
    from imblearn.over_sampling import SMOTE as ImbSMOTE
    from sklearn.preprocessing import StandardScaler

    from fastsmote.pipeline import make_pipeline

    return [
        make_pipeline(StandardScaler(), fs.SMOTE()),  # a sampler: it has fit_resample
        fs.SMOTEENN(smote=fs.SMOTE()),
        ImbSMOTEENN(smote=ImbSMOTE()),
    ]


@pytest.mark.parametrize("sampler", _composite_samplers(), ids=lambda s: type(s).__name__)
def test_nested_random_states_are_seeded_per_fold(sampler, data):
    """One random_state reproduces every fold of a composite sampler, and each fold's
    nested seeds are its own."""
    X, y = data
    first = list(resampled_splits(X, y, sampler, cv=3, random_state=7))
    again = list(resampled_splits(X, y, sampler, cv=3, random_state=7))
    other = list(resampled_splits(X, y, sampler, cv=3, random_state=8))
    assert [f.seed for f in first] == [fold_seed(7, i) for i in range(3)]
    seeds = []
    for a, b, c in zip(first, again, other, strict=True):
        np.testing.assert_array_equal(a.X_train, b.X_train)
        np.testing.assert_array_equal(a.y_train, b.y_train)
        chosen = _random_states(a.sampler)
        assert chosen == _random_states(b.sampler) != _random_states(c.sampler)
        assert all(isinstance(v, int) and 0 <= v < 2**32 for v in chosen.values())
        if "random_state" in chosen:
            assert chosen["random_state"] == a.seed
        seeds += chosen.values()
    assert len(set(seeds)) == len(seeds)  # no seed shared by two folds or two parameters
    assert not np.array_equal(first[0].X_train[-5:], other[0].X_train[-5:])


def test_nested_random_states_set_by_the_user_are_kept(data):
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    from fastsmote.pipeline import make_pipeline

    X, y = data
    sampler = make_pipeline(StandardScaler(), fs.SMOTE(random_state=5))
    folds = list(resampled_splits(X, y, sampler, cv=3, random_state=0))
    assert [f.seed for f in folds] == [None] * 3  # nothing left for the helper to seed
    assert [f.sampler.get_params()["smote__random_state"] for f in folds] == [5] * 3
    sampler = fs.SMOTEENN(smote=fs.SMOTE(random_state=5))
    folds = list(resampled_splits(X, y, sampler, cv=3, random_state=0))
    assert [f.sampler.get_params()["smote__random_state"] for f in folds] == [5] * 3
    assert [f.sampler.random_state for f in folds] == [fold_seed(0, i) for i in range(3)]
    # setting one nested random_state leaves the seeds of the others unchanged
    unset = make_pipeline(PCA(svd_solver="randomized"), fs.SMOTE())
    fixed = make_pipeline(PCA(svd_solver="randomized", random_state=3), fs.SMOTE())
    for a, b in zip(
        resampled_splits(X, y, unset, cv=3, random_state=0),
        resampled_splits(X, y, fixed, cv=3, random_state=0),
        strict=True,
    ):
        assert (
            a.sampler.get_params()["smote__random_state"]
            == b.sampler.get_params()["smote__random_state"]
        )
        assert b.sampler.get_params()["pca__random_state"] == 3


def test_cross_validate_resampled_is_reproducible_with_a_pipeline_sampler(data):
    from sklearn.preprocessing import StandardScaler

    from fastsmote.pipeline import make_pipeline

    X, y = data
    sampler = make_pipeline(StandardScaler(), fs.SMOTE())

    def run():
        return cross_validate_resampled(
            LogisticRegression(), X, y, sampler=sampler, cv=3, scoring="roc_auc",
            random_state=0, return_estimator=True,
        )  # fmt: skip

    first, again = run(), run()
    np.testing.assert_array_equal(first.scores["roc_auc"], again.scores["roc_auc"])
    for a, b in zip(first.estimators, again.estimators, strict=True):
        np.testing.assert_array_equal(a.coef_, b.coef_)


def _accuracy(estimator, X, y):  # a scorer that takes no weights
    return float(np.mean(estimator.predict(X) == y))


def _weighted_accuracy(estimator, X, y, sample_weight=None):
    return float(np.average(estimator.predict(X) == y, weights=sample_weight))


@pytest.mark.parametrize("routing", [False, True], ids=["legacy", "routing"])
def test_validation_weights_reach_every_scoring_form(data, routing):
    """Every scorer that takes sample_weight scores the weighted validation part, the
    others the unweighted one, whatever the form of scoring and the routing mode."""
    from sklearn.metrics import (
        class_likelihood_ratios,
        get_scorer,
        make_scorer,
        roc_auc_score,
    )

    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    w = np.random.default_rng(0).uniform(0.2, 5.0, len(y))
    auc_scorer = make_scorer(roc_auc_score, response_method="decision_function")
    forms = {
        "string": "roc_auc",
        "list": ["roc_auc", "positive_likelihood_ratio"],
        "tuple": ("roc_auc",),
        "dict": {"auc": get_scorer("roc_auc"), "plain": _accuracy, "w": _weighted_accuracy},
        "make_scorer": auc_scorer,
        "plain callable": _accuracy,
        "weighted callable": _weighted_accuracy,
        "None": None,
    }
    with sklearn.config_context(enable_metadata_routing=routing):
        results = {
            form: cross_validate_resampled(
                LogisticRegression(),
                X,
                y,
                sampler=fs.SMOTE(),
                cv=cv,
                scoring=scoring,
                sample_weight=w,
                random_state=0,
                return_estimator=True,
            )  # fmt: skip
            for form, scoring in forms.items()
        }
    for i, (_, valid) in enumerate(cv.split(X, y)):
        model = results["string"].estimators[i]
        Xv, yv, wv = X[valid], y[valid], w[valid]
        auc = roc_auc_score(yv, model.decision_function(Xv), sample_weight=wv)
        assert auc != pytest.approx(roc_auc_score(yv, model.decision_function(Xv)))
        accuracy = _accuracy(model, Xv, yv)
        weighted_accuracy = _weighted_accuracy(model, Xv, yv, wv)
        expected = {
            "string": {"roc_auc": auc},
            "list": {
                "roc_auc": auc,  # the metric takes no weights: unweighted
                "positive_likelihood_ratio": class_likelihood_ratios(yv, model.predict(Xv))[0],
            },
            "tuple": {"roc_auc": auc},
            "dict": {"auc": auc, "plain": accuracy, "w": weighted_accuracy},
            "make_scorer": {"score": auc},
            "plain callable": {"score": accuracy},
            "weighted callable": {"score": weighted_accuracy},
            "None": {"score": weighted_accuracy},  # LogisticRegression.score, weighted
        }
        for form, names in expected.items():
            assert set(results[form].scores) == set(names)
            for name, value in names.items():
                assert results[form].scores[name][i] == pytest.approx(value, rel=1e-12)


def test_score_requests_decide_validation_weights_under_routing(data):
    from sklearn.metrics import get_scorer, roc_auc_score

    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    w = np.random.default_rng(0).uniform(0.2, 5.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = {
            "unweighted": get_scorer("roc_auc").set_score_request(sample_weight=False),
            "weighted": get_scorer("roc_auc").set_score_request(sample_weight=True),
        }
        result = cross_validate_resampled(
            LogisticRegression(), X, y, sampler=fs.SMOTE(), cv=cv, scoring=scoring,
            sample_weight=w, random_state=0, return_estimator=True,
        )  # fmt: skip
        own = cross_validate_resampled(
            LogisticRegression().set_score_request(sample_weight=False), X, y,
            sampler=fs.SMOTE(), cv=cv, sample_weight=w, random_state=0,
        )  # fmt: skip
        aliased = get_scorer("roc_auc").set_score_request(sample_weight="valid_weight")
        with pytest.raises(ValueError, match="alias 'valid_weight'"):
            cross_validate_resampled(
                LogisticRegression(), X, y, sampler=fs.SMOTE(), cv=cv, scoring=aliased,
                sample_weight=w,
            )  # fmt: skip
    for i, (_, valid) in enumerate(cv.split(X, y)):
        model, Xv, yv = result.estimators[i], X[valid], y[valid]
        decision = model.decision_function(Xv)
        assert result.scores["unweighted"][i] == pytest.approx(roc_auc_score(yv, decision))
        assert result.scores["weighted"][i] == pytest.approx(
            roc_auc_score(yv, decision, sample_weight=w[valid])
        )
        assert own.scores["score"][i] == pytest.approx(_accuracy(model, Xv, yv))


def test_scorers_with_different_pos_labels_do_not_share_probabilities(data):
    from sklearn.metrics import average_precision_score, make_scorer

    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scoring = {
        f"ap{label}": make_scorer(
            average_precision_score, response_method="predict_proba", pos_label=label
        )
        for label in (0, 1)
    }
    both = cross_validate_resampled(
        LogisticRegression(), X, y, sampler=fs.SMOTE(), cv=cv, scoring=scoring, random_state=0
    )
    for name, scorer in scoring.items():
        alone = cross_validate_resampled(
            LogisticRegression(), X, y, sampler=fs.SMOTE(), cv=cv, scoring=scorer, random_state=0
        )
        np.testing.assert_array_equal(both.scores[name], alone.scores["score"])


@pytest.fixture(scope="module")
def overlapping():
    X, y = make_classification(
        n_samples=6000,
        n_features=12,
        n_informative=5,
        weights=[0.96],
        flip_y=0.01,
        class_sep=0.8,
        random_state=0,
    )
    return X.astype(np.float32), y


def test_smote_before_split_inflates_scores_and_is_flagged(overlapping):
    X, y = overlapping
    model = RandomForestClassifier(100, random_state=0, n_jobs=1)
    # the mistake: resample everything, then split
    X_res, y_res = fs.SMOTE(random_state=0).fit_resample(X, y)
    a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, stratify=y_res, random_state=0)
    wrong = check_leakage(a, c, b, d)
    ap_wrong = average_precision_score(d, model.fit(a, c).predict_proba(b)[:, 1])
    # done right: split, resample the training part only
    a, b, c, d = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    a_res, c_res = fs.SMOTE(random_state=0).fit_resample(a, c)
    right = check_leakage(a_res, c_res, b, d)
    ap_right = average_precision_score(d, model.fit(a_res, c_res).predict_proba(b)[:, 1])
    assert wrong.leaked and "Likely leakage" in wrong.verdict
    assert wrong.test_rows_on_segments.size > 0.3 * wrong.n_test_checked
    assert not right.leaked and right.test_rows_on_segments.size == 0
    assert "No sign" in right.verdict
    assert ap_wrong > ap_right + 0.2  # the inflation the check protects against


def test_random_oversampling_before_split_is_flagged_by_duplicates(overlapping):
    X, y = overlapping
    X_res, y_res = fs.RandomOverSampler(random_state=0).fit_resample(X, y)
    a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, stratify=y_res, random_state=0)
    report = check_leakage(a, c, b, d)
    assert report.leaked and report.test_rows_duplicated.size > 0.5 * np.sum(d == 1)
    b_rows = {row.tobytes() for row in a[c == 1]}
    assert all(b[i].tobytes() in b_rows for i in report.test_rows_duplicated)


def test_planted_rows_are_found_by_index(overlapping):
    X, y = overlapping
    a, b, c, d = train_test_split(X, y, test_size=0.25, stratify=y, random_state=1)
    minority = np.flatnonzero(c == 1)
    b, d = b.copy(), d.copy()
    planted = np.flatnonzero(d == 0)[:5]  # overwrite 5 test rows with minority interpolations
    for i, row in enumerate(planted):  # as SMOTE does: towards a near same-class row
        p = minority[i]
        dist = ((a[minority] - a[p]) ** 2).sum(axis=1)
        q = minority[np.argsort(dist)[1]]
        b[row] = a[p] + np.float32(0.4) * (a[q] - a[p])
        d[row] = 1
    report = check_leakage(a, c, b, d)
    assert set(planted) <= set(report.test_rows_on_segments.tolist())
    assert report.to_dict()["test_rows_on_segments"] == report.test_rows_on_segments.tolist()


def test_a_single_class_test_set_is_checked(overlapping):
    X, y = overlapping
    X_res, y_res = fs.SMOTE(random_state=0).fit_resample(X, y)
    minority = np.flatnonzero(y_res == 1)
    test = minority[::4]  # only minority rows in the test set
    train = np.setdiff1d(np.arange(len(y_res)), test)
    report = check_leakage(X_res[train], y_res[train], X_res[test], y_res[test])
    assert report.leaked


def _discrete_classes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four classes of whole-number features on a coarse grid: natural duplicates (more
    in the small classes) and rows collinear by chance, as in survey or count data."""
    rng = np.random.default_rng(seed)
    sizes, spreads = [900, 200, 120, 60], [2.0, 1.0, 0.8, 0.6]
    X = np.concatenate(
        [
            np.round(rng.normal(c, s, size=(n, 6)))
            for c, (n, s) in enumerate(zip(sizes, spreads, strict=True))
        ]
    )
    y = np.repeat(np.arange(4), sizes)
    return X, y


def _coded(y: np.ndarray, minority_first: bool) -> np.ndarray:
    """Class labels renumbered by size: the smallest class 0, or the largest class 0."""
    values, counts = np.unique(y, return_counts=True)
    order = np.argsort(counts if minority_first else -counts, kind="stable")
    return np.argsort(order)[np.searchsorted(values, y)]


@pytest.mark.parametrize("minority_first", [True, False])
def test_leakage_verdict_does_not_depend_on_label_order(overlapping, minority_first):
    """Balancing makes every class "largest": the baseline is the class resampling left
    alone, however the labels sort ("fraud" < "normal", or the minority coded 0)."""
    X, y = overlapping
    names = np.where(y == 1, "fraud", "normal") if minority_first else y
    for sampler in (fs.SMOTE(random_state=0), fs.RandomOverSampler(random_state=0)):
        X_res, y_res = sampler.fit_resample(X, names)
        a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, random_state=0)
        report = check_leakage(a, c, b, d)
        assert report.leaked, (type(sampler).__name__, report.verdict)
        assert report.baseline_class == ("normal" if minority_first else 0)
    Xd, yd = _discrete_classes(0)
    yd = _coded(yd, minority_first)
    for sampler in (fs.SMOTE(random_state=0), fs.RandomOverSampler(random_state=0)):
        X_res, y_res = sampler.fit_resample(Xd, yd)
        a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, random_state=1)
        assert check_leakage(a, c, b, d).leaked, type(sampler).__name__


def test_honest_splits_of_discrete_multiclass_data_are_not_flagged():
    """Natural duplicates and chance collinearity of whole-number features are the
    data's own, in every class; resampling inside the training part is not flagged."""
    for seed in range(4):
        X, y = _discrete_classes(seed)
        for minority_first in (True, False):
            yc = _coded(y, minority_first)
            a, b, c, d = train_test_split(X, yc, test_size=0.25, stratify=yc, random_state=seed)
            report = check_leakage(a, c, b, d)
            assert not report.leaked, report.verdict
            a_res, c_res = fs.SMOTE(random_state=seed).fit_resample(a, c)
            assert not check_leakage(a_res, c_res, b, d).leaked


def test_smote_on_duplicate_heavy_data_is_found(overlapping):
    """Copies of one parent fill a synthetic row's neighbour list: segments are looked
    for between distinct rows."""
    X, y = overlapping
    minority = np.flatnonzero(y == 1)
    X = np.concatenate([X] + [X[minority]] * 3)  # each minority row 4 times
    y = np.concatenate([y] + [y[minority]] * 3)
    a, b, c, d = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    assert not check_leakage(a, c, b, d).test_rows_on_segments.size
    X_res, y_res = fs.SMOTE(random_state=0).fit_resample(X, y)
    a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, random_state=0)
    report = check_leakage(a, c, b, d)
    assert report.leaked and report.test_rows_on_segments.size > 0.1 * report.n_test_checked


@pytest.mark.parametrize("scale", [1e-200, 1e-30, 1e30, 1e200])
def test_leakage_check_does_not_depend_on_the_data_scale(overlapping, scale):
    X, y = overlapping
    X_res, y_res = fs.SMOTE(random_state=0).fit_resample(X.astype(np.float64), y)
    a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, random_state=0)
    unit = check_leakage(a, c, b, d)
    scaled = check_leakage(a * scale, c, b * scale, d)
    assert unit.leaked and scaled.leaked
    np.testing.assert_array_equal(scaled.test_rows_on_segments, unit.test_rows_on_segments)
    np.testing.assert_array_equal(scaled.test_rows_duplicated, unit.test_rows_duplicated)


def test_leakage_bad_input(overlapping):
    X, y = overlapping
    with pytest.raises(ValueError, match="same columns"):
        check_leakage(X, y, X[:, :3], y)
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_leakage(X, y, bad, y)
    with pytest.raises(ValueError, match="n_neighbors"):
        check_leakage(X, y, X, y, n_neighbors=1)
    with pytest.raises(ValueError, match="inconsistent|length|rows"):
        check_leakage(X, y[:-1], X, y)


def test_samplers_from_other_libraries_get_a_record_and_weights(data):
    from imblearn.under_sampling import RandomUnderSampler as ImbRUS

    X, y = data
    w = np.arange(len(y), dtype=float)
    for fold in resampled_splits(X, y, ImbRUS(), cv=3, sample_weight=w, random_state=0):
        assert fold.record.method == "RandomUnderSampler"
        assert fold.record.counts_after() == {0: int(np.sum(fold.y_train == 0))} | {
            1: int(np.sum(fold.y_train == 1))
        }
        assert fold.record.parameters["random_state"] == fold.seed
        # selecting sampler: each kept row keeps its own weight (its input row number)
        np.testing.assert_array_equal(
            fold.sample_weight_train, fold.train_index[fold.sampler.sample_indices_]
        )
