"""SVMSMOTE and KMeansSMOTE: exact counts, rows on their segments, imbalanced-learn's
intermediate results, its own test cases adapted.

imbalanced-learn's arrays that depend on its RNG are not compared (its ``beta`` split,
its base/neighbour/gap draws, hence its synthetic rows and, for KMeansSMOTE, its
per-cluster rounding of counts); everything decided without randomness is.
"""

import math

import naive
import numba
import numpy as np
import pytest
from naive import knn as naive_knn
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import SVC

from fastsmote import SMOTE, SVMSMOTE, KMeansSMOTE, config_context
from fastsmote._kernels.clusters import pairwise_distance_sum
from fastsmote._numba import numba_threads
from fastsmote._random import class_stream, stream_key
from fastsmote.over_sampling._kmeans_smote import cluster_weights
from fastsmote.over_sampling._svmsmote import interpolated_share

imblearn = pytest.importorskip("imblearn")
from imblearn.over_sampling import SVMSMOTE as ImbSVMSMOTE  # noqa: E402
from imblearn.over_sampling import KMeansSMOTE as ImbKMeansSMOTE  # noqa: E402

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


def test_svmsmote_class_without_support_vector_raises():
    class NoSupportOfClassZero(SVC):  # class 0 is the minority
        def fit(self, X, y):
            super().fit(X, y)
            self.support_ = self.support_[y[self.support_] == 1]
            return self

    with pytest.raises(ValueError, match="no support vector of class 0"):
        SVMSMOTE(svm_estimator=NoSupportOfClassZero()).fit_resample(X_IMB, Y_IMB)


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


@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_svmsmote_default_svc_at_extreme_magnitudes(three_classes, layout):
    """gamma='scale' makes the default SVC scale-free: at 2**p times the data the rows
    are 2**p times the rows; where X.var() leaves float64 the SVM would be degenerate,
    so a clear error comes instead."""
    from scipy import sparse

    X, y = three_classes
    X = X.astype(np.float64)
    wrap = sparse.csr_matrix if layout == "csr" else np.asarray
    unwrap = (lambda M: M.toarray()) if layout == "csr" else np.asarray
    expected = SVMSMOTE(random_state=0).fit_resample(X, y)[0]
    for power in (-480, 500):
        got = unwrap(SVMSMOTE(random_state=0).fit_resample(wrap(np.ldexp(X, power)), y)[0])
        np.testing.assert_array_equal(np.ldexp(got, -power), expected)
    for power in (-1000, -520, 1000):
        with pytest.raises(ValueError, match="gamma='scale'.*Scale the features"):
            SVMSMOTE(random_state=0).fit_resample(wrap(np.ldexp(X, power)), y)
    # a model given by the user is its own business
    SVMSMOTE(random_state=0, svm_estimator=SVC(gamma=1.0)).fit_resample(np.ldexp(X, -520), y)


def test_svmsmote_variance_of_x_in_blocks(monkeypatch):
    from scipy import sparse

    from fastsmote.over_sampling import _svmsmote

    monkeypatch.setattr(_svmsmote, "VARIANCE_BLOCK", 50)  # several blocks
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 7)) * 3 + 5
    X[X < 4] = 0
    for data in (X, X.astype(np.float32), np.asfortranarray(X), X[:, ::2]):
        expected = data.var(dtype=np.float64)
        assert _svmsmote._variance(data) == pytest.approx(expected, rel=1e-12)
        assert _svmsmote._variance(sparse.csr_matrix(data)) == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------------------- KMeansSMOTE
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pairwise_distance_sum_matches_naive(dtype):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((70, 5)).astype(dtype)
    X[3] = X[10]  # a zero distance
    rows = np.sort(rng.choice(70, 33, replace=False))
    expected = naive.pairwise_distance_sum(X, rows)
    assert pairwise_distance_sum(X, rows) == pytest.approx(expected, rel=1e-12)
    outputs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with numba_threads(threads):
            outputs.append(pairwise_distance_sum(X, rows))
    assert outputs[0] == outputs[1]


