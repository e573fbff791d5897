"""SVMSMOTE and KMeansSMOTE: exact counts, rows on their segments, imbalanced-learn's
intermediate results, its own test cases adapted.

imbalanced-learn's arrays that depend on its RNG are not compared (its ``beta`` split,
its base/neighbour/gap draws, hence its synthetic rows and, for KMeansSMOTE, its
per-cluster rounding of counts); everything decided without randomness is.
"""

import naive
import numba
import numpy as np
import pytest
from naive import knn as naive_knn
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import SVC

from fastsmote import SVMSMOTE, config_context
from fastsmote._random import class_stream, stream_key
from fastsmote.over_sampling._svmsmote import interpolated_share

imblearn = pytest.importorskip("imblearn")
from imblearn.over_sampling import SVMSMOTE as ImbSVMSMOTE  # noqa: E402

# imbalanced-learn's fixture of its SVMSMOTE tests
X_IMB = np.array(
    [
        [0.11622591, -0.0317206],
        [0.77481731, 0.60935141],
        [1.25192108, -0.22367336],
        [0.53366841, -0.30312976],
        [1.52091956, -0.49283504],
        [-0.28162401, -2.10400981],
        [0.83680821, 1.72827342],
        [0.3084254, 0.33299982],
        [0.70472253, -0.73309052],
        [0.28893132, -0.38761769],
        [1.15514042, 0.0129463],
        [0.88407872, 0.35454207],
        [1.31301027, -0.92648734],
        [-1.11515198, -0.93689695],
        [-0.18410027, -0.45194484],
        [0.9281014, 0.53085498],
        [-0.14374509, 0.27370049],
        [-0.41635887, -0.38299653],
        [0.08711622, 0.93259929],
        [1.70580611, -0.11219234],
    ]
)
Y_IMB = np.array([0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0])


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=400, n_features=4, n_informative=3, n_redundant=0, n_classes=3,
        weights=[0.7, 0.2, 0.1], class_sep=1.0, random_state=4,
    )  # fmt: skip
    return X, y


def _imblearn_roles(X, y, label, m_neighbors=10, svm=None):
    """imbalanced-learn's non-noise support vectors of ``label`` split into (danger,
    safe), with its own SVC fit and ``_in_danger_noise``."""
    sampler = ImbSVMSMOTE(m_neighbors=m_neighbors, svm_estimator=svm)
    sampler._validate_estimator()
    sampler.svm_estimator_.fit(X, y)
    support = sampler.svm_estimator_.support_
    support = support[y[support] == label]
    sampler.nn_m_.fit(X)
    noise = sampler._in_danger_noise(sampler.nn_m_, X[support], label, y, kind="noise")
    support = support[~noise]
    danger = sampler._in_danger_noise(sampler.nn_m_, X[support], label, y, kind="danger")
    return support[danger], support[~danger]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_svmsmote_counts_roles_and_segments(three_classes, dtype):
    X, y = three_classes
    X = X.astype(dtype)
    sampler = SVMSMOTE(random_state=1, k_neighbors=4, out_step=0.3)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtype == dtype
    assert np.bincount(y_res).tolist() == [np.count_nonzero(y == 0)] * 3
    np.testing.assert_array_equal(X_res[: len(X)], X)
    origins = sampler.row_origins(X, y)
    n = len(X)
    base, partner, gap = origins.source[n:], origins.partner[n:], origins.gap[n:]
    # each synthetic row on its recorded segment (or its extension beyond the base)
    g = gap.astype(dtype)[:, None]
    np.testing.assert_array_equal(X_res[n:], X[base] + g * (X[partner] - X[base]))
    for c in (1, 2):
        danger, safe = _imblearn_roles(X.astype(np.float64), y, c)
        np.testing.assert_array_equal(sampler.danger_indices_[c], danger)
        np.testing.assert_array_equal(sampler.safe_indices_[c], safe)
        rows = y_res[n:] == c
        from_danger = np.isin(base[rows], danger)
        assert np.isin(base[rows], np.concatenate([danger, safe])).all()
        assert (y[partner[rows]] == c).all()
        # interpolation from danger bases, extrapolation by at most out_step from safe
        assert ((gap[rows] >= 0) & (gap[rows] < 1))[from_danger].all()
        assert ((gap[rows] <= 0) & (gap[rows] > -0.3))[~from_danger].all()
        # the split: int(b * (n + 1)) rows interpolate, b ~ Beta(10, 10) drawn per class
        key = stream_key(np.uint64(sampler.random_key_), class_stream(c))
        n_new = np.count_nonzero(rows)
        assert danger.size and safe.size
        assert np.count_nonzero(from_danger) == int(interpolated_share(key) * (n_new + 1))
        # the partner is one of the base's k nearest rows of its class
        class_rows = np.flatnonzero(y == c)
        table = class_rows[naive_knn(X, class_rows, 4)[1]]
        slot_of = {r: table[i] for i, r in enumerate(class_rows)}
        assert all(p in slot_of[b] for b, p in zip(base[rows], partner[rows], strict=True))


