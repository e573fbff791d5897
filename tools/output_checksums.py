"""Checksums of a fixed set of fastsmote outputs, to show a change leaves them bit-identical.

Every sampler (dense and, where it takes one, on a CSR matrix), ``fit_resample_iter``,
``provenance``, ``row_origins``, the overlap report and the command line run on small
generated data in several dtypes, class layouts, neighbour backends and thread counts;
each output is reduced to a SHA-256 of its bytes.

    python tools/output_checksums.py --write before.json     # on the old code
    python tools/output_checksums.py --compare before.json   # on the new code

``--compare`` prints every call whose output changed and exits 1 if any did.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import make_classification

import fastsmote
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


def digest(*values: Any) -> str:
    """SHA-256 of arrays (dtype, shape and bytes) and plain values, in order."""
    sha = hashlib.sha256()
    for value in values:
        if hasattr(value, "to_numpy") and hasattr(value, "columns"):  # DataFrame
            sha.update(repr(list(value.columns)).encode())
            value = value.to_numpy()
        elif hasattr(value, "to_numpy"):  # Series
            value = value.to_numpy()
        if isinstance(value, np.ndarray):
            value = np.ascontiguousarray(value)
            sha.update(f"{value.dtype.str}{value.shape}".encode())
            if value.dtype.kind == "O":
                sha.update(repr(value.tolist()).encode())
            else:
                sha.update(value.tobytes())
        else:
            sha.update(repr(value).encode())
    return sha.hexdigest()[:16]


def datasets() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(name, X, y): binary and multiclass, float64, float32 and integer features."""
    X, y = make_classification(
        n_samples=3000, n_features=8, n_informative=5, weights=[0.9], random_state=0
    )
    yield "binary-f64", X, y
    yield "binary-f32", X.astype(np.float32), y
    X3, y3 = make_classification(
        n_samples=4000,
        n_features=20,
        n_informative=8,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=1,
    )
    yield "three-f64", X3, y3
    yield "three-int", np.round(X3 * 4).astype(np.int64), y3


def sampler_calls() -> Iterator[tuple[str, Callable[[], Any]]]:
    """(sampler name, factory) for every sampler and the options that change its path."""
    for backend in ("exact", "approx"):
        yield f"SMOTE-{backend}", lambda b=backend: SMOTE(random_state=0, neighbors=b)
        yield (
            f"BorderlineSMOTE-1-{backend}",
            lambda b=backend: BorderlineSMOTE(random_state=0, neighbors=b),
        )
        yield f"ADASYN-{backend}", lambda b=backend: ADASYN(random_state=0, neighbors=b)
    yield (
        "BorderlineSMOTE-2",
        lambda: BorderlineSMOTE(random_state=0, kind="borderline-2"),
    )
    yield "SMOTE-k3-dict", lambda: SMOTE(random_state=7, k_neighbors=3)
    yield "RandomOverSampler", lambda: RandomOverSampler(random_state=0)
    yield "RandomOverSampler-shrink", lambda: RandomOverSampler(random_state=0, shrinkage=0.5)
    yield "RandomUnderSampler", lambda: RandomUnderSampler(random_state=0)
    yield "TomekLinks", TomekLinks
    yield "EditedNearestNeighbours", EditedNearestNeighbours
    yield "SMOTETomek", lambda: SMOTETomek(random_state=0)
    yield "SMOTEENN", lambda: SMOTEENN(random_state=0)
    yield from family_calls()


def family_calls() -> Iterator[tuple[str, Callable[[], Any]]]:
    """The rest of imbalanced-learn's family (the models they fit are seeded)."""
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression

    from fastsmote import (
        SVMSMOTE,
        AllKNN,
        ClusterCentroids,
        CondensedNearestNeighbour,
        InstanceHardnessThreshold,
        KMeansSMOTE,
        NearMiss,
        NeighbourhoodCleaningRule,
        OneSidedSelection,
        RepeatedEditedNearestNeighbours,
    )

    yield "SVMSMOTE", lambda: SVMSMOTE(random_state=0)
    yield "KMeansSMOTE", lambda: KMeansSMOTE(random_state=0, cluster_balance_threshold=0.01)
    for version in (1, 2, 3):
        yield f"NearMiss-{version}", lambda v=version: NearMiss(version=v)
    yield "CondensedNearestNeighbour", lambda: CondensedNearestNeighbour(random_state=0)
    yield "OneSidedSelection", lambda: OneSidedSelection(random_state=0)
    yield "RepeatedEditedNearestNeighbours", RepeatedEditedNearestNeighbours
    yield "AllKNN", AllKNN
    yield "NeighbourhoodCleaningRule", NeighbourhoodCleaningRule
    yield (
        "InstanceHardnessThreshold",
        lambda: InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0),
    )
    for voting in ("soft", "hard"):
        yield (
            f"ClusterCentroids-{voting}",
            lambda v=voting: ClusterCentroids(
                voting=v, estimator=KMeans(n_init=1, random_state=0), random_state=0
            ),
        )


def _has_row_origins(sampler: Any) -> bool:
    """Whether the sampler's output rows have known origins (soft-voting
    ClusterCentroids' centres have none)."""
    return hasattr(sampler, "row_origins") and getattr(sampler, "voting_", None) != "soft"


