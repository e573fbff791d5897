"""Time vs rows, fastsmote vs imbalanced-learn, log-log (docs/img/scaling.png).

    pip install -e ".[bench]" && python benchmarks/plot_scaling.py

Each point is one fresh-process ``fit_resample`` (kernels warm) from compare.py's worker,
on 20 float32 features with a 1% minority; the measured table is printed too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from compare import run_worker  # noqa: E402

SIZES = [100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]
OUT = Path(__file__).parent.parent / "docs" / "img" / "scaling.png"


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    times = {"fastsmote": [], "imblearn": []}
    print("| rows | fastsmote s | imblearn s | speed-up |\n|---|---|---|---|")
    for n in SIZES:
        for lib in times:
            times[lib].append(run_worker(lib, (n, 20, 0.01))["time"])
        fast, imb = times["fastsmote"][-1], times["imblearn"][-1]
        print(f"| {n:,} | {fast:.2f} | {imb:.2f} | {imb / fast:.1f}x |", flush=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    for lib, marker in (("fastsmote", "o"), ("imblearn", "s")):
        ax.loglog(SIZES, times[lib], marker=marker, label=lib)
    ax.set_xlabel("rows (20 float32 features, 1% minority)")
    ax.set_ylabel("fit_resample time (s)")
    ax.set_title("SMOTE, exact neighbours, 2 cores")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(OUT, dpi=120)
    print(f"saved {OUT}")


if __name__ == "__main__":
    main()
