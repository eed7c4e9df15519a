"""The planted bugs of lesson 06: each changes the backward pass exactly as its name says, and a
gradient check or a shape check catches it (on a batch of N > 1 with n_L > 1 outputs)."""

import numpy as np
import pytest

from mlp_core import MLP, gradcheck, numerical_gradient
from mlp_core.bugs import BUGS, BuggyMLP, PostLoss, bug_batch

SIZES = [2, 5, 4, 3]          # no square W: W not transposed is a shape error
SQUARE = [2, 3, 3, 3]         # W[1], W[2] square: W not transposed fits and is wrong


def backprop(net, X, Y):
    net.forward(X)
    net.backward(Y)
    return [(layer.dW.copy(), layer.db.copy()) for layer in net.layers]


def test_bug_batch_is_three_blobs_one_hot():
    X, Y = bug_batch(10)
    assert X.shape == (10, 2) and Y.shape == (10, 3)
    assert np.array_equal(Y.sum(axis=1), np.ones(10)) and set(np.unique(Y)) == {0.0, 1.0}
    assert np.array_equal(bug_batch(10)[0], X)                    # seeded


@pytest.mark.parametrize("bug", list(BUGS))
def test_a_buggy_network_starts_from_the_same_weights_and_forward(bug):
    X, _ = bug_batch(10)
    right, buggy = MLP(SIZES, init="xavier", seed=0), BuggyMLP(SIZES, bug, init="xavier", seed=0)
    for a, b in zip(right.layers, buggy.layers):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert np.array_equal(right.forward(X), buggy.forward(X))
    assert bug in repr(buggy)


def test_no_bug_is_the_engine_bit_for_bit():
    X, Y = bug_batch(10)
    right = backprop(MLP(SIZES, init="xavier", seed=0), X, Y)
    clean = backprop(BuggyMLP(SIZES, "none", init="xavier", seed=0), X, Y)
    for (dW, db), (dW2, db2) in zip(right, clean):
        assert np.array_equal(dW, dW2) and np.array_equal(db, db2)


def test_sigma_prime_missing_spoils_every_layer_below_the_output():
    X, Y = bug_batch(10)
    errors = gradcheck(BuggyMLP(SIZES, "sigma_prime", init="xavier", seed=0), X, Y)
    assert all(e["W"] >= 1e-2 and e["b"] >= 1e-2 for e in errors[:-1])
    assert errors[-1]["W"] <= 1e-7 and errors[-1]["b"] <= 1e-7


def test_W_not_transposed_is_a_shape_error_or_wrong_numbers():
    X, Y = bug_batch(10)
    net = BuggyMLP(SIZES, "W_not_transposed", init="xavier", seed=0)
    net.forward(X)
    with pytest.raises(ValueError, match="matmul"):
        net.backward(Y)
    errors = gradcheck(BuggyMLP(SQUARE, "W_not_transposed", init="xavier", seed=0), X, Y)
    assert all(e["W"] >= 1e-2 for e in errors[:-1]) and errors[-1]["W"] <= 1e-7


def test_sum_instead_of_mean_is_N_times_too_big_and_hides_at_N_1():
    for N in (10, 1):
        X, Y = bug_batch(N)
        right = backprop(MLP(SIZES, init="xavier", seed=0), X, Y)
        summed = backprop(BuggyMLP(SIZES, "sum_not_mean", init="xavier", seed=0), X, Y)
        for (dW, db), (dW2, db2) in zip(right, summed):
            np.testing.assert_allclose(dW2, N * dW, rtol=1e-12)
            np.testing.assert_allclose(db2, N * db, rtol=1e-12)
    errors = gradcheck(BuggyMLP(SIZES, "sum_not_mean", init="xavier", seed=0), *bug_batch(10))
    assert all(abs(e["W"] - 0.9) < 1e-6 for e in errors)        # 1 − 1/N


def test_the_posts_loss_is_C_over_n_L_and_its_gradients_n_L_times_too_big():
    X, Y = bug_batch(10)
    right, post = MLP(SIZES, init="xavier", seed=0), BuggyMLP(SIZES, "post_loss", seed=0,
                                                               init="xavier")
    assert isinstance(post.loss_fn, PostLoss)
    assert post.loss(X, Y) == pytest.approx(right.loss(X, Y) / 3, rel=1e-12)
    post_grads = backprop(post, X, Y)
    for l, (dW, _) in enumerate(post_grads):
        numeric = numerical_gradient(post, X, Y, l, "W")          # of the post's own cost
        np.testing.assert_allclose(dW, 3 * numeric, rtol=1e-6)
    # with one output the post's mean over outputs changes nothing
    one = BuggyMLP([2, 5, 4, 1], "post_loss", init="xavier", seed=0)
    assert all(e["W"] <= 1e-7 for e in gradcheck(one, X, Y[:, :1]))
    with pytest.raises(ValueError, match="MSE"):
        BuggyMLP(SIZES, "post_loss", output_activation="softmax", loss="cross_entropy")


def test_the_posts_per_sample_db_has_N_columns_and_breaks_the_step():
    X, Y = bug_batch(10)
    net = BuggyMLP(SIZES, "post_db", init="xavier", seed=0)
    net.forward(X)
    net.backward(Y)
    for layer in net.layers:
        assert layer.db.shape == (layer.n_out, 10)
        assert np.array_equal(layer.db, layer.delta)
    with pytest.raises(ValueError):
        net.step(0.1)
    X1, Y1 = bug_batch(1)                                         # right for one sample
    for (dW, db), (dW2, db2) in zip(backprop(MLP(SIZES, init="xavier", seed=0), X1, Y1),
                                    backprop(BuggyMLP(SIZES, "post_db", init="xavier", seed=0),
                                             X1, Y1)):
        assert np.array_equal(db, db2) and np.array_equal(dW, dW2)


def test_unknown_bug_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="sigma_prime"):
        BuggyMLP(SIZES, "typo")
