"""Griffe extension for the API reference (mkdocs.yml): docstrings as readers see them.

- Sampler docstrings hold shared parameter texts as ``{random_state}``-style fields that
  ``fastsmote.base.shared_doc`` fills in when each class is defined; griffe reads the
  source, so for those classes the reference takes ``__doc__`` from the imported class.
- Docstrings refer to other objects with Sphinx roles (``:func:`kneighbors```, as
  numpydoc and scikit-learn do). Each becomes a link to the object's entry in the
  reference when it has one, or stays plain code when it has none (private helpers,
  other libraries).
- numpydoc types are prose (``array-like``, ``float, array-like or dict``); griffe reads
  them as Python expressions and would print ``array - like``. A type is shown as
  written unless reading it as an expression leaves its text unchanged (``int``,
  ``ndarray``, ``ResamplingRecord``: those still link to their entries); types are
  shown as code, so the double backquotes of ``estimator with ``kneighbors```` go.
"""

from __future__ import annotations

import html
import inspect
import re
from typing import Any

import griffe

_FIELD = re.compile(r"^\s*\{\w+\}\s*$", re.MULTILINE)  # a line "{random_state}"
_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|data|attr|mod|exc|obj|const):`(~?)\.?([^`]+)`")


def _as_written(parse: Any) -> Any:
    def parse_annotation(annotation: str, *args: Any, **kwargs: Any) -> Any:
        parsed = parse(annotation, *args, **kwargs)
        if isinstance(parsed, str) or str(parsed) != annotation.strip():
            return annotation.replace("``", "")  # shown as code already
        return parsed

    return parse_annotation


try:  # griffe's numpydoc parser; if it moves, types are merely printed as expressions
    from griffe._internal.docstrings import numpy as _numpy_parser

    _numpy_parser.parse_docstring_annotation = _as_written(
        _numpy_parser.parse_docstring_annotation
    )
except (ImportError, AttributeError):  # pragma: no cover
    pass


def _member_path(member: Any) -> str:
    """The path the reference registers for ``member`` (an alias's target, e.g. an
    inherited method)."""
    try:
        return member.target_path if member.is_alias else member.path
    except griffe.AliasResolutionError:
        return member.path


def _target(obj: griffe.Object, name: str) -> str:
    """The path ``name`` refers to from ``obj``'s docstring: a member of ``obj`` or of an
    enclosing class or module (inherited members included), else an absolute path."""
    head, dot, rest = name.partition(".")
    scope: Any = obj
    while scope is not None:
        members = scope.all_members if scope.is_class else scope.members
        if head in members:
            return _member_path(members[head]) + dot + rest
        if scope.name == head and not scope.is_module:
            return scope.path + dot + rest
        scope = scope.parent
    return name


def _link_roles(obj: griffe.Object, text: str) -> str:
    def link(match: re.Match) -> str:
        short, name = match.groups()
        name = name.removesuffix("()")
        title = html.escape(name.rpartition(".")[2] if short else name)
        target = html.escape(_target(obj, name), quote=True)
        # "optional": no link and no warning when the reference has no such entry
        return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'

    return _ROLE.sub(link, text)


def _objects(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)


class ReferenceDocstrings(griffe.Extension):
    """Fill in shared texts and link Sphinx roles in fastsmote's docstrings."""

    def on_class_instance(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        if cls.docstring is not None and _FIELD.search(cls.docstring.value):
            runtime = griffe.dynamic_import(cls.path)
            cls.docstring.value = inspect.cleandoc(runtime.__doc__)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None and ":" in obj.docstring.value:
                obj.docstring.value = _link_roles(obj, obj.docstring.value)
