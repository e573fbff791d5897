"""The kernels' Python logic, run with ``NUMBA_DISABLE_JIT=1`` on tiny data.

Coverage tools cannot see inside compiled kernels; running them as plain Python in a
subprocess shows every branch is exercised and still matches the references.
"""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import warnings
import numpy as np
warnings.simplefilter("ignore", RuntimeWarning)  # uint64 wrap-around is intended
import naive
from fastsmote._kernels.knn import knn_blocked, knn_mixed, knn_symmetric
from fastsmote._kernels.smote import NO_COUNTS, NO_DAMP, smote_generate
from fastsmote._kernels.arrays import first_nonfinite_row
from fastsmote._kernels.leakage import count_values, segment_hits
from fastsmote import SMOTE

X = np.random.default_rng(0).integers(0, 3, size=(23, 2)).astype(np.float32)
rows = np.arange(23)
dist, pos = knn_blocked(X, rows, X, rows, 3, rows, 4, 5)
ref_dist, ref_pos = naive.knn(X, rows, 3)
assert (pos == ref_pos).all() and (dist == ref_dist).all()
for include_self in (False, True):
    dist, pos = knn_symmetric(X, rows, 3, include_self, 4, 3)
    ref_dist, ref_pos = naive.knn(X, rows, 3, not include_self)
    assert (pos == ref_pos).all() and (dist == ref_dist).all()
codes = (X[:, :1] > 1).astype(np.int32)  # weight 0: mismatches counted, distances unchanged
dist, pos = knn_mixed(X, codes, 0.0, 3, 4, 3)
assert (pos == naive.knn(X, rows, 3)[1]).all()
key = naive.stream_key(42, 1)
out = np.empty((9, 2), np.float32)
smote_generate(X, rows, pos, np.uint64(key), 5, out, 0, 9, 4, NO_COUNTS, NO_DAMP, np.uint64(0))
assert (out == naive.smote_generate(X, rows, pos, key, 5, 9)[0]).all()
off_grid = np.ones(X.shape, dtype=bool)
sets = (rows % 3 + 1).astype(np.uint8)
args = (X.astype(np.float64), sets, rows, pos, off_grid, 2, 1e-5, 1e-12, 1e-6, 1)
found = segment_hits(*args)
reference = naive.segment_hits(*args)
assert (found[0] == reference[0]).all() and (found[1] == reference[1]).all()
column = X[:, 0].astype(np.float64)
values = np.unique(column)
counts = np.zeros(values.size, dtype=np.int64)
count_values(column.view(np.uint64), values.view(np.uint64), counts)
assert (counts == naive.count_values(column, values)).all()
X[4, 1] = np.nan
assert first_nonfinite_row(X, 4) == 4
y = np.repeat([0, 1], [15, 8])
X_res, y_res = SMOTE(k_neighbors=2, random_state=0).fit_resample(X[5:].astype(np.float64), y[5:])
assert X_res.shape == (20, 2) and (y_res == 1).sum() == 10
print("ok")
"""


def test_kernels_run_as_python():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    tests_dir = Path(__file__).parent
    env["PYTHONPATH"] = os.pathsep.join([str(tests_dir), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"