def _imblearn_clusters(X, y, kmeans, **params):
    """imbalanced-learn's kept clusters (as input rows of the class), their sparsities
    and rows per cluster, recorded from its own methods while it resamples."""
    sampler = ImbKMeansSMOTE(kmeans_estimator=kmeans, random_state=0, **params)
    seen = {"sparsity": [], "rows": [], "counts": []}
    sparsity, make = sampler._find_cluster_sparsity, sampler._make_samples

    def find(X_cluster_class):
        seen["sparsity"].append(sparsity(X_cluster_class))
        return seen["sparsity"][-1]

    def make_samples(X_class, y_dtype, label, nn_data, nns, n_samples, step):
        rows = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in X_class]
        seen["rows"].append(np.array(rows))
        seen["counts"].append(n_samples)
        return make(X_class, y_dtype, label, nn_data, nns, n_samples, step)

    sampler._find_cluster_sparsity, sampler._make_samples = find, make_samples
    _, y_res = sampler.fit_resample(X, y)
    return seen, y_res


@pytest.mark.parametrize("threshold", ["auto", 0.1])
def test_kmeans_smote_clusters_weights_and_segments_as_imblearn(three_classes, threshold):
    X, y = three_classes
    n = len(X)
    kmeans = KMeans(n_clusters=6, n_init=1, random_state=0)
    ours = KMeansSMOTE(
        random_state=0, kmeans_estimator=kmeans, cluster_balance_threshold=threshold
    )
    X_res, y_res = ours.fit_resample(X, y)
    target = np.count_nonzero(y == 0)
    assert np.bincount(y_res).tolist() == [target] * 3  # exactly
    seen, y_theirs = _imblearn_clusters(X, y, kmeans, cluster_balance_threshold=threshold)
    labels = ours.kmeans_estimator_.labels_
    at = 0
    for c in (1, 2):
        kept = ours.valid_clusters_[c]
        rows = [np.flatnonzero((labels == k) & (y == c)) for k in kept]
        theirs = seen["rows"][at : at + kept.size]
        assert [r.tolist() for r in rows] == [np.sort(t).tolist() for t in theirs]
        sparsities = np.array(seen["sparsity"][at : at + kept.size])
        np.testing.assert_allclose(ours.cluster_weights_[c], sparsities / sparsities.sum())
        # imbalanced-learn rounds each cluster's share up; fastsmote's shares sum exactly
        quotas = ours.cluster_weights_[c] * (target - np.count_nonzero(y == c))
        assert (np.abs(ours.cluster_counts_[c] - quotas) < 1).all()
        assert seen["counts"][at : at + kept.size] == np.ceil(quotas - 1e-9).astype(int).tolist()
        at += kept.size
    assert np.bincount(y_theirs)[1:].tolist() != [target] * 2  # its counts miss
    # every synthetic row on a segment between two class rows of one cluster, the partner
    # among the base's k nearest rows of the class in that cluster
    origins = ours.row_origins(X, y)
    base, partner, gap = origins.source[n:], origins.partner[n:], origins.gap[n:]
    np.testing.assert_array_equal(X_res[n:], X[base] + gap[:, None] * (X[partner] - X[base]))
    assert (labels[base] == labels[partner]).all() and (y[base] == y_res[n:]).all()
    assert (y[partner] == y_res[n:]).all() and ((gap >= 0) & (gap < 1)).all()
    for c in (1, 2):
        for k, count in zip(ours.valid_clusters_[c], ours.cluster_counts_[c], strict=True):
            members = np.flatnonzero((labels == k) & (y == c))
            table = members[naive_knn(X, members, 2)[1]]
            mine = (y_res[n:] == c) & (labels[base] == k)
            assert np.count_nonzero(mine) == count
            for b, p in zip(base[mine], partner[mine], strict=True):
                assert p in table[np.searchsorted(members, b)]


