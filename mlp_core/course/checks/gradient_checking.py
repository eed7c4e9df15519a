"""Checks for the exercises of lesson 06 (gradient checking): the relative error and a
gradient check of one layer.

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".

``gradcheck_layer(net, X, Y, l, eps)`` checks one layer l = 1 .. L, as ``net.layers[l]`` and
``gradcheck`` number them (layer 0 is the input: it has no W or b to check).
"""

import numpy as np

from mlp_core.course.bugs import BuggyMLP, bug_batch
from mlp_core.course.checks import RIGHT, WRONG, call, exercise, fail, passed
from mlp_core.gradcheck import relative_error
from mlp_core.network import MLP


def _number(value):
    """value as a float, or None when it is not one real number."""
    if value is None:
        return None
    try:
        return float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return None


# ----- lesson 06: the relative error ---------------------------------------------------------

def _relative_error_cases():
    """(name, g, g_ref) pairs that tell the usual mistakes apart: plain, scaled by 1000, the
    larger one first, one zero gradient, both zero."""
    rng = np.random.default_rng(6)
    g = rng.standard_normal((3, 4))
    g_ref = g + 0.3 * rng.standard_normal((3, 4))
    return [("plain", g, g_ref), ("scaled", 1000 * g, 1000 * g_ref), ("swapped", 2 * g_ref, g),
            ("one zero", g, np.zeros_like(g)), ("both zero", np.zeros((2, 2)), np.zeros((2, 2)))]


_norm = np.linalg.norm
RELATIVE_ERROR_MISTAKES = [
    (lambda g, r: _norm(g - r),
     "that is the absolute error, which grows 1000-fold when both gradients do: divide by "
     "their size"),
    (lambda g, r: _norm(g - r) / _norm(r),
     "dividing by ||g_ref|| alone makes the order matter and fails when g_ref = 0: divide by "
     "max(||g||, ||g_ref||)"),
    (lambda g, r: _norm(g - r) / _norm(g),
     "dividing by ||g|| alone makes the order matter: divide by max(||g||, ||g_ref||)"),
    (lambda g, r: _norm(g - r) / (_norm(g) + _norm(r)),
     "this lesson divides by the larger norm, max(||g||, ||g_ref||), not the sum (CS231n's "
     "entry-by-entry error takes the larger too)"),
    (lambda g, r: np.mean(np.abs(g - r) / np.maximum(np.abs(g), np.abs(r))),
     "that is a mean of entry-by-entry ratios; this exercise asks for the norm-wise error: "
     "take norms of the whole arrays"),
]


@exercise("my_relative_error")
def check_relative_error(my_relative_error):
    """Check the learner's ``my_relative_error(g, g_ref)`` on the check's pairs against
    the norm-wise ||g − g_ref|| / max(||g||, ||g_ref||), which is 0 when both are 0."""
    name = "my_relative_error"
    with np.errstate(all="ignore"):
        answers = {case: call(name, my_relative_error, g.copy(), g_ref.copy())
                   for case, g, g_ref in _relative_error_cases()}
    got = {case: _number(value) for case, value in answers.items()}
    if any(v is None for v in got.values()):
        bad = next(v for v in answers.values() if _number(v) is None)
        fail(name, f"{name} should return one number, got {type(bad).__name__} "
                   "(is the return statement missing?)")
    cases = _relative_error_cases()
    want = {case: relative_error(g, g_ref) for case, g, g_ref in cases}
    wrong = [case for case in want if not np.isclose(got[case], want[case], rtol=1e-9, atol=0)]
    if not wrong:
        return passed(f"{name} is right (e.g. {got['plain']:.4f} for the first test pair, "
                      "0 for two zero gradients)")
    hint = "use norms of the whole arrays: ||g − g_ref|| / max(||g||, ||g_ref||)"
    if wrong == ["both zero"]:
        hint = "two zero gradients agree perfectly: return 0 instead of dividing 0 by 0"
    else:
        for mistake, message in RELATIVE_ERROR_MISTAKES:
            with np.errstate(all="ignore"):
                if all(np.isclose(got[case], mistake(g, r), rtol=1e-9)
                       for case, g, r in cases if case != "both zero"):
                    hint = message
                    break
    fail(name, f"{name} is off for the '{wrong[0]}' test pair: {hint}")


# ----- lesson 06: gradcheck for one layer ----------------------------------------------------

