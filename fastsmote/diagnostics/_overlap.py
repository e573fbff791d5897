"""Class-overlap diagnostics: the neighbourhood geometry of each class.

For every analysed class, each of its rows is classified by the classes of its
``n_neighbors`` nearest rows among *all* rows (itself excluded by position), with the
typology of Napierala & Stefanowski (2016), and a sample of the rows SMOTE would create
is checked for landing in other-class neighbourhoods. Neighbours come from fastsmote's
own search (exact kernels, or the NN-descent graph by the same ``"auto"`` rule as the
samplers).

The numbers describe the data at its current feature scale. They do not say by
themselves whether resampling helps a model: on real datasets their relation to SMOTE's
effect on average precision depends on the model (``benchmarks/overlap_evidence.py``),
so the report describes and points to :func:`fastsmote.diagnostics.compare_strategies`
for that decision.
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .._memory import check_fits, resolve_working_memory
from .._progress import phase
from .._random import (
    REPORT_GRAPH_STREAM,
    class_stream,
    foreign_seed,
    key_from_random_state,
    stream_key,
)
from .._validation import (
    NeighborCountError,
    Target,
    check_features,
    check_finite,
    check_neighbor_count,
    check_target,
    std_exponents,
    to_python,
)
from ..neighbors import BACKENDS, kneighbors
from ..over_sampling import ClassJob, draw_bases

#: Typology categories, from most to least surrounded by the row's own class.
CATEGORIES = ("safe", "borderline", "rare", "outlier")
#: Same-class share of the neighbours from which a row is "safe" / "borderline"
#: (as tenths, so the comparison is exact integer arithmetic): with 5 neighbours,
#: 5-4 same-class rows are safe, 3-2 borderline, 1 rare, 0 outlier.
SAFE_TENTHS, BORDERLINE_TENTHS = 7, 3
#: SMOTE's default ``k_neighbors``: the default of the simulated SMOTE.
SMOTE_K = 5
#: Classes with fewer rows than this get an explicit "uncertain" warning.
SMALL_CLASS = 30
#: Largest / smallest standard deviation of the (non-constant) features beyond which the
#: report warns that the neighbourhoods mostly reflect units, not the data. Chosen with
#: ``python benchmarks/overlap_evidence.py`` (typology shares raw vs standardised).
SCALE_RATIO = 10.0
#: Rows per block when measuring the features' spread (temporaries of block x features).
_STD_BLOCK = 16384


# --------------------------------------------------------------------------- result
@dataclass
class OverlapReport:
    """Result of :func:`overlap_report`.

    Attributes
    ----------
    classes : list
        Analysed class labels (Python natives), sorted.
    n_rows : dict
        ``{class: rows}`` of the analysed classes.
    n_analysed : dict
        ``{class: rows typed}``: all of them, or a uniform sample of ``max_rows``.
    counts : dict
        ``{class: {"safe": int, "borderline": int, "rare": int, "outlier": int}}`` over
        the analysed rows.
    typology : dict
        The same as shares of the analysed rows (floats summing to 1).
    overlap : dict
        ``{class: mean share of other-class rows among a row's neighbours}`` (rows
        tied at the last neighbour's distance sharing the places left: see
        :func:`overlap_report`).
    overlap_score : float
        The mean of ``overlap`` over the analysed classes weighted by their rows: 0 when
        every row has only same-class neighbours, 1 when none has any.
    smote : dict
        ``{class: dict or None}``: for classes SMOTE's default ``sampling_strategy``
        over-samples, ``n_synthetic`` (rows SMOTE would add), ``n_simulated`` (how many
        of them were generated and checked), ``share`` (estimated share landing in an
        other-class-dominated neighbourhood), ``ci95`` (95% interval of that share,
        counting the class's rows, not the simulated rows, as the sample: see
        :func:`overlap_report`), ``estimated_rows`` (``share * n_synthetic``, rounded)
        and ``k_neighbors`` (the simulated SMOTE's ``k_neighbors``). None for classes
        it leaves alone.
    recommendation : dict
        ``{class: text}``: the numbers above in words, and how to decide whether to
        resample (:func:`compare_strategies`; the numbers themselves do not say).
    class_counts : dict
        ``{class: rows}`` of every class in ``y``.
    n_samples, n_features, n_neighbors : int
    neighbors_backend : dict
        ``{class: "exact" | "approx" | "pynndescent"}``: the search used for each
        analysed class.
    feature_scale : dict
        ``std_ratio`` (largest / smallest standard deviation of the non-constant
        features; 1.0 when fewer than two vary), ``largest`` and ``smallest`` (those
        features: column names, or positions for arrays).
    warnings : list of str
        Conditions that limit what the numbers mean (features on very different
        scales; ties an approximate search broke by row position).
    """

    classes: list
    n_rows: dict
    n_analysed: dict
    counts: dict
    typology: dict
    overlap: dict
    overlap_score: float
    smote: dict
    recommendation: dict
    class_counts: dict
    n_samples: int
    n_features: int
    n_neighbors: int
    neighbors_backend: dict = field(default_factory=dict)
    feature_scale: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (labels and numbers as Python natives).

        Per-class results are a list of records (``"label"`` first), so labels of any
        type survive a JSON round trip unchanged.
        """
        return {
            "n_samples": self.n_samples,
            "n_features": self.n_features,
            "n_neighbors": self.n_neighbors,
            "overlap_score": self.overlap_score,
            "feature_scale": dict(self.feature_scale),
            "warnings": list(self.warnings),
            "class_counts": [{"label": c, "n_rows": n} for c, n in self.class_counts.items()],
            "classes": [
                {
                    "label": c,
                    "n_rows": self.n_rows[c],
                    "n_analysed": self.n_analysed[c],
                    "counts": dict(self.counts[c]),
                    "typology": dict(self.typology[c]),
                    "overlap": self.overlap[c],
                    "smote": None if self.smote[c] is None else dict(self.smote[c]),
                    "neighbors_backend": self.neighbors_backend.get(c),
                    "recommendation": self.recommendation[c],
                }
                for c in self.classes
            ],
            "typology_rule": typology_rule(self.n_neighbors),
        }

    def to_frame(self):
        """One row per analysed class (pandas is imported here, not at import time).

        Returns
        -------
        pandas.DataFrame
            Index: class label; columns: ``n_rows``, the four shares, ``overlap``,
            ``smote_share``, ``smote_rows``, ``recommendation``.
        """
        import pandas as pd

        rows = []
        for c in self.classes:
            s = self.smote[c]
            rows.append(
                {
                    "class": c,
                    "n_rows": self.n_rows[c],
                    "n_analysed": self.n_analysed[c],
                    **self.typology[c],
                    "overlap": self.overlap[c],
                    "smote_share": None if s is None else s["share"],
                    "smote_rows": None if s is None else s["estimated_rows"],
                    "recommendation": self.recommendation[c],
                }
            )
        return pd.DataFrame(rows).set_index("class")

    def to_text(self) -> str:
        """A readable multi-line report for a terminal."""
        backends = sorted(set(self.neighbors_backend.values())) or ["exact"]
        lines = [
            f"Overlap report: {self.n_samples:,} rows, {self.n_features} features, "
            f"{len(self.class_counts)} classes "
            f"({', '.join(f'{c!r}: {n:,}' for c, n in self.class_counts.items())})",
            f"Neighbourhoods: {self.n_neighbors} nearest rows among all rows "
            f"({'/'.join(backends)} search)",
            "",
        ]
        if self.warnings:
            lines += [f"Warning: {w}" for w in self.warnings] + [""]
        header = (
            f"{'class':>10} {'rows':>10} {'safe':>7} {'border':>7} {'rare':>7} "
            f"{'outlier':>7} {'overlap':>8}  SMOTE rows in other-class regions"
        )
        lines += [header, "-" * len(header)]
        for c in self.classes:
            t, s = self.typology[c], self.smote[c]
            if s is None:
                smote = "not over-sampled by default"
            else:
                lo, hi = s["ci95"]
                smote = (
                    f"{_pct(s['share'])} (95% CI {_pct(lo)}-{_pct(hi)}) "
                    f"~{s['estimated_rows']:,} of {s['n_synthetic']:,}"
                )
            lines.append(
                f"{_short(c):>10} {self.n_rows[c]:>10,} {_pct(t['safe']):>7} "
                f"{_pct(t['borderline']):>7} {_pct(t['rare']):>7} {_pct(t['outlier']):>7} "
                f"{self.overlap[c]:>8.3f}  {smote}"
            )
        for c in self.classes:
            m = self.n_analysed[c]
            if m < self.n_rows[c]:
                lines.append(
                    f"  class {c!r}: typed a uniform sample of {m:,} of its "
                    f"{self.n_rows[c]:,} rows (each share +/- up to {_margin(m)} points)"
                )
        lines += [
            "",
            f"Overlap score: {self.overlap_score:.3f} (mean share of other-class rows "
            "among the neighbours of the analysed rows; 0 = separated)",
            "",
            "Per class:",
        ]
        lines += [f"- {self.recommendation[c]}" for c in self.classes]
        lines += ["", "Rule: " + typology_rule(self.n_neighbors), "", READING]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


#: What the numbers can and cannot tell, printed under every text report.
READING = (
    "These numbers describe the neighbourhoods of the rows at this feature scale. What "
    "they mean for a model depends on the model: on real datasets, more overlap went with "
    "SMOTE lowering a random forest's average precision, with SMOTE raising gradient-"
    "boosted trees' average precision, and had no relation to SMOTE's effect on a "
    "logistic regression; whether the report flags overlap did not predict where SMOTE "
    "lowers average precision (see the fastsmote documentation, Choosing a method). "
    "To decide whether to resample, measure it under cross-validation with "
    "fastsmote.diagnostics.compare_strategies(estimator, X, y), the estimator being the "
    "model's own pipeline (with its scaler)."
)


def typology_rule(n_neighbors: int) -> str:
    """The typology rule in words, with the same-class counts it means for this k."""
    k = n_neighbors
    safe_min = -(-SAFE_TENTHS * k // 10)  # ceil(0.7 k)
    border_min = -(-BORDERLINE_TENTHS * k // 10)  # ceil(0.3 k)
    return (
        f"a row is safe when at least 70% of its {k} neighbours are of its class "
        f"(>= {safe_min}), borderline from 30% (>= {border_min}), rare when fewer but "
        "at least one, outlier when none (Napierala & Stefanowski; with 5 neighbours: "
        "5-4 safe, 3-2 borderline, 1 rare, 0 outlier). A synthetic row is in an "
        "other-class region when more than half of its neighbours among the real rows "
        "belong to other classes. Rows tied at the last neighbour's distance share the "
        "places left equally, so the row order never matters."
    )


# --------------------------------------------------------------------------- main
def overlap_report(
    X: Any,
    y: Any,
    *,
    n_neighbors: int = 5,
    classes: str | list = "not majority",
    neighbors: str = "auto",
    max_rows: int | None = 2000,
    smote_samples: int = 2000,
    smote_k_neighbors: int = SMOTE_K,
    random_state: int | None = 0,
    working_memory: int | None = None,
) -> OverlapReport:
    """Describe class overlap: each class's neighbourhoods and where SMOTE's rows land.

    Each row of an analysed class gets the classes of its ``n_neighbors`` nearest rows
    among all rows (Euclidean, itself excluded by position) and a type from the
    same-class share ``s`` of those neighbours (Napierala & Stefanowski's typology,
    proportions generalised from 5 neighbours): safe ``s >= 0.7``, borderline
    ``0.3 <= s < 0.7``, rare ``0 < s < 0.3``, outlier ``s = 0``. With 5 neighbours
    that is exactly 5-4 / 3-2 / 1 / 0 same-class neighbours.

    Ties: when ``t`` rows lie at exactly the distance of the ``n_neighbors``-th
    neighbour and only ``r`` places are left for them (repeated rows, discrete
    features), each counts ``r / t`` (the mean over every way of breaking the tie), so
    ``s``, the typology and the overlap depend on the distances and labels only, not on
    the row order; rows nearer than that distance count 1 each. With the exact search
    the whole tie is found (every row's distance is computed for those rows, once per
    distinct row). An approximate search is not completed so: its ties stay broken by
    row position, and ``warnings`` says how many rows that concerns
    (``neighbors="exact"`` removes it). The same rule decides whether a simulated SMOTE
    row lands in an other-class region (which rows SMOTE creates follows its draws, as
    SMOTE's own output does).

    For each class that ``fastsmote.SMOTE()`` (default ``sampling_strategy``) would
    over-sample, the first ``smote_samples`` synthetic rows that
    ``SMOTE(k_neighbors=smote_k_neighbors, random_state=random_state)`` would create
    for it are generated with its kernels (the same rows when SMOTE searches exactly,
    which it does below ~365k rows per class at 20 features; a uniform random sample of
    its output) and each is called *in an other-class region* when more than half of its
    ``n_neighbors`` nearest real rows belong to other classes (in binary problems: the
    majority). Its 95% interval counts the class's rows as the sample: synthetic rows
    made from the same real rows land alike, so the variance of the share is clustered
    three ways, by base row, by neighbour row and by the nearest real row of the
    synthetic row, and the Wilson interval uses the number of independent rows that
    variance implies (at most ``n_simulated``). Treating the simulated rows as
    independent would make the interval several times too narrow for a small class.

    What the numbers mean: they describe the data's neighbourhoods at the scale the
    features are given in. Euclidean neighbours are dominated by the features with the
    largest spread, so on unscaled data they mostly reflect units; ``warnings`` says so
    when the standard deviations of the features differ by more than a factor of 10.
    They do not tell by themselves whether resampling helps a model: on real datasets
    their relation to SMOTE's effect depends on the model (``docs/choosing.md``).
    Decide that with :func:`compare_strategies`.

    Cost: ``(min(class rows, max_rows) + smote_samples) x n_samples`` distances per
    analysed class, with the exact kernels (1M x 20, one 1% class: see
    ``docs/choosing.md``).

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Numeric, finite features (the checks and messages of the samplers).
    y : array-like of shape (n_samples,)
        Class labels.
    n_neighbors : int, default=5
        Neighbours defining a row's neighbourhood; below ``n_samples``.
    classes : {"not majority", "minority"} or list, default="not majority"
        Classes to analyse: every class but the largest, the smallest only, or the
        listed labels.
    neighbors : {"auto", "exact", "approx", "pynndescent"}, default="auto"
        Search among all rows: fastsmote's exact kernels, its NN-descent graph, or
        pynndescent's. "auto" is the
        samplers' rule applied to the work of this search (analysed rows x all rows):
        exact unless it is estimated to take longer than the approximate graph.
    max_rows : int or None, default=2000
        Rows typed per class: a class with more rows is represented by a uniform random
        sample of this many (seeded by ``random_state``; ``n_analysed`` records it), which
        bounds the cost at ``(max_rows + smote_samples) x n_samples`` distances per class
        while keeping each share within about +/-2.2 points (95%). None: every row.
    smote_samples : int, default=2000
        Synthetic rows simulated per class (fewer if SMOTE would add fewer).
    smote_k_neighbors : int, default=5
        ``k_neighbors`` of the simulated SMOTE. Like SMOTE, a class to over-sample needs
        more rows than this, or a ``ValueError`` names the class and what works.
    random_state : None or int, default=0
        Seeds the simulated SMOTE draws, as ``SMOTE(random_state=...)``.
    working_memory : int, optional
        Budget in MiB for the approximate graph's workspace (default:
        ``fastsmote.get_config()["working_memory"]``). Results never depend on it.

    Returns
    -------
    OverlapReport
        ``.typology``, ``.counts``, ``.overlap_score``, ``.smote``,
        ``.recommendation``; ``.to_text()``, ``.to_dict()``, ``.to_frame()``.

    Raises
    ------
    ValueError
        Bad data (NaN/inf named with its row, one class, length mismatch, non-numeric
        columns), an analysed class with fewer than 2 rows, a class to over-sample with
        ``smote_k_neighbors`` rows or fewer (SMOTE refuses it too), ``n_neighbors`` not
        below the number of rows, unknown classes or parameters.
    """
    _check_int("n_neighbors", n_neighbors)
    _check_int("smote_samples", smote_samples)
    _check_int("smote_k_neighbors", smote_k_neighbors)
    if max_rows is not None:
        _check_int("max_rows", max_rows)
    if working_memory is not None:
        _check_int("working_memory", working_memory)
    working_memory = resolve_working_memory(working_memory)
    if neighbors not in BACKENDS:
        raise ValueError(f"neighbors must be one of {BACKENDS}, got {neighbors!r}.")
    target = check_target(y)
    features = check_features(X, target.labels.shape[0])
    X_float = features.as_float_array(exact=False)
    check_finite(X_float)
    n, d = X_float.shape
    check_neighbor_count(n_neighbors, "n_neighbors", n, "X")  # each row's, among the others
    class_counts = {
        to_python(c): int(m) for c, m in zip(target.classes, target.counts, strict=True)
    }
    analysed = _analysed_classes(classes, target)
    for ci in analysed:
        if target.counts[ci] < 2:
            raise ValueError(
                f"Class {to_python(target.classes[ci])!r} has {int(target.counts[ci])} row: "
                "overlap diagnostics (and SMOTE) need at least 2 rows per analysed class. "
                "Gather more rows, or leave it out with classes=[...]."
            )
    majority = int(np.argmax(target.counts))  # first wins ties, like sampling_strategy
    # rows SMOTE's default sampling_strategy adds to each class (none to the majority's
    # size): only a class it over-samples needs more rows than smote_k_neighbors
    n_new = target.counts[majority] - target.counts
    for ci in analysed:
        n_class = int(target.counts[ci])
        if n_new[ci] > 0 and n_class <= smote_k_neighbors:
            where = f"Class {to_python(target.classes[ci])!r}"
            raise NeighborCountError(
                f"{where} has {n_class} row(s) but smote_k_neighbors={smote_k_neighbors} "
                f"needs at least {smote_k_neighbors + 1}: SMOTE(k_neighbors="
                f"{smote_k_neighbors}) refuses this class. Use smote_k_neighbors <= "
                f"{n_class - 1} (the k_neighbors SMOTE would need), or leave the class out "
                "with classes=[...].",
                "smote_k_neighbors", smote_k_neighbors, n_class, where, "",
            )  # fmt: skip
    key = key_from_random_state(random_state)
    graph_key = stream_key(key, REPORT_GRAPH_STREAM)

    report = OverlapReport([], {}, {}, {}, {}, {}, 0.0, {}, {}, class_counts, n, d, n_neighbors)
    report.feature_scale = _feature_scale(X_float, features.columns)
    if report.feature_scale["std_ratio"] > SCALE_RATIO:
        report.warnings.append(_scale_warning(report.feature_scale))
    weighted, total = 0.0, 0
    for ci in analysed:
        label = to_python(target.classes[ci])
        rows = target.rows_of(ci)
        if max_rows is not None and rows.size > max_rows:
            entropy = foreign_seed(key, bits=64)
            rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(ci,)))
            rows = rows[np.sort(rng.choice(rows.size, max_rows, replace=False))]
        with phase(f"class {label}"):
            shared = shared_neighbourhoods(
                X_float, n_neighbors, target.encoded == ci, queries=rows,
                backend=neighbors, key=graph_key, working_memory=working_memory,
            )  # fmt: skip
            backend = shared.backend
        if shared.unresolved:
            report.warnings.append(_tie_warning(label, shared.unresolved, rows.size, backend))
        same = shared.same / shared.ties
        counts = typology_counts(shared.same, n_neighbors, shared.ties)
        report.classes.append(label)
        report.neighbors_backend[label] = backend
        n_class = int(target.counts[ci])
        report.n_rows[label] = n_class
        report.n_analysed[label] = int(rows.size)
        report.counts[label] = counts
        report.typology[label] = {c: counts[c] / rows.size for c in CATEGORIES}
        n_other = rows.size * n_neighbors - float(same.sum())
        report.overlap[label] = n_other / (rows.size * n_neighbors)
        weighted += n_class * report.overlap[label]
        total += n_class
        report.smote[label] = (
            None
            if n_new[ci] == 0
            else _smote_landing(
                X_float,
                target,
                ci,
                int(n_new[ci]),
                n_neighbors,
                smote_samples,
                key,
                smote_k_neighbors,
            )
        )
        report.recommendation[label] = describe(
            label,
            report.typology[label],
            n_class,
            report.smote[label],
            rows.size,
            overlap=report.overlap[label],
            n_neighbors=n_neighbors,
        )
    report.overlap_score = weighted / total
    return report


def typology_counts(same: np.ndarray, k: int, ties: np.ndarray | None = None) -> dict:
    """Rows per category from each row's number of same-class neighbours (out of k).

    With ``ties``, a row's count is the fraction ``same / ties`` (integers, so the
    comparisons stay exact): see :func:`shared_neighbourhoods`.
    """
    same = np.asarray(same, dtype=np.int64)
    ties = np.ones_like(same) if ties is None else np.asarray(ties, dtype=np.int64)
    safe = 10 * same >= SAFE_TENTHS * k * ties
    border = ~safe & (10 * same >= BORDERLINE_TENTHS * k * ties)
    outlier = same == 0
    rare = ~safe & ~border & ~outlier
    return {
        "safe": int(safe.sum()),
        "borderline": int(border.sum()),
        "rare": int(rare.sum()),
        "outlier": int(outlier.sum()),
    }


def describe(
    label: Any,
    typology: dict,
    n_rows: int,
    smote: dict | None,
    n_analysed: int | None = None,
    *,
    overlap: float | None = None,
    n_neighbors: int = 5,
) -> str:
    """One class's numbers in words, with their uncertainty, and how to decide.

    No verdict on resampling: the typology and the landing share describe the data's
    neighbourhoods, and on real datasets what they say about SMOTE's effect depends on
    the model (``benchmarks/overlap_evidence.py``).
    """
    n_analysed = n_rows if n_analysed is None else n_analysed
    safe, outlier = typology["safe"], typology["outlier"]
    isolated = typology["rare"] + outlier
    text = (
        f"Class {label!r} ({n_rows:,} rows): {_pct(safe)} safe, "
        f"{_pct(typology['borderline'])} borderline, {_pct(typology['rare'])} rare, "
        f"{_pct(outlier)} outlier"
    )
    if overlap is not None:
        text += (
            f"; on average {_pct(overlap)} of a row's {n_neighbors} nearest rows are of "
            "other classes"
        )
    if safe >= 0.7:
        text += ". Most of its rows sit among their own class."
    elif isolated >= 0.5:
        text += (
            ". Most of its rows are rare or outliers (under 30% same-class neighbours): "
            "at this feature scale the class is scattered among the others."
        )
    else:
        text += ". Many of its rows sit next to rows of other classes."
    if smote is not None:
        lo, hi = smote["ci95"]
        text += (
            f" About {_pct(smote['share'])} (95% CI {_pct(lo)}-{_pct(hi)}) of the "
            f"{smote['n_synthetic']:,} rows SMOTE (k_neighbors={smote['k_neighbors']}) "
            "would add fall where most of the nearest real rows are of other classes "
            f"(~{smote['estimated_rows']:,} rows)."
        )
    if n_rows < SMALL_CLASS:
        text += (
            f" With only {n_rows} rows these shares are uncertain (one row is {_pct(1 / n_rows)})."
        )
    elif n_analysed < n_rows:
        text += (
            f" (Typed a sample of {n_analysed:,} of {n_rows:,} rows: each share is "
            f"uncertain by up to +/-{_margin(n_analysed)} points.)"
        )
    elif n_rows < 300:
        text += (
            f" ({n_rows} rows: each share is uncertain by +/-{_margin(n_rows)} points or "
            "more, as rows that share neighbours are not independent.)"
        )
    text += (
        " Whether resampling helps a model here depends on the model as well as on these "
        "numbers: compare_strategies measures it."
    )
    return text


# --------------------------------------------------------------------------- helpers
def _check_int(name: str, value: Any) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}.")


