"""fastsmote.pipeline: samplers run only in fit; per-row fit parameters follow the rows."""

import re
import subprocess
import sys

import numpy as np
import pytest
import sklearn
import sklearn.pipeline

# Importing imbalanced-learn registers fit_resample with scikit-learn's metadata routing:
# samplers defined afterwards (MetadataSpySampler) get set_fit_resample_request.
from imblearn.base import BaseSampler as ImbBaseSampler
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.preprocessing import StandardScaler

import fastsmote as fs
from fastsmote.pipeline import Pipeline, make_pipeline


class SpySampler(BaseEstimator):
    """Wraps a sampler; records the number of rows of every fit_resample call."""

    calls: list = []  # shared across clones on purpose: clones are what pipelines run

    def __init__(self, sampler=None):
        self.sampler = sampler

    def fit_resample(self, X, y):
        SpySampler.calls.append(len(y))
        self.sampler_ = clone(self.sampler)
        return self.sampler_.fit_resample(X, y)

    def row_origins(self, X, y):
        return self.sampler_.row_origins(X, y)


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """Records what fit received; predicts the majority class."""

    def fit(self, X, y, sample_weight=None, groups=None):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        self.sample_weight_, self.groups_ = sample_weight, groups
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X):
        return np.tile([1.0, 0.0], (len(X), 1))


class MetadataSpySampler(ImbBaseSampler):
    """Keeps every row; records the sample_weight and X_val its fit_resample receives."""

    _sampling_type = "bypass"
    received: list = []  # shared across clones on purpose, as SpySampler.calls

    def fit_resample(self, X, y, sample_weight=None, X_val=None):
        MetadataSpySampler.received.append({"sample_weight": sample_weight, "X_val": X_val})
        self.sample_indices_ = np.arange(len(y))
        return X, y

    def _fit_resample(self, X, y):  # abstract in imbalanced-learn; fit_resample is used
        return X, y


class EvalSetClassifier(SpyClassifier):
    """Records the validation set its fit receives."""

    def fit(self, X, y, X_val=None, y_val=None):
        self.X_val_, self.y_val_ = X_val, y_val
        return super().fit(X, y)


class ShiftTransformer(TransformerMixin, BaseEstimator):
    """Adds ``shift`` (metadata of transform) to X."""

    def fit(self, X, y=None):
        return self

    def transform(self, X, shift=0.0):
        return np.asarray(X) + shift


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=600, n_features=6, weights=[0.9], random_state=0, n_informative=4
    )
    return X, y


@pytest.fixture(autouse=True)
def _reset_spy():
    SpySampler.calls = []
    MetadataSpySampler.received = []
    yield
    sklearn.set_config(enable_metadata_routing=False)


def test_samplers_never_run_at_predict_or_score(data):
    X, y = data
    model = make_pipeline(
        StandardScaler(), SpySampler(fs.SMOTE(random_state=0)), LogisticRegression()
    )
    model.fit(X, y)
    assert SpySampler.calls == [len(y)]
    model.predict(X)
    model.predict_proba(X)
    model.predict_log_proba(X)
    model.decision_function(X)
    model.score(X, y)
    model[:-1].transform(X)
    assert SpySampler.calls == [len(y)]


def test_cross_validation_and_grid_search_resample_training_parts_only(data):
    X, y = data
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    train_sizes = sorted(len(train) for train, _ in cv.split(X, y))
    model = make_pipeline(SpySampler(fs.SMOTE(random_state=0)), LogisticRegression())
    cross_validate(model, X, y, cv=cv, scoring=["average_precision", "roc_auc"])
    assert sorted(SpySampler.calls) == train_sizes
    SpySampler.calls = []
    search = GridSearchCV(
        model, {"logisticregression__C": [0.1, 1.0]}, cv=cv, scoring="average_precision"
    )
    search.fit(X, y)
    # 2 candidates x 5 folds on training parts, then one refit on all rows.
    assert sorted(SpySampler.calls) == sorted(train_sizes * 2 + [len(y)])


