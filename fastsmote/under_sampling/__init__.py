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