def _margin(n: int) -> str:
    """Worst-case (share 0.5) half-width of a 95% interval of a share of n rows, in
    percentage points."""
    half = 1.96 * math.sqrt(0.25 / n)
    return f"{100 * half:.1f}" if half < 0.1 else f"{100 * half:.0f}"


def _feature_scale(X: np.ndarray, columns: Any) -> dict:
    """Largest / smallest standard deviation among the features that vary (columns of
    extreme magnitude taken on a copy scaled by a power of two: their squares would
    underflow or overflow)."""
    exponent = std_exponents(X.max(axis=0), X.min(axis=0))
    if exponent.any():
        check_fits(
            X.nbytes,
            "A copy of X scaled for its standard deviations",
            "Scale the features of extreme magnitude first.",
        )
        X = np.ldexp(X, -exponent)
    n = X.shape[0]
    mean = X.sum(axis=0, dtype=np.float64) / n
    squares = np.zeros(X.shape[1])
    for start in range(0, n, _STD_BLOCK):  # bounded temporaries, not a copy of X
        squares += ((X[start : start + _STD_BLOCK] - mean) ** 2).sum(axis=0)
    std = np.ldexp(np.sqrt(squares / n), exponent)
    varying = np.flatnonzero(X.max(axis=0) > X.min(axis=0))  # exact, unlike std > 0
    if varying.size < 2:
        return {"std_ratio": 1.0, "largest": None, "smallest": None}
    hi = int(varying[np.argmax(std[varying])])
    lo = int(varying[np.argmin(std[varying])])
    name = (lambda j: to_python(columns[j])) if columns is not None else (lambda j: j)
    return {
        "std_ratio": float(std[hi] / std[lo]),
        "largest": name(hi),
        "smallest": name(lo),
    }