def test_grid_search_over_sampler_parameters(data):
    X, y = data
    model = make_pipeline(fs.SMOTE(random_state=0), LogisticRegression())
    search = GridSearchCV(model, {"smote__k_neighbors": [3, 5]}, cv=3).fit(X, y)
    assert search.best_estimator_.named_steps["smote"].k_neighbors in (3, 5)


def test_fit_is_resampled_fit(data):
    X, y = data
    model = make_pipeline(StandardScaler(), fs.SMOTE(random_state=0), LogisticRegression())
    model.fit(X, y)
    Xs = StandardScaler().fit_transform(X)
    X_res, y_res = fs.SMOTE(random_state=0).fit_resample(Xs, y)
    reference = LogisticRegression().fit(X_res, y_res)
    np.testing.assert_array_equal(model[-1].coef_, reference.coef_)
    majority = int(np.bincount(y).max())
    assert model.named_steps["smote"].record().counts_after() == {0: majority, 1: majority}


def _expected_smote_weights(sampler, X, y, w):
    prov = sampler.provenance(X, y)
    synthetic = w[prov.base] + prov.gap * (w[prov.neighbor] - w[prov.base])
    return np.concatenate([w, synthetic])


def test_sample_weight_follows_smote_rows_by_the_documented_rule(data):
    X, y = data
    w = np.random.default_rng(1).uniform(0.5, 3.0, len(y))
    groups = np.arange(len(y)) % 7
    model = Pipeline([("smote", fs.SMOTE(random_state=0)), ("clf", SpyClassifier())])
    model.fit(X, y, clf__sample_weight=w, clf__groups=groups)
    sampler = model.named_steps["smote"]
    expected = _expected_smote_weights(sampler, X, y, w)
    np.testing.assert_allclose(model[-1].sample_weight_, expected, rtol=0, atol=1e-15)
    prov = sampler.provenance(X, y)
    assert np.all(model[-1].sample_weight_[len(y) :] >= np.minimum(w[prov.base], w[prov.neighbor]))
    # integers take the base row's value
    np.testing.assert_array_equal(model[-1].groups_, np.concatenate([groups, groups[prov.base]]))


@pytest.mark.parametrize(
    "sampler",
    [
        fs.RandomUnderSampler(random_state=0),
        fs.RandomOverSampler(random_state=0),
        fs.TomekLinks(),
        fs.EditedNearestNeighbours(),
    ],
    ids=lambda s: type(s).__name__,
)
def test_sample_weight_of_selecting_samplers_is_taken_with_the_rows(sampler, data):
    X, y = data
    w = np.random.default_rng(2).uniform(0.5, 3.0, len(y))
    model = Pipeline([("s", sampler), ("clf", SpyClassifier())]).fit(X, y, clf__sample_weight=w)
    np.testing.assert_array_equal(model[-1].sample_weight_, w[model[0].sample_indices_])


def test_sample_weight_through_two_samplers_and_a_combination(data):
    X, y = data
    w = np.random.default_rng(3).uniform(0.5, 3.0, len(y))
    model = Pipeline(
        [
            ("under", fs.RandomUnderSampler(sampling_strategy=0.3, random_state=0)),
            ("smotetomek", fs.SMOTETomek(random_state=0)),
            ("clf", SpyClassifier()),
        ]
    ).fit(X, y, clf__sample_weight=w)
    kept = model[0].sample_indices_
    X1, y1, w1 = X[kept], y[kept], w[kept]
    combo = model[1]
    w2 = _expected_smote_weights(combo.smote_, X1, y1, w1)[combo.tomek_.sample_indices_]
    np.testing.assert_allclose(model[-1].sample_weight_, w2, rtol=0, atol=1e-15)


def test_weighted_pipeline_matches_manual_weighted_fit(data):
    X, y = data
    w = np.random.default_rng(4).uniform(0.5, 3.0, len(y))
    model = make_pipeline(fs.SMOTE(random_state=0), LogisticRegression())
    model.fit(X, y, logisticregression__sample_weight=w)
    sampler = fs.SMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    w_res = sampler.row_origins(X, y).take(w)
    reference = LogisticRegression().fit(X_res, y_res, sample_weight=w_res)
    np.testing.assert_allclose(model[-1].coef_, reference.coef_)


