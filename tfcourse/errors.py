"""Mistakes a learner or instructor can make and put right: the `tfcourse` command prints each as one
line saying what to do, without a traceback, and exits with status 2.

Each class also derives from the built-in exception code written before it expected (``KeyError`` for an
unknown name, ``FileNotFoundError`` for a missing file), so callers that catch those still work.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the person running tfcourse can fix; the message says how."""

    def __str__(self) -> str:  # KeyError would quote its message
        return str(self.args[0]) if self.args else ""


class UnknownName(UserError, KeyError):
    """An assignment, dataset or student that does not exist; the message lists those that do."""


class NotFound(UserError, FileNotFoundError):
    """A course folder or notebook that is not where tfcourse looked; the message says where it looked."""


class InvalidName(UserError, ValueError):
    """A name tfcourse cannot use as given (a student id with a slash, say); the message says what is allowed."""


class ReleaseFailed(UserError, RuntimeError):
    """nbgrader could not generate an assignment, or publish it to the exchange."""
