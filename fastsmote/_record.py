"""The resampling record: what a sampler did, in a form that survives a JSON round trip.

A record is built from a fitted sampler (``sampler.record()``) or, for code paths that
resample without ``fit_resample`` (the streamed command line), from the counts directly
(:meth:`ResamplingRecord.build`). Every value it holds is already JSON-native (labels and
counts as ``[label, count]`` pairs, parameters converted once), so
``ResamplingRecord.from_json(r.to_json()) == r`` holds exactly.

It lives below the samplers that build it; its public name is
``fastsmote.diagnostics.ResamplingRecord``.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np

#: Marks the machine-readable copy inside a Markdown record.
_MARKDOWN_FENCE = "```json fastsmote-record"


def _native(value: Any) -> Any:
    """A JSON-native equivalent of ``value`` (estimators and other objects as ``repr``)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_native(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _native(v) for k, v in value.items()}
        # Non-string keys (class labels) would become strings in JSON: keep them as pairs.
        return [[_native(k), _native(v)] for k, v in value.items()]
    return repr(value)


def label_counts(y: Any) -> dict:
    """``{label: rows}`` of a 1-D label array (for samplers from other libraries)."""
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    return dict(zip(labels.tolist(), counts.tolist(), strict=True))


def _pairs(mapping: dict) -> list[list]:
    """``{label: value}`` as JSON-native ``[label, value]`` pairs (labels keep their type)."""
    return [[_native(k), _native(v)] for k, v in mapping.items()]


