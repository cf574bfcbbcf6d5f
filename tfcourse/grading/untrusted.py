"""Reading data grading did not write (a worker's answer, a notebook's JSON, a store's manifest, a backup):
a field counts only when it has its one declared type; anything else reads as absent (None)."""

from __future__ import annotations

import math
from typing import TypeVar

T = TypeVar("T")


def typed(value: object, kind: type[T]) -> T | None:
    """``value`` when it is a ``kind`` (True and False are not numbers here), else None."""
    if isinstance(value, bool) and kind is not bool:
        return None
    return value if isinstance(value, kind) else None


def text(value: object) -> str | None:
    """A string field."""
    return typed(value, str)


def lines(value: object) -> str | None:
    """A text stored as one string or as a list of strings (a notebook cell's source), joined."""
    if text(value) is not None:
        return value
    parts = typed(value, list)
    if parts is None or any(text(part) is None for part in parts):
        return None
    return "".join(parts)


def finite(value: object) -> float | None:
    """A finite floating-point field (JSON's NaN and infinities read as absent)."""
    number = typed(value, float)
    return number if number is not None and math.isfinite(number) else None


def whole(value: object) -> int | None:
    """An integer field."""
    return typed(value, int)


def mapping(value: object) -> dict | None:
    """A JSON object."""
    return typed(value, dict)
