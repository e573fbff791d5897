"""The overlap typology picture of docs/choosing.md (docs/img/overlap_typology.png).

Three minority classes of increasing overlap with the majority, from generated data.

    pip install -e ".[plot]" && python examples/overlap_picture.py
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from fastsmote.diagnostics import overlap_report, plot_overlap  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(0)
    majority = rng.normal(size=(20_000, 5))
    parts, labels = [majority], [np.zeros(len(majority), dtype=int)]
    for label, shift in ((1, 4.0), (2, 2.0), (3, 0.5)):  # far, near, inside the majority
        parts.append(rng.normal(loc=shift, size=(600, 5)))
        labels.append(np.full(600, label))
    X, y = np.concatenate(parts), np.concatenate(labels)
    report = overlap_report(X, y, n_neighbors=5)
    print(report.to_text())
    fig, ax = plt.subplots(figsize=(6, 3))
    plot_overlap(report, ax=ax)
    fig.tight_layout()
    fig.savefig("docs/img/overlap_typology.png", dpi=110)


if __name__ == "__main__":
    main()