def _scale_warning(scale: dict) -> str:
    return (
        f"the features' standard deviations differ by a factor of "
        f"{scale['std_ratio']:,.0f} (largest: feature {scale['largest']!r}, smallest: "
        f"feature {scale['smallest']!r}), so the nearest neighbours are decided mostly by "
        "the widest features and these numbers describe the units as much as the data. "
        "Standardise the features (as the model's pipeline does, e.g. StandardScaler) and "
        "run the report on them; SMOTE placed after the scaler sees those same scaled "
        "features."
    )


def _short(label: Any) -> str:
    text = str(label)
    return text if len(text) <= 10 else text[:9] + "~"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _analysed_classes(classes: Any, target: Target) -> list[int]:
    counts = target.counts
    if isinstance(classes, str):
        if classes == "not majority":
            majority = int(np.argmax(counts))
            return [i for i in range(counts.size) if i != majority]
        if classes == "minority":
            return [int(np.argmin(counts))]
        raise ValueError(
            f"classes must be 'not majority', 'minority' or a list of labels, got {classes!r}."
        )
    if isinstance(classes, (list, tuple, np.ndarray)):
        known = {to_python(c): i for i, c in enumerate(target.classes)}
        wanted = [to_python(c) for c in classes]
        unknown = [c for c in wanted if c not in known]
        if unknown or not wanted:
            raise ValueError(
                f"classes {unknown or wanted!r} are not among the labels of y {list(known)!r}."
            )
        return sorted({known[c] for c in wanted})
    raise ValueError(
        f"classes must be 'not majority', 'minority' or a list of labels, got {classes!r}."
    )


