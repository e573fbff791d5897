"""Neighbour search backends.

Only the exact backend exists so far; approximate search arrives with the scaling work.
"""

from ._exact import exact_kneighbors

__all__ = ["exact_kneighbors"]
