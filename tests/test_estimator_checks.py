"""scikit-learn's and imbalanced-learn's estimator checks on every sampler.

No check counts as a pass without asserting something about the sampler: checks that
would return early for a sampler are either made to run (and that is asserted before
running them) or left out where they assert nothing for a sampler, that premise tested. Checks
that fail on a deliberate difference are strict xfails with the reason.
"""

import numpy as np
import pytest
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.under_sampling.base import BaseCleaningSampler, BaseUnderSampler
from imblearn.utils.estimator_checks import estimator_checks_generator as imblearn_checks
from imblearn.utils.estimator_checks import parametrize_with_checks
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import estimator_checks_generator

from fastsmote import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    AllKNN,
    BorderlineSMOTE,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    FunctionSampler,
    InstanceHardnessThreshold,
    KMeansSMOTE,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomOverSampler,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)

SAMPLERS = [
    SMOTE(random_state=0),
    RandomOverSampler(random_state=0),
    RandomOverSampler(random_state=0, shrinkage=0.5),
    RandomUnderSampler(random_state=0),
    TomekLinks(),
    EditedNearestNeighbours(),
    NearMiss(),
    NearMiss(version=2),
    NearMiss(version=3),
    SMOTETomek(random_state=0),
    SMOTEENN(random_state=0),
    BorderlineSMOTE(random_state=0),
    BorderlineSMOTE(random_state=0, kind="borderline-2"),
    ADASYN(random_state=0),
    SVMSMOTE(random_state=0),
    # KMeans: MiniBatchKMeans (the default) takes seconds on the checks' tiny data
    KMeansSMOTE(
        random_state=0,
        kmeans_estimator=KMeans(n_clusters=2, n_init=1, random_state=0),
        cluster_balance_threshold=0.0,
    ),
    # the checks' data is numeric: column 0 is declared categorical (each value a category)
    SMOTENC(categorical_features=[0], random_state=0),
    # every column is categorical: the checks' floats are each a category
    SMOTEN(random_state=0),
    FunctionSampler(),
    CondensedNearestNeighbour(random_state=0),
    OneSidedSelection(random_state=0),
    RepeatedEditedNearestNeighbours(),
    AllKNN(),
    NeighbourhoodCleaningRule(),
    # a fast classifier: the checks fit it once per fold on up to 1000 rows, many times
    InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0),
    # hard voting's tags (sample_indices_ set): tests/test_model_based.py
    # soft voting, as imbalanced-learn's own checks set it ('auto' is hard voting for
    # sparse X, soft for dense X: check_samplers_sparse compares the two)
    ClusterCentroids(estimator=KMeans(n_init=1), random_state=0, voting="soft"),
]


def _check_name(check) -> str:
    return getattr(check, "func", check).__name__


# ----------------------------------------------------------------- deliberate differences
_DENSE_ONLY = (
    "fastsmote refuses sparse DataFrame columns with a clear error (a SciPy sparse matrix "
    "is accepted where input_tags.sparse is True; a DataFrame's sparse columns are not "
    "converted: imbalanced-learn runs this check on every DataFrame-accepting sampler)"
)
_CLEANED_AFTER_BALANCING = (
    "SMOTE then cleaning: the cleaning step removes rows after the classes are balanced, "
    "so classes end below the over-sampling target (imbalanced-learn's SMOTETomek and "
    "SMOTEENN do the same; its own checks do not assert class counts for them)"
)
_FIT_CHECKS_LITTLE = (
    "RandomOverSampler.fit checks shapes and labels only, as imbalanced-learn's does; with "
    "shrinkage, fit_resample refuses NaN and non-numeric X (so the tags say so)"
)
# (check, sampler class[, "shrinkage" for instances with shrinkage, "version 3" for
# NearMiss-3]) -> (exception, reason)
KNOWN_DIFFERENCES = {
    **{
        ("check_samplers_pandas_sparse", cls): (TypeError, _DENSE_ONLY)
        for cls in (
            SMOTE,
            TomekLinks,
            EditedNearestNeighbours,
            NearMiss,
            SMOTETomek,
            SMOTEENN,
            BorderlineSMOTE,
            ADASYN,
            SMOTENC,
            SVMSMOTE,
            KMeansSMOTE,
            CondensedNearestNeighbour,
            OneSidedSelection,
            RepeatedEditedNearestNeighbours,
            AllKNN,
            NeighbourhoodCleaningRule,
            InstanceHardnessThreshold,
            ClusterCentroids,
        )
    },
    ("check_samplers_pandas_sparse", RandomOverSampler, "shrinkage"): (ValueError, _DENSE_ONLY),
    ("check_samplers_pandas_sparse", FunctionSampler): (
        TypeError,
        "FunctionSampler(validate=True) gives func a DataFrame's values as a dense numeric "
        "array and refuses sparse DataFrame columns with a clear error (a scipy sparse "
        "matrix is accepted; validate=False passes any DataFrame through)",
    ),
    **{
        (check, cls): (AssertionError, _CLEANED_AFTER_BALANCING)
        for check in (
            "check_samplers_fit_resample",
            "check_samplers_sampling_strategy_fit_resample",
        )
        for cls in (SMOTETomek, SMOTEENN)
    },
    **{
        (check, RandomOverSampler, "shrinkage"): (AssertionError, _FIT_CHECKS_LITTLE)
        for check in (
            "check_dtype_object",
            "check_estimators_nan_inf",
        )
    },
    ("check_samplers_fit_resample", NearMiss, "version 3"): (
        AssertionError,
        "NearMiss-3 keeps only rows near the minority rows, which can be fewer than "
        "sampling_strategy asks (it warns); imbalanced-learn marks this check xfail for it",
    ),
    ("check_samplers_pandas_sparse", NearMiss, "version 3"): (TypeError, _DENSE_ONLY),
    ("check_samplers_string", SMOTENC): (
        ValueError,
        "the check's data is one categorical column; SMOTE-NC needs a continuous feature "
        "(imbalanced-learn's SMOTENC raises the same error and is left out of its own checks)",
    ),
}