def _smote_landing(X, target, ci, n_new, k, n_samples, key, smote_k) -> dict:
    """Generate SMOTE's first synthetic rows for class ``ci`` and check where they land."""
    with phase(f"class {to_python(target.classes[ci])}: where SMOTE's rows land"):
        hit, ways = _landing_draws(X, target, ci, n_new, k, n_samples, key, smote_k)
    share = float(hit.mean())
    return {
        "n_synthetic": n_new,
        "n_simulated": int(hit.size),
        "share": share,
        "ci95": list(_clustered_wilson(hit, ways)),
        "estimated_rows": int(round(share * n_new)),
        "k_neighbors": smote_k,
    }


def _landing_draws(X, target, ci, n_new, k, n_samples, key, smote_k):
    """Whether each simulated row lands in an other-class region, and the real rows it
    depends on most: ``(hit, (base row, neighbour row, nearest real row))``.

    Only the bases those rows draw need their same-class neighbours, so the cost is
    ``m x class rows`` (not ``class rows^2``). They are exact, as ``SMOTE``'s are unless
    its ``"auto"`` rule picks approximate search for a very large class.
    """
    rows = target.rows_of(ci)
    X_class = np.ascontiguousarray(X[rows])
    m = min(n_samples, n_new)
    bases, slots = draw_bases(stream_key(key, class_stream(ci)), 0, m, rows.size, smote_k)
    needed = np.unique(bases)
    class_nbr = np.zeros((rows.size, smote_k), dtype=np.int64)  # rows never drawn: unused
    class_nbr[needed] = kneighbors(X_class, smote_k, queries=needed, backend="exact").indices
    synthetic = ClassJob.for_class(X_class, class_nbr, key, ci, n_new).generate(0, m)
    shared = shared_neighbourhoods(X, k, target.encoded == ci, points=synthetic)
    other = k * shared.ties - shared.same  # other-class neighbours, times ties
    return 2 * other > k * shared.ties, (bases, class_nbr[bases, slots], shared.nearest)


