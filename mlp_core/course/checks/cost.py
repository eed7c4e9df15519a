"""Checks for the exercises of lesson 04 (the cost): the quadratic cost, accuracy and the
output error δ^L = a − y of a softmax with cross-entropy.

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".
"""

import numpy as np

from mlp_core.activations import sigmoid_prime
from mlp_core.course import post
from mlp_core.course.checks import call, check_close, exercise, fail


# ----- lesson 04: cost and accuracy -----------------------------------------------------------
def _number(name, got, advice):
    """CheckFailed for an answer that is not one number (None: a missing return)."""
    if got is None:
        fail(name, f"{name} returned None: is the return statement missing?")
    if np.ndim(got) != 0:
        fail(name, f"{name} returned an array of shape {np.shape(got)}: {advice}")


@exercise("quadratic_cost")
def check_quadratic_cost(quadratic_cost, Y_hat, Y):
    """Check the learner's ``quadratic_cost(Y_hat, Y)``, Nielsen's quadratic cost
    C = 1/(2N) Σ_x ||y_hat(x) − y(x)||²; Y_hat, Y: (N, n_L).
    The usual mistakes named: the post's mean over outputs too, no ½, no 1/N, no square.
    """
    got = call("quadratic_cost", quadratic_cost, Y_hat, Y)
    _number("quadratic_cost", got, "the cost is one number, summed over the outputs and "
            "averaged over the samples")
    N, n_L = Y.shape
    diff = Y_hat - Y
    right = 0.5 * np.sum(diff ** 2) / N
    return check_close("quadratic_cost", got, right, hints=[
        (lambda g: np.isclose(g, right / n_L),
         f"this is the post's np.mean((y_hat - y)**2)/2, which also divides by n_L = {n_L}; "
         "Nielsen's C sums over the outputs and averages over the samples only"),
        (lambda g: np.isclose(g, 2 * right), "the factor ½ is missing"),
        (lambda g: np.isclose(g, N * right),
         f"this is the sum over the batch: divide by N = {N} (C is a mean over samples)"),
        (lambda g: np.isclose(g, 0.5 * np.sum(np.abs(diff)) / N),
         "square the differences: ||y_hat − y||² sums (y_hat_j − y_j)²"),
    ])


def _accuracy_of(choice, Y):
    """Fraction of rows where the one-hot ``choice`` (N, n_L) equals the target row exactly."""
    return float(np.mean(np.all(choice == Y, axis=1)))


@exercise("accuracy")
def check_accuracy(accuracy, Y_hat, Y):
    """Check the learner's vectorised ``accuracy(Y_hat, Y)``; Y_hat (N, n_L) outputs;
    Y (N, n_L) targets.

    For n_L > 1 (one-hot Y) the answer is the post's loop, ``post.accuracy``: the class of a row
    is its first largest output. For n_L = 1 the class is 1 where y_hat ≥ 0.5 (as
    ``MLP.predict``). Best with a batch that holds a tie and a row whose largest output is below
    0.5, where the usual shortcuts differ from the loop.
    """
    got = call("accuracy", accuracy, Y_hat, Y)
    _number("accuracy", got, "average the per-sample hits (True/False) into one fraction")
    N, n_L = Y.shape
    count = (lambda g: np.isclose(g, right * N),
             f"this counts the hits; divide by N = {N} for a fraction")
    if n_L == 1:
        right = float(np.mean((Y_hat >= 0.5) == (Y >= 0.5)))
        return check_close(f"accuracy with n_L = 1 (N = {N})", got, right, hints=[
            (lambda g: np.isclose(g, 1.0) or np.isclose(g, N),
             "with one output, the argmax of every row is 0, for y_hat and y alike, so every "
             "sample seems right; threshold instead: class 1 where y_hat ≥ 0.5"),
            count,
            (lambda g: np.isclose(g, post.accuracy(Y_hat, Y)),
             "with one output the argmax is always 0, so this counts the targets equal to 1 "
             "(the post's loop does the same); threshold instead: class 1 where y_hat ≥ 0.5"),
            (lambda g: np.isclose(g, float(np.mean((Y_hat > 0.5) == (Y >= 0.5)))),
             "an output of exactly 0.5 counts as class 1: use y_hat ≥ 0.5"),
        ])
    right = post.accuracy(Y_hat, Y)
    every_max = (Y_hat == Y_hat.max(axis=1, keepdims=True)).astype(float)
    return check_close(f"accuracy with n_L = {n_L} (N = {N})", got, right, hints=[
        count,
        (lambda g: np.isclose(g, float(np.mean(np.argmax(Y_hat, axis=0)
                                                == np.argmax(Y, axis=0)))),
         "argmax over axis=0 picks a sample per class; each row is a sample, so use axis=1"),
        (lambda g: np.isclose(g, _accuracy_of(np.round(Y_hat), Y)),
         "rounding y_hat to 0/1 is not choosing a class: a row can have no output above 0.5, "
         "or several; take the argmax of each row"),
        (lambda g: np.isclose(g, _accuracy_of(every_max, Y)),
         "a tie marks every maximum; the post's loop (like np.argmax) takes the first one"),
    ])




