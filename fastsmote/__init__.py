"""fastsmote: fast, reproducible resampling for imbalanced classification.

Importing this package compiles nothing; kernels compile (or load from the on-disk
cache) on first use, or ahead of time with :func:`warmup`.
"""

from ._config import config_context, get_config, set_config
from ._function_sampler import FunctionSampler
from ._show_versions import show_versions
from ._version import __version__
from ._warmup import warmup
from .combine import SMOTEENN, SMOTETomek
from .datasets import make_imbalance
from .over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
    RandomOverSampler,
)
from .under_sampling import (
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    InstanceHardnessThreshold,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)

__all__ = [
    "ADASYN",
    "AllKNN",
    "BalancedBaggingClassifier",
    "BalancedRandomForestClassifier",
    "BorderlineSMOTE",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EasyEnsembleClassifier",
    "EditedNearestNeighbours",
    "FunctionSampler",
    "InstanceHardnessThreshold",
    "KMeansSMOTE",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "RandomOverSampler",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "RUSBoostClassifier",
    "SMOTE",
    "SMOTEENN",
    "SMOTEN",
    "SMOTENC",
    "SMOTETomek",
    "SVMSMOTE",
    "TomekLinks",
    "config_context",
    "get_config",
    "make_imbalance",
    "set_config",
    "show_versions",
    "warmup",
    "__version__",
]

#: Subpackages reachable as attributes (``fastsmote.diagnostics.overlap_report``),
#: imported on first use so that ``import fastsmote`` stays light.
_LAZY_SUBPACKAGES = ("diagnostics", "ensemble", "model_selection", "pipeline")
#: Public names imported from their subpackage on first use (``fastsmote.X`` and
#: ``from fastsmote import X``), as they pull in scikit-learn's ensembles.
_LAZY_NAMES = {
    "BalancedBaggingClassifier": "ensemble",
    "BalancedRandomForestClassifier": "ensemble",
    "EasyEnsembleClassifier": "ensemble",
    "RUSBoostClassifier": "ensemble",
}


def __getattr__(name: str):
    if name in _LAZY_SUBPACKAGES or name in _LAZY_NAMES:
        import importlib

        module = importlib.import_module(f".{_LAZY_NAMES.get(name, name)}", __name__)
        return getattr(module, name) if name in _LAZY_NAMES else module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
