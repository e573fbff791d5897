"""Over-sampling followed by cleaning."""

from ._smote_cleaning import SMOTEENN, SMOTETomek

__all__ = ["SMOTEENN", "SMOTETomek"]
