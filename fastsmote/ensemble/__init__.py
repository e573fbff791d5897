"""Ensembles trained on resampled data: drop-ins for imbalanced-learn's ensembles.

Each is scikit-learn's own ensemble (bagging, random forest, AdaBoost) whose estimators
train on rows resampled by a fastsmote sampler; every draw derives from one
``random_state``, so an ensemble is the same for any ``n_jobs``.
"""

from ._bagging import BalancedBaggingClassifier, EasyEnsembleClassifier
from ._boosting import RUSBoostClassifier
from ._forest import BalancedRandomForestClassifier

__all__ = [
    "BalancedBaggingClassifier",
    "BalancedRandomForestClassifier",
    "EasyEnsembleClassifier",
    "RUSBoostClassifier",
]
