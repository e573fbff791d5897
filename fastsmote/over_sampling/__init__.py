"""Over-samplers."""

from ._smote import SMOTE, SyntheticProvenance

__all__ = ["SMOTE", "SyntheticProvenance"]
