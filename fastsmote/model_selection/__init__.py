"""Split first, resample only the training part, validate on untouched data.

- :func:`resampled_splits`: per fold, the resampled training part, the untouched
  validation part and a record (for training loops outside scikit-learn).
- :func:`cross_validate_resampled`: ``cross_validate`` with resampling inside each fold.
- :func:`check_leakage`: detect the signature of resampling before splitting.

The :class:`fastsmote.pipeline.Pipeline` gives the same guarantee to scikit-learn tools.
"""

from ._folds import (
    ResampledCVResult,
    ResampledFold,
    cross_validate_resampled,
    fold_seed,
    resampled_splits,
)
from ._leakage import LeakageReport, check_leakage

__all__ = [
    "LeakageReport",
    "check_leakage",
    "ResampledCVResult",
    "ResampledFold",
    "cross_validate_resampled",
    "fold_seed",
    "resampled_splits",
]
