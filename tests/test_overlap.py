"""overlap_report: typology against hand-built data and a brute-force NumPy reference."""

import json

import numpy as np
import pytest

import fastsmote
from fastsmote import SMOTE
from fastsmote.diagnostics import OverlapReport, _overlap, overlap_report
from fastsmote.neighbors import exact_kneighbors


# --------------------------------------------------------------------------- references
def brute_neighbors(X, queries, k):
    """k nearest rows among all rows (query excluded by position, ties to lower row)."""
    out = []
    for q in queries:
        d = ((X - X[q]) ** 2).sum(axis=1)
        d[q] = np.inf
        out.append(np.argsort(d, kind="stable")[:k])
    return np.array(out)


def brute_typology(X, y, label, k):
    rows = np.flatnonzero(y == label)
    same = (y[brute_neighbors(X, rows, k)] == label).sum(axis=1)
    share = same / k
    counts = {
        "safe": int((share >= 0.7).sum()),
        "borderline": int(((share >= 0.3) & (share < 0.7)).sum()),
        "rare": int(((share > 0) & (share < 0.3)).sum()),
        "outlier": int((share == 0).sum()),
    }
    return counts, float(1 - share.mean())


def gaussian(shift, n_major=400, n_minor=60, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.standard_normal((n_major, d)), rng.standard_normal((n_minor, d)) + shift])
    return X, np.repeat([0, 1], [n_major, n_minor])


def hand_built():
    """Minority rows whose types are known: 6 safe, 3 borderline, 2 rare, 1 outlier."""
    grid = np.array([(i, j) for i in range(10) for j in range(10)], dtype=float)
    safe = np.array(
        [(100, 100), (100, 100.1), (100.1, 100), (100.1, 100.1), (100, 99.9), (99.9, 100)]
    )
    border_min = np.array([(200, 0), (200, 0.1), (200.1, 0)])
    border_maj = np.array([(200.1, 0.1), (199.9, 0), (200, -0.1)])
    rare = np.array([(2.5, 2.5), (2.6, 2.5)])  # two together among the grid
    outlier = np.array([(6.5, 6.5)])  # alone among the grid
    X = np.vstack([grid, border_maj, safe, border_min, rare, outlier])
    y = np.repeat([0, 1], [103, 12])
    return X, y


# --------------------------------------------------------------------------- typology
def test_hand_built_typology_is_known():
    X, y = hand_built()
    report = overlap_report(X, y, n_neighbors=5)
    assert report.classes == [1]
    assert report.counts[1] == {"safe": 6, "borderline": 3, "rare": 2, "outlier": 1}
    assert report.typology[1]["safe"] == pytest.approx(6 / 12)
    assert report.n_rows[1] == 12
    # other-class neighbours: safe 0, borderline 3 each, rare 4 each, outlier 5
    assert report.overlap[1] == pytest.approx((3 * 3 + 2 * 4 + 5) / (12 * 5))
    assert report.counts[1] == brute_typology(X, y, 1, 5)[0]


@pytest.mark.parametrize("k", [1, 3, 5, 7, 10])
def test_typology_matches_brute_force(overlapping, k):
    X, y = overlapping
    report = overlap_report(X, y, n_neighbors=k)
    assert report.classes == [1, 2]
    for label in (1, 2):
        counts, overlap = brute_typology(X, y, label, k)
        assert report.counts[label] == counts
        assert report.overlap[label] == pytest.approx(overlap)
        assert sum(report.typology[label].values()) == pytest.approx(1.0)


def test_five_neighbour_rule_is_napierala_stefanowski():
    same = np.arange(6)  # 0..5 same-class neighbours out of 5
    cats = [_overlap.typology_counts(np.array([s]), 5) for s in same]
    kinds = [next(c for c, n in d.items() if n) for d in cats]
    assert kinds == ["outlier", "rare", "borderline", "borderline", "safe", "safe"]


