"""imbalanced-learn's own tests, run against fastsmote.

    python tools/imblearn_suite.py              # run them, sort the failures
    python tools/imblearn_suite.py --keep DIR   # also leave the rewritten tests in DIR

Copies the test modules of the installed imbalanced-learn for every class fastsmote
replaces (samplers, combinations, ensembles, the pipeline, ``FunctionSampler``,
``make_imbalance``), rewrites their imports of those classes to fastsmote's, runs them
with pytest, and sorts every failure into the differences listed in ``KNOWN``, each with
its reason. Exits 1 when a test fails that is not listed, when a listed test passes (the
list is stale) or when a module is missing from the installed imbalanced-learn.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

#: Test modules, relative to the imblearn package.
MODULES = [
    "over_sampling/tests/test_random_over_sampler.py",
    "over_sampling/tests/test_adasyn.py",
    "over_sampling/_smote/tests/test_smote.py",
    "over_sampling/_smote/tests/test_borderline_smote.py",
    "over_sampling/_smote/tests/test_svm_smote.py",
    "over_sampling/_smote/tests/test_kmeans_smote.py",
    "over_sampling/_smote/tests/test_smote_nc.py",
    "over_sampling/_smote/tests/test_smoten.py",
    "under_sampling/_prototype_selection/tests/test_random_under_sampler.py",
    "under_sampling/_prototype_selection/tests/test_tomek_links.py",
    "under_sampling/_prototype_selection/tests/test_edited_nearest_neighbours.py",
    "under_sampling/_prototype_selection/tests/test_repeated_edited_nearest_neighbours.py",
    "under_sampling/_prototype_selection/tests/test_allknn.py",
    "under_sampling/_prototype_selection/tests/test_neighbourhood_cleaning_rule.py",
    "under_sampling/_prototype_selection/tests/test_condensed_nearest_neighbour.py",
    "under_sampling/_prototype_selection/tests/test_one_sided_selection.py",
    "under_sampling/_prototype_selection/tests/test_nearmiss.py",
    "under_sampling/_prototype_selection/tests/test_instance_hardness_threshold.py",
    "under_sampling/_prototype_generation/tests/test_cluster_centroids.py",
    "combine/tests/test_smote_tomek.py",
    "combine/tests/test_smote_enn.py",
    "ensemble/tests/test_bagging.py",
    "ensemble/tests/test_easy_ensemble.py",
    "ensemble/tests/test_forest.py",
    "ensemble/tests/test_weight_boosting.py",
    "datasets/tests/test_imbalance.py",
    "tests/test_base.py",
    "tests/test_pipeline.py",
]

#: imbalanced-learn's imports of the classes fastsmote replaces -> fastsmote's.
REWRITES = [
    (
        r"^(\s*)from imblearn\.(over_sampling|under_sampling|combine|datasets) import",
        r"\1from fastsmote import",
    ),
    (r"^(\s*)from imblearn import FunctionSampler", r"\1from fastsmote import FunctionSampler"),
    (r"^(\s*)from imblearn\.ensemble import", r"\1from fastsmote.ensemble import"),
    (r"^(\s*)from imblearn\.pipeline import", r"\1from fastsmote.pipeline import"),
]
#: Left pointing at imbalanced-learn after the rewrite: a test module importing one of
#: these would test imbalanced-learn, not fastsmote.
NOT_REWRITTEN = re.compile(
    r"^\s*(from imblearn(\.(over_sampling|under_sampling|combine|datasets|ensemble|pipeline))?"
    r" import|import imblearn\s*$)",
    re.MULTILINE,
)

DRAWS = "expected arrays or counts produced by imbalanced-learn's random draws"
WORDING = "the same exception or warning class, fastsmote's own message"

#: Test id -> why it fails against fastsmote. An id ending in "[" covers every
#: parametrization of the test.
KNOWN = {
    "test_random_over_sampler.py::test_ros_fit_resample[": DRAWS,
    "test_adasyn.py::test_ada_fit_resample": DRAWS,
    "test_adasyn.py::test_ada_fit_resample_nn_obj": DRAWS,
    "test_smote.py::test_sample_regular": DRAWS,
    "test_smote.py::test_sample_regular_half": DRAWS,
    "test_smote.py::test_sample_regular_with_nn": DRAWS,
    "test_random_under_sampler.py::test_rus_fit_resample[": DRAWS,
    "test_random_under_sampler.py::test_rus_fit_resample_half": DRAWS,
    "test_condensed_nearest_neighbour.py::test_cnn_fit_resample": DRAWS + " (the first row kept)",
    "test_condensed_nearest_neighbour.py::test_cnn_fit_resample_with_object[": DRAWS
    + " (the first row kept)",
    "test_one_sided_selection.py::test_oss_fit_resample": DRAWS + " (the first row kept)",
    "test_one_sided_selection.py::test_oss_with_object[": DRAWS + " (the first row kept)",
    "test_smote_tomek.py::test_sample_regular": DRAWS + " (the synthetic rows)",
    "test_smote_tomek.py::test_sample_regular_half": DRAWS + " (the synthetic rows)",
    "test_smote_tomek.py::test_validate_estimator_init": DRAWS + " (the synthetic rows)",
    "test_smote_tomek.py::test_validate_estimator_default": DRAWS + " (the synthetic rows)",
    "test_smote_enn.py::test_sample_regular": DRAWS + " (the synthetic rows)",
    "test_smote_enn.py::test_sample_regular_pass_smote_enn": DRAWS + " (the synthetic rows)",
    "test_smote_enn.py::test_validate_estimator_init": DRAWS + " (the synthetic rows)",
    "test_smote_enn.py::test_validate_estimator_default": DRAWS + " (the synthetic rows)",
    "test_bagging.py::test_balanced_bagging_classifier_samplers[": DRAWS
    + " (the class counts of the first bootstrap; each is balanced)",
    "test_easy_ensemble.py::test_easy_ensemble_classifier_single_estimator": DRAWS
    + " (compared with a pipeline seeded the same way in imbalanced-learn only)",
    "test_forest.py::test_balanced_random_forest_oob_binomial[0.1]": DRAWS
    + " (OOB score 0.601 against the bound 0.6; imbalanced-learn's reaches 0.601 too"
    " over seeds 0-19)",
    "test_weight_boosting.py::test_rusboost": DRAWS
    + " (boosting stops after one round, as imbalanced-learn's does for seeds 1-3)",
    "test_weight_boosting.py::test_rusboost_sample_weight": DRAWS
    + " (one round, so the weights change nothing)",
    "test_smote_nc.py::test_smotenc_error": WORDING,
    "test_smote_nc.py::test_smotenc_check_target_type": WORDING,
    "test_smote_nc.py::test_smotenc_samplers_one_label": WORDING,
    "test_smote_nc.py::test_smote_nc_categorical_features_auto_error": (
        "its y has 100 rows for 10 rows of X: fastsmote reports the mismatch first"
    ),
    "test_svm_smote.py::test_svm_smote_not_svm": WORDING,
    "test_imbalance.py::test_make_imbalance_error_single_class": WORDING,
    "test_weight_boosting.py::test_rusboost_algorithm[SAMME]": WORDING,
    "test_weight_boosting.py::test_rusboost_algorithm[SAMME.R]": WORDING,
    "test_pipeline.py::test_pipeline_init": WORDING,
    "test_smote_nc.py::test_smotenc_bool_categorical": (
        "a boolean column interpolated as continuous comes back float, not truncated"
    ),
    "test_instance_hardness_threshold.py::test_iht_reproducibility": (
        "a random_state the user set on the estimator is kept, not replaced"
    ),
    "test_smote_tomek.py::test_parallelisation": "calls the private _validate_estimator",
    "test_smote_enn.py::test_parallelisation": "calls the private _validate_estimator",
    "test_pipeline.py::test_pipeline_with_step_that_it_is_pipeline": (
        "a pipeline holding a sampler is accepted as a step (a transformer outside fit)"
    ),
    "test_pipeline.py::test_pipeline_memory_sampler": "memory caches transformers, not samplers",
    "test_pipeline.py::test_pipeline_warns_not_fitted[": (
        "an unfitted pipeline raises NotFittedError, as scikit-learn's Pipeline"
    ),
}


def known_reason(test_id: str) -> str | None:
    """The reason ``test_id`` is listed in KNOWN, or None."""
    for key, reason in KNOWN.items():
        if test_id == key or (key.endswith("[") and test_id.startswith(key)):
            return reason
    return None


def copy_tests(imblearn_dir: Path, target: Path) -> list[str]:
    """Copy and rewrite MODULES into ``target``; the modules missing from imblearn."""
    missing = []
    for module in MODULES:
        source = imblearn_dir / module
        if not source.exists():
            missing.append(module)
            continue
        text = source.read_text()
        for pattern, replacement in REWRITES:
            text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
        left = NOT_REWRITTEN.search(text)
        if left:
            raise SystemExit(f"{module}: an import still points at imbalanced-learn: {left[0]!r}")
        (target / source.name).write_text(text)
    return missing


def run_pytest(directory: Path, workers: int) -> dict[str, str]:
    """Run the tests in ``directory``; each test id -> passed, failed or skipped."""
    report = directory / "report.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += [f"--junitxml={report}", "--rootdir", str(directory), str(directory)]
    if workers > 1 and importlib.util.find_spec("xdist") is not None:
        command += ["-n", str(workers)]
    subprocess.run(command, cwd=directory, stdout=subprocess.DEVNULL, check=False)
    if not report.exists():
        raise SystemExit("pytest wrote no report: run it by hand in --keep DIR to see why")
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        module, *classes = case.get("classname", "").split(".")
        test_id = "::".join([f"{module}.py", *classes, case.get("name", "")])
        if case.find("failure") is not None or case.find("error") is not None:
            outcomes[test_id] = "failed"
        elif case.find("skipped") is not None:
            outcomes[test_id] = "skipped"
        else:
            outcomes[test_id] = "passed"
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the rewritten tests here")
    parser.add_argument("-n", "--workers", type=int, default=2)
    args = parser.parse_args()

    import imblearn

    imblearn_dir = Path(imblearn.__file__).parent
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        missing = copy_tests(imblearn_dir, directory)
        outcomes = run_pytest(directory, args.workers)
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)

    counts = Counter(outcomes.values())
    print(
        f"imbalanced-learn {imblearn.__version__}: {len(outcomes)} tests from "
        f"{len(MODULES) - len(missing)} modules: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['skipped']} skipped"
    )
    failed = sorted(t for t, outcome in outcomes.items() if outcome == "failed")
    unexplained = [t for t in failed if known_reason(t) is None]
    by_reason = Counter(known_reason(t) for t in failed if known_reason(t) is not None)
    for reason, n in by_reason.most_common():
        print(f"  {n:3d} known: {reason}")
    stale = [
        key
        for key in KNOWN
        if not any(t == key or (key.endswith("[") and t.startswith(key)) for t in failed)
    ]
    for test_id in unexplained:
        print(f"UNEXPECTED FAILURE: {test_id}")
    for key in stale:
        state = "passes" if any(t.startswith(key) for t in outcomes) else "was not run"
        print(f"LISTED BUT {state.upper()}: {key}")
    for module in missing:
        print(f"MISSING MODULE: {module}")
    return 1 if unexplained or stale or missing else 0


if __name__ == "__main__":
    sys.exit(main())
