"""imbalanced-learn's parameters and fitted attributes: n_jobs, the fitted neighbours
estimators (nn_k_, nn_m_, nn_) and the wording of parameter errors."""

import pickle

import numba
import numpy as np
import pytest
from conftest import blobs
from sklearn.neighbors import NearestNeighbors

import fastsmote
from fastsmote import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTENC,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    NearMiss,
    SMOTETomek,
    TomekLinks,
    config_context,
    get_config,
)
from fastsmote.over_sampling import _plan
from fastsmote.under_sampling import _clean

imblearn = pytest.importorskip("imblearn")
from imblearn import combine as imb_combine  # noqa: E402
from imblearn import over_sampling as imb_over  # noqa: E402
from imblearn import under_sampling as imb_under  # noqa: E402

N_MAX = numba.config.NUMBA_NUM_THREADS
N_JOBS_SAMPLERS = [TomekLinks, EditedNearestNeighbours, SMOTETomek, SMOTEENN]
needs_two_threads = pytest.mark.skipif(
    N_MAX < 2, reason="Numba has a single thread here: thread counts cannot differ"
)


@pytest.fixture
def data():
    return blobs([120, 30], shift=1.0)


@pytest.fixture(autouse=True)
def _numba_threads_back():
    before = numba.get_num_threads()
    yield
    numba.set_num_threads(before)


@pytest.mark.parametrize(
    "ours",
    [
        SMOTENC([0]),
        TomekLinks(),
        EditedNearestNeighbours(),
        NearMiss(),
        SMOTETomek(),
        SMOTEENN(),
    ],
    ids=lambda s: type(s).__name__,
)
def test_parameters_are_imblearns(ours):
    """Every parameter of imbalanced-learn's sampler exists here with the same default
    (fastsmote adds its own, e.g. ``neighbors``)."""
    name = type(ours).__name__
    module = next(m for m in (imb_over, imb_under, imb_combine) if hasattr(m, name))
    theirs = getattr(module, name)(**({"categorical_features": [0]} if name == "SMOTENC" else {}))
    ours_params = ours.get_params()
    for param, default in theirs.get_params().items():
        assert param in ours_params, param
        assert ours_params[param] == default, param


def _record_threads(monkeypatch, raise_inside=False):
    """Record Numba's thread count where the samplers search neighbours and generate."""
    seen = []

    def wrap(module, name):
        original = getattr(module, name)

        def recording(*args, **kwargs):
            seen.append(numba.get_num_threads())
            if raise_inside:
                raise RuntimeError("raised inside the call")
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, recording)

    wrap(_clean, "kneighbors")
    wrap(_plan, "smote_generate")
    return seen


@needs_two_threads
@pytest.mark.parametrize("cls", N_JOBS_SAMPLERS)
@pytest.mark.parametrize("n_jobs", [None, 1, 2, 64, -1, -2])
def test_n_jobs_sets_the_threads_of_the_call_and_restores(monkeypatch, data, cls, n_jobs):
    """None keeps the current setting; negative values count back from all cores as in
    scikit-learn; more threads than Numba has are capped at Numba's."""
    X, y = data
    seen = _record_threads(monkeypatch)
    if n_jobs is None:
        setting, expected = None, 1
        numba.set_num_threads(1)  # the current setting
    else:
        expected = min(n_jobs, N_MAX) if n_jobs > 0 else max(1, N_MAX + 1 + n_jobs)
        setting = N_MAX if expected == 1 else 1  # the call must not take this one
    previous = numba.get_num_threads()
    with config_context(n_threads=setting):
        cls(n_jobs=n_jobs).fit_resample(X, y)
        assert get_config()["n_threads"] == setting
    assert seen and set(seen) == {expected}
    assert numba.get_num_threads() == previous


