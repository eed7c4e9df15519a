"""The catalogue of planted bugs (mlp_core.course.bugs): ``backward_with`` changes the backward
pass exactly as each bug's name says and nothing else ("none" is the engine bit for bit), and a
gradient check or a shape check catches each bug of lesson 06's menu (on a batch of N > 1 with
n_L > 1 outputs). Layers use the one index: 1 .. L, as ``gradcheck``'s keys."""

import numpy as np
import pytest

from mlp_core import MLP, gradcheck, numerical_gradient
from mlp_core.course.bugs import BUGS, CATALOGUE, BuggyMLP, PostLoss, backward_with, bug_batch

SIZES = [2, 5, 4, 3]          # no square W: W not transposed is a shape error
SQUARE = [2, 3, 3, 3]         # W[2], W[3] square: W not transposed fits and is wrong


def backprop(net, X, Y):
    """{l: (dW[l], db[l])} after a forward and a backward pass."""
    net.forward(X)
    net.backward(Y)
    return {l: (net.layers[l].dW.copy(), net.layers[l].db.copy()) for l in range(1, net.L + 1)}


def test_bug_batch_is_three_blobs_one_hot():
    X, Y = bug_batch(10)
    assert X.shape == (10, 2) and Y.shape == (10, 3)
    assert np.array_equal(Y.sum(axis=1), np.ones(10)) and set(np.unique(Y)) == {0.0, 1.0}
    assert np.array_equal(bug_batch(10)[0], X)                    # seeded


def test_the_menu_is_part_of_the_catalogue():
    assert list(BUGS) == ["none", "sigma_prime", "W_not_transposed", "sum_not_mean",
                          "post_loss", "post_db"]
    assert all(BUGS[key] == CATALOGUE[key].label for key in BUGS)
    assert len({bug.label for bug in CATALOGUE.values()}) == len(CATALOGUE)
    assert len({bug.hint for bug in CATALOGUE.values()}) == len(CATALOGUE)


@pytest.mark.parametrize("bug", list(CATALOGUE))
def test_a_buggy_network_starts_from_the_same_weights_and_forward(bug):
    X, _ = bug_batch(10)
    right, buggy = MLP(SIZES, init="xavier", seed=0), BuggyMLP(SIZES, bug, init="xavier", seed=0)
    for a, b in zip(right.layers[1:], buggy.layers[1:]):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert np.array_equal(right.forward(X), buggy.forward(X))
    assert bug in repr(buggy)


@pytest.mark.parametrize("activation, loss, output", [
    ("sigmoid", "mse", None), ("tanh", "cross_entropy", "sigmoid"),
    ("relu", "cross_entropy", "softmax"), ("identity", "mse", "identity")])
def test_no_bug_is_the_engine_bit_for_bit(activation, loss, output):
    X, Y = bug_batch(10)
    kwargs = {"activation": activation, "loss": loss, "output_activation": output,
              "init": "xavier", "seed": 0}
    right = MLP(SIZES, **kwargs)
    right.forward(X)
    cost = right.backward(Y)
    net = MLP(SIZES, **kwargs)
    net.forward(X)
    assert backward_with(net, X, Y, "none") == cost == backward_with(net, X, Y, None)
    for a, b in zip(right.layers[1:], net.layers[1:]):
        for name in ("delta", "dW", "db"):
            assert np.array_equal(getattr(a, name), getattr(b, name))
    clean = backprop(BuggyMLP(SIZES, "none", **kwargs), X, Y)
    for l, (dW, db) in backprop(MLP(SIZES, **kwargs), X, Y).items():
        assert np.array_equal(dW, clean[l][0]) and np.array_equal(db, clean[l][1])


