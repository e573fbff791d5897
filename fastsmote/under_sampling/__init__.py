"""Under-samplers: random selection and cleaning."""

from ._clean import EditedNearestNeighbours, TomekLinks
from ._nearmiss import NearMiss
from ._random import RandomUnderSampler

__all__ = ["EditedNearestNeighbours", "NearMiss", "RandomUnderSampler", "TomekLinks"]