class SharedNeighbourhoods(NamedTuple):
    """Same-class weight of each query's ``k`` nearest rows, ties at the k-th distance
    shared (:func:`shared_neighbourhoods`).

    Attributes
    ----------
    same : ndarray of int64
        Numerator of the same-class count: ``same / ties`` same-class neighbours.
    ties : ndarray of int64
        Denominator: the number of rows tied at the k-th distance when they cross the
        k-th place, else 1.
    nearest : ndarray of int64
        The nearest row of each query (lowest position among equally near rows).
    backend : str
        The search used.
    unresolved : int
        Queries whose tie at the k-th distance an approximate search could not follow
        (broken by row position instead); 0 for the exact search.
    """

    same: np.ndarray
    ties: np.ndarray
    nearest: np.ndarray
    backend: str
    unresolved: int


def shared_neighbourhoods(
    X: np.ndarray,
    k: int,
    is_same: np.ndarray,
    *,
    queries: np.ndarray | None = None,
    points: np.ndarray | None = None,
    backend: Any = "exact",
    key: Any = 0,
    working_memory: int | None = None,
) -> SharedNeighbourhoods:
    """How many of each query's ``k`` nearest rows are same-class, whatever the row order.

    Rows nearer than the k-th distance count 1 each; the ``t`` rows at exactly the k-th
    distance share the ``r`` places left, ``r / t`` each (the mean over every way of
    breaking the tie), so the count depends on the distances and labels only, never on
    which tied row comes first. Queries are the rows ``queries`` of ``X`` (each itself
    excluded by position) or the ``points``. The search asks for ``k + 1`` neighbours;
    for a query whose tie runs past the k-th place, exact searches of twice as many
    neighbours follow until the list reaches past the tie (up to
    :data:`WIDEST_TIE_SEARCH`); a tie wider than that (repeated rows) is counted from
    every row's distance to the query (once per distinct query vector, so duplicated
    rows cost one pass). An approximate search is not completed that way: its ties stay
    broken by position and are counted in ``unresolved``.
    """
    n = X.shape[0]
    limit = n - 1 if points is None else n
    wanted = min(k + 1, limit)  # one more than k: is the k-th distance tied beyond it?
    where = {"points": points} if points is not None else {"queries": queries}
    found = kneighbors(X, wanted, backend=backend, key=key, working_memory=working_memory, **where)
    Q = points if points is not None else X[queries]
    nbr, dist = _by_distance(X, Q, found.indices)
    same = np.count_nonzero(is_same[nbr[:, :k]], axis=1).astype(np.int64)
    ties = np.ones_like(same)
    nearest = nbr[:, 0].copy()
    kth = dist[:, k - 1]
    crossing = np.flatnonzero(dist[:, k] == kth) if wanted > k else np.empty(0, np.int64)
    if crossing.size and found.backend != "exact":
        return SharedNeighbourhoods(same, ties, nearest, found.backend, int(crossing.size))
    if crossing.size:
        budget = resolve_working_memory(working_memory) * 2**20
        n_vectors = np.unique(np.asarray(Q[crossing]), axis=0).shape[0]
        pending = crossing
        # both read every row per query vector: the searches in a compiled kernel for
        # every query (~30x faster per row), the scans in NumPy per distinct vector
        if n_vectors * SCAN_COST > crossing.size:
            pending = _widened(
                X, k, is_same, Q, crossing, queries, points, limit, budget, same, ties
            )
        if pending.size:  # ties of hundreds of rows: repeated rows, few distinct vectors
            _scanned(X, k, is_same, Q, pending, queries, points, budget, same, ties)
    return SharedNeighbourhoods(same, ties, nearest, found.backend, 0)