def _naive_share(class_key):
    """Beta(10, 10) as the 10th smallest of 19 uniforms of the split stream (9)."""
    split = naive.stream_key(class_key, 9)
    return sorted(naive.unit(naive.draw(split, i)) for i in range(19))[9]


def test_svmsmote_split_is_beta_10_10():
    keys = [k * 7919 + 1 for k in range(3000)]
    for key in keys[:20]:
        assert interpolated_share(np.uint64(key)) == _naive_share(key)
    shares = np.array([_naive_share(key) for key in keys])
    assert 0 < shares.min() and shares.max() < 1
    assert abs(shares.mean() - 0.5) < 0.01
    assert abs(shares.var() - 1 / 84) < 0.0015  # Beta(10, 10): variance 1 / (4 * 21)


def test_svmsmote_one_kind_of_base_makes_every_row():
    # imbalanced-learn's SVMSMOTE keeps only its Beta share when a class has only
    # danger (or only safe) support vectors; fastsmote makes every row asked for
    rng = np.random.default_rng(0)
    X = np.vstack([rng.standard_normal((200, 2)), rng.standard_normal((40, 2)) * 0.3 + 4])
    y = np.repeat([0, 1], [200, 40])
    sampler = SVMSMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.danger_indices_[1].size == 0 and sampler.safe_indices_[1].size > 0
    assert np.bincount(y_res).tolist() == [200, 200]
    theirs = np.bincount(ImbSVMSMOTE(random_state=0).fit_resample(X, y)[1])
    assert theirs[1] < 200


def test_svmsmote_imblearn_estimators_give_the_int_rows():
    # imbalanced-learn's test_svm_smote: estimators equal to the int defaults
    X_1, y_1 = SVMSMOTE(random_state=42).fit_resample(X_IMB, Y_IMB)
    X_2, y_2 = SVMSMOTE(
        random_state=42,
        k_neighbors=NearestNeighbors(n_neighbors=6),
        m_neighbors=NearestNeighbors(n_neighbors=11),
        svm_estimator=SVC(gamma="scale", random_state=42),
    ).fit_resample(X_IMB, Y_IMB)
    np.testing.assert_allclose(X_1, X_2)
    np.testing.assert_array_equal(y_1, y_2)


def test_svmsmote_svm_estimator_is_cloned_and_keeps_its_seed():
    svm = SVC(gamma="scale", random_state=7, C=3.0)
    sampler = SVMSMOTE(svm_estimator=svm, random_state=0)
    sampler.fit_resample(X_IMB, Y_IMB)
    assert not hasattr(svm, "support_")
    assert sampler.svm_estimator_ is not svm and sampler.svm_estimator_.random_state == 7
    assert sampler.svm_estimator_.C == 3.0


def test_svmsmote_needs_a_support_vector_machine():
    # imbalanced-learn's test_svm_smote_not_svm (its message: "`svm_estimator` is
    # required to exposed a `support_` fitted attribute.")
    with pytest.raises(RuntimeError, match="no fitted attribute 'support_'"):
        SVMSMOTE(svm_estimator=LogisticRegression()).fit_resample(X_IMB, Y_IMB)


def test_svmsmote_all_noise_raises_imblearn_message():
    # imbalanced-learn's test_svm_smote_all_noise
    X, y = make_classification(
        n_classes=3, class_sep=0.001, weights=[0.004, 0.451, 0.545], n_informative=3,
        n_redundant=0, flip_y=0, n_features=3, n_clusters_per_class=2, n_samples=1000,
        random_state=10,
    )  # fmt: skip
    with pytest.raises(ValueError, match="SVM-SMOTE is not adapted to your dataset"):
        SVMSMOTE(k_neighbors=4, random_state=42).fit_resample(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"k_neighbors": 8}, "k_neighbors"),
        ({"m_neighbors": 20}, "m_neighbors"),
        ({"out_step": 1.5}, "out_step"),
    ],
)
def test_svmsmote_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        SVMSMOTE(**params).fit_resample(X_IMB, Y_IMB)


def test_svmsmote_same_rows_for_any_thread_count(three_classes):
    X, y = three_classes
    outputs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with config_context(n_threads=threads):
            outputs.append(SVMSMOTE(random_state=5).fit_resample(X, y)[0])
    np.testing.assert_array_equal(outputs[0], outputs[1])
