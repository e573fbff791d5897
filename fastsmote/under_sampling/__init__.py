"""Under-samplers."""

from ._random import RandomUnderSampler

__all__ = ["RandomUnderSampler"]