def test_overlap_score_and_smote_landing_order():
    separated = overlap_report(*gaussian(6.0))
    overlapping = overlap_report(*gaussian(0.5))
    assert separated.overlap_score < 0.05 < 0.5 < overlapping.overlap_score
    s_sep, s_ov = separated.smote[1], overlapping.smote[1]
    assert s_sep["share"] < 0.05 and s_ov["share"] > 0.3
    assert s_sep["ci95"][1] < s_ov["ci95"][0]
    assert s_ov["n_synthetic"] == 340 and s_ov["n_simulated"] == 340
    assert s_ov["estimated_rows"] == round(s_ov["share"] * 340)


def test_smote_estimate_uses_smotes_own_rows():
    X, y = gaussian(1.0)
    report = overlap_report(X, y, smote_samples=10_000, random_state=3)
    X_res, _ = SMOTE(random_state=3).fit_resample(X, y)
    synthetic = X_res[y.size :]
    landed = 0
    for row in synthetic:
        d = ((X - row) ** 2).sum(axis=1)
        nearest = np.argsort(d, kind="stable")[:5]
        landed += (y[nearest] != 1).sum() > 2.5
    assert report.smote[1]["share"] == pytest.approx(landed / synthetic.shape[0])


def test_smote_sample_is_capped_and_majority_is_not_simulated():
    X, y = gaussian(1.0)
    report = overlap_report(X, y, classes=[0, 1], smote_samples=50)
    assert report.smote[0] is None
    assert report.smote[1]["n_simulated"] == 50
    assert "not over-sampled" in report.to_text()


# --------------------------------------------------------------------------- text
def pct(x):
    return f"{100 * x:.1f}%"


def test_text_describes_the_numbers_and_gives_no_verdict():
    for shift in (0.3, 1.0, 1.5, 6.0):  # scattered, mostly borderline, mixed, separated
        report = overlap_report(*gaussian(shift))
        t, sm = report.typology[1], report.smote[1]
        text = report.recommendation[1]
        assert text.startswith("Class 1 (60 rows): ")
        for kind in ("safe", "borderline", "rare", "outlier"):
            assert f"{pct(t[kind])} {kind}" in text
        assert f"{pct(report.overlap[1])} of a row's 5 nearest rows" in text
        assert pct(sm["share"]) in text and f"~{sm['estimated_rows']:,} rows" in text
        assert "uncertain by +/-13 points or more" in text
        assert "compare_strategies" in text
        for verdict in ("Prefer", "prefer", "class weights", "likely", "unlikely", "consider"):
            assert verdict not in text
        assert "depends on the model" in report.to_text()
    assert "scattered" in overlap_report(*gaussian(0.3)).recommendation[1]
    assert "sit among their own class" in overlap_report(*gaussian(6.0)).recommendation[1]


def test_unscaled_features_get_a_warning():
    pd = pytest.importorskip("pandas")
    X, y = gaussian(1.0)
    frame = pd.DataFrame(X * [1.0, 5000.0, 0.01], columns=["age", "income", "ratio"])
    report = overlap_report(frame, y)
    assert report.feature_scale["largest"] == "income"
    assert report.feature_scale["smallest"] == "ratio"
    assert report.feature_scale["std_ratio"] == pytest.approx(
        X[:, 1].std() * 5000 / (X[:, 2].std() * 0.01)
    )
    (warning,) = report.warnings
    assert "'income'" in warning and "Standardise" in warning
    assert "Warning: " + warning in report.to_text()
    assert report.to_dict()["warnings"] == [warning]
    assert overlap_report(X, y).warnings == []  # comparable scales
    constant = np.column_stack([X, np.full(y.size, 0.1)])  # a constant column is no scale
    assert overlap_report(constant, y).warnings == []


def test_feature_scale_of_tiny_values_is_not_zero():
    """A feature of values ~1e-180: its squares underflow float64, so its standard
    deviation is taken scaled by a power of two (else 0, and the ratio infinite)."""
    X, y = gaussian(1.0)
    X = X.astype(np.float64)
    tiny = X.copy()
    tiny[:, 1] = np.ldexp(X[:, 1], -600)
    scale = overlap_report(tiny, y).feature_scale
    assert scale["smallest"] == 1
    others = X[:, [0, 2]].std(axis=0).max()
    assert scale["std_ratio"] == pytest.approx(others / np.ldexp(X[:, 1].std(), -600))


