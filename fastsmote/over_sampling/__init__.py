"""Over-samplers."""

from ._random import RandomOverSampler
from ._smote import SMOTE, SyntheticProvenance

__all__ = ["SMOTE", "RandomOverSampler", "SyntheticProvenance"]
