"""Warnings attributed to the user's line, however deep inside fastsmote they arise."""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
#: scikit-learn's ``_fit_context`` decorator: its wrapper runs between ``fit`` and the user
_SKLEARN_WRAPPER = ("wrapper", os.path.join("sklearn", "base.py"))


def _inside(frame) -> bool:
    code = frame.f_code
    filename = os.path.abspath(code.co_filename)
    name, module = _SKLEARN_WRAPPER
    return filename.startswith(_PACKAGE) or (code.co_name == name and filename.endswith(module))


def warn_caller(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)`` at the first frame outside fastsmote (the
    user's call of ``fit_resample``, ``fit`` or a Dask ``resample``, or the library
    calling fastsmote), so that the warning names that line and filters keyed on it
    apply."""
    frame, level = sys._getframe(1), 2  # level 2: the function calling this one
    while frame is not None and _inside(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
