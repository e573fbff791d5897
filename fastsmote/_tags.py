"""Estimator tags of fastsmote's samplers, in the shape imbalanced-learn's tooling reads.

imbalanced-learn's check tooling (``imblearn.utils.estimator_checks``) picks its sampler
checks from two tags that scikit-learn's :class:`sklearn.utils.Tags` does not have:
``input_tags.dataframe`` and ``sampler_tags.sample_indices``. The dataclasses here extend
scikit-learn's with exactly those fields, so a fastsmote sampler's ``__sklearn_tags__``
is both a scikit-learn ``Tags`` (``isinstance`` holds for every field scikit-learn
checks) and what imbalanced-learn's tooling expects, without importing imbalanced-learn.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sklearn.utils import InputTags as _SklearnInputTags
from sklearn.utils import Tags as _SklearnTags

__all__ = ["InputTags", "SamplerTags", "Tags", "sampler_tags"]


@dataclass(slots=True)
class InputTags(_SklearnInputTags):
    """scikit-learn's input tags plus ``dataframe``: X may be a DataFrame."""

    dataframe: bool = False


@dataclass(slots=True)
class SamplerTags:
    """Sampler tags: ``sample_indices`` is True when ``fit_resample`` sets
    ``sample_indices_`` (every output row is a copy of an input row)."""

    sample_indices: bool = False


@dataclass(slots=True)
class Tags(_SklearnTags):
    """scikit-learn's estimator tags plus ``sampler_tags``."""

    sampler_tags: SamplerTags | None = None


def sampler_tags(tags: _SklearnTags, *, sample_indices: bool, dataframe: bool = True) -> Tags:
    """``tags`` (scikit-learn's) as a sampler's :class:`Tags`, the values kept."""
    values = {f.name: getattr(tags, f.name) for f in fields(_SklearnTags)}
    inputs = {f.name: getattr(tags.input_tags, f.name) for f in fields(_SklearnInputTags)}
    values["input_tags"] = InputTags(**inputs, dataframe=dataframe)
    values["estimator_type"] = "sampler"
    return Tags(**values, sampler_tags=SamplerTags(sample_indices=sample_indices))