def _softmax_columns(Z, axis=0):
    """The softmax of ``Z`` over ``axis`` (0: the neurons of each column), stable."""
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


@exercise("softmax_cross_entropy_delta")
def check_softmax_delta(softmax_cross_entropy_delta, Z, Y):
    """Check the learner's ``softmax_cross_entropy_delta(Z, Y)``, the output error
    δ^L = softmax(z) − y of a softmax output with cross-entropy; Z, Y: (n_L, N), one sample per
    column, each column of Y summing to 1. Best with a column at z = ±1000 and N ≠ n_L.
    The usual mistakes named: no max subtracted (nan), the softmax over the samples (axis=1),
    a returned for a − y, the sign flipped, a σ'-style factor a(1 − a) or σ′(z) kept.
    """
    with np.errstate(all="ignore"):   # an overflow is named by its hint, not by a warning
        got = call("softmax_cross_entropy_delta", softmax_cross_entropy_delta, Z.copy(),
                   Y.copy())
        A = _softmax_columns(Z)
        right = A - Y
        return check_close(f"softmax_cross_entropy_delta of Z, Y {Z.shape}", got, right, hints=[
            (lambda g: not np.all(np.isfinite(g)),
             "nan or inf in the columns with z = ±1000: e^1000 overflows and e^-1000 is 0 "
             "(0/0); subtract each column's own maximum first, Z.max(axis=0, keepdims=True)"),
            (lambda g: np.allclose(g, _softmax_columns(Z, axis=1) - Y),
             "this softmax runs over axis=1, across the samples; each column is one sample, "
             "so take the max and the sum over axis=0 (with keepdims=True)"),
            (lambda g: np.allclose(g, A),
             "this is a = softmax(z) itself; the exercise asks for δ^L = a − y"),
            (lambda g: np.allclose(g, Y - A), "the sign is flipped: δ^L = a − y, not y − a"),
            (lambda g: np.allclose(g, (A - Y) * A * (1 - A)),
             "this is (a − y) ⊙ a(1 − a), a σ'-style factor: with a softmax and cross-entropy "
             "the Jacobian diag(a) − a aᵀ times −y/a collapses to exactly a − y, no factor"),
            (lambda g: np.allclose(g, (A - Y) * sigmoid_prime(Z)),
             "this is (a − y) ⊙ σ′(z), BP1 of a sigmoid output with the quadratic cost: a "
             "softmax with cross-entropy has no σ′ factor, its Jacobian collapses to a − y"),
            (lambda g: np.allclose(g, 1 / (1 + np.exp(-Z)) - Y),
             "this is σ(z) − y, a sigmoid's: the softmax divides e^z by each column's sum"),
        ])