def _variant(estimator) -> tuple[str, ...]:
    """The variant part of a known difference's key: "shrinkage" or "version 3"."""
    if getattr(estimator, "shrinkage", None) is not None:
        return ("shrinkage",)
    if isinstance(estimator, NearMiss) and estimator.version == 3:
        return ("version 3",)
    return ()


def _known_difference(estimator, name):
    return KNOWN_DIFFERENCES.get((name, type(estimator), *_variant(estimator)))


# --------------------------------------------------------------------------- scikit-learn
# Checks that call only these methods of a fitted estimator; samplers have none of them,
# so for a sampler these checks fit and assert nothing.
ONLY_OTHER_METHODS = {
    "check_dict_unchanged": ("predict", "transform", "decision_function", "predict_proba"),
    "check_estimators_unfitted": (
        "decision_function",
        "predict",
        "predict_proba",
        "predict_log_proba",
    ),
    "check_fit2d_predict1d": ("predict", "transform", "decision_function", "predict_proba"),
    "check_fit_idempotent": ("predict", "transform", "decision_function", "predict_proba"),
    "check_methods_subset_invariance": (
        "predict",
        "transform",
        "decision_function",
        "score_samples",
        "predict_proba",
    ),
    "check_methods_sample_order_invariance": (
        "predict",
        "transform",
        "decision_function",
        "score_samples",
        "predict_proba",
    ),
    "check_pipeline_consistency": ("score", "fit_transform"),
}


def _sklearn_checks():
    for sampler in SAMPLERS:
        for estimator, check in estimator_checks_generator(sampler, mark="skip"):
            name = _check_name(check)
            # Array API input: the kernels are NumPy/Numba only (a documented non-goal),
            # and scikit-learn skips this check unless SCIPY_ARRAY_API is set anyway.
            # Checks of methods samplers lack would pass without asserting: left out (see
            # test_checks_left_out_call_only_methods_samplers_lack).
            if name != "check_array_api_input" and name not in ONLY_OTHER_METHODS:
                yield pytest.param(estimator, check, id=f"{sampler!r}-{name}")


def _mark_known_difference(request, estimator, name):
    known = _known_difference(estimator, name)
    if known is not None:
        raises, reason = known
        request.applymarker(pytest.mark.xfail(raises=raises, reason=reason, strict=True))


@pytest.mark.parametrize("estimator, check", list(_sklearn_checks()))
def test_sklearn_compatible(estimator, check, request):
    _mark_known_difference(request, estimator, _check_name(check))
    check(estimator)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_checks_left_out_call_only_methods_samplers_lack(sampler):
    """The scikit-learn checks left out above exist for this sampler and would assert
    nothing: the sampler has none of the methods they call."""
    generated = {_check_name(check) for _, check in estimator_checks_generator(sampler)}
    for name, methods in ONLY_OTHER_METHODS.items():
        assert name in generated, f"{name} is no longer generated: drop it from the list"
        assert not [m for m in methods if hasattr(sampler, m)], f"{name} applies now"