@needs_two_threads
@pytest.mark.parametrize("cls", N_JOBS_SAMPLERS)
def test_n_jobs_restores_the_thread_count_when_the_call_raises(monkeypatch, data, cls):
    X, y = data
    seen = _record_threads(monkeypatch, raise_inside=True)
    numba.set_num_threads(N_MAX)
    with pytest.raises(RuntimeError, match="raised inside the call"):
        cls(n_jobs=1).fit_resample(X, y)
    assert seen == [1]
    assert numba.get_num_threads() == N_MAX and get_config()["n_threads"] is None


@pytest.mark.parametrize("cls", N_JOBS_SAMPLERS)
def test_output_is_identical_for_any_n_jobs(data, cls):
    X, y = data
    params = {} if cls in (TomekLinks, EditedNearestNeighbours) else {"random_state": 4}
    outputs = [cls(n_jobs=n, **params).fit_resample(X, y) for n in (1, 2)]
    np.testing.assert_array_equal(outputs[0][0], outputs[1][0])
    np.testing.assert_array_equal(outputs[0][1], outputs[1][1])


@pytest.mark.parametrize("cls", N_JOBS_SAMPLERS)
@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_bad_n_jobs_is_named(data, cls, bad):
    X, y = data
    message = f"'n_jobs' parameter of {cls.__name__} must be None or a non-zero int"
    with pytest.raises(ValueError, match=message):
        cls(n_jobs=bad).fit_resample(X, y)
    with pytest.raises(ValueError, match=message):
        cls(n_jobs=bad).fit(X, y)


def test_n_jobs_reaches_the_steps_and_the_estimator_as_in_imblearn(data):
    X, y = data
    for combined, step in ((SMOTEENN, "enn_"), (SMOTETomek, "tomek_")):
        ours = combined(n_jobs=2, random_state=0)
        ours.fit_resample(X, y)
        theirs = getattr(imb_combine, combined.__name__)(n_jobs=2, random_state=0)
        theirs.fit_resample(X, y)
        assert getattr(ours, step).n_jobs == getattr(theirs, step).n_jobs == 2
    for n_neighbors in (3, NearestNeighbors(n_neighbors=4, n_jobs=3)):
        ours = EditedNearestNeighbours(n_neighbors=n_neighbors, n_jobs=2)
        ours.fit_resample(X, y)
        theirs = imb_under.EditedNearestNeighbours(n_neighbors=n_neighbors, n_jobs=2)
        theirs.fit_resample(X, y)
        assert ours.nn_.get_params() == theirs.nn_.get_params()


@pytest.mark.parametrize(
    "n_neighbors",
    [3, NearestNeighbors(n_neighbors=4), NearestNeighbors(n_neighbors=4, metric="manhattan")],
    ids=["int", "estimator", "manhattan"],
)
def test_cleaners_with_n_jobs_keep_imblearns_rows(data, n_neighbors):
    X, y = data
    ours = EditedNearestNeighbours(n_neighbors=n_neighbors, n_jobs=2, sampling_strategy="all")
    ours.fit_resample(X, y)
    theirs = imb_under.EditedNearestNeighbours(
        n_neighbors=n_neighbors, n_jobs=2, sampling_strategy="all"
    )
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    tomek = TomekLinks(n_jobs=2, sampling_strategy="all")
    tomek.fit_resample(X, y)
    imb_tomek = imb_under.TomekLinks(n_jobs=2, sampling_strategy="all")
    imb_tomek.fit_resample(X, y)
    np.testing.assert_array_equal(tomek.sample_indices_, imb_tomek.sample_indices_)


# --------------------------------------------------------------------------- nn_k_ etc.
def _same_estimator(ours, theirs, X_query):
    """Same class and parameters, fitted on the same rows: the same neighbours."""
    assert type(ours) is type(theirs)
    assert ours.get_params() == theirs.get_params()
    assert ours.n_samples_fit_ == theirs.n_samples_fit_
    np.testing.assert_array_equal(
        ours.kneighbors(X_query, return_distance=False),
        theirs.kneighbors(X_query, return_distance=False),
    )


