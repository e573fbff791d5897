"""The resampling record: built from every sampler, exact JSON/Markdown round trips."""

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

import fastsmote as fs
from fastsmote.diagnostics import ResamplingRecord

SAMPLERS = [
    fs.SMOTE(random_state=0),
    fs.BorderlineSMOTE(random_state=0, sampling_strategy={1: 100}),
    fs.ADASYN(random_state=0),
    fs.SVMSMOTE(random_state=0),
    fs.KMeansSMOTE(
        random_state=0,
        kmeans_estimator=KMeans(n_clusters=4, n_init=1, random_state=0),
        cluster_balance_threshold=0.05,
    ),
    fs.RandomOverSampler(random_state=0),
    fs.RandomUnderSampler(random_state=0),
    fs.TomekLinks(),
    fs.EditedNearestNeighbours(),
    fs.NearMiss(version=2),
    fs.CondensedNearestNeighbour(random_state=0),
    fs.OneSidedSelection(random_state=0),
    fs.RepeatedEditedNearestNeighbours(),
    fs.AllKNN(),
    fs.NeighbourhoodCleaningRule(),
    fs.InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0),
    fs.ClusterCentroids(random_state=0),
    fs.ClusterCentroids(random_state=0, voting="hard"),
    fs.SMOTETomek(random_state=0),
    fs.SMOTEENN(random_state=0),
    fs.SMOTEN(random_state=0),
]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = np.r_[np.zeros(270, dtype=int), np.ones(30, dtype=int)]
    X[y == 1] += 1.0
    return X, y


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_record_counts_and_round_trips(sampler, data, tmp_path):
    X, y = data
    _, y_res = sampler.fit_resample(X, y)
    record = sampler.record(applied_to="training split")
    labels, counts = np.unique(y_res, return_counts=True)
    assert record.counts_after() == dict(zip(labels.tolist(), counts.tolist(), strict=True))
    assert record.counts_before() == {0: 270, 1: 30}
    assert record.method == type(sampler).__name__
    assert record.applied_to == "training split"
    assert record.versions["fastsmote"] == fs.__version__
    assert record.elapsed_seconds >= 0
    net = sum(record.counts_after().values()) - sum(record.counts_before().values())
    assert record.n_synthetic - record.n_removed == net
    assert ResamplingRecord.from_json(record.to_json()) == record
    for name in ("r.json", "r.md"):
        assert ResamplingRecord.load(record.save(tmp_path / name)) == record
    json.loads(record.to_json())  # strict JSON (no NaN)


def test_record_of_combination_counts_both_steps(data):
    X, y = data
    sampler = fs.SMOTETomek(random_state=0)
    sampler.fit_resample(X, y)
    record = sampler.record()
    assert record.n_synthetic == 240  # SMOTE's share, not the net change
    assert record.n_removed == sampler.tomek_.record().n_removed > 0


def test_record_keeps_key_and_label_types(data):
    X, y = data
    labels = np.where(y == 1, "fraud", "ok")
    sampler = fs.SMOTE(random_state=3, sampling_strategy={"fraud": 60})
    sampler.fit_resample(X, labels)
    record = ResamplingRecord.from_json(sampler.record().to_json())
    assert record.random_key == sampler.random_key_
    assert record.rng_version == sampler.rng_version_
    assert record.counts_after() == {"fraud": 60, "ok": 270}
    assert record.parameters["sampling_strategy"] == {"fraud": 60}  # str keys stay a dict
    assert record.neighbors_backend == [["fraud", "exact"]]


def test_record_before_resampling_is_an_error(data):
    sampler = fs.SMOTE()
    with pytest.raises(AttributeError, match="fit_resample"):
        sampler.record()
    sampler.fit(*data)
    with pytest.raises(AttributeError, match="fit_resample"):
        sampler.record()


def test_loading_something_else_is_an_error():
    with pytest.raises(ValueError, match="not a fastsmote resampling record"):
        ResamplingRecord.from_json('{"method": "SMOTE"}')
    with pytest.raises(ValueError, match="no embedded"):
        ResamplingRecord.from_markdown("# hello")


def test_samplers_do_not_import_the_diagnostics_which_load_on_first_use():
    # The record lives below the samplers: building one needs nothing from diagnostics.
    # The subpackages are attributes of the package, imported when first read.
    code = (
        "import sys, numpy as np, fastsmote\n"
        "print(fastsmote.pipeline.Pipeline.__name__, fastsmote.model_selection.__name__)\n"
        "X = np.arange(40.0).reshape(20, 2); y = np.r_[np.zeros(14), np.ones(6)]\n"
        "s = fastsmote.SMOTETomek(random_state=0); s.fit_resample(X, y); s.record()\n"
        "print(sorted(m for m in sys.modules if m.startswith('fastsmote.diagnostics')))\n"
        "print(fastsmote.diagnostics.overlap_report.__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    subpackages, loaded, diagnostics = out.splitlines()
    assert subpackages.split() == ["Pipeline", "fastsmote.model_selection"]
    assert loaded == "[]"
    assert diagnostics == "overlap_report"


def test_record_pickles_under_both_module_names(data):
    X, y = data
    sampler = fs.SMOTE(random_state=0)
    sampler.fit_resample(X, y)
    record = sampler.record()
    assert pickle.loads(pickle.dumps(record)) == record
    # a record pickled when the class lived in fastsmote.diagnostics._record
    text = pickle.dumps(record, protocol=0)
    assert b"cfastsmote._record\nResamplingRecord\n" in text
    old = text.replace(b"cfastsmote._record\n", b"cfastsmote.diagnostics._record\n")
    assert pickle.loads(old) == record


def test_unknown_attributes_of_the_package_raise():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        fs.nothing  # noqa: B018
