"""Over-samplers, and the SMOTE plan they generate through."""

from ._kmeans_smote import KMeansSMOTE
from ._plan import (
    ClassJob,
    SmotePlan,
    StreamPlan,
    SyntheticProvenance,
    compute_dtype,
    draw_bases,
    stream_plan,
)
from ._random import RandomOverSampler
from ._smote import SMOTE
from ._smoten import SMOTEN
from ._smotenc import SMOTENC
from ._svmsmote import SVMSMOTE
from ._variants import ADASYN, BorderlineSMOTE, exact_shares

__all__ = [
    "ADASYN",
    "SMOTE",
    "SMOTEN",
    "SMOTENC",
    "SVMSMOTE",
    "BorderlineSMOTE",
    "ClassJob",
    "KMeansSMOTE",
    "RandomOverSampler",
    "SmotePlan",
    "StreamPlan",
    "SyntheticProvenance",
    "compute_dtype",
    "draw_bases",
    "exact_shares",
    "stream_plan",
]