GRADCHECK_SIZES = [2, 5, 4, 3]


def _gradcheck_runs(gradcheck_layer):
    """Run a learner's ``gradcheck_layer(net, X, Y, l, eps)`` (through ``checks.call``) on
    every layer l = 1 .. L of a right network and on two layers of one with σ' missing in BP2.
    Returns a dict: "right" (one answer per layer, layer 1 first), "moved" (layers whose W or b
    the calls changed), "bug_first" (layer 1 of the buggy network) and "bug_last" (its output
    layer, L)."""
    name = "gradcheck_layer"
    X, Y = bug_batch(10)
    net = MLP(GRADCHECK_SIZES, init="xavier", seed=0)
    weights = net.layers[1:]
    before = [(layer.W.copy(), layer.b.copy()) for layer in weights]
    right = [call(name, gradcheck_layer, net, X, Y, l, 1e-5) for l in range(1, net.L + 1)]
    moved = [layer.index for layer, (W, b) in zip(weights, before)
             if not (np.array_equal(layer.W, W) and np.array_equal(layer.b, b))]
    buggy = BuggyMLP(GRADCHECK_SIZES, "sigma_prime", init="xavier", seed=0)
    return {"right": right, "moved": moved,
            "bug_first": call(name, gradcheck_layer, buggy, X, Y, 1, 1e-5),
            "bug_last": call(name, gradcheck_layer, buggy, X, Y, buggy.L, 1e-5)}


def _two_errors(result):
    """(err_W, err_b) from what the learner returned, or None."""
    try:
        err_W, err_b = result
    except (TypeError, ValueError):
        return None
    err_W, err_b = _number(err_W), _number(err_b)
    return None if err_W is None or err_b is None else (err_W, err_b)


@exercise("gradcheck_layer")
def check_gradcheck_layer(gradcheck_layer):
    """Check the learner's ``gradcheck_layer`` on ``_gradcheck_runs``: on a right
    network both relative errors ≤ 1e-7 on every layer l = 1 .. L, every weight left as it was,
    and a planted bug (σ' missing in BP2) flagged in layer 1 (≥ 1e-2) but not in the output
    layer L. The learner's function takes the layer l = 1 .. L, as ``net.layers[l]`` and
    ``gradcheck`` number them, and returns (error of dW[l], error of db[l])."""
    name = "gradcheck_layer"
    answers = _gradcheck_runs(gradcheck_layer)
    values = answers["right"] + [answers["bug_first"], answers["bug_last"]]
    pairs = [_two_errors(v) for v in values]
    if any(p is None for p in pairs):
        bad = values[[p is None for p in pairs].index(True)]
        fail(name, f"{name} should return two numbers, (error of dW, error of db); "
                   f"got {type(bad).__name__} (is the return statement missing?)")
    if answers["moved"]:
        fail(name, f"{name} changed the weights of layer {answers['moved'][0]}: put each "
                   "perturbed entry back (w + ε, then w − ε, then w) before moving to the next")
    worst = max(max(p) for p in pairs[:-2])
    if worst > RIGHT:
        if 0.45 <= worst <= 0.55:
            hint = "off by a factor of 2: the centred difference divides by 2ε"
        elif worst >= 0.99:
            hint = ("the numerical gradient looks like 0: perturb the network's own array "
                    "(net.layers[l].W[j, k]), not a copy")
        elif worst < WRONG:
            hint = ("that is the size of a one-sided difference's error (∝ ε): use the centred "
                    "(C(w + ε) − C(w − ε)) / 2ε")
        else:
            hint = ("compare the numerical gradient with net.layers[l].dW after net.forward(X) "
                    "and net.backward(Y) on the unperturbed weights")
        fail(name, f"{name} calls a right backward pass wrong (relative error {worst:.1e}): "
                   f"{hint}")
    flagged, clean = pairs[-2], pairs[-1]
    if max(flagged) < WRONG or max(clean) > RIGHT:
        fail(name, f"{name} misses a planted bug (σ' missing in BP2): compare with the dW and "
                   "db that net.backward(Y) computes, after net.forward(X) with the weights "
                   "restored")
    return passed(f"{name} is right: every layer of a right network below 1e-7; σ' missing in "
                  f"BP2 flagged in layer 1 (dW {flagged[0]:.1e}) and not in the output layer")