def test_backward_with_needs_the_forward_pass_of_its_X():
    X, Y = bug_batch(10)
    net = MLP(SIZES, seed=0)
    with pytest.raises(ValueError, match="call net.forward"):
        backward_with(net, X, Y, "none")
    net.forward(X[:5])
    with pytest.raises(ValueError, match="forward pass of this X"):
        backward_with(net, X, Y, "none")
    net.forward(X)
    with pytest.raises(ValueError, match="unknown bug 'typo'"):
        backward_with(net, X, Y, "typo")
    with pytest.raises(ValueError, match="MSE"):
        net = MLP(SIZES, output_activation="softmax", loss="cross_entropy", seed=0)
        net.forward(X)
        backward_with(net, X, Y, "post_loss")


def test_each_bug_changes_only_what_its_name_says():
    X, Y = bug_batch(10)
    net = MLP(SQUARE, init="xavier", seed=0)
    right = backprop(net, X, Y)
    deltas = {l: net.layers[l].delta for l in (1, 2, 3)}
    for bug in CATALOGUE:
        net.forward(X)
        backward_with(net, X, Y, bug)
        got = {l: net.layers[l].delta for l in (1, 2, 3)}
        same_delta = [np.array_equal(got[l], deltas[l]) for l in (1, 2, 3)]
        bp1_changed = bug in ("sigma_prime_bp1", "sigma_prime_both", "sigma_prime_of_a")
        bp2_changed = bug in ("sigma_prime", "sigma_prime_both", "sigma_prime_of_a",
                              "W_not_transposed")
        assert same_delta[2] is not bp1_changed, bug
        assert same_delta[0] is not (bp1_changed or bp2_changed), bug
        if bug in ("none", "post_loss"):
            for l in (1, 2, 3):
                assert np.array_equal(net.layers[l].dW, right[l][0])
                assert np.array_equal(net.layers[l].db, right[l][1])


def test_sigma_prime_missing_spoils_every_layer_below_the_output():
    X, Y = bug_batch(10)
    errors = gradcheck(BuggyMLP(SIZES, "sigma_prime", init="xavier", seed=0), X, Y)
    assert sorted(errors) == [1, 2, 3]
    assert all(errors[l]["W"] >= 1e-2 and errors[l]["b"] >= 1e-2 for l in (1, 2))
    assert errors[3]["W"] <= 1e-7 and errors[3]["b"] <= 1e-7


def test_W_not_transposed_is_a_shape_error_or_wrong_numbers():
    X, Y = bug_batch(10)
    net = BuggyMLP(SIZES, "W_not_transposed", init="xavier", seed=0)
    net.forward(X)
    with pytest.raises(ValueError, match="matmul"):
        net.backward(Y)
    errors = gradcheck(BuggyMLP(SQUARE, "W_not_transposed", init="xavier", seed=0), X, Y)
    assert all(errors[l]["W"] >= 1e-2 for l in (1, 2)) and errors[3]["W"] <= 1e-7


def test_sum_instead_of_mean_is_N_times_too_big_and_hides_at_N_1():
    for N in (10, 1):
        X, Y = bug_batch(N)
        right = backprop(MLP(SIZES, init="xavier", seed=0), X, Y)
        summed = backprop(BuggyMLP(SIZES, "sum_not_mean", init="xavier", seed=0), X, Y)
        only_dW = backprop(BuggyMLP(SIZES, "sum_dW", init="xavier", seed=0), X, Y)
        only_db = backprop(BuggyMLP(SIZES, "sum_db", init="xavier", seed=0), X, Y)
        for l, (dW, db) in right.items():
            np.testing.assert_allclose(summed[l][0], N * dW, rtol=1e-12)
            np.testing.assert_allclose(summed[l][1], N * db, rtol=1e-12)
            np.testing.assert_allclose(only_dW[l][0], N * dW, rtol=1e-12)
            np.testing.assert_allclose(only_dW[l][1], db, rtol=1e-12)
            np.testing.assert_allclose(only_db[l][0], dW, rtol=1e-12)
            np.testing.assert_allclose(only_db[l][1], N * db, rtol=1e-12)
    errors = gradcheck(BuggyMLP(SIZES, "sum_not_mean", init="xavier", seed=0), *bug_batch(10))
    assert all(abs(e["W"] - 0.9) < 1e-6 for e in errors.values())        # 1 − 1/N