#: Widest neighbour list searched for a tie before the rows' distances are scanned.
WIDEST_TIE_SEARCH = 256
#: Cost of one NumPy pass over every row's distance to a vector, in exact searches of
#: one query (the compiled kernel reads the rows ~30x faster).
SCAN_COST = 32


def _widened(X, k, is_same, Q, crossing, queries, points, limit, budget, same, ties):
    """Resolve the ties of queries ``crossing`` with exact searches of ever more
    neighbours (doubling, up to :data:`WIDEST_TIE_SEARCH`) until the list reaches past
    the k-th distance; write ``same`` and ``ties``; return the queries left."""
    pending, width = crossing, min(limit, 2 * (k + 1))
    while pending.size:
        left = []
        rows = max(1, budget // (width * 24))  # the lists and their distances
        for start in range(0, pending.size, rows):
            part = pending[start : start + rows]
            where = {"points": points[part]} if points is not None else {"queries": queries[part]}
            found = kneighbors(X, width, backend="exact", **where)
            nbr, dist = _by_distance(X, Q[part], found.indices)
            kth = dist[:, k - 1 : k]
            done = (dist[:, -1:] > kth).ravel() | (width >= limit)
            closer, tied = dist < kth, dist == kth
            hits = is_same[nbr]
            ties[part[done]] = tied[done].sum(axis=1)
            same[part[done]] = tied[done].sum(axis=1) * (hits & closer)[done].sum(axis=1) + (
                k - closer[done].sum(axis=1)
            ) * (hits & tied)[done].sum(axis=1)
            left.append(part[~done])
        pending = np.concatenate(left)
        if width >= min(limit, WIDEST_TIE_SEARCH):
            break
        width = min(limit, 2 * width)
    return pending


def _scanned(X, k, is_same, Q, pending, queries, points, budget, same, ties):
    """Resolve the ties of queries ``pending`` by every row's distance to each distinct
    query vector (one pass over the rows per vector, whatever its copies)."""
    vectors = np.asarray(Q[pending], dtype=np.float64)
    unique, group = np.unique(vectors, axis=0, return_inverse=True)
    group = group.ravel()
    for u in range(unique.shape[0]):
        members = pending[group == u]
        d = _distances_to(X, unique[u], budget)
        if points is None:
            # each query is a row at distance 0 from the vector: drop one such 0
            kth_u = np.partition(d, k)[k]
            own = is_same[queries[members]].astype(np.int64)
        else:
            kth_u = np.partition(d, k - 1)[k - 1]
            own = np.zeros(members.size, dtype=np.int64)
        closer, tied = d < kth_u, d == kth_u
        n_closer, n_tied = int(closer.sum()), int(tied.sum())
        s_closer, s_tied = int(is_same[closer].sum()), int(is_same[tied].sum())
        if points is None and kth_u > 0:
            n_closer, s_closer = n_closer - 1, s_closer - own
        elif points is None:
            n_tied, s_tied = n_tied - 1, s_tied - own
        ties[members] = n_tied
        same[members] = n_tied * s_closer + (k - n_closer) * s_tied


def _distances_to(X: np.ndarray, vector: np.ndarray, budget: int) -> np.ndarray:
    """Squared distance of every row of ``X`` to ``vector``, in blocks of rows."""
    n, d = X.shape
    out = np.empty(n, dtype=np.float64)
    step = max(1, budget // (8 * max(1, d)))
    for start in range(0, n, step):
        diff = X[start : start + step].astype(np.float64) - vector
        out[start : start + step] = np.einsum("jk,jk->j", diff, diff)
    return out


def _by_distance(X: np.ndarray, Q: np.ndarray, indices: np.ndarray):
    """``indices`` and their squared distances to ``Q``, each row ordered nearest first
    (equal distances by position: the search's own tie rule)."""
    dist = np.empty(indices.shape, dtype=np.float64)
    step = max(1, 2**22 // max(1, indices.shape[1] * X.shape[1]))
    for start in range(0, indices.shape[0], step):
        block = slice(start, start + step)
        diff = X[indices[block]].astype(np.float64) - np.asarray(Q[block], np.float64)[:, None, :]
        dist[block] = np.einsum("ijk,ijk->ij", diff, diff)
    order = np.argsort(dist, axis=1, kind="stable")
    ranked = np.take_along_axis(indices, order, axis=1)
    return ranked, np.take_along_axis(dist, order, axis=1)


def _tie_warning(label: Any, unresolved: int, analysed: int, backend: str) -> str:
    return (
        f"class {label!r}: {unresolved:,} of the {analysed:,} typed rows have rows tied at "
        f"the {backend} search's last neighbour distance beyond it (repeated rows or "
        "discrete features); the approximate search breaks those ties by row position, "
        "so these numbers can change with the row order. neighbors='exact' shares each "
        "tie among the tied rows and does not depend on the order."
    )


def _clustered_wilson(hit, ways, z: float = 1.959964) -> tuple[float, float]:
    """95% interval of the share of ``hit``, counting the real rows as the sample.

    Synthetic rows made from the same real rows land alike, so they are not
    independent: with 50 class rows, 2,000 simulated rows hold little more information
    than the 50 rows. The variance of the share is clustered by each of ``ways`` (one
    group label per simulated row: base row, neighbour row, nearest real row), combined
    by inclusion-exclusion over the ways (Cameron, Gelbach & Miller, 2011; never below
    the largest one-way variance), and the Wilson interval uses the effective number of
    rows it implies: at most the number of simulated rows, the number of distinct base
    rows when the variance is zero.
    """
    hit = np.asarray(hit, dtype=np.float64)
    m = hit.size
    p = float(hit.mean())
    resid = hit - p
    one_way = []
    var = 0.0
    for size in range(1, len(ways) + 1):
        for subset in itertools.combinations(ways, size):
            v = _cluster_var(resid, _joint_groups(subset))
            var += v if size % 2 else -v
            if size == 1:
                one_way.append(v)
    var = max(var, *one_way)
    if var > 0 and 0 < p < 1:
        n_eff = min(float(m), max(1.0, p * (1 - p) / var))
    else:
        n_eff = float(np.unique(ways[0]).size)
    return _wilson(p * n_eff, n_eff, z)


def _joint_groups(groups: tuple) -> np.ndarray:
    """One label per row for the combination of several group labels."""
    if len(groups) == 1:
        return np.asarray(groups[0])
    _, joint = np.unique(np.column_stack(groups), axis=0, return_inverse=True)
    return joint.ravel()


def _cluster_var(resid: np.ndarray, groups: np.ndarray) -> float:
    """Cluster-robust variance of a mean from its residuals, with small-sample factor."""
    _, inverse = np.unique(groups, return_inverse=True)
    sums = np.bincount(inverse, weights=resid)
    g = sums.size
    if g < 2:
        return 0.0
    return float(g / (g - 1) * np.sum(sums**2) / resid.size**2)


def _wilson(hits: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval of a share of ``hits`` in ``n`` (n may be fractional)."""
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
