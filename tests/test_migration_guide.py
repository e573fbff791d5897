"""docs/migrating.md keeps up with imbalanced-learn and with fastsmote.

The page's tables are read as data: every public name of imbalanced-learn is in the
overview table; for every fastsmote class with an imbalanced-learn twin, every
constructor parameter and every fitted attribute of the twin (found by introspection and
by fitting it here) has a row with a status, and every parameter, fitted attribute and
method fastsmote adds has a row in the class's second table. Rows must name things that
exist, and a parameter the page calls "identical" must be accepted by fastsmote's
constructor with imbalanced-learn's default.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import fastsmote
import fastsmote.pipeline

imblearn = pytest.importorskip("imblearn")

PAGE = Path(__file__).resolve().parents[1] / "docs" / "migrating.md"
STATUSES = ("identical", "differs on purpose", "not supported")
#: imbalanced-learn's modules whose public names the overview table lists.
IMBLEARN_MODULES = (
    "over_sampling",
    "under_sampling",
    "combine",
    "ensemble",
    "pipeline",
    "datasets",
    "metrics",
    "utils",
    "model_selection",
    "keras",
    "tensorflow",
)
#: Where imbalanced-learn keeps the twin of a fastsmote sampler or ensemble.
SAMPLER_MODULES = ("over_sampling", "under_sampling", "combine", "ensemble")
#: Kinds of row in the "fastsmote only" tables, and how each is checked.
EXTRA_KINDS = ("parameter", "attribute", "method", "fit_resample argument")


# --------------------------------------------------------------------------- the page
def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _tables(lines: list[str]) -> list[list[dict[str, str]]]:
    """The Markdown tables among ``lines``, each a list of rows keyed by its header."""
    tables, block = [], []
    for line in [*lines, ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            header = _cells(block[0])
            rows = [dict(zip(header, _cells(row), strict=True)) for row in block[2:]]
            tables.append(rows)
            block = []
    return tables


@functools.cache
def page_sections() -> dict[str, list[str]]:
    """Lines of the page under each heading, keyed by the heading's text."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{1,6} (.*)$", line)
        if heading:
            current = heading.group(1).strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def _name(cell: str) -> str:
    match = re.fullmatch(r"`(\w+)`", cell)
    assert match, f"the first cell of a row must be one `name`; got {cell!r}"
    return match.group(1)