def test_metadata_routing_gives_the_same_weights(data):
    X, y = data
    w = np.random.default_rng(5).uniform(0.5, 3.0, len(y))
    legacy = make_pipeline(StandardScaler(), fs.SMOTE(random_state=0), LogisticRegression())
    legacy.fit(X, y, logisticregression__sample_weight=w)
    sklearn.set_config(enable_metadata_routing=True)
    routed = make_pipeline(
        StandardScaler().set_fit_request(sample_weight=False),
        fs.SMOTE(random_state=0),
        LogisticRegression().set_fit_request(sample_weight=True),
    )
    routed.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(routed[-1].coef_, legacy[-1].coef_)


def test_a_sampler_that_cannot_say_where_rows_come_from_is_an_error(data):
    from imblearn.over_sampling import SMOTE as ImbSMOTE

    X, y = data
    model = Pipeline([("smote", ImbSMOTE(random_state=0)), ("clf", SpyClassifier())])
    with pytest.raises(ValueError, match="'sample_weight' of step 'clf' through step 'smote'"):
        model.fit(X, y, clf__sample_weight=np.ones(len(y)))
    model.fit(X, y)  # without per-row parameters it is fine


def test_fit_transform_and_fit_predict_keep_one_row_per_input_row(data):
    X, y = data
    transformer = make_pipeline(fs.SMOTE(random_state=0), StandardScaler())
    Xt = transformer.fit_transform(X, y)
    assert Xt.shape == X.shape
    np.testing.assert_array_equal(Xt, transformer.transform(X))
    model = make_pipeline(fs.SMOTE(random_state=0), LogisticRegression())
    np.testing.assert_array_equal(model.fit_predict(X, y), model.predict(X))


def test_pipeline_ending_in_a_sampler_is_a_sampler(data):
    X, y = data
    scaler_then_smote = make_pipeline(StandardScaler(), fs.SMOTE(random_state=0))
    X_res, y_res = scaler_then_smote.fit_resample(X, y)
    X_ref, y_ref = fs.SMOTE(random_state=0).fit_resample(StandardScaler().fit_transform(X), y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)
    assert scaler_then_smote.transform(X).shape == X.shape  # the sampler is skipped


def test_clone_params_set_output_and_memory(data, tmp_path):
    X, y = data
    model = make_pipeline(StandardScaler(), fs.SMOTE(random_state=0), LogisticRegression())
    copy = clone(model)
    assert copy.get_params()["smote__random_state"] == 0
    copy.set_params(smote__k_neighbors=3)
    assert copy.named_steps["smote"].k_neighbors == 3
    pd = pytest.importorskip("pandas")
    model.set_output(transform="pandas").fit(X, y)
    assert isinstance(model[:-1].transform(X), pd.DataFrame)
    cached = make_pipeline(
        StandardScaler(), fs.SMOTE(random_state=0), LogisticRegression(), memory=str(tmp_path)
    )
    np.testing.assert_allclose(cached.fit(X, y)[-1].coef_, model[-1].coef_)
    np.testing.assert_allclose(clone(cached).fit(X, y)[-1].coef_, model[-1].coef_)


def test_bad_steps_are_clear_errors(data):
    X, y = data

    class SamplerTransformer(SpySampler):
        def transform(self, X):
            return X

    with pytest.raises(TypeError, match="both fit_resample and transform"):
        Pipeline([("s", SamplerTransformer()), ("clf", LogisticRegression())]).fit(X, y)
    with pytest.raises(TypeError, match="transformers .* or samplers"):
        Pipeline([("lr", LogisticRegression()), ("clf", LogisticRegression())]).fit(X, y)
    with pytest.raises(ValueError, match="does not accept the"):
        make_pipeline(fs.SMOTE(), LogisticRegression()).fit(X, y, sample_weight=np.ones(len(y)))


