"""Lesson checks: short, rounded, deterministic lines that nbval compares.

A check prints ``✓ what ...`` when the learner's answer is right, and ``✗ what ...`` with a hint
when it is not; it never raises, so an unfinished exercise shows a friendly line instead of a
traceback. Each returns True or False so a test can assert on it.
"""

import numpy as np

from mlp_core.gradcheck import relative_error

RIGHT = 1e-7    # CS231n: a relative error at or below this is right in float64
WRONG = 1e-2    # ... and at or above this is wrong


def fmt_error(err):
    """A relative error as the checks print it, "3.1e-10"; below 1e-15, where the two sides
    differ only by rounding and its last digits change from one machine to the next, "< 1e-15"
    (so a stored lesson output is the same everywhere)."""
    return "< 1e-15" if err < 1e-15 else f"{err:.1e}"


def check_shape(name, got, expected):
    """✓ when ``got`` (an array or a shape tuple) has shape ``expected``."""
    shape = tuple(np.shape(got)) if not isinstance(got, tuple) else got
    if shape == tuple(expected):
        print(f"✓ {name} has shape {tuple(expected)}")
        return True
    print(f"✗ {name} has shape {shape}, expected {tuple(expected)}")
    return False


def check_close(name, got, expected, hints=()):
    """✓ when ``got`` equals ``expected`` to a relative error of at most 1e-7.

    hints: (function, message) pairs; the first function that returns True for ``got`` names
    the likely mistake in the ✗ line. A ``NotImplementedError`` or missing value prints
    "not done yet" instead.
    """
    if got is None or got is NotImplemented:
        print(f"… {name}: not done yet. Write your answer in the cell above, then run this again.")
        return False
    try:
        got = np.asarray(got, dtype=float)
        expected = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        print(f"✗ {name} should be an array of numbers, got {type(got).__name__}")
        return False
    if got.shape != expected.shape:
        print(f"✗ {name} has shape {got.shape}, expected {expected.shape}")
        return False
    err = relative_error(got, expected)
    if err <= RIGHT:
        print(f"✓ {name} is right (relative error {fmt_error(err)})")
        return True
    for test, message in hints:
        try:
            if test(got):
                print(f"✗ {name} is off (relative error {fmt_error(err)}): {message}")
                return False
        except Exception:  # a hint that cannot be evaluated is simply not the one
            continue
    print(f"✗ {name} is off (relative error {fmt_error(err)}); compare it step by step with "
          "the text")
    return False


def check_gradient(name, analytic, numeric):
    """Compare a back-propagated gradient with finite differences, with CS231n's verdict."""
    err = relative_error(analytic, numeric)
    if err <= RIGHT:
        print(f"✓ {name} matches finite differences (relative error {fmt_error(err)})")
        return True
    verdict = "wrong" if err >= WRONG else "suspicious"
    print(f"✗ {name} does not match finite differences (relative error {fmt_error(err)}: "
          f"{verdict})")
    return False


def attempt(fn, *args, **kwargs):
    """Call a learner's function; return its result, or None if it raises NotImplementedError
    (an unfinished exercise), so the check after it can say "not done yet"."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        return None
