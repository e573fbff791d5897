import numpy as np
import pytest


def blobs(n_per_class, n_features=4, dtype=np.float64, seed=0, shift=2.0):
    """Gaussian blobs, one per class; returns X (dtype) and int labels 0..C-1."""
    rng = np.random.default_rng(seed)
    X = np.concatenate(
        [rng.standard_normal((n, n_features)) + shift * c for c, n in enumerate(n_per_class)]
    ).astype(dtype)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    perm = rng.permutation(y.size)
    return X[perm], y[perm]


def fit_resample_in_dask_order(sampler, frame, target="y"):
    """fit_resample on a whole frame with its target column, the target put back at its
    place, in the row order fastsmote.dask documents (the under-samplers and cleaners:
    kept rows in input order; SMOTE then cleaning: the cleaner's kept rows in the order
    of SMOTE's output)."""
    import pandas as pd

    X, y = frame.drop(columns=[target]), frame[target]
    X_res, y_res = sampler.fit_resample(X, y)
    out = X_res.copy()
    out.insert(list(frame.columns).index(target), target, pd.Series(y_res.array, index=out.index))
    if hasattr(sampler, "smote_"):  # SMOTE then cleaning: the cleaner's kept rows
        cleaner = getattr(sampler, "enn_", None) or sampler.tomek_
        if cleaner._sampling_type != "over-sampling":  # (an over-sampler adds rows last)
            out = out.iloc[np.argsort(cleaner.sample_indices_, kind="stable")]
    elif sampler._sampling_type != "over-sampling":
        out = out.iloc[np.argsort(sampler.sample_indices_, kind="stable")]
    return out.reset_index(drop=True)


def assert_same_frame(got, expected):
    """Same columns, dtypes and values bit for bit (not approximately)."""
    got = got.reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.tolist() == expected.dtypes.tolist()
    for column in expected.columns:
        left, right = got[column].to_numpy(), expected[column].to_numpy()
        if left.dtype.kind == "f":
            bits = (np.ascontiguousarray(a).view(np.uint8) for a in (left, right))
            assert np.array_equal(*bits), column
        else:
            assert np.array_equal(left, right), column


def mixed_frame(n=1200, seed=0, labels=(0, 1, 2), shares=(0.85, 0.1, 0.05)):
    """A pandas table of float32, float64 and int columns and a ``label`` column."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    y = rng.choice(np.asarray(labels), size=n, p=shares)
    return pd.DataFrame(
        {
            "f32": rng.standard_normal(n).astype(np.float32),
            "label": y,
            "f64": rng.standard_normal(n),
            "count": rng.integers(0, 50, n),
        }
    )


@pytest.fixture
def binary_data():
    return blobs([60, 15])


@pytest.fixture
def three_class_data():
    return blobs([80, 25, 12])


@pytest.fixture
def overlapping():
    """Three overlapping Gaussian classes (300/60/40 rows, 4 features)."""
    rng = np.random.default_rng(0)
    X = np.vstack(
        [
            rng.standard_normal((300, 4)),
            rng.standard_normal((60, 4)) + 1,
            rng.standard_normal((40, 4)) - 1,
        ]
    )
    return X, np.repeat([0, 1, 2], [300, 60, 40])


def messy_csr(X: np.ndarray):
    """``X`` as a CSR matrix with each row's entries reversed, an explicit zero and a
    duplicate entry in row 3 (summed by toarray(): 0.25 added)."""
    from scipy import sparse

    M = sparse.csr_matrix(X)
    data, indices, lengths = [], [], []
    for i in range(M.shape[0]):
        row = slice(M.indptr[i], M.indptr[i + 1])
        row_data, row_indices = list(M.data[row][::-1]), list(M.indices[row][::-1])
        if i == 3:
            row_data += [0.0, 0.25]
            row_indices += [int(np.flatnonzero(X[3] == 0)[0]), row_indices[0]]
        data += row_data
        indices += row_indices
        lengths.append(len(row_data))
    indptr = np.r_[0, np.cumsum(lengths)]
    out = sparse.csr_matrix((np.array(data, X.dtype), np.array(indices), indptr), shape=X.shape)
    assert not out.has_canonical_format
    return out


def traced_peak_bytes(sampler, X, y, X_warm, y_warm) -> int:
    """Peak bytes tracemalloc sees during ``sampler.fit_resample(X, y)`` (sparse output
    asserted), after a call on ``X_warm, y_warm`` that compiles or loads its kernels."""
    import tracemalloc

    from scipy import sparse

    sampler.fit_resample(X_warm, y_warm)
    tracemalloc.start()
    X_res, _ = sampler.fit_resample(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sparse.issparse(X_res)
    return peak