def test_the_pipeline_needs_no_imbalanced_learn_routing_included():
    """fastsmote.pipeline imports no imbalanced-learn. Without it, scikit-learn's routing has
    no fit_resample (samplers take no metadata); the rest of routing works."""
    code = """
import sys
import numpy as np, sklearn
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
import fastsmote as fs
from fastsmote.pipeline import make_pipeline
assert "imblearn" not in sys.modules

sklearn.set_config(enable_metadata_routing=True)
X, y = make_classification(200, weights=[0.9], random_state=0)
w = np.linspace(0.5, 2.0, len(y))
clf = LogisticRegression().set_fit_request(sample_weight=True)
model = make_pipeline(fs.SMOTE(random_state=0), clf).fit(X, y, sample_weight=w)
smote = fs.SMOTE(random_state=0)
X_res, y_res = smote.fit_resample(X, y)
reference = LogisticRegression().fit(X_res, y_res, sample_weight=smote.row_origins(X, y).take(w))
np.testing.assert_allclose(model[-1].coef_, reference.coef_)
X_pass, _ = make_pipeline(fs.SMOTE(random_state=0), "passthrough").fit_resample(X, y)
np.testing.assert_array_equal(X_pass, X_res)
assert not hasattr(fs.SMOTE(), "set_fit_resample_request")
tags = fs.RandomUnderSampler().__sklearn_tags__()  # imbalanced-learn's tags, without it
assert tags.sampler_tags.sample_indices and tags.input_tags.dataframe
assert "imblearn" not in sys.modules
"""
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- verbose
def _lines(text):
    """Printed lines with the timing left out ("total=   0.1s" varies run to run)."""
    return [re.sub(r"total=.*$", "total=", line) for line in text.splitlines()]


def test_verbose_prints_scikit_learns_lines_for_every_step_samplers_included(data, capsys):
    X, y = data
    plain = [("scale", StandardScaler()), ("skip", "passthrough"), ("clf", LogisticRegression())]
    sklearn.pipeline.Pipeline(plain, verbose=True).fit(X, y)
    expected = _lines(capsys.readouterr().out)
    Pipeline(plain, verbose=True).fit(X, y)
    assert _lines(capsys.readouterr().out) == expected
    assert len(expected) == 3 and "(step 2 of 3) Processing skip" in expected[1]

    with_sampler = [plain[0], plain[1], ("smote", fs.SMOTE(random_state=0)), plain[2]]
    ImbPipeline(with_sampler, verbose=True).fit(X, y)
    expected = _lines(capsys.readouterr().out)
    Pipeline(with_sampler, verbose=True).fit(X, y)
    assert _lines(capsys.readouterr().out) == expected
    assert "(step 3 of 4) Processing smote" in expected[2]

    ends_in_sampler = [("scale", StandardScaler()), ("smote", fs.SMOTE(random_state=0))]
    ImbPipeline(ends_in_sampler, verbose=True).fit_resample(X, y)
    expected = _lines(capsys.readouterr().out)
    Pipeline(ends_in_sampler, verbose=True).fit_resample(X, y)
    assert _lines(capsys.readouterr().out) == expected and len(expected) == 2

    Pipeline(with_sampler).fit(X, y)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- routing
def _weights(y, seed=5):
    return np.random.default_rng(seed).uniform(0.5, 3.0, len(y))


def test_routing_reaches_a_sampler_that_requests_metadata(data):
    X, y = data
    w = _weights(y)
    sklearn.set_config(enable_metadata_routing=True)

    def steps():
        return [
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            ("spy", MetadataSpySampler().set_fit_resample_request(sample_weight=True)),
            ("clf", SpyClassifier().set_fit_request(sample_weight=True)),
        ]

    ImbPipeline(steps()).fit(X, y, sample_weight=w)
    Pipeline(steps()).fit(X, y, sample_weight=w)
    from_imblearn, ours = (r["sample_weight"] for r in MetadataSpySampler.received)
    np.testing.assert_array_equal(from_imblearn, w)
    np.testing.assert_array_equal(ours, w)
    # a pipeline ending in the sampler routes to it in fit_resample too
    Pipeline(steps()[:2]).fit_resample(X, y, sample_weight=w)
    np.testing.assert_array_equal(MetadataSpySampler.received[-1]["sample_weight"], w)


