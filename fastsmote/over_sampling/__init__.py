"""Over-samplers."""

from ._random import RandomOverSampler
from ._smote import SMOTE, SyntheticProvenance
from ._variants import ADASYN, BorderlineSMOTE

__all__ = ["ADASYN", "SMOTE", "BorderlineSMOTE", "RandomOverSampler", "SyntheticProvenance"]