CASES = [
    ("SMOTE", {"k_neighbors": 3}, ["nn_k_"]),
    ("BorderlineSMOTE", {"k_neighbors": 3, "m_neighbors": 8}, ["nn_k_", "nn_m_"]),
    (
        "BorderlineSMOTE",
        {"kind": "borderline-2", "m_neighbors": NearestNeighbors(n_neighbors=9)},
        ["nn_k_", "nn_m_"],
    ),
    ("ADASYN", {"n_neighbors": 4}, ["nn_"]),
    ("ADASYN", {"n_neighbors": NearestNeighbors(n_neighbors=5)}, ["nn_"]),
    ("EditedNearestNeighbours", {"n_neighbors": 3}, ["nn_"]),
    ("EditedNearestNeighbours", {"n_neighbors": NearestNeighbors(n_neighbors=4)}, ["nn_"]),
]


@pytest.mark.parametrize("name, params, attributes", CASES)
def test_fitted_neighbour_estimators_are_imblearns(name, params, attributes):
    X, y = blobs([120, 40, 30], shift=1.0)
    ours = getattr(fastsmote, name)(**params)
    module = imb_under if name == "EditedNearestNeighbours" else imb_over
    theirs = getattr(module, name)(**params)
    if "random_state" in ours.get_params():
        ours.set_params(random_state=0), theirs.set_params(random_state=0)
    ours.fit_resample(X, y)
    theirs.fit_resample(X, y)
    for attribute in attributes:
        _same_estimator(getattr(ours, attribute), getattr(theirs, attribute), X[:7])
    for absent in ("nn_k_", "nn_m_", "nn_"):
        assert hasattr(ours, absent) == hasattr(theirs, absent), absent


def test_unfitted_nn_k_when_no_class_has_danger_rows_as_in_imblearn():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.standard_normal((60, 2)), rng.standard_normal((20, 2)) + 50])
    y = np.repeat([0, 1], [60, 20])
    ours = BorderlineSMOTE(random_state=0)
    with pytest.warns(UserWarning, match="no row in danger"):
        ours.fit_resample(X, y)
    theirs = imb_over.BorderlineSMOTE(random_state=0)
    theirs.fit_resample(X, y)
    assert ours.nn_k_.get_params() == theirs.nn_k_.get_params()
    assert not hasattr(ours.nn_k_, "n_samples_fit_")  # never fitted, as theirs
    assert not hasattr(theirs.nn_k_, "n_samples_fit_")
    _same_estimator(ours.nn_m_, theirs.nn_m_, X[:5])


