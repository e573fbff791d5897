"""Over-samplers."""

from ._random import RandomOverSampler
from ._smote import SMOTE, SyntheticProvenance
from ._smotenc import SMOTENC
from ._variants import ADASYN, BorderlineSMOTE

__all__ = [
    "ADASYN",
    "SMOTE",
    "SMOTENC",
    "BorderlineSMOTE",
    "RandomOverSampler",
    "SyntheticProvenance",
]
