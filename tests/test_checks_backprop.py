"""Lessons 04-05's checks (each usual mistake gets its own hint) and the post's code, whose
flaws the lessons show."""

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome, returning

from mlp_core import MLP, checks_backprop, post
from mlp_core.checks_backprop import (
    MISTAKES,
    backward_case,
    backward_with,
    check_accuracy,
    check_backward,
    check_quadratic_cost,
    numerical_delta,
)
from mlp_core.datasets import make_moons, one_hot
from mlp_core.gradcheck import relative_error

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


# ----- lesson 05 ------------------------------------------------------------------------------
def test_numerical_delta_matches_bp1_and_bp2():
    X, y = make_moons(6, noise=0.1, seed=3)
    net = MLP([2, 4, 3, 2], init="normal", seed=3)
    Y2 = one_hot(y, 2)
    net.forward(X)
    net.backward(Y2)
    deltas = [layer.delta.copy() for layer in net.layers]
    for l in range(3):
        assert relative_error(deltas[l], numerical_delta(net, X, Y2, l)) < 1e-7
    assert net.layers[0].z.shape == (4, 6)            # the batch's forward pass is left cached


def test_the_reference_backward_is_the_engines():
    net, X, Y3 = backward_case()
    dW, db = backward_with(net, X, Y3)
    net.backward(Y3)
    for l, layer in enumerate(net.layers):
        assert relative_error(dW[l], layer.dW) < 1e-12
        assert relative_error(db[l], layer.db) < 1e-12


def test_check_backward_passes_a_right_answer():
    net, X, Y3 = backward_case()
    ok, out = verdict(check_backward, backward_with(net, X, Y3), net, X, Y3)
    assert ok and out.startswith("✓ backward_pass: dW and db of all 3 layers match mlp_core")
    assert "finite differences" in out


def test_check_backward_runs_the_learners_function():
    net, X, Y3 = backward_case()
    ok, out = outcome(check_backward, backward_with, net, X, Y3)
    assert ok is True and out.startswith("✓ backward_pass: dW and db of all 3 layers match")


def test_check_backward_explains_a_crash():
    net, X, Y3 = backward_case()
    assert_explains_a_crash(check_backward, net, X, Y3, name="backward_pass")


def test_check_backward_says_not_done_yet():
    net, X, Y3 = backward_case()
    ok, out = outcome(check_backward, not_done, net, X, Y3)
    assert not ok and "not done yet" in out


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_check_backward_names_each_usual_mistake(mistake):
    net, X, Y3 = backward_case()
    ok, out = verdict(check_backward, backward_with(net, X, Y3, mistake), net, X, Y3)
    assert not ok and out == f"✗ backward_pass: {MISTAKES[mistake]}"


def test_every_mistake_gives_a_different_answer():
    net, X, Y3 = backward_case()
    answers = [np.concatenate([a.ravel() for a in sum(backward_with(net, X, Y3, m), [])])
               for m in [None, *MISTAKES]]
    for i in range(len(answers)):
        for j in range(i):
            assert relative_error(answers[i], answers[j]) > 1e-3


def test_check_backward_explains_shape_mistakes():
    net, X, Y3 = backward_case()
    dW, db = backward_with(net, X, Y3)
    cases = [
        ((dW, [d @ np.ones((1, 4)) for d in db]), "one column per sample"),
        ((dW, [d.ravel() for d in db]), "keepdims=True"),
        (([w.T for w in dW], db), "looks transposed"),
        ((dW[:2], db[:2]), "one array per layer: 3 each"),
        (dW[0], "return two lists"),
        ((dW[:2] + [None], db), "dW[2] is None"),
    ]
    for got, words in cases:
        ok, out = verdict(check_backward, got, net, X, Y3)
        assert not ok and words in out, out


def test_check_backward_reports_an_unnamed_error():
    net, X, Y3 = backward_case()
    dW, db = backward_with(net, X, Y3)
    dW[1] = dW[1] * 1.01
    ok, out = verdict(check_backward, (dW, db), net, X, Y3)
    assert not ok and out.startswith("✗ backward_pass: dW[1] is off (relative error 9.9e-03")


def test_backward_case_is_square_where_bp2_transposes():
    net, X, Y3 = backward_case()
    assert [layer.W.shape for layer in net.layers[1:]] == [(3, 3), (3, 3)]
    assert checks_backprop.backward_case()[1].shape == X.shape == (4, 2)


# ----- the post's code, as written ------------------------------------------------------------
def copy_into_post(net):
    p = post.MLP(net.sizes)
    for i, layer in enumerate(net.layers):
        p.layer[i].W, p.layer[i].b = layer.W.copy(), layer.b.T.copy()
    return p


def test_the_posts_loss_is_nielsens_cost_over_n_L():
    net = MLP([2, 4, 3], seed=0)
    X, y = make_moons(6, seed=1)
    Y3 = one_hot(y, 3)
    assert post.loss(net.forward(X), Y3) * 3 == pytest.approx(net.loss(X, Y3))


def test_the_posts_backpropagation_is_right_for_one_sample():
    net = MLP([2, 4, 3, 2], init="normal", seed=0)
    X, y = make_moons(5, noise=0.1, seed=0)
    Y2 = one_hot(y, 2)
    for i in range(5):
        p = copy_into_post(net)
        W_before = [p.layer[k].W.copy() for k in range(3)]
        p.backpropagation(X[i:i + 1], Y2[i:i + 1], p.forward(X[i:i + 1]), 0.5)
        net.forward(X[i:i + 1])
        net.backward(Y2[i:i + 1])
        for k, layer in enumerate(net.layers):
            np.testing.assert_allclose(p.layer[k].d_W, layer.dW, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(p.layer[k].d_b, layer.db.T, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(p.layer[k].W, W_before[k] - 0.5 * layer.dW)


def test_the_posts_backpropagation_breaks_for_a_batch():
    X, y = make_moons(5, noise=0.1, seed=0)
    p = copy_into_post(MLP([2, 4, 3, 2], seed=0))
    with pytest.raises(ValueError, match="could not be broadcast"):
        p.backpropagation(X, one_hot(y, 2), p.forward(X), 0.1)
    small = MLP([2, 2, 2], init="normal", seed=1)
    p = copy_into_post(small)
    Y2 = one_hot(y[:2], 2)
    p.backpropagation(X[:2], Y2, p.forward(X[:2]), 0.1)          # runs silently ...
    small.forward(X[:2])
    small.backward(Y2)
    assert relative_error(p.layer[0].d_W, small.layers[0].dW) > 0.1   # ... and is wrong
    assert p.layer[0].d_b.shape == (2, 2) and p.layer[0].b.shape == (2, 2)


def test_the_posts_accuracy_takes_the_first_of_tied_outputs():
    assert post.accuracy(np.array([[0.7, 0.7]]), np.array([[1.0, 0.0]])) == 1.0
    assert post.accuracy(np.array([[0.7, 0.7]]), np.array([[0.0, 1.0]])) == 0.0