def class_tables(cls_name: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """The rows of the section ``### `cls_name```: imbalanced-learn's names and
    fastsmote's additions, each ``{name: row}``."""
    heading = f"`{cls_name}`"
    assert heading in page_sections(), f"docs/migrating.md has no section ### {heading}"
    twin, extra = {}, {}
    for table in _tables(page_sections()[heading]):
        first = next(iter(table[0])) if table else ""
        target = {"imbalanced-learn": twin, "fastsmote only": extra}.get(first)
        assert target is not None, f"{heading}: a table whose first column is {first!r}"
        for row in table:
            name = _name(row[first])
            assert (name, row["kind"]) not in {(n, r["kind"]) for n, r in target.items()}, (
                f"{heading}: {name} listed twice"
            )
            target[name] = row
    return twin, extra


def overview_names() -> set[str]:
    """Last dotted component of every `name` in the first column of the overview."""
    names = set()
    for table in _tables(page_sections()["Every public name of imbalanced-learn"]):
        for row in table:
            for dotted in re.findall(r"`([\w.]+)`", row["imbalanced-learn"]):
                names.add(dotted.rsplit(".", 1)[-1])
    return names


# --------------------------------------------------------------------------- the libraries
def twins() -> dict[str, tuple[type, type]]:
    """fastsmote class name -> (fastsmote class, imbalanced-learn class)."""
    pairs = {}
    for name in fastsmote.__all__:
        ours = getattr(fastsmote, name)
        if not isinstance(ours, type):
            continue
        for module in SAMPLER_MODULES:
            theirs = getattr(importlib.import_module(f"imblearn.{module}"), name, None)
            if theirs is not None:
                pairs[name] = (ours, theirs)
    pairs["FunctionSampler"] = (fastsmote.FunctionSampler, imblearn.FunctionSampler)
    pairs["Pipeline"] = (fastsmote.pipeline.Pipeline, imblearn.pipeline.Pipeline)
    return pairs


TWINS = twins()


def _data() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_classification(
        n_samples=160,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        weights=[0.8],
        class_sep=0.5,
        random_state=0,
    )
    X[:, 0] = X[:, 0] > 0  # a categorical column for SMOTENC
    return pd.DataFrame(X, columns=["a", "b", "c", "d"]), y


def _make(cls: type) -> object:
    """An instance with defaults, the required arguments filled in for ``cls``'s library."""
    if issubclass(cls, fastsmote.pipeline.Pipeline) or cls is imblearn.pipeline.Pipeline:
        library = fastsmote if cls.__module__.startswith("fastsmote") else imblearn.over_sampling
        steps = [
            ("scale", StandardScaler()),
            ("sample", library.RandomOverSampler(random_state=0)),
            ("classify", LogisticRegression()),
        ]
        return cls(steps)
    if "categorical_features" in parameters(cls):
        return cls(categorical_features=[0])
    if "cluster_balance_threshold" in parameters(cls):  # KMeansSMOTE: keep some cluster
        return cls(cluster_balance_threshold=0.1, random_state=0)
    if ".ensemble" in cls.__module__:
        # a fixed seed: with some draws RUSBoost's first round is worse than chance on
        # this data, and fit raises (in both libraries)
        return cls(random_state=0)
    return cls()


def parameters(cls: type) -> dict[str, inspect.Parameter]:
    return {
        name: p
        for name, p in inspect.signature(cls).parameters.items()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def _public_attributes(obj: object) -> set[str]:
    names = set()
    for name in dir(obj):
        is_property = isinstance(getattr(type(obj), name, None), property)
        if name.startswith("_") or not (name in vars(obj) or name.endswith("_") or is_property):
            continue
        try:
            getattr(obj, name)
        except Exception:  # e.g. a property of an unfitted pipeline
            continue
        names.add(name)
    return names


@functools.cache
def fitted_attributes(cls: type) -> frozenset[str]:
    """Public attributes ``cls`` sets in fitting (``fit_resample`` or ``fit``)."""
    estimator = _make(cls)
    before = _public_attributes(estimator) | set(estimator.get_params(deep=False))
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hasattr(estimator, "fit_resample") and not hasattr(estimator, "steps"):
            estimator.fit_resample(X, y)
        else:
            estimator.fit(X, y)
    return frozenset(_public_attributes(estimator) - before)


def _public_methods(cls: type) -> set[str]:
    # set_<method>_request methods are scikit-learn's metadata routing, made per class when
    # it is defined: set_fit_resample_request exists on fastsmote's samplers (whose
    # fit_resample takes ``out``) only when imbalanced-learn was imported before fastsmote.
    return {
        name
        for name in dir(cls)
        if not name.startswith("_")
        and not re.fullmatch(r"set_\w+_request", name)
        and inspect.isfunction(getattr(cls, name, None))
    }


# --------------------------------------------------------------------------- the tests
def test_every_public_name_of_imblearn_is_in_the_overview():
    names = {"FunctionSampler"}
    for module in IMBLEARN_MODULES:
        names.update(importlib.import_module(f"imblearn.{module}").__all__)
    missing = names - overview_names()
    assert not missing, f"docs/migrating.md's overview lacks imbalanced-learn's {sorted(missing)}"


def test_every_twin_has_a_section_and_an_overview_row():
    overview = page_sections()["Every public name of imbalanced-learn"]
    for name in TWINS:
        assert f"`{name}`" in page_sections(), name
        assert any(f"[table](#{name.lower()})" in line for line in overview), name


@pytest.mark.parametrize("name", TWINS)
def test_every_parameter_and_fitted_attribute_of_imblearn_has_a_row(name):
    ours, theirs = TWINS[name]
    rows, _ = class_tables(name)
    expected = {p: "parameter" for p in parameters(theirs)}
    expected.update({a: "attribute" for a in fitted_attributes(theirs)})
    missing = sorted(set(expected) - set(rows))
    assert not missing, f"### `{name}` lacks imbalanced-learn's {missing}"
    stale = sorted(set(rows) - set(expected))
    assert not stale, f"### `{name}` lists {stale}, which imbalanced-learn's {name} lacks"
    for item, row in rows.items():
        assert row["kind"] == expected[item], (name, item, row["kind"])
        assert row["fastsmote"] in STATUSES, (name, item, row["fastsmote"])
        if row["fastsmote"] != "identical":
            assert row["notes"], f"### `{name}`: say how {item} differs"


@pytest.mark.parametrize("name", TWINS)
def test_parameters_are_accepted_as_the_page_says(name):
    """ "identical" and "differs on purpose": fastsmote's constructor takes the parameter
    (an identical one with imbalanced-learn's default); "not supported": using it raises
    an error that names it."""
    ours, theirs = TWINS[name]
    rows, _ = class_tables(name)
    ours_params, theirs_params = parameters(ours), parameters(theirs)
    for item, row in rows.items():
        if row["kind"] != "parameter":
            continue
        default = theirs_params[item].default
        if row["fastsmote"] == "not supported":
            with pytest.raises(Exception, match=item):
                _make(ours).set_params(**{item: default}).fit_resample(*_data())
            continue
        assert item in ours_params, f"{name}({item}=...) is not accepted"
        if row["fastsmote"] == "identical" and default is not inspect.Parameter.empty:
            assert repr(ours_params[item].default) == repr(default), (name, item)
            estimator = _make(ours).set_params(**{item: default})
            assert estimator.get_params()[item] is default or (
                estimator.get_params()[item] == default
            )


@pytest.mark.parametrize("name", TWINS)
def test_attributes_on_the_page_exist_after_fitting(name):
    ours, _ = TWINS[name]
    rows, _ = class_tables(name)
    fitted = fitted_attributes(ours)
    for item, row in rows.items():
        if row["kind"] == "attribute" and row["fastsmote"] != "not supported":
            assert item in fitted, f"fastsmote's {name} has no fitted {item}"


@pytest.mark.parametrize("name", TWINS)
def test_fastsmote_additions_are_listed_and_exist(name):
    ours, theirs = TWINS[name]
    twin_rows, extra = class_tables(name)
    expected = {p: "parameter" for p in set(parameters(ours)) - set(parameters(theirs))}
    expected.update({a: "attribute" for a in fitted_attributes(ours) - fitted_attributes(theirs)})
    expected.update({m: "method" for m in _public_methods(ours) - set(dir(theirs))})
    missing = sorted(
        item for item in expected if item not in extra and item not in twin_rows
    )  # an alias of imbalanced-learn's name may sit in the first table
    assert not missing, f"### `{name}`: fastsmote's additions {missing} are not listed"
    fit_resample = getattr(ours, "fit_resample", None)
    for item, row in extra.items():
        kind = row["kind"]
        assert kind in EXTRA_KINDS, (name, item, kind)
        if kind == "fit_resample argument":
            assert item in inspect.signature(fit_resample).parameters, (name, item)
        else:
            assert expected.get(item) == kind, (
                f"### `{name}` lists {item} as a fastsmote {kind}; it is not one"
            )
