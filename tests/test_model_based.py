"""InstanceHardnessThreshold and ClusterCentroids: equal to imbalanced-learn where no
randomness is involved, imbalanced-learn's own test cases adapted, seeds, threads, errors.

imbalanced-learn's cases whose expected arrays depend on its random draws are replaced
(each says by what): ``test_iht_reproducibility`` (imbalanced-learn replaces the
classifier's own seed, fastsmote keeps it).
"""

import numpy as np
import pytest
from imblearn.under_sampling import ClusterCentroids as ImbCC
from imblearn.under_sampling import InstanceHardnessThreshold as ImbIHT
from imblearn.utils.estimator_checks import check_samplers_sample_indices
from imblearn.utils.testing import _CustomClusterer
from joblib import parallel_backend
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags

import fastsmote as fs
from fastsmote._random import STREAMS
from fastsmote.pipeline import make_pipeline as fs_make_pipeline

# imbalanced-learn's test data (test_instance_hardness_threshold.py)
X_IHT = np.array(
    [
        [-0.3879569, 0.6894251],
        [-0.09322739, 1.28177189],
        [-0.77740357, 0.74097941],
        [0.91542919, -0.65453327],
        [-0.03852113, 0.40910479],
        [-0.43877303, 1.07366684],
        [-0.85795321, 0.82980738],
        [-0.18430329, 0.52328473],
        [-0.30126957, -0.66268378],
        [-0.65571327, 0.42412021],
        [-0.28305528, 0.30284991],
        [0.20246714, -0.34727125],
        [1.06446472, -1.09279772],
        [0.30543283, -0.02589502],
        [-0.00717161, 0.00318087],
    ]
)
Y_IHT = np.array([0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0])
# imbalanced-learn's test data (test_cluster_centroids.py)
X_CC = np.array(
    [
        [0.04352327, -0.20515826],
        [0.92923648, 0.76103773],
        [0.20792588, 1.49407907],
        [0.47104475, 0.44386323],
        [0.22950086, 0.33367433],
        [0.15490546, 0.3130677],
        [0.09125309, -0.85409574],
        [0.12372842, 0.6536186],
        [0.13347175, 0.12167502],
        [0.094035, -2.55298982],
    ]
)
Y_CC = np.array([1, 0, 1, 0, 1, 1, 1, 1, 0, 1])


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=4, weights=[0.3, 0.7], random_state=0, class_sep=0.8
    )
    return X, y


def imblearn_folds(seed: int, n_splits: int, n_seeded_params: int) -> StratifiedKFold:
    """The folds imbalanced-learn's IHT makes for ``random_state=seed``: it first draws one
    seed per random_state parameter of the classifier, then shuffles with the same
    RandomState."""
    rng = np.random.RandomState(seed)
    for _ in range(n_seeded_params):
        rng.randint(np.iinfo(np.int32).max)
    return StratifiedKFold(n_splits, shuffle=True, random_state=rng)


# ----------------------------------------------------------- InstanceHardnessThreshold
@pytest.mark.parametrize(
    "estimator, strategy, n_seeded",
    [
        (LogisticRegression(), "auto", 1),
        (GaussianNB(), {0: 10, 1: 20}, 0),
        # every probability ties: all rows are at the threshold and are kept
        (DummyClassifier(strategy="prior"), "auto", 1),
    ],
)
def test_iht_equals_imblearn_with_a_deterministic_classifier(data, estimator, strategy, n_seeded):
    X, y = data
    theirs = ImbIHT(estimator=estimator, sampling_strategy=strategy, random_state=3)
    X_theirs, y_theirs = theirs.fit_resample(X, y)
    ours = fs.InstanceHardnessThreshold(
        estimator=estimator, sampling_strategy=strategy, cv=imblearn_folds(3, 5, n_seeded)
    )
    X_ours, y_ours = ours.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    np.testing.assert_array_equal(X_ours, X_theirs)
    np.testing.assert_array_equal(y_ours, y_theirs)