def test_large_class_is_sampled_and_says_so():
    X, y = gaussian(1.0, n_major=600, n_minor=300)
    full = overlap_report(X, y, max_rows=None)
    sampled = overlap_report(X, y, max_rows=100)
    assert full.n_analysed[1] == 300 and sampled.n_analysed[1] == 100
    assert sampled.n_rows[1] == 300 and sum(sampled.counts[1].values()) == 100
    assert "sample of 100 of 300 rows" in sampled.recommendation[1]
    assert "sample of 100" in sampled.to_text()
    # a sample of a third of the rows gives shares close to the full analysis
    assert abs(sampled.typology[1]["safe"] - full.typology[1]["safe"]) < 0.2
    assert overlap_report(X, y, max_rows=100).counts == sampled.counts  # seeded


def test_tiny_class_is_flagged_uncertain():
    X, y = gaussian(4.0, n_minor=8)
    report = overlap_report(X, y)
    assert "uncertain" in report.recommendation[1]
    assert report.smote[1]["k_neighbors"] == 5


def test_smote_k_is_never_lowered_for_a_tiny_class():
    X, y = gaussian(1.0, n_minor=4)
    with pytest.raises(ValueError, match="needs at least 6") as error:
        SMOTE().fit_resample(X, y)  # what SMOTE does with 4 rows and k_neighbors=5
    assert "Class 1 has 4 row(s)" in str(error.value)
    with pytest.raises(ValueError, match=r"Class 1 has 4 row\(s\) but smote_k_neighbors=5 "):
        overlap_report(X, y)
    report = overlap_report(X, y, smote_k_neighbors=3, random_state=5)
    assert report.smote[1]["k_neighbors"] == 3
    assert "SMOTE (k_neighbors=3)" in report.recommendation[1]
    X_res, _ = SMOTE(k_neighbors=3, random_state=5).fit_resample(X, y)
    nearest = [
        np.argsort(((X - row) ** 2).sum(axis=1), kind="stable")[:5] for row in X_res[y.size :]
    ]
    landed = [(y[nb] != 1).sum() > 2.5 for nb in nearest]
    assert report.smote[1]["share"] == pytest.approx(np.mean(landed))
    assert overlap_report(X, y, classes=[0]).smote[0] is None  # majority: not simulated
    with pytest.raises(ValueError, match="smote_k_neighbors must be an int"):
        overlap_report(X, y, smote_k_neighbors=0)


def test_class_tied_with_the_majority_is_not_refused_for_smote_k():
    # SMOTE adds no row to a class as large as the majority, so it never refuses it for
    # k_neighbors: the report must not either
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 2)), np.repeat([0, 1], 5)
    assert SMOTE().fit_resample(X, y)[0].shape == (10, 2)
    report = overlap_report(X, y, n_neighbors=3)
    assert report.classes == [1] and report.smote[1] is None


def test_landing_interval_covers_the_share_of_the_data_distribution():
    # Many data sets from one distribution: the interval of each report should contain
    # the mean share (the expected share at this class size) about 95% of the time.
    # Treating the 270 simulated rows as independent covers it ~40% of the time.
    with fastsmote.config_context(n_threads=1):  # tiny data: no thread start-up per call
        reports = [
            overlap_report(*gaussian(2.0, n_major=300, n_minor=30, d=2, seed=s), random_state=s)
            for s in range(400)
        ]
    shares = np.array([r.smote[1]["share"] for r in reports])
    intervals = np.array([r.smote[1]["ci95"] for r in reports])
    truth = shares.mean()
    coverage = np.mean((intervals[:, 0] <= truth) & (truth <= intervals[:, 1]))
    assert 0.88 <= coverage <= 0.99
    assert np.all(intervals[:, 0] <= shares) and np.all(shares <= intervals[:, 1])