def test_routed_metadata_follows_the_rows_through_earlier_samplers(data):
    X, y = data
    w = _weights(y)
    sklearn.set_config(enable_metadata_routing=True)
    model = Pipeline(
        [
            ("under", fs.RandomUnderSampler(random_state=0)),
            ("spy", MetadataSpySampler().set_fit_resample_request(sample_weight=True)),
            ("smote", fs.SMOTE(random_state=0)),
            ("clf", SpyClassifier().set_fit_request(sample_weight=True)),
        ]
    ).fit(X, y, sample_weight=w)
    kept = model[0].sample_indices_
    np.testing.assert_array_equal(MetadataSpySampler.received[0]["sample_weight"], w[kept])
    expected = _expected_smote_weights(model[2], X[kept], y[kept], w[kept])
    np.testing.assert_allclose(model[-1].sample_weight_, expected, rtol=0, atol=1e-15)


def test_routing_in_cross_validate_gives_each_fold_its_training_rows_weights(data):
    X, y = data
    w = _weights(y)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    sklearn.set_config(enable_metadata_routing=True)

    def clf():
        return (
            LogisticRegression()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )

    spy = MetadataSpySampler().set_fit_resample_request(sample_weight=True)
    ours = cross_validate(
        Pipeline([("spy", spy), ("clf", clf())]), X, y, cv=cv, params={"sample_weight": w}
    )
    for received, (train, _) in zip(MetadataSpySampler.received, cv.split(X, y), strict=True):
        np.testing.assert_array_equal(received["sample_weight"], w[train])
    # the spy keeps every row, so fit and score weights are scikit-learn's own
    reference = cross_validate(
        sklearn.pipeline.Pipeline([("clf", clf())]), X, y, cv=cv, params={"sample_weight": w}
    )
    np.testing.assert_allclose(ours["test_score"], reference["test_score"])


def test_routing_of_predict_transform_and_score_metadata_as_in_imbalanced_learn(data):
    X, y = data
    w = _weights(y)
    sklearn.set_config(enable_metadata_routing=True)

    def steps():
        return [
            ("shift", ShiftTransformer().set_transform_request(shift=True)),
            ("smote", fs.SMOTE(random_state=0)),
            ("clf", LogisticRegression().set_score_request(sample_weight=True)),
        ]

    ours, theirs = Pipeline(steps()).fit(X, y), ImbPipeline(steps()).fit(X, y)
    for method in ("predict", "predict_proba", "decision_function"):
        np.testing.assert_allclose(
            getattr(ours, method)(X, shift=1.5), getattr(theirs, method)(X, shift=1.5)
        )
    assert ours.score(X, y, sample_weight=w, shift=1.5) == theirs.score(
        X, y, sample_weight=w, shift=1.5
    )
    np.testing.assert_array_equal(ours[:-1].transform(X, shift=2.0), np.asarray(X) + 2.0)


# --------------------------------------------------------------------------- passthrough
def test_a_pipeline_ending_in_passthrough_after_a_sampler_is_a_sampler(data):
    X, y = data
    X_ref, y_ref = fs.SMOTE(random_state=0).fit_resample(X, y)
    for last in ("passthrough", None):
        model = Pipeline([("smote", fs.SMOTE(random_state=0)), ("last", last)])
        X_res, y_res = model.fit_resample(X, y)
        np.testing.assert_array_equal(X_res, X_ref)
        np.testing.assert_array_equal(y_res, y_ref)
        np.testing.assert_array_equal(model.transform(X), X)  # the sampler is skipped
    scaled = make_pipeline(fs.SMOTE(random_state=0), StandardScaler(), "passthrough")
    X_res, y_res = scaled.fit_resample(X, y)
    np.testing.assert_allclose(X_res, StandardScaler().fit_transform(X_ref))
    np.testing.assert_array_equal(y_res, y_ref)
    # without a sampler, a pipeline ending in passthrough stays a transformer
    assert not hasattr(make_pipeline(StandardScaler(), "passthrough"), "fit_resample")


