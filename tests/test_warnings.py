"""fastsmote's warnings name the user's line, however deep they arise."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from fastsmote import SMOTEN, BalancedRandomForestClassifier, BorderlineSMOTE, NearMiss
from fastsmote.pipeline import make_pipeline


def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 2))
    X[90:] += 50  # the minority far away: no row in danger, few rows preselected
    return X, np.r_[np.zeros(90, int), np.ones(10, int)]


def calls():
    X, y = data()
    yield lambda: BorderlineSMOTE(random_state=0, k_neighbors=3).fit_resample(X, y)
    yield lambda: NearMiss(version=3, n_neighbors_ver3=1).fit_resample(X, y)
    yield lambda: make_pipeline(NearMiss(version=3, n_neighbors_ver3=1), LogisticRegression()).fit(
        X, y
    )
    X_codes = sparse.csr_matrix(np.round(X).astype(int))
    yield lambda: SMOTEN(random_state=0).fit_resample(X_codes, y)
    yield lambda: BalancedRandomForestClassifier(n_estimators=2, random_state=0, oob_score=True,
                                                 bootstrap=True).fit(X, y)  # fmt: skip
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    import fastsmote.dask as fd
    from fastsmote import SMOTETomek

    with dask.config.set(scheduler="sync"):
        X_d = da.from_array(X, chunks=(30, 2))
        yield lambda: fd.resample_arrays(X_d, y, BorderlineSMOTE(random_state=0, k_neighbors=3))
        yield lambda: fd.resample_arrays(X_d, y, NearMiss(version=3, n_neighbors_ver3=1))
        smote = BorderlineSMOTE(random_state=0, k_neighbors=3)
        yield lambda: fd.resample_arrays(X_d, y, SMOTETomek(smote=smote))


def test_warnings_name_the_line_that_called_fastsmote():
    n_calls = 0
    for call in calls():
        with warnings.catch_warnings(record=True) as found:
            warnings.simplefilter("always")
            call()
        ours = [w for w in found if "fastsmote" in str(w.message) or "SMOTE" in str(w.message)
                or "preselected" in str(w.message) or "OOB" in str(w.message)]  # fmt: skip
        assert ours, call
        assert {w.filename for w in ours} == {__file__}, [(w.filename, w.message) for w in ours]
        n_calls += 1
    assert n_calls == 8