def test_kmeans_smote_one_cluster_is_smote():
    # imbalanced-learn's test_kmeans_smote: one cluster, no threshold -> SMOTE's rows
    sampler = KMeansSMOTE(
        kmeans_estimator=1, random_state=42, cluster_balance_threshold=0.0, k_neighbors=5
    )
    X_1, y_1 = sampler.fit_resample(X_IMB, Y_IMB)
    X_2, y_2 = SMOTE(random_state=42).fit_resample(X_IMB, Y_IMB)
    np.testing.assert_array_equal(X_1, X_2)
    np.testing.assert_array_equal(y_1, y_2)
    assert sampler.nn_k_.n_neighbors == 6
    assert sampler.kmeans_estimator_.n_clusters == 1
    assert "batch_size" in sampler.kmeans_estimator_.get_params()
    assert sampler.cluster_balance_threshold_ == -np.inf


@pytest.mark.parametrize(
    "kmeans_estimator, k_neighbors",
    [
        (3, 2),
        (KMeans(n_clusters=3, n_init=1, random_state=42), NearestNeighbors(n_neighbors=3)),
        (MiniBatchKMeans(n_clusters=3, n_init=1, random_state=42), 2),
    ],
)
def test_kmeans_smote_custom_estimators(k_neighbors, kmeans_estimator):
    # imbalanced-learn's test_sample_kmeans_custom (3 of its 6 combinations)
    sampler = KMeansSMOTE(
        random_state=42, kmeans_estimator=kmeans_estimator, k_neighbors=k_neighbors
    )
    X_res, y_res = sampler.fit_resample(X_IMB, Y_IMB)
    assert X_res.shape == (24, 2) and y_res.shape == (24,)
    assert sampler.nn_k_.n_neighbors == 3
    assert sampler.kmeans_estimator_.n_clusters == 3
    if not isinstance(kmeans_estimator, int):  # cloned, its own seed kept
        assert sampler.kmeans_estimator_ is not kmeans_estimator
        assert sampler.kmeans_estimator_.random_state == 42


def test_kmeans_smote_no_cluster_passes_the_threshold():
    # imbalanced-learn's test_sample_kmeans_not_enough_clusters, with its message (a
    # KMeans instead of the default MiniBatchKMeans, slow on tiny data)
    sampler = KMeansSMOTE(
        cluster_balance_threshold=10, kmeans_estimator=KMeans(n_clusters=3, n_init=1)
    )
    with pytest.raises(RuntimeError, match="No clusters found with sufficient samples"):
        sampler.fit_resample(X_IMB, Y_IMB)


@pytest.mark.parametrize(
    "density_exponent, cluster_balance_threshold", [("auto", "auto"), (10, 0.1)]
)
def test_kmeans_smote_density_estimation(density_exponent, cluster_balance_threshold):
    # imbalanced-learn's test_sample_kmeans_density_estimation on 1,000 rows (not 10,000),
    # 2 of its 4 combinations
    X, y = make_classification(n_samples=1_000, n_classes=2, weights=[0.3, 0.7], random_state=42)
    sampler = KMeansSMOTE(
        kmeans_estimator=MiniBatchKMeans(n_init=1, random_state=42),
        random_state=0,
        density_exponent=density_exponent,
        cluster_balance_threshold=cluster_balance_threshold,
    )
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res)[0] == np.bincount(y_res)[1]


def test_kmeans_smote_bad_input():
    with pytest.raises(ValueError, match="k_neighbors"):
        KMeansSMOTE(k_neighbors=8).fit_resample(X_IMB, Y_IMB)
    with pytest.raises(ValueError, match="n_clusters"):
        KMeansSMOTE(kmeans_estimator=LogisticRegression()).fit_resample(X_IMB, Y_IMB)
    with pytest.raises(ValueError, match="cluster_balance_threshold"):
        KMeansSMOTE(cluster_balance_threshold="high").fit_resample(X_IMB, Y_IMB)