# --------------------------------------------------------------------------- transform_input
def test_transform_input_sends_validation_sets_through_the_transformers_only(data):
    X, y = data
    # as many validation rows as training rows: still never resampled as per-row data
    X_val, y_val = X[::-1] * 2.0 + 1.0, y[:100]
    sklearn.set_config(enable_metadata_routing=True)

    def final():
        return EvalSetClassifier().set_fit_request(X_val=True, y_val=True)

    scale = ("scale", StandardScaler())
    smote = ("smote", fs.SMOTE(random_state=0))
    ours = Pipeline([scale, smote, ("clf", final())], transform_input=["X_val"])
    ours.fit(X, y, X_val=X_val, y_val=y_val)
    plain = sklearn.pipeline.Pipeline([scale, ("clf", final())], transform_input=["X_val"])
    plain.fit(X, y, X_val=X_val, y_val=y_val)
    np.testing.assert_allclose(ours[-1].X_val_, StandardScaler().fit(X).transform(X_val))
    np.testing.assert_allclose(ours[-1].X_val_, plain[-1].X_val_)
    # imbalanced-learn's needs a transformer right before the consumer
    after = Pipeline([smote, scale, ("clf", final())], transform_input=["X_val"])
    after.fit(X, y, X_val=X_val, y_val=y_val)
    theirs = ImbPipeline([smote, scale, ("clf", final())], transform_input=["X_val"])
    theirs.fit(X, y, X_val=X_val, y_val=y_val)
    np.testing.assert_allclose(after[-1].X_val_, theirs[-1].X_val_)
    np.testing.assert_allclose(after[-1].X_val_, after[1].transform(X_val))
    assert ours[-1].y_val_ is y_val

    # several validation sets (a tuple, as in XGBoost's eval_set)
    ours.fit(X, y, X_val=(X_val, X_val[:50]), y_val=y_val)
    plain.fit(X, y, X_val=(X_val, X_val[:50]), y_val=y_val)
    for got, expected in zip(ours[-1].X_val_, plain[-1].X_val_, strict=True):
        np.testing.assert_allclose(got, expected)

    # a sampler step that consumes it gets it transformed by the steps before it too
    spy = ("spy", MetadataSpySampler().set_fit_resample_request(X_val=True))
    Pipeline([scale, spy, ("clf", SpyClassifier())], transform_input=["X_val"]).fit(
        X, y, X_val=X_val
    )
    np.testing.assert_allclose(
        MetadataSpySampler.received[-1]["X_val"], StandardScaler().fit(X).transform(X_val)
    )


def test_transform_input_needs_metadata_routing(data):
    X, y = data
    model = make_pipeline(StandardScaler(), LogisticRegression(), transform_input=["X_val"])
    with pytest.raises(ValueError, match="can only be set if metadata routing is enabled"):
        model.fit(X, y)


def test_a_sampler_placed_in_a_pipeline_keeps_its_settings():
    from fastsmote.pipeline import sampler_placement, with_sampler

    steps = [("scale", StandardScaler()), ("clf", LogisticRegression())]
    estimator = sklearn.pipeline.Pipeline(steps, transform_input=["X_val"], verbose=True)
    model = with_sampler(fs.SMOTE(), estimator, sampler_placement(estimator, -1))
    assert [name for name, _ in model.steps] == ["scale", "smote", "clf"]
    assert model.transform_input == ["X_val"] and model.verbose


def test_steps_are_fitted_in_place_unless_memory_is_set(tmp_path):
    """As scikit-learn's and imbalanced-learn's Pipeline: with ``memory=None`` the step
    objects themselves are fitted (``rus.sample_indices_`` after ``pipe.fit``); with a
    cache, clones are, and the objects passed in stay unfitted."""
    from imblearn.pipeline import make_pipeline as imblearn_make_pipeline

    X, y = make_classification(n_samples=120, weights=[0.75], random_state=0)
    for make in (make_pipeline, imblearn_make_pipeline):
        scaler, rus = StandardScaler(), fs.RandomUnderSampler(random_state=0)
        pipe = make(scaler, rus, LogisticRegression()).fit(X, y)
        assert pipe.steps[1][1] is rus and rus.sample_indices_.size == 2 * np.bincount(y).min()
        assert pipe.steps[0][1] is scaler and hasattr(scaler, "mean_")
        scaler, rus = StandardScaler(), fs.RandomUnderSampler(random_state=0)
        pipe = make(scaler, rus, LogisticRegression(), memory=str(tmp_path)).fit(X, y)
        assert pipe.steps[1][1] is not rus and not hasattr(rus, "sample_indices_")
        assert not hasattr(scaler, "mean_")
