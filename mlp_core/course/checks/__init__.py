"""Lesson checks: one protocol that a learner and nbgrader both understand.

A check prints one short, rounded, deterministic line that nbval can compare:

- ``✓ what ...`` when the answer is right; the check returns True;
- ``✗ what ... : hint`` when it is not, naming the usual mistake where it can; the check then
  raises ``CheckFailed``;
- ``… name: not done yet`` for an exercise still holding ``raise NotImplementedError()``; it
  raises ``CheckFailed`` too.

``CheckFailed`` is an ``AssertionError``, so nbgrader's autograder scores the check cell 0, and it
shows in Jupyter as one short line instead of a traceback (IPython prints what an exception's
``_render_traceback_()`` returns in place of the stack). Exercise checks take the learner's
function and run it through ``call``, which turns any exception the learner's code raises into a
✗ line naming the exception, its message and a hint: a check cell never shows a traceback.
"""

import functools
from collections.abc import Mapping

import numpy as np

from mlp_core.gradcheck import relative_error

RIGHT = 1e-7    # CS231n: a relative error at or below this is right in float64
WRONG = 1e-2    # ... and at or above this is wrong
NOT_DONE = "not done yet. Write your answer in the cell above, then run this again."


class CheckFailed(AssertionError):
    """A lesson check did not pass; the line printed above it says why.

    In IPython and Jupyter it renders as one line, ``CheckFailed: <message>``, not a traceback.
    """

    def _render_traceback_(self):
        """The lines IPython shows instead of a traceback."""
        return [f"\x1b[0;31mCheckFailed\x1b[0m: {self}"]


def passed(line):
    """Print ``✓ line`` and return True."""
    print(f"✓ {line}")
    return True


def fail(name, line):
    """Print ``✗ line`` and raise ``CheckFailed`` for the check called ``name``."""
    print(f"✗ {line}")
    raise CheckFailed(f"{name} is not right yet: the ✗ line above says what to look at")


def not_done(name):
    """Print that the exercise ``name`` is not done yet and raise ``CheckFailed``."""
    print(f"… {name}: {NOT_DONE}")
    raise CheckFailed(f"{name} is not done yet")


def error_hint(error):
    """A hint for an exception raised by a learner's code, from its type and message."""
    text = str(error)
    if isinstance(error, ValueError) and ("broadcast" in text or "matmul" in text
                                          or "shape" in text or "align" in text):
        return ("check the shape of every array on that line (print x.shape) against the "
                "shapes the lesson gives")
    if isinstance(error, AttributeError) and "InputLayer" in text:
        return ("net.layers[0] is the input layer: it has only a (= X.T), no W, b, z, delta, "
                "dW or db; the layers with weights are net.layers[1:], l = 1 .. L")
    if isinstance(error, IndexError) and "list index" in text:
        return ("an index runs past the end of a list: net.layers runs from 0 (the input) to "
                "L = net.L (the output); compare the loop's range with that")
    if isinstance(error, IndexError):
        return "an index runs past an array's end: compare the loop's range with the shape"
    if isinstance(error, NameError):
        return "run the cells above first (top to bottom), and check the spelling of the name"
    if isinstance(error, TypeError):
        return "check what each function takes and returns (a number, an array or a tuple)"
    return "fix that line, then run the exercise cell and this one again"