def test_distance_sum_scaled_by_a_power_of_two_is_exact():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 6))
    rows = np.arange(0, 40, 3)
    total = pairwise_distance_sum(X, rows)
    assert pairwise_distance_sum(X, rows, 1.0) == total
    assert pairwise_distance_sum(X, rows, 2.0**-300) == math.ldexp(total, -300)
    assert pairwise_distance_sum(np.ldexp(X, 900), rows, 2.0**-900) == total


def _log_weights(X, members, exponents):
    """Expected shares from log sparsities (float64 means of ordinary rows)."""
    logs = []
    for rows, e in zip(members, exponents, strict=True):
        m = rows.size
        mean = 2.0 * naive.pairwise_distance_sum(X, rows) / (m * m - m)
        logs.append(e * math.log(mean) - math.log(m))
    logs = np.array(logs)
    weights = np.exp(logs - logs.max())
    return weights / weights.sum()


@pytest.mark.parametrize("power", [-1000, -600, 0, 600, 950])
def test_cluster_weights_at_any_magnitude_follow_the_formula(power):
    """imbalanced-learn's sparsity ``mean_distance ** e / m``: at 2**power the means
    scale by 2**power, so the log weights shift by ``power * e * log(2)``; the direct
    values would underflow to 0 (every cluster alike) or overflow."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 5)) * np.repeat([1.0, 3.0, 0.5], 30)[:, None]
    members = [np.arange(0, 30), np.arange(30, 60), np.arange(60, 75)]
    exponents = [math.log(r.size, 1.6) ** 1.8 * 0.16 for r in members]
    got = cluster_weights(np.ldexp(X, power), members, "auto")
    shifted = [e * power * math.log(2.0) for e in exponents]
    logs = np.log(_log_weights(X, members, exponents)) + shifted
    expected = np.exp(logs - logs.max())
    np.testing.assert_allclose(got, expected / expected.sum(), rtol=1e-9, atol=1e-300)
    if power == 0:  # ordinary values: imbalanced-learn's arithmetic, bit for bit
        direct = [
            (2.0 * pairwise_distance_sum(X, r) / (r.size**2 - r.size)) ** e / r.size
            for r, e in zip(members, exponents, strict=True)
        ]
        np.testing.assert_array_equal(got, np.array(direct) / sum(direct))


def test_cluster_weights_of_identical_rows_and_extreme_exponents():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    X[20:30] = X[20]  # a cluster of identical rows: sparsity 0
    members = [np.arange(0, 20), np.arange(20, 30), np.arange(30, 40)]
    assert cluster_weights(X, members, 2.0)[1] == 0
    # a negative exponent makes its sparsity infinite: it takes every row
    np.testing.assert_array_equal(cluster_weights(X, members, -1.0), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(cluster_weights(X, [members[1]] * 2, 2.0), [0.5, 0.5])
    large = cluster_weights(X, members, 1e6)  # overflows directly: the largest mean wins
    assert large.sum() == 1 and np.count_nonzero(large) == 1 and large[1] == 0
    with pytest.raises(ValueError, match="density_exponent=nan"):
        cluster_weights(X, members, math.nan)


def test_kmeans_smote_same_rows_for_any_thread_count(three_classes):
    X, y = three_classes
    outputs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with config_context(n_threads=threads):
            kmeans = KMeans(n_clusters=6, n_init=1, random_state=0)
            sampler = KMeansSMOTE(
                random_state=5, kmeans_estimator=kmeans, cluster_balance_threshold=0.1
            )
            outputs.append(sampler.fit_resample(X.astype(np.float32), y)[0])
    assert outputs[0].dtype == np.float32
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_origins_follow_the_fitted_clustering_even_unseeded(three_classes):
    # row_origins reuses the fitted clustering and SVM instead of refitting them: an
    # unseeded KMeans would cluster differently the second time
    X, y = three_classes
    n = len(X)
    for sampler in (
        KMeansSMOTE(
            kmeans_estimator=KMeans(n_clusters=5, n_init=1), cluster_balance_threshold=0.1
        ),
        SVMSMOTE(random_state=0),
    ):
        X_res, _ = sampler.fit_resample(X, y)
        o = sampler.row_origins(X, y)
        rebuilt = X[o.source[n:]] + o.gap[n:, None] * (X[o.partner[n:]] - X[o.source[n:]])
        np.testing.assert_array_equal(X_res[n:], rebuilt)


# ------------------------------------------------------------------ neighbors= backends
@pytest.fixture(scope="module")
def two_groups():
    """A minority class in two groups beside the majority: SVMSMOTE finds danger and safe
    support vectors, KMeansSMOTE keeps one cluster per group; every search covers more
    than twice the graph's neighbours per row, so "approx" builds the graph."""
    rng = np.random.default_rng(1)
    centres = np.repeat([[2.5, 0, 0, 0], [-2.5, 0, 0, 0]], 130, axis=0)
    X = np.vstack([rng.normal(size=(700, 4)), rng.normal(size=(260, 4)) * 0.8 + centres])
    return X, np.repeat([0, 1], [700, 260])


