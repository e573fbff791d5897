"""Decision support: class overlap, strategy comparison, thresholds and alert capacity,
calibration after resampling, and the record of what was resampled.

Importing this package imports neither pandas nor matplotlib; functions that need them
import them when called.
"""

from ._overlap import OverlapReport, overlap_report
from ._record import ResamplingRecord

__all__ = [
    "OverlapReport",
    "overlap_report",
    "ResamplingRecord",
]
