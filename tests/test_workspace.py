"""train's fused mini-batch step (mlp_core.workspace) against the readable forward, backward and
step the lessons teach: the same training to 1e-12 for every activation, loss, depth and batch
size, one batch at a time or in groups (forced on for these small networks), with no dW stored
and no weight touched by a batch whose cost is not finite."""

import numpy as np
import pytest

import mlp_core.workspace
from mlp_core import MLP, train
from mlp_core.datasets import make_moons
from mlp_core.workspace import Workspace, gemm, group_size

NETWORKS = {
    "sigmoid, mse": {},
    "tanh, mse": {"activation": "tanh"},
    "relu, softmax, cross-entropy": {"activation": "relu", "output_activation": "softmax",
                                     "loss": "cross_entropy", "init": "he"},
    "sigmoid, cross-entropy": {"loss": "cross_entropy"},
    "identity": {"activation": "identity"},
    "relu, softmax, mse": {"activation": "relu", "output_activation": "softmax"},
}


def plain_loop(net, X, y, epochs, batch_size, lr, seed, weight_decay):
    """forward, backward, step per mini-batch, as lesson 07 writes it. Returns the epoch losses."""
    Y = np.eye(net.sizes[-1])[y]
    rng, losses = np.random.default_rng(seed), []
    for _ in range(epochs):
        order, total = rng.permutation(len(X)), 0.0
        for first in range(0, len(X), batch_size):
            idx = order[first:first + batch_size]
            net.forward(X[idx])
            total += net.backward(Y[idx]) * len(idx)
            net._step(lr, weight_decay)
        losses.append(total / len(X))
    return losses


@pytest.fixture(params=[1, 2, 4], ids=lambda g: f"{g} at a time")
def groups(request, monkeypatch):
    """Run the test with Workspace.epoch's batches one at a time, or in groups of 2 or 4."""
    monkeypatch.setattr(mlp_core.workspace, "group_size", lambda sizes, batch_size: request.param)
    return request.param


@pytest.mark.parametrize("kind", NETWORKS)
@pytest.mark.parametrize("sizes", [[2, 5, 2], [2, 4, 3, 2], [2, 1, 2], [2, 3]])
@pytest.mark.parametrize("batch_size", [1, 16, 203])
def test_train_agrees_with_the_plain_loop(kind, sizes, batch_size, groups):
    X, y = make_moons(203, noise=0.2, seed=1)
    fused, plain = MLP(sizes, seed=1, **NETWORKS[kind]), MLP(sizes, seed=1, **NETWORKS[kind])
    h = train(fused, X, y, epochs=3, batch_size=batch_size, lr=0.3, seed=2, progress=False,
              weight_decay=0.01)
    losses = plain_loop(plain, X, y, 3, batch_size, 0.3, 2, 0.01)
    np.testing.assert_allclose(h.loss, losses, rtol=1e-12)
    assert_same_weights(fused, plain)
    for f in fused.layers:
        assert f.dW is None and f.db is None                # the fused update stores no dW
        assert f.a.shape == (f.n_out, 203 % batch_size or batch_size)


def assert_same_weights(fused, plain):
    """Every W and b of ``fused`` within 1e-12 of ``plain``'s (relative to the largest)."""
    for f, p in zip(fused.layers, plain.layers):
        for got, want in ((f.W, p.W), (f.b, p.b)):
            assert np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want))
            assert not np.array_equal(got, np.zeros_like(got))


def test_the_update_happens_in_place():
    net = MLP([2, 4, 3, 2], seed=0)
    arrays = [(layer.W, layer.b) for layer in net.layers]
    X, y = make_moons(40, seed=0)
    train(net, X, y, epochs=2, batch_size=8, lr=0.5, seed=0, progress=False)
    for layer, (W, b) in zip(net.layers, arrays):
        assert layer.W is W and layer.b is b
        assert layer.W.flags.c_contiguous