def test_z_for_a_reads_X_at_layer_1_and_z_above():
    X, Y = bug_batch(10)
    net = BuggyMLP(SIZES, "z_for_a", init="xavier", seed=0)
    net.forward(X)
    net.backward(Y)
    layers = net.layers
    np.testing.assert_allclose(layers[1].dW, layers[1].delta @ X / 10, rtol=1e-12)
    for l in (2, 3):
        np.testing.assert_allclose(layers[l].dW, layers[l].delta @ layers[l - 1].z.T / 10,
                                   rtol=1e-12)


def test_sigma_prime_of_a_takes_the_derivative_at_a():
    X, Y = bug_batch(10)
    net = BuggyMLP(SIZES, "sigma_prime_of_a", init="xavier", seed=0)
    net.forward(X)
    net.backward(Y)
    out = net.layers[3]
    s = 1 / (1 + np.exp(-out.a))
    np.testing.assert_allclose(out.delta, (out.a - Y.T) * s * (1 - s), rtol=1e-12)
    net = BuggyMLP(SIZES, "sigma_prime_of_a", output_activation="softmax", seed=0)
    net.forward(X)
    with pytest.raises(ValueError, match="elementwise"):
        net.backward(Y)


def test_the_posts_loss_is_C_over_n_L_and_its_gradients_n_L_times_too_big():
    X, Y = bug_batch(10)
    right, post = MLP(SIZES, init="xavier", seed=0), BuggyMLP(SIZES, "post_loss", seed=0,
                                                               init="xavier")
    assert isinstance(post.loss_fn, PostLoss)
    assert post.loss(X, Y) == pytest.approx(right.loss(X, Y) / 3, rel=1e-12)
    post.forward(X)
    assert post.backward(Y) == pytest.approx(right.loss(X, Y) / 3, rel=1e-12)
    right.forward(X)
    assert backward_with(right, X, Y, "post_loss") == pytest.approx(post.loss(X, Y), rel=1e-12)
    for l, (dW, _) in backprop(post, X, Y).items():
        numeric = numerical_gradient(post, X, Y, l, "W")          # of the post's own cost
        np.testing.assert_allclose(dW, 3 * numeric, rtol=1e-6)
    # with one output the post's mean over outputs changes nothing
    one = BuggyMLP([2, 5, 4, 1], "post_loss", init="xavier", seed=0)
    assert all(e["W"] <= 1e-7 for e in gradcheck(one, X, Y[:, :1]).values())
    with pytest.raises(ValueError, match="MSE"):
        BuggyMLP(SIZES, "post_loss", output_activation="softmax", loss="cross_entropy")


def test_the_posts_per_sample_db_has_N_columns_and_breaks_the_step():
    X, Y = bug_batch(10)
    net = BuggyMLP(SIZES, "post_db", init="xavier", seed=0)
    net.forward(X)
    net.backward(Y)
    for layer in net.layers[1:]:
        assert layer.db.shape == (layer.n_out, 10)
        assert np.array_equal(layer.db, layer.delta)
    with pytest.raises(ValueError):
        net.step(0.1)
    X1, Y1 = bug_batch(1)                                         # right for one sample
    right = backprop(MLP(SIZES, init="xavier", seed=0), X1, Y1)
    per_sample = backprop(BuggyMLP(SIZES, "post_db", init="xavier", seed=0), X1, Y1)
    for l, (dW, db) in right.items():
        assert np.array_equal(db, per_sample[l][1]) and np.array_equal(dW, per_sample[l][0])


def test_a_buggy_network_needs_a_fresh_forward_pass():
    X, Y = bug_batch(10)
    net = BuggyMLP(SIZES, "sigma_prime")
    with pytest.raises(ValueError, match="forward pass first"):
        net.backward(Y)
    net.forward(X)
    net.backward(Y)
    net.step(0.1)
    with pytest.raises(ValueError, match="weights changed since the last forward pass"):
        net.backward(Y)


def test_unknown_bug_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="sigma_prime"):
        BuggyMLP(SIZES, "typo")