def test_to_dict_json_round_trip_text_and_frame():
    X, y = gaussian(1.0)
    labels = np.where(y == 1, "fraud", "ok")
    report = overlap_report(X, labels)
    assert isinstance(report, OverlapReport)
    d = report.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["classes"][0]["label"] == "fraud"
    assert d["class_counts"] == [{"label": "fraud", "n_rows": 60}, {"label": "ok", "n_rows": 400}]
    int_d = overlap_report(X, y.astype(np.int32)).to_dict()
    assert type(int_d["classes"][0]["label"]) is int
    assert json.loads(json.dumps(int_d)) == int_d
    text = report.to_text()
    assert "fraud" in text and "Overlap score" in text and "Per class" in text
    frame = report.to_frame()
    assert list(frame.index) == ["fraud"]
    assert frame.loc["fraud", "safe"] == pytest.approx(report.typology["fraud"]["safe"])


def test_class_selection(three_class_data):
    X, y = three_class_data  # 80 / 25 / 12 rows
    assert overlap_report(X, y).classes == [1, 2]
    assert overlap_report(X, y, classes="minority").classes == [2]
    assert overlap_report(X, y, classes=[0]).classes == [0]
    with pytest.raises(ValueError, match="not among the labels"):
        overlap_report(X, y, classes=[7])


def test_approx_backend_follows_the_resolve_rule(monkeypatch, overlapping):
    X, y = overlapping
    calls = []

    def fake_approx(data, k, rows, key, method="nndescent", working_memory=None):
        calls.append(rows.size)
        return exact_kneighbors(data, k, rows)

    import fastsmote.neighbors._search as search

    monkeypatch.setattr(search, "approx_kneighbors", fake_approx)
    approx = overlap_report(X, y, neighbors="approx")
    exact = overlap_report(X, y, neighbors="exact")
    assert approx.neighbors_backend == {1: "approx", 2: "approx"}
    assert exact.neighbors_backend == {1: "exact", 2: "exact"}
    assert approx.counts == exact.counts and calls
    assert overlap_report(X, y).neighbors_backend == {1: "exact", 2: "exact"}  # small: auto