def _sampler(cls, **params):
    if cls is KMeansSMOTE:
        kmeans = KMeans(n_clusters=4, n_init=1, random_state=0)
        params = {"kmeans_estimator": kmeans, "cluster_balance_threshold": 0.2, **params}
    return cls(random_state=3, **params)


def _partner_in_exact_lists(sampler, X, y, base, partner):
    """Whether each partner is one of its base's exact k nearest rows of the class (in
    the base's cluster for KMeansSMOTE)."""
    k = sampler.k_neighbors
    if isinstance(sampler, KMeansSMOTE):
        clusters = sampler.kmeans_estimator_.labels_
        groups = [(clusters == c) & (y == 1) for c in sampler.valid_clusters_[1]]
    else:
        groups = [y == 1]
    nearest = {}
    for group in groups:
        members = np.flatnonzero(group)
        for row, neighbors in zip(members, members[naive_knn(X, members, k)[1]], strict=True):
            nearest[row] = set(neighbors.tolist())
    return np.array([p in nearest[b] for b, p in zip(base, partner, strict=True)])


@pytest.mark.parametrize("cls", [SVMSMOTE, KMeansSMOTE])
def test_approx_neighbours_keep_counts_segments_and_exact_partners_mostly(two_groups, cls):
    X, y = two_groups
    n = len(X)
    exact = _sampler(cls, neighbors="exact")
    approx = _sampler(cls, neighbors="approx")
    exact.fit_resample(X, y)
    X_res, y_res = approx.fit_resample(X, y)
    assert approx.neighbors_backend_ == {1: "approx"}
    assert np.bincount(y_res).tolist() == [700, 700]
    np.testing.assert_array_equal(X_res[:n], X)
    origins = approx.row_origins(X, y)
    base, partner, gap = origins.source[n:], origins.partner[n:], origins.gap[n:]
    np.testing.assert_array_equal(X_res[n:], X[base] + gap[:, None] * (X[partner] - X[base]))
    assert (y[base] == 1).all() and (y[partner] == 1).all() and (base != partner).all()
    if cls is KMeansSMOTE:  # the partner in the base's cluster; clusters and counts unchanged
        clusters = approx.kmeans_estimator_.labels_
        assert (clusters[base] == clusters[partner]).all() and ((gap >= 0) & (gap < 1)).all()
        np.testing.assert_array_equal(approx.valid_clusters_[1], exact.valid_clusters_[1])
        np.testing.assert_array_equal(approx.cluster_counts_[1], exact.cluster_counts_[1])
    else:  # roles from the m_neighbors graph among all rows: nearly the exact ones
        assert approx.all_rows_backend_ == {1: "approx"}
        for roles in ("danger_indices_", "safe_indices_"):
            mine, theirs = (set(getattr(s, roles)[1].tolist()) for s in (approx, exact))
            assert len(mine & theirs) / len(mine | theirs) >= 0.85, roles
        from_danger = np.isin(base, approx.danger_indices_[1])
        assert ((gap >= 0) & (gap < 1))[from_danger].all()
        assert ((gap <= 0) & (gap > -0.5))[~from_danger].all()
    assert _partner_in_exact_lists(approx, X, y, base, partner).mean() >= 0.9