# ------------------------------------------------------------------------ imbalanced-learn
# imbalanced-learn chooses its sampler checks from the tags fastsmote's samplers expose
# (fastsmote/_tags.py). Its two class-count checks assert only for instances of its base
# classes, one per kind of sampling; for anything else they pass untested. Here, in the
# tests only, each sampler class is registered as a virtual subclass of the base class
# its own ``_sampling_type`` names, so that those assertions run.
_IMBLEARN_BASES = {
    "over-sampling": BaseOverSampler,
    "under-sampling": BaseUnderSampler,
    "clean-sampling": BaseCleaningSampler,
}
for _cls in {type(sampler) for sampler in SAMPLERS}:
    if _cls._sampling_type in _IMBLEARN_BASES:  # FunctionSampler's counts are its func's
        _IMBLEARN_BASES[_cls._sampling_type].register(_cls)

# Checks that return early unless these hold; asserted before each runs.
RUNS_ONLY_IF = {
    "check_samplers_fit_resample": lambda est: isinstance(est, tuple(_IMBLEARN_BASES.values())),
    "check_samplers_sampling_strategy_fit_resample": lambda est: isinstance(
        est, tuple(_IMBLEARN_BASES.values())
    ),
    "check_sampler_get_feature_names_out": lambda est: (
        get_tags(est).input_tags.two_d_array and not get_tags(est).no_validation
    ),
    "check_sampler_get_feature_names_out_pandas": lambda est: (
        get_tags(est).input_tags.two_d_array and not get_tags(est).no_validation
    ),
}

# pytest wants the parameter values as a collection, not imbalanced-learn's generator
_imblearn_parametrization = parametrize_with_checks(SAMPLERS)


def _asserts_something(param) -> bool:
    """Left out: the class-count checks of a sampler whose counts are its function's
    (FunctionSampler, sampling type 'bypass'), for which they would assert nothing."""
    estimator, check = getattr(param, "values", param)
    counts = ("check_samplers_fit_resample", "check_samplers_sampling_strategy_fit_resample")
    return estimator._sampling_type != "bypass" or _check_name(check) not in counts


@pytest.mark.parametrize(
    *_imblearn_parametrization.args[:1],
    [p for p in _imblearn_parametrization.args[1] if _asserts_something(p)],
    **_imblearn_parametrization.kwargs,
)
def test_imblearn_checks(estimator, check, request):
    name = _check_name(check)
    if name in RUNS_ONLY_IF:
        assert RUNS_ONLY_IF[name](estimator), f"{name} would assert nothing"
    _mark_known_difference(request, estimator, name)
    check(estimator)


def test_every_known_difference_names_a_check_that_runs():
    """Each strict xfail above names a check that scikit-learn or imbalanced-learn really
    generates for that sampler (a stale entry would otherwise go unnoticed)."""
    generated = {
        (_check_name(check), type(estimator), *_variant(estimator))
        for sampler in SAMPLERS
        for generator in (imblearn_checks, estimator_checks_generator)
        for estimator, check in generator(sampler)
    }
    for key in KNOWN_DIFFERENCES:
        assert key in generated, key


# --------------------------------------------------------------------------- the tags
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_tags_say_what_a_sampler_refuses(sampler):
    """imbalanced-learn runs its NaN, string and sparse checks only where the tags allow
    them; where they do not, the sampler refuses that input with a clear error."""
    tags = get_tags(sampler)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.r_[np.zeros(28, int), np.ones(12, int)]
    refused = {
        "allow_nan": np.where(rng.random(X.shape) < 0.1, np.nan, X),
        "string": np.asarray(rng.choice(["a", "b", "c"], size=X.shape), dtype=object),
        "sparse": sparse.csr_matrix(X),
    }
    for tag, X_bad in refused.items():
        if not getattr(tags.input_tags, tag):
            with pytest.raises((TypeError, ValueError)):
                sampler.fit_resample(X_bad, y)
    assert tags.estimator_type == "sampler" and tags.input_tags.dataframe


# --------------------------------------------------------------------------- refits
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_a_refit_on_an_array_leaves_no_column_names(sampler):
    """A DataFrame fit, then an array fit with fewer columns: the fitted object is a
    fresh one's (no ``feature_names_in_``, names ``x0..``), as scikit-learn requires."""
    import pandas as pd
    from sklearn.base import clone

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 5))
    X[:, 0] = np.round(X[:, 0])  # a column of few values: SMOTENC's categorical one
    y = np.r_[np.zeros(42, int), np.ones(18, int)]
    refitted = clone(sampler)
    refitted.fit_resample(pd.DataFrame(X, columns=list("abcde")), y)
    assert list(refitted.feature_names_in_) == list("abcde")
    refitted.fit_resample(X[:, :3], y)
    fresh = clone(sampler)
    fresh.fit_resample(X[:, :3], y)
    assert refitted.n_features_in_ == 3 and not hasattr(refitted, "feature_names_in_")
    if hasattr(fresh, "get_feature_names_out"):
        assert list(refitted.get_feature_names_out()) == list(fresh.get_feature_names_out())