def checksums() -> dict[str, str]:
    """Every checked call's name and output digest."""
    out: dict[str, str] = {}
    for data_name, X, y in datasets():
        for sampler_name, make in sampler_calls():
            for threads in (1, 2):
                name = f"{data_name}/{sampler_name}/threads={threads}"
                with fastsmote.config_context(n_threads=threads):
                    sampler = make()
                    X_res, y_res = sampler.fit_resample(X, y)
                    out[f"{name}/fit_resample"] = digest(X_res, y_res)
                    if _has_row_origins(sampler):
                        origins = sampler.row_origins(X, y)
                        out[f"{name}/row_origins"] = digest(*origins)
                    if hasattr(sampler, "provenance"):
                        out[f"{name}/provenance"] = digest(*sampler.provenance(X, y))
        for chunk_rows in (97, 4096):
            chunks = list(SMOTE(random_state=0).fit_resample_iter(X, y, chunk_rows=chunk_rows))
            out[f"{data_name}/SMOTE/fit_resample_iter/chunk_rows={chunk_rows}"] = digest(
                *(part for chunk in chunks for part in chunk)
            )
        report = fastsmote.diagnostics.overlap_report(X, y, random_state=0)
        out[f"{data_name}/overlap_report"] = digest(repr(report.to_dict()))
    out.update(smotenc_checksums())
    out.update(smoten_checksums())
    out.update(sparse_checksums())
    out.update(cli_checksums())
    return out


def smoten_checksums() -> dict[str, str]:
    """SMOTEN on integer categories (three classes)."""
    from fastsmote import SMOTEN

    rng = np.random.default_rng(5)
    y = rng.choice(3, size=1500, p=[0.7, 0.2, 0.1])
    X = rng.integers(0, 4, size=(1500, 6)) + y[:, None] * (rng.random((1500, 6)) < 0.3)
    out = {}
    for threads in (1, 2):
        with fastsmote.config_context(n_threads=threads):
            sampler = SMOTEN(random_state=0)
            out[f"smoten/threads={threads}"] = digest(*sampler.fit_resample(X, y))
    return out


def sparse_checksums() -> dict[str, str]:
    """Every sampler that takes sparse X, on a CSR matrix (its output as CSR arrays)."""
    from scipy import sparse

    rng = np.random.default_rng(6)
    X, y = make_classification(n_samples=1500, n_features=30, weights=[0.85], random_state=3)
    X[rng.random(X.shape) < 0.7] = 0
    M = sparse.csr_matrix(X)
    out = {}
    for sampler_name, make in sampler_calls():
        sampler = make()
        if sampler_name.endswith("-approx") or not sampler.__sklearn_tags__().input_tags.sparse:
            continue  # searched exactly only; dense X only
        X_res, y_res = sampler.fit_resample(M, y)
        X_res = X_res.tocsr()
        out[f"sparse/{sampler_name}"] = digest(X_res.data, X_res.indices, X_res.indptr, y_res)
    return out


def smotenc_checksums() -> dict[str, str]:
    """SMOTENC on numeric and categorical columns, as an array, a DataFrame and CSR."""
    import pandas as pd
    from scipy import sparse

    rng = np.random.default_rng(3)
    X, y = make_classification(n_samples=2000, n_features=6, weights=[0.85], random_state=2)
    colour = rng.choice(np.array(["red", "green", "blue"], dtype=object), size=len(y))
    size = rng.integers(0, 4, size=len(y))
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)])
    frame["colour"], frame["size"] = colour, size
    zeros = rng.random(len(y)) < 0.6
    out = {}
    for threads in (1, 2):
        with fastsmote.config_context(n_threads=threads):
            sampler = SMOTENC(categorical_features=["colour", "size"], random_state=0)
            X_res, y_res = sampler.fit_resample(frame, y)
            out[f"smotenc-frame/threads={threads}"] = digest(X_res.astype(str), y_res)
            array = np.column_stack([X, size])
            sampler = SMOTENC(categorical_features=[6], random_state=0)
            out[f"smotenc-array/threads={threads}"] = digest(*sampler.fit_resample(array, y))
            array[zeros, :3] = 0  # on CSR: the dense rows
            M, y_res = SMOTENC(categorical_features=[6], random_state=0).fit_resample(
                sparse.csr_matrix(array), y
            )
            out[f"smotenc-sparse/threads={threads}"] = digest(M.data, M.indices, M.indptr, y_res)
    return out


def cli_checksums() -> dict[str, str]:
    """The command line's resample on Parquet (streamed SMOTE and whole-table methods)."""
    import pandas as pd

    from fastsmote.cli import main

    X, y = make_classification(n_samples=5000, n_features=6, weights=[0.95], random_state=4)
    frame = pd.DataFrame(X.astype(np.float32), columns=[f"f{j}" for j in range(6)])
    frame["label"] = y
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.parquet"
        frame.to_parquet(source, row_group_size=1000)
        for method in ("smote", "borderline", "smote-tomek", "random-under"):
            target = Path(tmp) / f"{method}.parquet"
            args = ["resample", str(source), str(target), "--target", "label"]
            args += ["--method", method, "--seed", "0", "-q"]
            if main(args) != 0:
                raise RuntimeError(f"fastsmote {' '.join(args)} failed")
            out[f"cli/{method}"] = digest(pd.read_parquet(target))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="JSON", help="write the checksums to this file")
    group.add_argument("--compare", metavar="JSON", help="compare with checksums written")
    args = parser.parse_args(argv)
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # the seeded models'
    found = checksums()
    if args.write:
        Path(args.write).write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
        print(f"{len(found)} checksums written to {args.write}")
        return 0
    expected = json.loads(Path(args.compare).read_text())
    names = sorted(expected.keys() | found.keys())
    changed = [name for name in names if expected.get(name) != found.get(name)]
    for name in changed:
        print(f"changed: {name}  {expected.get(name)} -> {found.get(name)}")
    print(f"{len(found)} checksums, {len(changed)} changed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
