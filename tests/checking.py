"""Helpers for the tests of the lesson checks, which take the learner's function, print one line
and raise ``CheckFailed`` unless it is right (see ``mlp_core.course.checks``).

Imported by the test files as ``from checking import outcome, returning`` (pytest puts tests/ on
``sys.path``)."""

import contextlib
import io

import numpy as np

from mlp_core.course.checks import CheckFailed

#: What a check prints for a learner's function that adds a (3, 5) array to a (5, 3) one.
BROADCAST = "raised ValueError: operands could not be broadcast"


def outcome(check, *args, **kwargs):
    """Run ``check(*args, **kwargs)``; return (ok, printed): ok is what it returned when it
    passed, False when it raised ``CheckFailed``. Any other exception escapes (a test error)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            ok = check(*args, **kwargs)
        except CheckFailed:
            ok = False
    return ok, out.getvalue()


def returning(value):
    """A learner's function that returns ``value`` whatever it is given."""
    return lambda *_, **__: value


def not_done(*_, **__):
    """A learner's function still holding the exercise's stub."""
    raise NotImplementedError()


def broadcasting(*_, **__):
    """A learner's function with a shape bug: it raises ValueError (operands could not be
    broadcast together)."""
    return np.zeros((3, 5)) + np.zeros((5, 3))


def assert_explains_a_crash(check, *args, name):
    """``check`` given ``broadcasting`` (then ``args``) raises CheckFailed after printing one
    line, "✗ your NAME raised ValueError: operands could not be broadcast ...", and nothing else
    escapes."""
    ok, out = outcome(check, broadcasting, *args)
    assert ok is False, out
    assert out.count("\n") == 1 and out.startswith(f"✗ your {name} {BROADCAST}"), out
    return out
