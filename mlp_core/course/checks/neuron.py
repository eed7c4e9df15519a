"""Checks for the exercises of lesson 01 (one neuron): the sigmoid and its derivative.

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".
The sigmoid checks also record numpy's floating-point warnings, which is how the naive
sigmoid's overflow at z = -1000 shows.
"""

import warnings

import numpy as np

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course import checks
from mlp_core.course.checks import exercise, fail, passed
from mlp_core.gradcheck import relative_error


def _watched(name, fn, z):
    """Run the learner's elementwise ``fn(z)`` through ``checks.call``; return (its value, the
    distinct messages of the numpy warnings it emitted)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = checks.call(name, fn, z)
    return value, tuple(dict.fromkeys(str(w.message) for w in caught))


def _as_array(name, value, shape):
    """``value`` as a float array of ``shape``, or CheckFailed after saying what is wrong."""
    if value is None:
        fail(name, f"{name} returned None: is the return statement missing?")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        fail(name, f"{name} should return an array of numbers, got {type(value).__name__}")
    if arr.shape != tuple(shape):
        fail(name, f"{name} returned shape {arr.shape}, expected {tuple(shape)}: "
                   "an elementwise function keeps the shape of z")
    return arr


def _elementwise(name, fn, z, nan_hint):
    """The learner's array for an elementwise function of z and the warnings it raised;
    CheckFailed when it cannot be checked (not done, an error, a wrong shape, nan)."""
    value, warned = _watched(name, fn, z)
    got = _as_array(name, value, np.shape(z))
    bad = ~np.isfinite(got)
    if bad.any():
        fail(name, f"{name} gives nan or inf at {_at(z, bad)}: {nan_hint}")
    return got, warned


def _at(z, mask):
    """The z values where ``mask`` holds, as text: "z = -1000, 1000"."""
    return "z = " + ", ".join(f"{v:g}" for v in np.asarray(z)[mask])


# ----- lesson 01: the sigmoid and its derivative ------------------------------------------

@exercise("my_sigmoid")
def check_sigmoid(my_sigmoid, z, name="my_sigmoid"):
    """Check a learner's σ, the function ``my_sigmoid``, on the test points z (any shape,
    including z = ±1000). True when right; CheckFailed with a hint otherwise."""
    nan_hint = "e^z / (1 + e^z) is inf / inf for large z; use e^(-|z|), which never overflows"
    got, warned = _elementwise(name, my_sigmoid, z, nan_hint)
    err = relative_error(got, sigmoid(z))
    if err > checks.RIGHT:
        if relative_error(got, sigmoid(-np.asarray(z))) <= checks.RIGHT:
            hint = "you computed σ(-z) = 1 / (1 + e^z); the exponent is -z"
        elif np.all((got >= 0) & (got <= 1)):
            hint = "check the formula σ(z) = 1 / (1 + e^(-z)) at z = 0 (it is 0.5)"
        else:
            hint = "σ(z) lies between 0 and 1; check the formula 1 / (1 + e^(-z))"
        fail(name, f"{name} is off (relative error {err:.1e}): {hint}")
    # point by point too: the error over the whole array is blind to a wrong tiny value
    # (clipping z to ±20 gives σ(-30) = 2.1e-09 instead of 9.4e-14)
    ref = sigmoid(z)
    off = np.abs(got - ref) > checks.RIGHT * np.abs(ref) + 1e-15
    if off.any():
        k = np.flatnonzero(off)[0]
        fail(name, f"{name} is off at {_at(z, off)} (it gives {got.flat[k]:.2g} at "
                   f"z = {np.asarray(z).flat[k]:g}, σ is {ref.flat[k]:.2g}): the tiny values "
                   "far from 0 must be right too; clipping z changes them, e^(-|z|) does not")
    if warned:
        fail(name, f"{name} has the right values, but numpy warned \"{warned[0]}\": "
                   "exp(-z) overflows for z = -1000; compute e^(-|z|) and pick the formula by "
                   "sign")
    return passed(f"{name} is right at all {np.size(z)} test points, ±1000 included, without "
                  "warnings")


def central_difference(f, z, h=1e-5):
    """The centred difference (f(z + h) − f(z − h)) / 2h, elementwise: an estimate of f'(z)
    with an error of order h². z: any shape; returns the same shape."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2 * h)


@exercise("my_sigmoid_prime")
def check_sigmoid_prime(my_sigmoid_prime, z, name="my_sigmoid_prime"):
    """Check a learner's σ', the function ``my_sigmoid_prime``, on the test points z: against
    centred finite differences of σ where |z| ≤ 20, and 0 (not nan) at the extremes."""
    nan_hint = "e^(-z) / (1 + e^(-z))² is inf / inf there; write it as σ(z)(1 - σ(z))"
    got, warned = _elementwise(name, my_sigmoid_prime, z, nan_hint)
    z = np.asarray(z, dtype=float)
    inner = np.abs(z) <= 20
    err = relative_error(got[inner], central_difference(sigmoid, z[inner]))
    if err > 1e-6:
        s = sigmoid(z)
        hints = [(z * (1 - z), "you computed z(1 - z): the formula a(1 - a) needs a = σ(z), "
                               "not z"),
                 (s, "that is σ(z) itself; its derivative is σ(z)(1 - σ(z))"),
                 (s * (1 + s), "a sign slipped: σ'(z) = σ(z)(1 - σ(z))"),
                 (-s * (1 - s), "the sign is flipped: σ is increasing, so σ' > 0"),
                 (s * s, "you computed σ(z)(1 - σ(-z)) = σ(z)², since 1 - σ(-z) = σ(z); the "
                         "derivative is σ(z)(1 - σ(z)) = σ(z)σ(-z)")]
        hint = next((msg for ref, msg in hints if relative_error(got, ref) <= checks.RIGHT),
                    "compare with the derivation above: σ'(z) = σ(z)(1 - σ(z))")
        fail(name, f"{name} does not match finite differences (relative error {err:.1e}): "
                   f"{hint}")
    if np.abs(got[~inner] - sigmoid_prime(z[~inner])).max(initial=0.0) > 1e-12:
        fail(name, f"{name} is wrong at the extremes ({_at(z, ~inner)}): σ'(z) is about "
                   "e^(-|z|) there, under 1e-8 for |z| > 20 and 0 in float64 far out")
    if warned:
        fail(name, f"{name} has the right values, but numpy warned \"{warned[0]}\": "
                   "make your sigmoid stable first")
    return passed(f"{name} matches finite differences where |z| ≤ 20 (relative error "
                  f"{err:.1e}) and is 0, not nan, at z = ±1000")


