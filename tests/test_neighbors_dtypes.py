"""The arrays fastsmote.neighbors' public functions accept: float32/float64 rows of either
byte order and any layout search as the native C-contiguous rows do, integer rows and
codes of any integer dtype as the documented ones do, and anything else is refused by
name before it reaches a Numba kernel."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from fastsmote.neighbors import (
    approx_kneighbors,
    distance_sums,
    exact_kneighbors,
    exact_kneighbors_of,
    exact_kneighbors_of_points,
    kneighbors,
    kneighbors_between,
    mixed_kneighbors,
    store_vote_misses,
    vdm_kneighbors,
    vdm_pairwise,
    vdm_probabilities,
    vdm_table,
)

RNG = np.random.default_rng(3)
N_ROWS = 120  # above two approximate graph rows (2 x 25 slots): NN-descent runs
X = RNG.normal(size=(N_ROWS, 5))
X[10:13] = X[9]  # duplicates: ties, broken by position
POINTS = RNG.normal(size=(7, 5))
CODES = (X[:, :2] > 0).astype(np.int32)
LABELS = (X[:, 0] > 0.3).astype(np.int32)
ROWS = np.arange(0, N_ROWS, 2)
QUERIES = np.arange(1, N_ROWS, 3)
REFS = np.arange(0, N_ROWS, 4)
CANDIDATES = np.flatnonzero(LABELS == 1)[5:]
STORE = np.sort(np.concatenate([np.flatnonzero(LABELS == 0), np.flatnonzero(LABELS == 1)[:5]]))

# each public function on rows made by ``make`` (and points made alike)
SEARCHES = {
    "exact_kneighbors": lambda make: exact_kneighbors(make(X), 4, return_distance=True),
    "exact_kneighbors rows": lambda make: exact_kneighbors(make(X), 4, ROWS, return_distance=True),
    "exact_kneighbors_of": lambda make: exact_kneighbors_of(make(X), QUERIES, 4),
    "exact_kneighbors_of_points": lambda make: exact_kneighbors_of_points(
        make(POINTS), make(X), 4, return_distance=True
    ),
    "mixed_kneighbors": lambda make: mixed_kneighbors(make(X), CODES, 4),
    "kneighbors within": lambda make: kneighbors(make(X), 4, within=ROWS).indices,
    "kneighbors queries": lambda make: kneighbors(make(X), 4, queries=QUERIES).indices,
    "kneighbors points": lambda make: kneighbors(make(X), 3, points=make(POINTS)).indices,
    "kneighbors codes": lambda make: tuple(kneighbors(make(X), 3, codes=CODES)),
    "kneighbors approx": lambda make: kneighbors(make(X), 4, backend="approx").indices,
    "approx_kneighbors": lambda make: approx_kneighbors(make(X), 4, np.arange(N_ROWS), 0),
    "distance_sums": lambda make: distance_sums(make(X), QUERIES, REFS, 3),
    "distance_sums farthest": lambda make: distance_sums(make(X), QUERIES, REFS, 3, farthest=True),
    "kneighbors_between": lambda make: kneighbors_between(make(X), QUERIES, REFS, 3),
    "store_vote_misses": lambda make: store_vote_misses(
        make(X), CANDIDATES, STORE, LABELS, 1, 3, grow=False
    ),
    "store_vote_misses grow": lambda make: store_vote_misses(
        make(X), CANDIDATES, STORE, LABELS, 1, 3, grow=True
    ),
}

LAYOUTS = {
    "byte-swapped": lambda A: A.astype(A.dtype.newbyteorder("S")),
    "Fortran": np.asfortranarray,
    "strided": lambda A: np.repeat(A, 2, axis=0)[::2],  # a view, rows 2 apart
    "byte-swapped Fortran": lambda A: np.asfortranarray(A.astype(A.dtype.newbyteorder("S"))),
}

BAD_FLOATS = [np.float16, np.int64, np.bool_, np.complex128]
if np.dtype(np.longdouble).itemsize > 8:  # where long double is not float64
    BAD_FLOATS.append(np.longdouble)


class Inputs:
    """Makes the arrays a search is given and checks afterwards that it left them as
    they were."""

    def __init__(self, dtype, layout=np.ascontiguousarray):
        self.dtype, self.layout, self.made = dtype, layout, []

    def __call__(self, A):
        made = self.layout(A.astype(self.dtype))
        self.made.append((made, made.copy(order="K")))
        return made

    def check_unmodified(self):
        for made, copy in self.made:
            assert made.dtype == copy.dtype
            np.testing.assert_array_equal(made, copy, strict=True)


def as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


def assert_identical(result, expected):
    for got, want in zip(as_tuple(result), as_tuple(expected), strict=True):
        if isinstance(want, np.ndarray):
            assert got.dtype == want.dtype, (got.dtype, want.dtype)
            assert got.dtype.isnative
            assert np.array_equal(got, want)
        else:
            assert got == want


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(SEARCHES))
def test_any_byte_order_and_layout_gives_the_native_result(name, dtype):
    search = SEARCHES[name]
    expected = search(Inputs(dtype))
    for layout in LAYOUTS.values():
        inputs = Inputs(dtype, layout)
        assert_identical(search(inputs), expected)
        inputs.check_unmodified()


@pytest.mark.parametrize("dtype", BAD_FLOATS, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("name", list(SEARCHES))
def test_other_row_dtypes_are_refused_by_name(name, dtype):
    inputs = Inputs(dtype)
    expected = np.dtype(dtype).name
    with pytest.raises(TypeError, match=rf"^X must be a float32 or float64 array; got {expected}"):
        SEARCHES[name](inputs)
    inputs.check_unmodified()


def test_the_refusal_names_the_argument_and_the_fix():
    with pytest.raises(TypeError, match=r"got float16: convert it with X\.astype\(np\.float32\)"):
        exact_kneighbors(X.astype(np.float16), 3)
    with pytest.raises(TypeError, match=r"got int64: convert it with X\.astype\(np\.float64\)"):
        exact_kneighbors(X.astype(np.int64), 3)
    with pytest.raises(TypeError, match=r"got complex128: keep its real part with np\.real\(X\)"):
        exact_kneighbors(X.astype(np.complex128), 3)
    # the byte order is never what is wrong
    with pytest.raises(TypeError, match=r"got float16:"):
        exact_kneighbors(X.astype(">f2"), 3)
    with pytest.raises(TypeError, match=r"^points must be a float32 or float64 array; got int64"):
        exact_kneighbors_of_points(POINTS.astype(np.int64), X, 3)
    with pytest.raises(TypeError, match=r"^points must be .* got float16"):
        kneighbors(X, 3, points=POINTS.astype(np.float16))
    with pytest.raises(TypeError, match=r"^spans must be .* got int64"):
        distance_sums(X, QUERIES, REFS, 3, spans=np.ones(5, dtype=np.int64))
    with pytest.raises(TypeError, match=r"^X must be .* got object"):
        kneighbors(X.astype(object), 3)
    with pytest.raises(TypeError, match=r"^X must be .* got int64"):
        kneighbors(sparse.csr_matrix(X.astype(np.int64)), 3)


def test_points_are_searched_in_x_dtype():
    points = POINTS.astype(np.float32)  # values float64 holds exactly
    assert_identical(
        exact_kneighbors_of_points(points.astype(">f4"), X, 4, return_distance=True),
        exact_kneighbors_of_points(points.astype(np.float64), X, 4, return_distance=True),
    )


# ------------------------------------------------------------------ rows and codes
INDEX_DTYPES = [np.int32, np.uint16, ">i8", ">u4", np.int8]


@pytest.mark.parametrize("dtype", INDEX_DTYPES, ids=str)
def test_row_numbers_of_any_integer_dtype_give_the_int64_result(dtype):
    def rows(r):
        return np.asarray(r).astype(dtype)

    cases = [
        lambda r: exact_kneighbors(X, 4, r(ROWS), return_distance=True),
        lambda r: exact_kneighbors_of(X, r(QUERIES), 4),
        lambda r: kneighbors(X, 4, within=r(ROWS)).indices,
        lambda r: kneighbors(X, 4, queries=r(QUERIES)).indices,
        lambda r: approx_kneighbors(X, 4, r(np.arange(N_ROWS)), 0),
        lambda r: distance_sums(X, r(QUERIES), r(REFS), 3),
        lambda r: kneighbors_between(X, r(QUERIES), r(REFS), 3),
        lambda r: store_vote_misses(X, r(CANDIDATES), r(STORE), LABELS, 1, 3, grow=True),
    ]
    for case in cases:
        assert_identical(case(rows), case(lambda r: r))
    # strided and listed row numbers too
    np.testing.assert_array_equal(
        exact_kneighbors_of(X, np.repeat(QUERIES, 2)[::2], 4), exact_kneighbors_of(X, QUERIES, 4)
    )
    np.testing.assert_array_equal(
        kneighbors(X, 4, within=ROWS.tolist()).indices, kneighbors(X, 4, within=ROWS).indices
    )


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8, ">i4", np.int16])
def test_codes_of_any_integer_dtype_give_the_int32_result(dtype):
    codes = CODES.astype(dtype)
    kept = codes.copy()
    assert_identical(mixed_kneighbors(X, codes, 4), mixed_kneighbors(X, CODES, 4))
    assert_identical(tuple(kneighbors(X, 4, codes=codes)), tuple(kneighbors(X, 4, codes=CODES)))
    assert_identical(
        tuple(kneighbors(sparse.csr_matrix(X), 4, codes=codes)),
        tuple(kneighbors(sparse.csr_matrix(X), 4, codes=CODES)),
    )
    labels = LABELS.astype(dtype)
    assert_identical(
        store_vote_misses(X, CANDIDATES, STORE, labels, 1, 3, grow=True),
        store_vote_misses(X, CANDIDATES, STORE, LABELS, 1, 3, grow=True),
    )
    np.testing.assert_array_equal(codes, kept, strict=True)


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, ">i4"])
def test_vdm_functions_take_codes_of_any_integer_dtype(dtype):
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 4, size=(40, 3)).astype(np.int32)
    classes = rng.integers(0, 2, 40).astype(np.int32)
    proba = vdm_probabilities(codes, classes, 2, [4, 4, 4])
    other = vdm_probabilities(codes.astype(dtype), classes.astype(dtype), 2, [4, 4, 4])
    for got, want in zip(other, proba, strict=True):
        assert_identical(got, want)
    assert_identical(vdm_pairwise(codes.astype(dtype), proba), vdm_pairwise(codes, proba))
    assert_identical(
        vdm_kneighbors(codes.astype(dtype), proba, 3).indices,
        vdm_kneighbors(codes, proba, 3).indices,
    )
    present = np.array([0, 2, 3])
    assert_identical(vdm_table(proba[0], present.astype(dtype)), vdm_table(proba[0], present))
    swapped = [p.astype(p.dtype.newbyteorder("S")) for p in proba]
    assert_identical(vdm_table(np.asfortranarray(swapped[1])), vdm_table(proba[1]))
    assert_identical(
        vdm_kneighbors(codes, swapped, 3).indices, vdm_kneighbors(codes, proba, 3).indices
    )


def test_other_row_numbers_and_codes_are_refused_by_name():
    with pytest.raises(TypeError, match=r"^queries must be an array of integers; got float64"):
        exact_kneighbors_of(X, QUERIES.astype(np.float64), 3)
    with pytest.raises(TypeError, match=r"^rows must be .* got bool: .*np\.flatnonzero\(rows\)"):
        exact_kneighbors(X, 3, np.ones(N_ROWS, dtype=bool))
    with pytest.raises(TypeError, match=r"^within must be an array of integers"):
        kneighbors(X, 3, within=ROWS.astype(np.float32))
    with pytest.raises(TypeError, match=r"^refs must be an array of integers"):
        kneighbors_between(X, QUERIES, REFS.astype(np.float64), 3)
    with pytest.raises(TypeError, match=r"^store must be an array of integers"):
        store_vote_misses(X, CANDIDATES, STORE.astype(object), LABELS, 1, 3, grow=False)
    with pytest.raises(TypeError, match=r"^codes must be an array of integers; got float64"):
        mixed_kneighbors(X, CODES.astype(np.float64), 3)
    with pytest.raises(
        TypeError, match=r"^codes must be .* got bool: .*codes\.astype\(np\.int32\)"
    ):
        kneighbors(X, 3, codes=CODES.astype(bool))
    with pytest.raises(TypeError, match=r"^codes must be an array of integers"):
        vdm_kneighbors(CODES.astype(np.float32), vdm_probabilities(CODES, LABELS, 2, [2, 2]), 3)
    # integers that the documented dtype cannot hold
    with pytest.raises(
        ValueError, match=r"^codes holds values from 0 to 4294967296; they must fit int32"
    ):
        mixed_kneighbors(X, np.where(CODES > 0, 2**32, 0), 3)
    with pytest.raises(ValueError, match=r"^queries holds values .*; they must fit int64"):
        exact_kneighbors_of(X, np.array([1, 2**63], dtype=np.uint64), 3)


def test_empty_row_numbers_are_accepted_whatever_their_dtype():
    found, _ = kneighbors_between(X, [], REFS, 3)
    assert found.shape == (0, 3) and found.dtype == np.int64
    assert store_vote_misses(X, [], STORE, LABELS, 1, 3, grow=True).shape == (0,)


def test_the_existing_checks_still_apply():
    with pytest.raises(ValueError, match=r"n_neighbors must be in \[1, 119\]"):
        exact_kneighbors(X.astype(">f8"), 120)
    with pytest.raises(ValueError, match=r"n_neighbors must be in \[1, 30\]"):
        distance_sums(np.asfortranarray(X), QUERIES, REFS, 31)
    with pytest.raises(ValueError, match="squared distances between rows can exceed"):
        exact_kneighbors_of(np.asfortranarray(X * 1e200).astype(">f8"), QUERIES, 3)
    with pytest.raises(ValueError, match="method must be"):
        exact_kneighbors(X.astype(">f4"), 3, method="fast")


FITTED = []  # the rows each Recording estimator was fitted on


class Recording(NearestNeighbors):
    """NearestNeighbors that records the rows it is fitted on."""

    def fit(self, X, y=None):
        FITTED.append(X)
        return super().fit(X, y)


def test_an_estimator_is_given_the_callers_rows_as_they_are():
    swapped = np.asfortranarray(X.astype(">f8"))
    searches = {
        "kneighbors": lambda A: kneighbors(A, 3, backend=Recording(n_neighbors=4)).indices,
        "kneighbors within": lambda A: kneighbors(A, 3, within=ROWS, backend=Recording()).indices,
        "distance_sums": lambda A: distance_sums(A, QUERIES, REFS, 3, backend=Recording())[0],
        "kneighbors_between": lambda A: kneighbors_between(
            A, QUERIES, REFS, 3, backend=Recording()
        )[0],
    }
    for name, search in searches.items():
        FITTED.clear()
        found = search(swapped)
        assert FITTED[-1].dtype == np.dtype(">f8"), name
        if name == "kneighbors":
            assert FITTED[-1] is swapped
        assert_identical(found, search(X))  # as the estimator finds on the native rows
    # the dtype rule holds for an estimator too
    with pytest.raises(TypeError, match=r"^X must be .* got float16"):
        kneighbors(X.astype(np.float16), 3, backend=Recording())
