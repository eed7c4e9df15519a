"""Lesson 04's checks (mlp_core.course.checks.cost): ✓ for the right cost, accuracy and softmax
δ^L = a − y, and each usual mistake its own hint."""

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome, returning

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course import post
from mlp_core.course.checks.cost import check_accuracy, check_quadratic_cost, check_softmax_delta
from mlp_core.datasets import one_hot

Y_HAT = np.array([[0.9, 0.2, 0.1], [0.3, 0.4, 0.2], [0.7, 0.7, 0.1], [0.6, 0.8, 0.3],
                  [0.1, 0.2, 0.6], [0.5, 0.1, 0.4], [0.2, 0.8, 0.3]])
Y = one_hot(np.array([0, 1, 0, 2, 2, 2, 1]), 3)
Y_HAT_1 = np.array([[0.8], [0.3], [0.6], [0.4], [0.5]])
Y_1 = np.array([[1.0], [0.0], [0.0], [0.0], [1.0]])


def verdict(check, answer, *args):
    """(ok, printed line) of ``check`` given a learner's function that returns ``answer``."""
    ok, out = outcome(check, returning(answer), *args)
    return ok, out.strip()


# ----- lesson 04 ------------------------------------------------------------------------------
def test_quadratic_cost_right_wrong_and_not_done():
    C = 0.5 * np.sum((Y_HAT - Y) ** 2) / 7
    ok, out = verdict(check_quadratic_cost, C, Y_HAT, Y)
    assert ok and out.startswith("✓ quadratic_cost is right")
    ok, out = outcome(check_quadratic_cost, not_done, Y_HAT, Y)
    assert not ok and "not done yet" in out
    ok, out = verdict(check_quadratic_cost, None, Y_HAT, Y)
    assert not ok and out == "✗ quadratic_cost returned None: is the return statement missing?"
    for wrong, words in ((post.loss(Y_HAT, Y), "the post's np.mean"), (2 * C, "½ is missing"),
                         (7 * C, "divide by N = 7"), (np.float64(0.1), "step by step"),
                         (0.5 * np.sum(np.abs(Y_HAT - Y)) / 7, "square the differences")):
        ok, out = verdict(check_quadratic_cost, wrong, Y_HAT, Y)
        assert not ok and out.startswith("✗") and words in out, out
    ok, out = verdict(check_quadratic_cost, 0.5 * np.sum((Y_HAT - Y) ** 2, axis=1),
                      Y_HAT, Y)
    assert not ok and "shape (7,)" in out


def test_accuracy_follows_the_posts_loop_ties_included():
    right = np.mean(np.argmax(Y_HAT, axis=1) == np.argmax(Y, axis=1))
    assert right == post.accuracy(Y_HAT, Y) == 5 / 7
    ok, out = verdict(check_accuracy, right, Y_HAT, Y)
    assert ok and out.startswith("✓ accuracy with n_L = 3")
    every_max = (Y_HAT == Y_HAT.max(axis=1, keepdims=True)).astype(float)
    mistakes = ((5.0, "counts the hits"),
                (np.mean(np.all(np.round(Y_HAT) == Y, axis=1)), "rounding"),
                (np.mean(np.all(every_max == Y, axis=1)), "a tie marks every maximum"),
                (np.mean(np.argmax(Y_HAT, axis=0) == np.argmax(Y, axis=0)), "axis=0"))
    for wrong, words in mistakes:
        ok, out = verdict(check_accuracy, wrong, Y_HAT, Y)
        assert not ok and words in out, out
    ok, out = outcome(check_accuracy, not_done, Y_HAT, Y)
    assert not ok and "not done yet" in out
    ok, out = verdict(check_accuracy, None, Y_HAT, Y)
    assert not ok and "return statement missing" in out
    ok, out = verdict(check_accuracy, np.ones(7), Y_HAT, Y)
    assert not ok and "shape (7,)" in out


def test_accuracy_with_one_output_uses_a_threshold():
    ok, out = verdict(check_accuracy, 0.8, Y_HAT_1, Y_1)
    assert ok
    assert post.accuracy(Y_HAT_1, Y_1) == 0.4       # the loop counts the targets equal to 1
    ok, out = verdict(check_accuracy, 0.4, Y_HAT_1, Y_1)
    assert not ok and "argmax is always 0" in out
    ok, out = verdict(check_accuracy, 1.0, Y_HAT_1, Y_1)   # argmax of one column: 0
    assert not ok and "argmax of every row is 0" in out
    ok, out = verdict(check_accuracy, 0.6, Y_HAT_1, Y_1)
    assert not ok and "≥ 0.5" in out