class _SparseOnlyLogisticRegression(LogisticRegression):
    """Refuses dense X: shows the classifier is given the sparse matrix."""

    def fit(self, X, y):
        assert sparse.issparse(X) and X.format == "csr"
        return super().fit(X, y)


class _SparseOnlyTree(DecisionTreeClassifier):
    """Refuses dense X: shows the classifier is given the sparse matrix."""

    def fit(self, X, y):
        assert sparse.issparse(X) and X.format == "csr"
        return super().fit(X, y)


@pytest.mark.parametrize(
    "dtype, make", [(np.float64, sparse.csr_matrix), (np.float32, sparse.csc_array)]
)
def test_iht_sparse_X_keeps_the_dense_rows(data, dtype, make):
    """The same seeded tree (its random_state filled from the sampler's key) on the
    sparse and the dense rows; the rows come back in the input's format."""
    X, y = data
    X = np.where(np.abs(X) > 0.7, X, 0).astype(dtype)  # about half the entries zero
    dense = fs.InstanceHardnessThreshold(estimator=DecisionTreeClassifier(), random_state=0)
    X_dense, y_dense = dense.fit_resample(X, y)
    M = make(X)
    before = M.copy()
    iht = fs.InstanceHardnessThreshold(estimator=_SparseOnlyTree(), random_state=0)
    X_res, y_res = iht.fit_resample(M, y)
    assert type(X_res) is type(M) and X_res.dtype == dtype
    np.testing.assert_array_equal(iht.sample_indices_, dense.sample_indices_)
    assert (X_res.toarray() == X_dense).all()
    np.testing.assert_array_equal(y_res, y_dense)
    assert (M != before).nnz == 0


