"""scikit-learn's and imbalanced-learn's estimator checks on every sampler."""

import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import estimator_checks_generator

from fastsmote import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTENC,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    RandomOverSampler,
    RandomUnderSampler,
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
    SMOTETomek(random_state=0),
    SMOTEENN(random_state=0),
    BorderlineSMOTE(random_state=0),
    BorderlineSMOTE(random_state=0, kind="borderline-2"),
    ADASYN(random_state=0),
    # the checks' data is numeric: column 0 is declared categorical (each value a category)
    SMOTENC(categorical_features=[0], random_state=0),
]
# samplers that only select rows accept sparse, NaN and string input
ROW_SELECTORS = [SAMPLERS[1], SAMPLERS[3]]


def _sklearn_checks():
    for sampler in SAMPLERS:
        for estimator, check in estimator_checks_generator(sampler, mark="skip"):
            name = getattr(check, "func", check).__name__
            # Array API input: the kernels are NumPy/Numba only (a documented non-goal),
            # and scikit-learn skips this check unless SCIPY_ARRAY_API is set anyway.
            if name != "check_array_api_input":
                yield pytest.param(estimator, check, id=f"{type(sampler).__name__}-{name}")


@pytest.mark.parametrize("estimator, check", list(_sklearn_checks()))
def test_sklearn_compatible(estimator, check):
    check(estimator)


imblearn_checks = pytest.importorskip("imblearn.utils.estimator_checks")

# imbalanced-learn picks its sampler checks from its own tag classes, which plain
# scikit-learn estimators do not carry, so the list is spelled out here.
IMBLEARN_CHECKS = [
    "check_target_type",
    "check_samplers_one_label",
    "check_samplers_fit",
    "check_samplers_fit_resample",
    "check_samplers_sampling_strategy_fit_resample",
    "check_samplers_pandas",
    "check_samplers_list",
    "check_samplers_multiclass_ova",
    "check_samplers_preserve_dtype",
    "check_samplers_2d_target",
    "check_sampler_get_feature_names_out",
    "check_sampler_get_feature_names_out_pandas",
]
# Checks that do not apply, and why:
# - check_samplers_sparse, check_samplers_pandas_sparse: SMOTE's kernels work on dense
#   rows; sparse input is refused with a TypeError (tested in test_validation.py). The
#   row-selecting samplers accept sparse input (checked below, except pandas' sparse
#   columns, which imbalanced-learn itself densifies).
# - check_samplers_nan, check_samplers_string: SMOTE cannot interpolate NaN or strings;
#   imbalanced-learn runs these only for samplers whose tags allow them (checked below
#   for the row-selecting samplers).
# - check_samplers_sample_indices: reads imbalanced-learn's own ``sampler_tags``; SMOTE
#   has no ``sample_indices_`` (synthetic rows have no single source row).


@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
@pytest.mark.parametrize("check_name", IMBLEARN_CHECKS)
def test_imblearn_sampler_checks(sampler, check_name):
    getattr(imblearn_checks, check_name)(type(sampler).__name__, clone(sampler))


@pytest.mark.parametrize("sampler", ROW_SELECTORS, ids=repr)
@pytest.mark.parametrize(
    "check_name",
    ["check_samplers_sparse", "check_samplers_nan", "check_samplers_string"],
)
def test_imblearn_checks_for_row_selectors(sampler, check_name):
    getattr(imblearn_checks, check_name)(type(sampler).__name__, clone(sampler))