@pytest.mark.parametrize("order_A", ["C", "F"])
@pytest.mark.parametrize("order_B", ["C", "F"])
@pytest.mark.parametrize("order_C", ["C", "F"])
def test_gemm_matches_numpy_for_every_memory_order(order_A, order_B, order_C):
    rng = np.random.default_rng(0)
    A = np.asarray(rng.standard_normal((5, 7)), order=order_A)
    B = np.asarray(rng.standard_normal((7, 3)), order=order_B)
    C0 = rng.standard_normal((5, 3))
    C = np.asarray(C0.copy(), order=order_C)
    assert gemm(-0.5, A, B, 0.9, C) is C
    np.testing.assert_allclose(C, -0.5 * A @ B + 0.9 * C0, rtol=1e-14)
    strided = np.zeros((5, 6))[:, ::2]                      # not contiguous: written back
    gemm(1.0, A, B, 0.0, strided)
    np.testing.assert_allclose(strided, A @ B, rtol=1e-14)


def test_a_non_finite_cost_leaves_the_weights_alone():
    net = MLP([2, 3, 2], activation="identity", seed=0)
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    X = np.array([[1e200, 1e200], [1.0, 2.0]])
    cost = Workspace(net).step(X, np.eye(2), lr=0.1)
    assert not np.isfinite(cost)
    for layer, (W, b) in zip(net.layers, before):
        assert np.array_equal(layer.W, W) and np.array_equal(layer.b, b)


def test_after_train_forward_and_backward_work_as_before():
    X, y = make_moons(30, seed=0)
    net = MLP([2, 4, 2], seed=0)
    train(net, X, y, epochs=1, batch_size=8, lr=0.5, seed=0, progress=False)
    with pytest.raises(ValueError, match="step needs gradients"):
        net.step(0.1)
    net.forward(X)
    net.backward(y)
    assert net.layers[0].dW.shape == (4, 2)
    net.step(0.1)


def test_groups_are_for_small_batches_through_a_large_first_layer():
    assert group_size([784, 100, 10], 10) == 4 and group_size([784, 100, 10], 1) == 4
    assert group_size([784, 100, 10], 16) == group_size([784, 30, 10], 10) == 1
    assert group_size([784, 100, 10], 128) == 1
    assert group_size([2, 8, 8, 2], 1) == 1                 # the playground: a tiny first W


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_a_group_stops_at_the_first_batch_that_diverges(weight_decay):
    X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.4], [0.2, 0.1], [1e200, 1e200], [0.0, 1.0],
                  [1.0, 1.0], [2.0, 0.0]])
    Y = np.eye(2)[[0, 1, 1, 0, 0, 1, 0, 1]]
    grouped, single = (MLP([2, 3, 2], activation="identity", seed=0) for _ in range(2))
    done = Workspace(grouped).group(X, Y, np.arange(8), 2, lr=0.1, weight_decay=weight_decay)
    assert len(done) == 3 and np.isfinite(done[1][0]) and not np.isfinite(done[2][0])
    for rows in (slice(0, 2), slice(2, 4)):                 # batches 0 and 1, not 2 or 3
        Workspace(single).step(X[rows], Y[rows], lr=0.1, weight_decay=weight_decay)
    assert_same_weights(grouped, single)


def test_a_group_whose_first_batch_diverges_changes_nothing():
    X = np.array([[1e200, 1e200], [1.0, 2.0], [-0.3, 0.4], [0.5, 0.5]])
    Y = np.eye(2)[[0, 1, 1, 0]]
    net = MLP([2, 3, 2], activation="identity", seed=0)
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    done = Workspace(net).group(X, Y, np.arange(4), 2, lr=0.1)
    assert len(done) == 1 and not np.isfinite(done[0][0])
    for layer, (W, b) in zip(net.layers, before):
        assert np.array_equal(layer.W, W) and np.array_equal(layer.b, b)


def test_groups_on_mnist_sized_data_agree_with_the_plain_loop():
    rng = np.random.default_rng(0)
    X, y = rng.random((130, 784)), rng.integers(0, 10, 130)
    assert group_size([784, 60, 10], 10) == 4               # 13 batches: 3 groups and one
    fused, plain = MLP([784, 60, 10], seed=0), MLP([784, 60, 10], seed=0)
    h = train(fused, X, y, epochs=2, batch_size=10, lr=0.5, seed=0, progress=False,
              weight_decay=0.01)
    np.testing.assert_allclose(h.loss, plain_loop(plain, X, y, 2, 10, 0.5, 0, 0.01), rtol=1e-12)
    assert_same_weights(fused, plain)