def _versions() -> dict[str, str]:
    import numba
    import sklearn

    from ._version import __version__

    return {
        "fastsmote": __version__,
        "numpy": np.__version__,
        "numba": numba.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


@dataclasses.dataclass
class ResamplingRecord:
    """What one resampling did: method, parameters, versions, seed, counts, time, where.

    Attributes
    ----------
    method : str
        Sampler class name, e.g. ``"SMOTE"``.
    parameters : dict
        The sampler's parameters (``get_params(deep=False)``), JSON-native: dicts keyed
        by class labels become ``[label, value]`` pairs, estimators their ``repr``.
    versions : dict
        fastsmote, NumPy, Numba, scikit-learn and Python versions.
    rng_version : int or None
        Version of fastsmote's random stream layout (``fastsmote._random.RNG_VERSION``);
        same key + same RNG version = same rows.
    random_key : int or None
        The 64-bit key drawn from ``random_state`` (None for samplers that draw nothing).
    class_counts_before, class_counts_after : list of [label, count]
        Per class, in sorted label order.
    n_synthetic : int
        Rows added (generated or duplicated).
    n_removed : int
        Input rows dropped.
    neighbors_backend : list, str or None
        Neighbour search used: per class as ``[label, backend]`` pairs, or one backend
        (a cleaner searching all rows at once).
    elapsed_seconds : float
        Wall time of the resampling.
    applied_to : str or None
        Where it was applied, e.g. ``"fold 3 of 5, training part (8000 rows)"``.
    created_at : str
        UTC time the record was made, ISO 8601.
    columns : dict or None
        The table's columns by role, where the resampling was applied to a table (the
        command line): ``target``, ``features``, ``passthrough`` (carried through
        unchanged, null in added rows), ``dropped`` (left out of the output),
        ``synthetic_column``. None otherwise.
    """

    method: str
    parameters: dict
    versions: dict
    rng_version: int | None
    random_key: int | None
    class_counts_before: list
    class_counts_after: list
    n_synthetic: int
    n_removed: int
    neighbors_backend: list | str | None
    elapsed_seconds: float
    applied_to: str | None
    created_at: str
    columns: dict | None = None

    @classmethod
    def build(
        cls,
        sampler: Any,
        *,
        counts_before: dict,
        counts_after: dict,
        elapsed_seconds: float,
        applied_to: str | None = None,
        n_synthetic: int | None = None,
        n_removed: int | None = None,
    ) -> ResamplingRecord:
        """Make a record for ``sampler`` from counts measured by the caller.

        Parameters
        ----------
        sampler : estimator
            The sampler that resampled (its parameters and fitted key are read).
        counts_before, counts_after : dict
            ``{label: rows}`` before and after resampling.
        elapsed_seconds : float
        applied_to : str, optional
        n_synthetic, n_removed : int, optional
            Rows added and dropped; by default the per-class increases and decreases
            (give them when one resampling both adds and removes rows of a class).

        Returns
        -------
        ResamplingRecord
        """
        labels = list(counts_before) + [c for c in counts_after if c not in counts_before]
        before = {c: int(counts_before.get(c, 0)) for c in labels}
        after = {c: int(counts_after.get(c, 0)) for c in labels}
        backend = getattr(sampler, "neighbors_backend_", None)
        key = getattr(sampler, "random_key_", None)
        return cls(
            method=type(sampler).__name__,
            parameters=_native(sampler.get_params(deep=False)),
            versions=_versions(),
            rng_version=getattr(sampler, "rng_version_", None),
            random_key=None if key is None else int(key),
            class_counts_before=_pairs(before),
            class_counts_after=_pairs(after),
            n_synthetic=int(
                sum(max(0, after[c] - before[c]) for c in labels)
                if n_synthetic is None
                else n_synthetic
            ),
            n_removed=int(
                sum(max(0, before[c] - after[c]) for c in labels)
                if n_removed is None
                else n_removed
            ),
            neighbors_backend=_pairs(backend) if isinstance(backend, dict) else backend,
            elapsed_seconds=float(elapsed_seconds),
            applied_to=applied_to,
            created_at=datetime.datetime.now(datetime.timezone.utc).isoformat(),
        )

    # ------------------------------------------------------------------ views
    def counts_before(self) -> dict:
        """``{label: rows}`` before resampling."""
        return {label: n for label, n in self.class_counts_before}

    def counts_after(self) -> dict:
        """``{label: rows}`` after resampling."""
        return {label: n for label, n in self.class_counts_after}

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict:
        """The record as a JSON-native dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ResamplingRecord:
        """Rebuild a record from :meth:`to_dict` output; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        optional = {
            f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
        }
        unknown = set(data) - names
        missing = names - optional - set(data)
        if unknown or missing:
            raise ValueError(
                f"not a fastsmote resampling record: unknown fields {sorted(unknown)}, "
                f"missing fields {sorted(missing)}"
            )
        return cls(**data)

    def to_json(self, indent: int | None = 2) -> str:
        """The record as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> ResamplingRecord:
        """Rebuild a record from :meth:`to_json` text."""
        return cls.from_dict(json.loads(text))

    # ------------------------------------------------------------------ Markdown
    def to_markdown(self) -> str:
        """A readable Markdown summary, with the JSON record embedded for loading back."""
        before, after = self.counts_before(), self.counts_after()
        lines = [
            f"# Resampling record: {self.method}",
            "",
            f"- applied to: {self.applied_to or 'unspecified'}",
            f"- created: {self.created_at}",
            f"- time: {self.elapsed_seconds:.3f} s",
            f"- synthetic rows: {self.n_synthetic:,}; removed rows: {self.n_removed:,}",
            f"- random key: {self.random_key} (RNG version {self.rng_version})",
            "- versions: " + ", ".join(f"{k} {v}" for k, v in self.versions.items()),
            *_column_lines(self.columns),
            "",
            "| class | before | after |",
            "|---|---:|---:|",
            *(f"| {c} | {before[c]:,} | {after[c]:,} |" for c in before),
            "",
            "Parameters: " + ", ".join(f"`{k}={v!r}`" for k, v in self.parameters.items()),
            "",
            _MARKDOWN_FENCE,
            self.to_json(),
            "```",
            "",
        ]
        return "\n".join(lines)

    @classmethod
    def from_markdown(cls, text: str) -> ResamplingRecord:
        """Rebuild a record from :meth:`to_markdown` text (its embedded JSON)."""
        start = text.find(_MARKDOWN_FENCE)
        if start < 0:
            raise ValueError("no embedded fastsmote record found in the Markdown text")
        body = text[start + len(_MARKDOWN_FENCE) :]
        return cls.from_json(body[: body.index("```")])

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> Path:
        """Write the record: Markdown for a ``.md`` path, JSON otherwise."""
        path = Path(path)
        text = self.to_markdown() if path.suffix.lower() == ".md" else self.to_json()
        path.write_text(text, encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> ResamplingRecord:
        """Read a record written by :meth:`save`."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        return cls.from_markdown(text) if path.suffix.lower() == ".md" else cls.from_json(text)


def _column_lines(columns: dict | None) -> list[str]:
    """Markdown lines for the columns by role (none without them)."""
    if not columns:
        return []
    lines = []
    for role, names in columns.items():
        if names is None or names == []:
            continue
        shown = ", ".join(f"`{n}`" for n in names) if isinstance(names, list) else f"`{names}`"
        lines.append(f"- {role.replace('_', ' ')}: {shown}")
    return lines
