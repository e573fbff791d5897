"""The sampler base: parameter rules and Parameters text declared once, inherited."""

import inspect
import re

import pytest

import fastsmote
from fastsmote.base import BaseSampler

SAMPLER_CLASSES = [
    getattr(fastsmote, name)
    for name in fastsmote.__all__
    if isinstance(getattr(fastsmote, name), type)
    and issubclass(getattr(fastsmote, name), BaseSampler)
]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def make(cls):
    return cls([0]) if cls is fastsmote.SMOTENC else cls()


def sections(doc: str) -> dict[str, list[str]]:
    """numpydoc sections of a docstring: title -> its lines (dedented)."""
    lines = inspect.cleandoc(doc).splitlines()
    found, title = {}, None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and line and set(lines[i + 1]) == {"-"}:
            title = line
            found[title] = []
        elif title is not None and not set(line) == {"-"}:
            found[title].append(line)
    return found


def parameter_entries(doc: str) -> list[tuple[str, str, list[str]]]:
    """(names, type, description lines) of each Parameters entry."""
    entries = []
    for line in sections(doc)["Parameters"]:
        if line and not line.startswith(" "):
            names, _, kind = line.partition(" : ")
            entries.append((names, kind, []))
        elif line.strip():
            assert line.startswith("    "), f"description not indented by 4: {line!r}"
            entries[-1][2].append(line)
    return entries


def test_every_public_sampler_is_covered():
    assert len(SAMPLER_CLASSES) == 22


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=lambda c: c.__name__)
def test_docstring_documents_every_parameter_once(cls):
    doc = cls.__doc__
    assert not PLACEHOLDER.findall(doc), "shared parameter text not substituted"
    entries = parameter_entries(doc)
    names = [name for names, _, _ in entries for name in names.split(", ")]
    assert sorted(names) == sorted(make(cls).get_params(deep=False))
    assert len(names) == len(set(names))
    for names, kind, description in entries:
        # numpydoc: "name : type", then an indented description
        assert kind, f"{names}: no type"
        assert description, f"{names}: no description"
        assert not description[0].strip().startswith("as for"), names


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=lambda c: c.__name__)
def test_every_parameter_has_a_rule(cls):
    assert set(cls._parameter_constraints) == set(make(cls).get_params(deep=False))


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=lambda c: c.__name__)
def test_shared_rules_come_from_one_table(cls):
    # a shared parameter's rule is the one list declared in fastsmote.base
    shared = {
        "random_state": fastsmote.base.SEED,
        "n_jobs": fastsmote.base.THREADS,
        "working_memory": fastsmote.base.WORKING_MEMORY,
    }
    for name, rule in cls._parameter_constraints.items():
        if name in shared:
            assert rule is shared[name], name
        if name == "sampling_strategy" and cls._sampling_type != "clean-sampling":
            assert rule is BaseSampler._parameter_constraints["sampling_strategy"]


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=lambda c: c.__name__)
def test_bad_shared_parameter_message_names_it(cls):
    sampler = make(cls)
    for name in ("random_state", "n_jobs", "working_memory"):
        if name in sampler.get_params():
            sampler = make(cls).set_params(**{name: "bad"})
            with pytest.raises(ValueError, match=f"The '{name}' parameter of {cls.__name__}"):
                sampler.fit_resample([[0.0], [1.0], [2.0]], [0, 0, 1])
