"""Under-samplers: random selection, cleaning and prototype selection."""

from ._clean import EditedNearestNeighbours, TomekLinks
from ._nearmiss import NearMiss
from ._random import RandomUnderSampler

__all__ = ["EditedNearestNeighbours", "NearMiss", "RandomUnderSampler", "TomekLinks"]
from ._condensed import CondensedNearestNeighbour, OneSidedSelection
from ._random import RandomUnderSampler

__all__ = [
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "OneSidedSelection",
    "RandomUnderSampler",
from ._editing import AllKNN, NeighbourhoodCleaningRule, RepeatedEditedNearestNeighbours
from ._random import RandomUnderSampler

__all__ = [
    "AllKNN",
    "EditedNearestNeighbours",
    "NeighbourhoodCleaningRule",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
"""Under-samplers: random selection, cleaning, and model-based selection."""

from ._clean import EditedNearestNeighbours, TomekLinks
from ._model_based import ClusterCentroids, InstanceHardnessThreshold
from ._random import RandomUnderSampler

__all__ = [
    "ClusterCentroids",
    "EditedNearestNeighbours",
    "InstanceHardnessThreshold",
    "RandomUnderSampler",
    "TomekLinks",
]
