"""Under-samplers: random selection and cleaning."""

from ._clean import EditedNearestNeighbours, TomekLinks
from ._editing import AllKNN, NeighbourhoodCleaningRule, RepeatedEditedNearestNeighbours
from ._random import RandomUnderSampler

__all__ = [
    "AllKNN",
    "EditedNearestNeighbours",
    "NeighbourhoodCleaningRule",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "TomekLinks",
]