# --------------------------------------------------------------------------- errors
def test_bad_input_messages():
    X, y = gaussian(1.0)
    X_nan = X.copy()
    X_nan[7, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN \(first at row 7\)"):
        overlap_report(X_nan, y)
    with pytest.raises(ValueError, match="one class"):
        overlap_report(X, np.zeros(y.size))
    with pytest.raises(ValueError):
        overlap_report(X[:-1], y)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": X[:, 0], "b": ["x"] * y.size})
    with pytest.raises(ValueError, match=r"non-numeric columns \['b'\]"):
        overlap_report(frame, y)
    y_single = y.copy()
    y_single[0] = 2
    with pytest.raises(ValueError, match="Class 2 has 1 row"):
        overlap_report(X, y_single)
    with pytest.raises(ValueError, match=r"X has 5 row\(s\) but n_neighbors=5 .* <= 4\."):
        overlap_report(X[:5], np.array([0, 0, 0, 1, 1]))
    with pytest.raises(ValueError, match="n_neighbors must be an int"):
        overlap_report(X, y, n_neighbors=0)
    with pytest.raises(ValueError, match="neighbors must be one of"):
        overlap_report(X, y, neighbors="fast")


# --------------------------------------------------------------------------- command line
def test_diagnose_command_prints_the_description_and_the_scale_warning(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from fastsmote.cli import main

    X, y = gaussian(0.3)
    frame = pd.DataFrame(X * [1.0, 5000.0, 1.0], columns=["a", "income", "c"])
    frame["label"] = y
    path = tmp_path / "in.csv"
    frame.to_csv(path, index=False)
    assert main(["diagnose", str(path), "--target", "label", "-q"]) == 0
    out = capsys.readouterr().out
    assert "Warning: the features' standard deviations differ" in out and "'income'" in out
    assert "compare_strategies" in out and "Prefer" not in out and "class weights" not in out
    tiny = frame.iloc[:-56]  # 4 rows of class 1
    tiny.to_csv(path, index=False)
    assert main(["diagnose", str(path), "--target", "label", "-q"]) == 8
    assert (
        "4 row(s) but --smote-k 5 needs at least 6 (SMOTE refuses this class): use "
        + ("--smote-k 3 or lower.")
        in capsys.readouterr().err
    )
    assert main(["diagnose", str(path), "--target", "label", "-q", "--smote-k", "3"]) == 0
    assert "SMOTE (k_neighbors=3)" in capsys.readouterr().out


# --------------------------------------------------------------------------- ties
def brute_shared_same(X, queries, is_same, k, exclude_self=True):
    """Same-class neighbours with the rows tied at the k-th distance sharing the places
    left equally (a float per query)."""
    out = []
    for q in queries:
        point = X[q] if exclude_self else q
        d = ((X - point) ** 2).sum(axis=1)
        if exclude_self:
            d[q] = np.inf
        kth = np.sort(d)[k - 1]
        closer, tied = d < kth, d == kth
        out.append(is_same[closer].sum() + (k - closer.sum()) * is_same[tied].mean())
    return np.array(out)


def discrete(n=600, seed=0, share=0.15):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, size=(n, 3)).astype(float)  # 27 cells: ties everywhere
    y = (rng.random(n) < share).astype(int)
    return X, y


@pytest.mark.parametrize("k", [1, 5, 9])
def test_ties_at_the_kth_distance_are_shared_and_row_order_does_not_matter(k):
    X, y = discrete()
    rows = np.flatnonzero(y == 1)
    same = brute_shared_same(X, rows, y == 1, k)
    share = same / k
    expected = {
        "safe": int((share >= 0.7 - 1e-12).sum()),
        "borderline": int(((share >= 0.3 - 1e-12) & (share < 0.7 - 1e-12)).sum()),
        "rare": int(((share > 0) & (share < 0.3 - 1e-12)).sum()),
        "outlier": int((share == 0).sum()),
    }
    report = overlap_report(X, y, n_neighbors=k, max_rows=None, smote_samples=200)
    assert report.counts[1] == expected
    assert report.overlap[1] == pytest.approx(1 - share.mean(), abs=1e-12)
    assert report.warnings == []
    rng = np.random.default_rng(1)
    for order in (
        np.argsort(-y, kind="stable"),
        np.argsort(y, kind="stable"),
        rng.permutation(y.size),
    ):
        again = overlap_report(X[order], y[order], n_neighbors=k, max_rows=None, smote_samples=200)
        assert again.counts == report.counts
        assert again.overlap_score == pytest.approx(report.overlap_score, abs=1e-12)


def test_shared_neighbourhoods_of_points_and_of_fully_tied_rows():
    X, y = discrete(n=200, seed=2)
    points = np.random.default_rng(0).integers(0, 3, size=(50, 3)).astype(float)
    got = _overlap.shared_neighbourhoods(X, 5, y == 1, points=points)
    expected = brute_shared_same(X, points, y == 1, 5, exclude_self=False)
    np.testing.assert_allclose(got.same / got.ties, expected, atol=1e-12)
    # every row identical: each query's tie spans all the other rows
    X_same = np.zeros((40, 2))
    y_same = np.repeat([0, 1], [30, 10])
    got = _overlap.shared_neighbourhoods(X_same, 5, y_same == 1, queries=np.arange(30, 40))
    np.testing.assert_allclose(got.same / got.ties, 5 * 9 / 39)


def test_an_approximate_search_says_when_ties_follow_the_row_order(monkeypatch):
    X, y = discrete()

    def fake_approx(data, k, rows, key, method="nndescent", working_memory=None):
        return exact_kneighbors(data, k, rows)

    import fastsmote.neighbors._search as search

    monkeypatch.setattr(search, "approx_kneighbors", fake_approx)
    report = overlap_report(X, y, neighbors="approx", smote_samples=200)
    assert len(report.warnings) == 1
    assert "row position" in report.warnings[0] and "neighbors='exact'" in report.warnings[0]