def call(name, fn, *args, hint=None, **kwargs):
    """Run the learner's function ``fn(*args, **kwargs)`` for the check called ``name`` and
    return its result.

    ``NotImplementedError`` (the stub) prints "not done yet"; any other exception prints
    ``✗ your NAME raised Type: message: hint``; both raise ``CheckFailed``, never a traceback.
    hint: a function of the exception returning a more specific hint, or None for the general
    one (``error_hint``).
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        not_done(name)
    except CheckFailed:
        raise
    except Exception as error:  # the learner's bug: explained in one line, no traceback
        message = (hint(error) if hint else None) or error_hint(error)
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        fail(name, f"your {name} raised {type(error).__name__}"
                   + (f": {first}" if first else "") + f": {message}")


def exercise(name):
    """Decorator for the check of the exercise ``name``: an unexpected exception inside the
    check (the learner's function returned something it cannot read, say a string where an
    array belongs) becomes a ✗ line and ``CheckFailed`` too, never a traceback."""
    def decorate(check):
        @functools.wraps(check)
        def guarded(*args, **kwargs):
            try:
                return check(*args, **kwargs)
            except CheckFailed:
                raise
            except Exception as error:  # what the learner returned broke the check's reading
                fail(name, f"{name} returned something the check cannot read "
                           f"({type(error).__name__}: {error}): compare what it returns with "
                           "what the exercise asks for")
        return guarded
    return decorate


def fmt_error(err):
    """A relative error as the checks print it, "3.1e-10"; below 1e-15, where the two sides
    differ only by rounding and its last digits change from one machine to the next, "< 1e-15"
    (so a stored lesson output is the same everywhere)."""
    return "< 1e-15" if err < 1e-15 else f"{err:.1e}"


def check_shape(name, got, expected):
    """✓ when ``got`` (an array or a shape tuple) has shape ``expected``; else CheckFailed."""
    shape = tuple(np.shape(got)) if not isinstance(got, tuple) else got
    if shape == tuple(expected):
        return passed(f"{name} has shape {tuple(expected)}")
    return fail(name, f"{name} has shape {shape}, expected {tuple(expected)}")


def close_verdict(name, got, expected, hints=()):
    """Whether ``got`` equals ``expected`` to a relative error of at most 1e-7, and the line
    that says so: (True, "✓ ...") or (False, "✗ ..."). Prints nothing, raises nothing.

    hints: (function, message) pairs; the first function that returns True for ``got`` names
    the likely mistake in the ✗ line. ``got`` None (a function with no ``return``) gets its
    own ✗ line.
    """
    if got is None:
        return False, f"✗ {name} is None: is a return statement missing?"
    try:
        got = np.asarray(got, dtype=float)
        expected = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False, f"✗ {name} should be an array of numbers, got {type(got).__name__}"
    if got.shape != expected.shape:
        return False, f"✗ {name} has shape {got.shape}, expected {expected.shape}"
    err = relative_error(got, expected)
    if err <= RIGHT:
        return True, f"✓ {name} is right (relative error {fmt_error(err)})"
    for test, message in hints:
        try:
            if test(got):
                return False, f"✗ {name} is off (relative error {fmt_error(err)}): {message}"
        except Exception:  # a hint that cannot be evaluated is simply not the one
            continue
    return False, (f"✗ {name} is off (relative error {fmt_error(err)}); compare it step by step "
                   "with the text")


def check_close(name, got, expected, hints=()):
    """✓ when ``got`` equals ``expected`` to a relative error of at most 1e-7; else the ✗ line
    of ``close_verdict`` (with the first matching hint) and CheckFailed. ``got`` None (a
    function with no ``return``) gets its own ✗ line."""
    ok, line = close_verdict(name, got, expected, hints)
    print(line)
    if not ok:
        raise CheckFailed(f"{name} is not right yet: the ✗ line above says what to look at")
    return True


def report_gradient(name, analytic, numeric):
    """Print how a back-propagated gradient compares with finite differences, with CS231n's
    verdict, and return True when it matches. Never raises: for a lesson that shows a mismatch
    on purpose."""
    err = relative_error(analytic, numeric)
    if err <= RIGHT:
        print(f"✓ {name} matches finite differences (relative error {fmt_error(err)})")
        return True
    verdict = "wrong" if err >= WRONG else "suspicious"
    print(f"✗ {name} does not match finite differences (relative error {fmt_error(err)}: "
          f"{verdict})")
    return False


def check_gradient(name, analytic, numeric):
    """``report_gradient``, raising CheckFailed when the gradients do not match."""
    if not report_gradient(name, analytic, numeric):
        raise CheckFailed(f"{name} does not match finite differences")
    return True


def layer_keys_problem(got, L, start, value):
    """None when ``got`` is a dict keyed by exactly the layers l = 1 .. L, one index with
    ``net.layers[l]``; else what is wrong, in words for a ✗ line. ``start``: how the learner's
    dict begins ("norms = {}"); ``value``: what each entry holds ("a norm ‖db[l]‖")."""
    if got is None:
        return "returned None: is the return statement missing?"
    if not isinstance(got, Mapping):
        return (f"should return a dict keyed by layer, {value} for each l = 1 .. {L} (start "
                f"from {start}), got {type(got).__name__}")
    keys = set(got)
    if keys == set(range(1, L + 1)):
        return None
    if keys == set(range(L)):
        return (f"has the keys 0 .. {L - 1}, the post's numbering; here layer l is "
                f"net.layers[l], l = 1 .. {L}, and layer 0 is the input (it has only a[0] = X.T)")
    if 0 in keys:
        return (f"layer 0 is the input: it has only a[0] = X.T (n_0, N), no W, b, z or delta; "
                f"give the layers l = 1 .. {L}")
    if keys < set(range(1, L + 1)):
        return (f"has {len(keys)} of the {L} layers: give {value} for every l = 1 .. {L}, the "
                "output layer included")
    return f"has the keys {sorted(keys, key=repr)}; it needs the layers l = 1 .. {L}"