def test_quadratic_cost_and_accuracy_run_the_learners_function():
    ok, out = outcome(check_quadratic_cost, lambda Y_hat, Y: 0.5 * np.sum((Y_hat - Y) ** 2)
                      / len(Y), Y_HAT, Y)
    assert ok is True and out.startswith("✓ quadratic_cost is right")
    ok, out = outcome(check_accuracy, lambda Y_hat, Y: np.mean(np.argmax(Y_hat, axis=1)
                                                               == np.argmax(Y, axis=1)),
                      Y_HAT, Y)
    assert ok is True and out.startswith("✓ accuracy with n_L = 3")


def test_quadratic_cost_explains_a_crash():
    assert_explains_a_crash(check_quadratic_cost, Y_HAT, Y, name="quadratic_cost")


@pytest.mark.parametrize("Y_hat, Y", [(Y_HAT, Y), (Y_HAT_1, Y_1)])
def test_accuracy_explains_a_crash(Y_hat, Y):
    assert_explains_a_crash(check_accuracy, Y_hat, Y, name="accuracy")


# ----- lesson 04, softmax with cross-entropy ----------------------------------------------------
Z_SM = np.array([[0.5, 1000.0, -1000.0, 3.0],
                 [-1.2, 998.0, -1001.0, 0.0],
                 [2.0, 999.0, -999.0, 3.0]])          # (n_L, N) = (3, 4), columns at ±1000
Y_SM = one_hot(np.array([2, 0, 1, 0]), 3).T           # (3, 4), one-hot columns


def _softmax(Z, axis=0):
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def _unstable(Z, Y):
    E = np.exp(Z)                                     # no max subtracted
    return E / E.sum(axis=0, keepdims=True) - Y


def _whole_max(Z, Y):
    E = np.exp(Z - Z.max())                           # the max of the whole array
    return E / E.sum(axis=0, keepdims=True) - Y


def _over_samples(Z, Y):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))      # over axis=1, the samples
    return E / E.sum(axis=1, keepdims=True) - Y


def test_softmax_delta_right_and_each_mistake_its_hint():
    A = _softmax(Z_SM)
    assert np.allclose(A.sum(axis=0), 1) and np.all(np.isfinite(A))
    ok, out = outcome(check_softmax_delta, lambda Z, Y: _softmax(Z) - Y, Z_SM, Y_SM)
    assert ok is True and out.startswith("✓ softmax_cross_entropy_delta of Z, Y (3, 4) is right")
    for learner, words in ((_unstable, "subtract each column's own maximum"),
                           (_whole_max, "subtract each column's own maximum"),
                           (_over_samples, "over axis=1, across the samples"),
                           (returning(A), "this is a = softmax(z) itself"),
                           (returning(Y_SM - A), "the sign is flipped"),
                           (returning((A - Y_SM) * A * (1 - A)), "σ'-style factor"),
                           (returning((A - Y_SM) * sigmoid_prime(Z_SM)), "(a − y) ⊙ σ′(z)"),
                           (returning(sigmoid(Z_SM) - Y_SM), "σ(z) − y"),
                           (returning(A - Y_SM + 0.1), "step by step")):
        ok, out = outcome(check_softmax_delta, learner, Z_SM, Y_SM)
        assert ok is False and out.startswith("✗") and words in out, out
        assert out.count("\n") == 1, out              # one line, no warning
    ok, out = outcome(check_softmax_delta, returning((A - Y_SM).T), Z_SM, Y_SM)
    assert not ok and "shape (4, 3), expected (3, 4)" in out


def test_softmax_delta_not_done_none_and_the_input_kept():
    ok, out = outcome(check_softmax_delta, not_done, Z_SM, Y_SM)
    assert not ok and out.startswith("… softmax_cross_entropy_delta: not done yet")
    ok, out = outcome(check_softmax_delta, returning(None), Z_SM, Y_SM)
    assert not ok and "return statement missing" in out

    def in_place(Z, Y):
        Z -= Z.max(axis=0, keepdims=True)             # the learner's copy, not the lesson's
        return _softmax(Z) - Y

    Z = Z_SM.copy()
    ok, _ = outcome(check_softmax_delta, in_place, Z, Y_SM)
    assert ok is True and np.array_equal(Z, Z_SM)


def test_softmax_delta_explains_a_crash():
    assert_explains_a_crash(check_softmax_delta, Z_SM, Y_SM, name="softmax_cross_entropy_delta")