def test_iht_equals_imblearn_on_sparse_X(data):
    X, y = data
    M = sparse.csr_matrix(np.where(np.abs(X) > 0.7, X, 0))
    theirs = ImbIHT(estimator=LogisticRegression(), random_state=3)
    X_theirs, y_theirs = theirs.fit_resample(M, y)
    ours = fs.InstanceHardnessThreshold(estimator=LogisticRegression(), cv=imblearn_folds(3, 5, 1))
    X_ours, y_ours = ours.fit_resample(M, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    assert type(X_ours) is type(X_theirs) and (X_ours != X_theirs).nnz == 0
    np.testing.assert_array_equal(y_ours, y_theirs)


def test_iht_with_a_splitter_matches_the_definition(data):
    """Plain reference: cross-validated probability of the own class, per-class
    percentile threshold, rows at or above it kept in input order."""
    X, y = data
    y = np.where(y == 1, "b", "a")  # string labels (imbalanced-learn 0.14.2 fails on them)
    cv = KFold(4)
    iht = fs.InstanceHardnessThreshold(estimator=LogisticRegression(), cv=cv)
    X_res, y_res = iht.fit_resample(X, y)
    codes = (y == "b").astype(int)
    proba = cross_val_predict(LogisticRegression(), X, codes, cv=KFold(4), method="predict_proba")
    own = proba[np.arange(y.size), codes]
    minority, majority = ("a", "b") if np.sum(y == "a") < np.sum(y == "b") else ("b", "a")
    rows = np.flatnonzero(y == majority)
    threshold = np.percentile(own[rows], (1 - np.sum(y == minority) / rows.size) * 100)
    kept = {majority: rows[own[rows] >= threshold], minority: np.flatnonzero(y == minority)}
    expected = np.concatenate([kept["a"], kept["b"]])
    np.testing.assert_array_equal(iht.sample_indices_, expected)
    np.testing.assert_array_equal(X_res, X[expected])
    np.testing.assert_array_equal(y_res, y[expected])
    assert cv.get_n_splits() == 4 and cv.shuffle is False  # the user's object untouched


def test_iht_labels_are_read_by_class_not_by_value(data):
    X, y = data
    kw = {"estimator": LogisticRegression(), "random_state": 0}
    _, y_codes = fs.InstanceHardnessThreshold(**kw).fit_resample(X, y)
    iht = fs.InstanceHardnessThreshold(**kw)
    _, y_shifted = iht.fit_resample(X, y + 5)
    np.testing.assert_array_equal(y_shifted, y_codes + 5)


def test_iht_same_rows_for_any_n_jobs_and_seeds_as_documented(data):
    X, y = data
    forest = RandomForestClassifier(n_estimators=8)
    runs = [
        fs.InstanceHardnessThreshold(estimator=forest, random_state=1, n_jobs=n) for n in (1, 2, 1)
    ]
    with parallel_backend("threading"):  # parallel fits without starting processes
        for iht in runs:
            iht.fit_resample(X, y)
    for iht in runs[1:]:
        np.testing.assert_array_equal(iht.sample_indices_, runs[0].sample_indices_)
    seed = runs[0].estimator_.random_state
    assert isinstance(seed, int) and forest.random_state is None  # filled in the clone only
    kept = fs.InstanceHardnessThreshold(
        estimator=make_pipeline(RandomForestClassifier(random_state=5)), random_state=1
    )
    kept.fit_resample(X, y)
    assert kept.estimator_.steps[0][1].random_state == 5  # the user's seed is kept


def test_iht_default_estimator_and_cv_forms(data):
    X, y = data
    iht = fs.InstanceHardnessThreshold(random_state=0, cv=3)
    iht.fit_resample(X[:60], y[:60])
    assert isinstance(iht.estimator_, RandomForestClassifier)
    assert isinstance(iht.estimator_.random_state, int)
    splits = list(KFold(3).split(X[:60]))
    by_list = fs.InstanceHardnessThreshold(estimator=GaussianNB(), cv=splits)
    by_object = fs.InstanceHardnessThreshold(estimator=GaussianNB(), cv=KFold(3))
    by_list.fit_resample(X[:60], y[:60])
    by_object.fit_resample(X[:60], y[:60])
    np.testing.assert_array_equal(by_list.sample_indices_, by_object.sample_indices_)


# imbalanced-learn's test_instance_hardness_threshold.py, adapted
def test_imblearn_iht_fit_resample_cases():
    gb = GradientBoostingClassifier(random_state=0)
    for estimator, strategy, shape in [
        (gb, "auto", (12, 2)),
        (GaussianNB(), {0: 3, 1: 3}, (6, 2)),
        (make_pipeline(GaussianNB()), "auto", (12, 2)),  # a pipeline is a classifier
    ]:
        iht = fs.InstanceHardnessThreshold(
            estimator=estimator, sampling_strategy=strategy, random_state=0
        )
        X_res, y_res = iht.fit_resample(X_IHT, Y_IHT)
        assert X_res.shape == shape and y_res.shape == shape[:1]
    # test_iht_fit_resample_default_estimator: see test_iht_default_estimator_and_cv_forms


def test_imblearn_iht_reproducibility_replaced():
    """imbalanced-learn gives the same rows whatever seed the classifier holds (it
    replaces that seed); fastsmote keeps the classifier's seed, so the same seeds give
    the same rows."""
    X, y = make_classification(n_samples=150, n_classes=3, n_informative=3, random_state=0)
    runs = []
    for _ in range(2):
        est = RandomForestClassifier(n_estimators=5, random_state=4)
        iht = fs.InstanceHardnessThreshold(estimator=est, random_state=0)
        iht.fit_resample(X, y)
        runs.append(iht.sample_indices_)
    np.testing.assert_array_equal(*runs)


class _ProbaNotClassifier(BaseEstimator):
    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"estimator": LinearSVC()}, "'estimator' parameter .* 'fit' and 'predict_proba'"),
        ({"estimator": _ProbaNotClassifier()}, "must be a classifier"),
        ({"cv": 1}, "'cv' parameter"),
        ({"cv": "five"}, "'cv' parameter"),
        ({"cv": 90}, r"cv=90 .*largest class: 84 rows\); use cv <= 84"),
    ],
)
def test_iht_bad_parameters_get_clear_errors(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        fs.InstanceHardnessThreshold(**params).fit_resample(X, y)


# ------------------------------------------------------------------- ClusterCentroids
@pytest.mark.parametrize(
    "voting, strategy",
    [("soft", "auto"), ("auto", {0: 10, 1: 30}), ("hard", {1: 6})],
)
def test_cc_equals_imblearn_with_a_seeded_kmeans(data, voting, strategy):
    X, y = data
    kmeans = KMeans(n_clusters=2, n_init=1, random_state=7)
    theirs = ImbCC(estimator=kmeans, voting=voting, sampling_strategy=strategy)
    ours = fs.ClusterCentroids(estimator=kmeans, voting=voting, sampling_strategy=strategy)
    X_theirs, y_theirs = theirs.fit_resample(X, y)
    X_ours, y_ours = ours.fit_resample(X, y)
    np.testing.assert_array_equal(X_ours, X_theirs)
    np.testing.assert_array_equal(y_ours, y_theirs)
    assert ours.voting_ == theirs.voting_
    assert ours.estimator_.random_state == 7
    assert hasattr(ours, "sample_indices_") is (voting == "hard")
    ours.set_params(voting="soft").fit_resample(X, y)
    assert not hasattr(ours, "sample_indices_")  # a soft refit leaves no stale indices


def test_cc_hard_voting_takes_the_nearest_row_lower_row_on_ties():
    """Integer rows: a two-row cluster's centre is their exact midpoint, a tie."""
    X = np.array([[0, 0], [2, 0], [10, 10], [10, 12], [50, 50], [52, 50], [5, 90], [7, 90]])
    X = np.r_[X, [[100, 100], [104, 100]]].astype(float)
    y = np.r_[np.zeros(8, int), np.ones(2, int)]
    cc = fs.ClusterCentroids(
        estimator=KMeans(n_init=1, random_state=0), voting="hard", sampling_strategy={0: 4}
    )
    X_res, _ = cc.fit_resample(X, y)
    centres = cc.estimator_.cluster_centers_
    d = ((X[:8, None, :] - centres[None]) ** 2).sum(-1)  # naive: every row to every centre
    expected = np.argmin(d, axis=0)  # the first minimum: the lower row
    np.testing.assert_array_equal(cc.sample_indices_[:4], expected)
    np.testing.assert_array_equal(X_res[:4], X[expected])
    assert set(expected.tolist()) == {0, 2, 4, 6}


@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_default_clusterings_refuse_magnitudes_their_distances_cannot_hold(data, layout):
    """scikit-learn's KMeans sees every row alike where squared distances underflow
    (or every distance infinite where they overflow): a clear error, for the default
    clusterings of ClusterCentroids and KMeansSMOTE; within range, the centres scale
    with the data."""
    X, y = data
    X = X.astype(np.float64)
    wrap = sparse.csr_matrix if layout == "csr" else np.asarray
    samplers = [
        lambda: fs.ClusterCentroids(random_state=0, voting="soft"),
        lambda: fs.KMeansSMOTE(random_state=0, kmeans_estimator=2, cluster_balance_threshold=0),
    ]
    for make in samplers:
        for power, match in ((-1000, "below the smallest normal"), (1000, "can exceed")):
            with pytest.raises(ValueError, match=match):
                make().fit_resample(wrap(np.ldexp(X, power)), y)
    given = fs.ClusterCentroids(random_state=0, estimator=KMeans(n_init=1, random_state=0))
    given.fit_resample(wrap(np.ldexp(X, -1000)), y)  # a model given is its own business
    if layout == "dense":
        expected = samplers[0]().fit_resample(X, y)[0]
        got = samplers[0]().fit_resample(np.ldexp(X, -480), y)[0]
        np.testing.assert_array_equal(np.ldexp(got, 480), expected)


def test_cc_seeds_n_jobs_and_record(data):
    X, y = data
    runs = [fs.ClusterCentroids(random_state=2, voting="hard", n_jobs=n) for n in (1, 2)]
    for cc in runs:
        cc.fit_resample(X, y)
    np.testing.assert_array_equal(runs[0].sample_indices_, runs[1].sample_indices_)
    assert isinstance(runs[0].estimator_.random_state, int)
    soft = fs.ClusterCentroids(random_state=2)
    X_res, y_res = soft.fit_resample(X, y)
    record = soft.record()
    n_minority = int(np.sum(y == 0))
    assert record.n_synthetic == n_minority and record.n_removed == int(np.sum(y == 1))
    assert record.counts_after() == {0: n_minority, 1: n_minority}


def test_cc_soft_rows_have_no_origin_and_a_pipeline_says_so(data):
    X, y = data
    weight = np.linspace(1, 2, y.size)
    soft = fs_make_pipeline(fs.ClusterCentroids(random_state=0), LogisticRegression())
    with pytest.raises(AttributeError, match="cluster centres, each the mean of many input"):
        soft.fit(X, y, logisticregression__sample_weight=weight)
    hard = fs.ClusterCentroids(random_state=0, voting="hard")
    hard.fit_resample(X, y)
    np.testing.assert_array_equal(
        hard.row_origins(X, y).take(weight), weight[hard.sample_indices_]
    )


def test_cc_centres_are_marked_added_in_a_table(data):
    pa = pytest.importorskip("pyarrow")
    from fastsmote.io import resample_table

    X, y = data
    table = pa.table({"a": X[:, 0], "b": X[:, 1], "id": np.arange(y.size), "y": y})
    out, _ = resample_table(
        table, "y", fs.ClusterCentroids(random_state=0), passthrough=["id"],
        synthetic_column="added",
    )  # fmt: skip
    added = out.column("added").to_numpy()
    labels = out.column("y").to_numpy()
    np.testing.assert_array_equal(added, labels == 1)  # class 1's rows are centres
    assert out.column("id").null_count == int(added.sum())


# imbalanced-learn's test_cluster_centroids.py, adapted
def test_imblearn_cc_cases():
    cc = fs.ClusterCentroids(random_state=0)
    assert cc.fit_resample(X_CC, Y_CC)[0].shape == (6, 2)
    assert cc.voting_ == "soft"
    cc.fit_resample(sparse.csr_matrix(X_CC), Y_CC)
    assert cc.voting_ == "hard"  # 'auto' for sparse X
    cc = fs.ClusterCentroids(sampling_strategy={0: 3, 1: 6}, random_state=0)
    assert cc.fit_resample(X_CC, Y_CC)[1].shape == (9,)
    y = Y_CC.copy()
    y[5] = y[6] = 2
    _, y_res = fs.ClusterCentroids(random_state=0).fit_resample(X_CC, y)
    assert np.bincount(y_res).tolist() == [2, 2, 2]
    cluster = KMeans(random_state=0, n_init=1)
    cc = fs.ClusterCentroids(random_state=0, estimator=cluster, voting="hard")
    X_res, _ = cc.fit_resample(X_CC, Y_CC)
    assert X_res.shape == (6, 2)
    assert all(np.any(np.all(x == X_CC, axis=1)) for x in X_res)


def test_imblearn_cc_hard_target_class():
    X, y = make_classification(
        n_samples=300, n_features=2, n_informative=1, n_redundant=0, n_repeated=0,
        n_clusters_per_class=1, weights=[0.3, 0.7], class_sep=0.01, random_state=0,
    )  # fmt: skip
    X_res, y_res = fs.ClusterCentroids(voting="hard", random_state=0).fit_resample(X, y)
    minority = {tuple(row) for row in X[y == 0]}
    assert not any(tuple(row) in minority for row in X_res[y_res == 1])


def test_imblearn_cc_custom_clusterer_and_errors(data):
    X, y = data
    cc = fs.ClusterCentroids(estimator=_CustomClusterer(), random_state=0)
    cc.fit_resample(X_CC, Y_CC)
    assert isinstance(cc.estimator_.cluster_centers_, np.ndarray)
    cc = fs.ClusterCentroids(estimator=_CustomClusterer(expose_cluster_centers=False))
    with pytest.raises(RuntimeError, match="exposing a fitted parameter `cluster_centers_`"):
        cc.fit_resample(X_CC, Y_CC)
    with pytest.raises(ValueError, match="exposing a parameter `n_clusters`"):
        fs.ClusterCentroids(estimator=LogisticRegression()).fit_resample(X_CC, Y_CC)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: fs.ClusterCentroids(voting="majority"), "'voting' parameter"),
        (lambda: fs.ClusterCentroids(sampling_strategy={1: 0}), "at least one cluster"),
        (lambda: fs.ClusterCentroids(estimator="kmeans"), "'estimator' parameter"),
    ],
)
def test_cc_bad_parameters_get_clear_errors(data, make, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        make().fit_resample(X, y)


@pytest.mark.parametrize(
    "sampler",
    [
        fs.ClusterCentroids(random_state=0),
        fs.InstanceHardnessThreshold(estimator=GaussianNB()),
        fs.TomekLinks(),  # the cleaners return their container too: out= is refused,
        fs.EditedNearestNeighbours(),  # not silently left unwritten
    ],
    ids=lambda s: type(s).__name__,
)
def test_out_is_refused(data, sampler):
    X, y = data
    out = np.zeros_like(X)
    with pytest.raises(ValueError, match="does not support out="):
        sampler.fit_resample(X, y, out=out)
    assert not out.any()


def sparse_cc_data(seed=0, n=120, d=8):
    """Continuous values, about half of them zero: no two rows equally near a centre
    of the few clusters asked for."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    X[X < 0.5] = 0
    return X, np.r_[np.zeros(n - n // 4, int), np.ones(n // 4, int)]


@pytest.mark.parametrize(
    "voting, strategy, make",
    [
        ("soft", "auto", sparse.csr_matrix),
        ("soft", {0: 10}, sparse.csc_matrix),  # imbalanced-learn returns COO here
        ("auto", {0: 6}, sparse.csr_array),
        ("hard", {0: 6, 1: 4}, sparse.coo_matrix),
    ],
)
def test_cc_equals_imblearn_on_sparse_X(voting, strategy, make):
    """Both cluster the sparse rows (the same centres); the output format is the
    input's (CSC for CSC, else CSR; a sparse array stays one)."""
    X, y = sparse_cc_data()
    M = make(X)
    before = M.copy()
    kmeans = KMeans(n_clusters=2, n_init=1, random_state=7)
    theirs = ImbCC(estimator=kmeans, voting=voting, sampling_strategy=strategy)
    ours = fs.ClusterCentroids(estimator=kmeans, voting=voting, sampling_strategy=strategy)
    X_theirs, y_theirs = theirs.fit_resample(M, y)
    X_ours, y_ours = ours.fit_resample(M, y)
    kind = {"coo_matrix": sparse.csr_matrix}.get(type(M).__name__, type(M))
    assert type(X_ours) is kind and X_ours.dtype == np.float64
    assert (X_ours != X_theirs).nnz == 0
    np.testing.assert_array_equal(y_ours, y_theirs)
    assert ours.voting_ == theirs.voting_ == ("soft" if voting == "soft" else "hard")
    assert (M != before).nnz == 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cc_hard_voting_on_sparse_X_takes_the_dense_rows(dtype):
    X, y = sparse_cc_data(1)
    X = X.astype(dtype)
    # few clusters: KMeans's centres on sparse rows may differ from its centres on dense
    # rows in the last bits, never enough to change a nearest row without near-ties
    kmeans, strategy = KMeans(n_init=1, random_state=0), {0: 6, 1: 5}
    dense = fs.ClusterCentroids(estimator=kmeans, voting="hard", sampling_strategy=strategy)
    X_dense, y_dense = dense.fit_resample(X, y)
    ours = fs.ClusterCentroids(estimator=kmeans, sampling_strategy=strategy)  # 'auto': hard
    X_res, y_res = ours.fit_resample(sparse.csr_matrix(X), y)
    np.testing.assert_array_equal(ours.sample_indices_, dense.sample_indices_)
    assert X_res.dtype == dtype and (X_res.toarray() == X_dense).all()
    np.testing.assert_array_equal(y_res, y_dense)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_points_search_on_sparse_rows_in_blocks_is_the_dense_search(dtype):
    """ClusterCentroids' hard voting on sparse X: the door's search for other points
    among CSR rows, 8 rows at a time (1 MiB of 16,384 float64 features; 16 of float32):
    the lists merged across blocks are the dense search's, a tie across blocks to the
    lower row."""
    from fastsmote.neighbors import kneighbors

    rng = np.random.default_rng(2)
    n, d = 40, 16_384
    X = np.zeros((n, d), dtype=dtype)
    for i in range(n):
        X[i, rng.integers(0, d, 6)] = np.round(rng.random(6), 1)
    X[33] = X[3]  # a duplicate in a later block: equally near every point
    centres = np.vstack([X[3], X[[5, 30]].mean(0), X[20] + 0.25, X[10:30].mean(0)])
    centres = centres.astype(dtype)
    M = sparse.csr_matrix(X)
    expected = np.argmin(((X[None] - centres[:, None]) ** 2).sum(-1), axis=1)
    with fs.config_context(working_memory=1):
        for k in (1, 3):
            got = kneighbors(M, k, points=centres, backend="exact").indices
            dense = kneighbors(X, k, points=centres, backend="exact").indices
            np.testing.assert_array_equal(got, dense)
    np.testing.assert_array_equal(got[:, 0], expected)
    assert got[0, 0] == 3 and got[0, 1] == 33
    for data in (X, M):  # more neighbours than rows: the same error, dense or sparse
        with pytest.raises(ValueError, match=r"n_neighbors must be in \[1, 40\]"):
            kneighbors(data, 41, points=centres, backend="exact")
    # rows too close together for squared distances: scaled as the dense search scales
    tiny = np.ldexp(X.astype(np.float64), -600)
    tiny_centres = np.ldexp(centres.astype(np.float64), -600)
    got = kneighbors(sparse.csr_matrix(tiny), 3, points=tiny_centres).indices
    np.testing.assert_array_equal(got, kneighbors(tiny, 3, points=tiny_centres).indices)
    np.testing.assert_array_equal(got[:, 0], expected)


def test_cc_no_dense_copy_of_a_large_sparse_matrix():
    """20,000 x 6,000 at 0.05% density: 960 MB dense. Hard voting searches blocks of
    rows within working_memory; neither voting densifies the matrix or a class."""
    import tracemalloc

    n, d = 20_000, 6_000
    rng = np.random.default_rng(0)
    rows, columns = np.repeat(np.arange(n), 3), rng.integers(0, d, n * 3)
    X = sparse.csr_matrix((rng.random(n * 3), (rows, columns)), shape=(n, d))
    y = np.r_[np.zeros(n - 4, int), np.ones(4, int)]
    for voting in ("hard", "soft"):
        cc = fs.ClusterCentroids(estimator=KMeans(n_init=1, random_state=0), voting=voting)
        cc.fit_resample(X[-100:], y[-100:])  # compiled (or loaded) before tracing
        with fs.config_context(working_memory=3):
            tracemalloc.start()
            X_res, _ = cc.fit_resample(X, y)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert sparse.issparse(X_res) and X_res.shape == (8, d)
        assert peak < n * d * 8 / 100, (voting, peak)


def test_hard_voting_tags_say_it_sets_sample_indices():
    """imbalanced-learn's check_samplers_sample_indices on both votings (the estimator
    checks run on soft voting only)."""
    for voting in ("hard", "soft"):
        sampler = fs.ClusterCentroids(random_state=0, voting=voting)
        assert get_tags(sampler).sampler_tags.sample_indices is (voting == "hard")
        check_samplers_sample_indices("ClusterCentroids", sampler)


def test_streams_are_registered():
    assert STREAMS["hardness cross-validation"] == ("class key", 7)
    assert STREAMS["clustering"] == ("class key", 8)
