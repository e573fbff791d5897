"""Under-samplers: random selection, cleaning, prototype and model-based selection."""

from ._clean import EditedNearestNeighbours, TomekLinks
from ._condensed import CondensedNearestNeighbour, OneSidedSelection
from ._editing import AllKNN, NeighbourhoodCleaningRule, RepeatedEditedNearestNeighbours
from ._model_based import ClusterCentroids, InstanceHardnessThreshold
from ._nearmiss import NearMiss
from ._random import RandomUnderSampler

__all__ = [
    "AllKNN",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "InstanceHardnessThreshold",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "TomekLinks",
]