@pytest.mark.parametrize("cls", [SVMSMOTE, KMeansSMOTE])
def test_approx_neighbours_same_rows_for_any_thread_count(two_groups, cls):
    X, y = two_groups
    outputs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with config_context(n_threads=threads):
            outputs.append(_sampler(cls, neighbors="approx").fit_resample(X, y)[0])
    np.testing.assert_array_equal(outputs[0], outputs[1])


@pytest.mark.parametrize("cls", [SVMSMOTE, KMeansSMOTE])
def test_auto_neighbours_are_exact_on_small_data(two_groups, cls):
    X, y = two_groups
    auto = _sampler(cls, neighbors="auto")
    X_auto, _ = auto.fit_resample(X, y)
    assert auto.neighbors_backend_ == {1: "exact"}
    assert getattr(auto, "all_rows_backend_", {1: "exact"}) == {1: "exact"}
    default = _sampler(cls)
    assert default.neighbors == "exact"
    np.testing.assert_array_equal(X_auto, default.fit_resample(X, y)[0])


@pytest.mark.parametrize("cls", [SVMSMOTE, KMeansSMOTE])
@pytest.mark.parametrize("bad", ["fast", None, NearestNeighbors()])
def test_bad_neighbors_backend_is_named(cls, bad):
    message = f"The 'neighbors' parameter of {cls.__name__} must be a str among"
    with pytest.raises(ValueError, match=message):
        cls(neighbors=bad).fit_resample(X_IMB, Y_IMB)


def test_neighbour_estimators_keep_searching_beside_the_approx_backend(two_groups):
    X, y = two_groups
    # SVMSMOTE: an estimator for k_neighbors searches the class; the int m_neighbors goes
    # through the graph, which gives the same roles as without the estimator
    with_estimator = SVMSMOTE(
        random_state=3, k_neighbors=NearestNeighbors(n_neighbors=6), neighbors="approx"
    )
    _, y_res = with_estimator.fit_resample(X, y)
    by_int = SVMSMOTE(random_state=3, neighbors="approx")
    by_int.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [700, 700]
    assert with_estimator.neighbors_backend_ == {1: "estimator"}
    assert with_estimator.all_rows_backend_ == {1: "approx"}
    np.testing.assert_array_equal(with_estimator.danger_indices_[1], by_int.danger_indices_[1])
    # an m_neighbors estimator searches all rows; the class search takes the graph
    with_m = SVMSMOTE(
        random_state=3, m_neighbors=NearestNeighbors(n_neighbors=11), neighbors="approx"
    )
    with_m.fit_resample(X, y)
    assert with_m.all_rows_backend_ == {1: "estimator"}
    assert with_m.neighbors_backend_ == {1: "approx"}
    # KMeansSMOTE: a k_neighbors estimator gives the rows of the exact int search
    kmeans_estimator = _sampler(
        KMeansSMOTE, k_neighbors=NearestNeighbors(n_neighbors=3), neighbors="approx"
    )
    X_est, _ = kmeans_estimator.fit_resample(X, y)
    assert kmeans_estimator.neighbors_backend_ == {1: "estimator"}
    np.testing.assert_allclose(X_est, _sampler(KMeansSMOTE).fit_resample(X, y)[0])