@pytest.mark.parametrize(
    "sampler, attribute",
    [
        (SMOTE(random_state=0), "nn_k_"),
        (BorderlineSMOTE(random_state=0), "nn_m_"),
        (ADASYN(random_state=0), "nn_"),
        (EditedNearestNeighbours(), "nn_"),
        (SMOTENC([0], random_state=0), "nn_k_"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_imblearn_estimators_are_fitted_only_when_read(monkeypatch, sampler, attribute):
    """fastsmote's own search does the work: the estimator imbalanced-learn would have
    fitted costs nothing unless it is read (a tree over a million rows takes seconds)."""
    X, y = blobs([120, 30], shift=1.0)
    X[:, 0] = np.round(X[:, 0])  # a categorical column for SMOTENC
    fits = []
    original = NearestNeighbors.fit
    monkeypatch.setattr(
        NearestNeighbors, "fit", lambda self, *a, **k: fits.append(1) or original(self, *a, **k)
    )
    sampler.fit_resample(X, y)
    assert fits == []
    estimator = getattr(sampler, attribute)
    assert fits == [1] and getattr(sampler, attribute) is estimator
    assert estimator.n_samples_fit_ in (len(y), np.count_nonzero(y == 1))
    restored = pickle.loads(pickle.dumps(sampler))
    assert getattr(restored, attribute).n_samples_fit_ == estimator.n_samples_fit_
    unread = pickle.loads(pickle.dumps(sampler.fit_resample(X, y) and sampler))
    assert getattr(unread, attribute).n_samples_fit_ == estimator.n_samples_fit_


def test_estimator_attributes_exist_only_after_resampling(data):
    X, y = data
    sampler = BorderlineSMOTE()
    for attribute in ("nn_k_", "nn_m_", "in_danger_indices_", "in_danger_indices"):
        assert not hasattr(sampler, attribute)
    sampler.fit_resample(X, y)
    assert all(hasattr(sampler, a) for a in ("nn_k_", "nn_m_", "in_danger_indices"))


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (SMOTE(k_neighbors=0), imb_over.SMOTE(k_neighbors=0)),
        (BorderlineSMOTE(m_neighbors="a"), imb_over.BorderlineSMOTE(m_neighbors="a")),
        (ADASYN(n_neighbors=0), imb_over.ADASYN(n_neighbors=0)),
        (
            EditedNearestNeighbours(n_neighbors=1.5),
            imb_under.EditedNearestNeighbours(n_neighbors=1.5),
        ),
        (BorderlineSMOTE(kind="x"), imb_over.BorderlineSMOTE(kind="x")),
    ],
    ids=lambda s: type(s).__name__,
)
def test_parameter_errors_have_imblearns_wording(data, ours, theirs):
    """Same sentence as imbalanced-learn's for the same bad value (its Python set of
    options aside, whose order changes between processes: fastsmote's is fixed)."""
    X, y = data
    with pytest.raises(ValueError) as ours_error:
        ours.fit_resample(X, y)
    with pytest.raises(ValueError) as their_error:
        theirs.fit_resample(X, y)
    ours_text, their_text = str(ours_error.value), str(their_error.value)
    if "a str among" in their_text:
        assert "a str among {'borderline-1', 'borderline-2'}" in ours_text
    else:
        assert ours_text == their_text


# --------------------------------------------------------------------------- foreign steps
def _combined_data():
    return blobs([120, 30], n_features=3, seed=4, shift=1.0)


@pytest.mark.parametrize("combined", [SMOTETomek, SMOTEENN])
@pytest.mark.parametrize("step", ["imblearn SMOTE", "fastsmote Pipeline"])
def test_combined_samplers_take_a_smote_step_from_elsewhere(combined, step):
    from fastsmote.pipeline import make_pipeline

    X, y = _combined_data()
    smote = (
        imb_over.SMOTE(random_state=0)
        if step == "imblearn SMOTE"
        else make_pipeline(SMOTE(random_state=0))
    )
    own = combined(random_state=0).fit(X, y)
    sampler = combined(smote=smote)
    X_res, y_res = sampler.fit_resample(X, y)
    assert len(X_res) == len(y_res)
    np.testing.assert_array_equal(sampler.classes_, own.classes_)
    assert sampler.n_features_in_ == 3
    assert dict(sampler.sampling_strategy_) == dict(own.sampling_strategy_) == {1: 90}
    record = sampler.record()
    assert record.n_synthetic == 90
    assert record.n_removed == len(y) + 90 - len(y_res)
    if step == "imblearn SMOTE":
        with pytest.raises(AttributeError, match="the SMOTE step, from another library"):
            sampler.row_origins(X, y)


@pytest.mark.parametrize(("combined", "cleaner"), [(SMOTETomek, "tomek"), (SMOTEENN, "enn")])
def test_record_with_a_cleaner_from_elsewhere_counts_what_each_step_did(combined, cleaner):
    X, y = _combined_data()
    own = combined(random_state=0)
    own.fit_resample(X, y)
    step = {"tomek": imb_under.TomekLinks, "enn": imb_under.EditedNearestNeighbours}[cleaner]
    mixed = combined(random_state=0, **{cleaner: step(sampling_strategy="all")})
    X_res, _ = mixed.fit_resample(X, y)
    removed = len(y) + own.record().n_synthetic - len(X_res)
    assert removed > 0
    assert mixed.record().n_synthetic == own.record().n_synthetic
    assert mixed.record().n_removed == removed
