"""Decision support: class overlap, strategy comparison, thresholds and alert capacity,
calibration after resampling, and the record of what was resampled.

Importing this package imports neither pandas nor matplotlib; functions that need them
import them when called.
"""

from .._record import ResamplingRecord
from ._calibration import (
    ReliabilityCurve,
    brier_score,
    expected_calibration_error,
    reliability_curve,
)
from ._compare import StrategyComparison, compare_strategies
from ._overlap import SCALE_RATIO, OverlapReport, overlap_report
from ._plots import plot_alert_volume, plot_overlap, plot_precision_recall, plot_reliability
from ._prior_correction import PriorCorrectedClassifier, prior_correction
from ._thresholds import (
    AlertVolume,
    CapacityThreshold,
    PrecisionRecallTable,
    expected_alert_volume,
    precision_recall_table,
    threshold_for_capacity,
)

__all__ = [
    "OverlapReport",
    "overlap_report",
    "SCALE_RATIO",
    "StrategyComparison",
    "compare_strategies",
    "ResamplingRecord",
    # thresholds and alert capacity
    "AlertVolume",
    "CapacityThreshold",
    "PrecisionRecallTable",
    "expected_alert_volume",
    "precision_recall_table",
    "threshold_for_capacity",
    # calibration
    "PriorCorrectedClassifier",
    "ReliabilityCurve",
    "brier_score",
    "expected_calibration_error",
    "prior_correction",
    "reliability_curve",
    # pictures (matplotlib imported when called)
    "plot_alert_volume",
    "plot_overlap",
    "plot_precision_recall",
    "plot_reliability",
]
