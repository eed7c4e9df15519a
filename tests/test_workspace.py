"""train's fused mini-batch step (mlp_core.workspace) against the readable forward, backward and
step the lessons teach: the same training to 1e-12 for every activation, loss, depth and batch
size, one batch at a time or two (forced on for these small networks), with no dW stored and no
weight touched by a batch whose cost is not finite."""

import numpy as np
import pytest

import mlp_core.workspace
from mlp_core import MLP, train
from mlp_core.datasets import make_moons
from mlp_core.workspace import Workspace, gemm, pairs_pay

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


@pytest.fixture(params=["one batch at a time", "two at a time"])
def pairs(request, monkeypatch):
    """Run the test with Workspace.epoch's pairs of batches forced off, or on."""
    on = request.param == "two at a time"
    monkeypatch.setattr(mlp_core.workspace, "pairs_pay", lambda sizes, batch_size: on)
    return on


@pytest.mark.parametrize("kind", NETWORKS)
@pytest.mark.parametrize("sizes", [[2, 5, 2], [2, 4, 3, 2], [2, 1, 2], [2, 3]])
@pytest.mark.parametrize("batch_size", [1, 16, 203])
def test_train_agrees_with_the_plain_loop(kind, sizes, batch_size, pairs):
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


def test_pairs_are_for_small_batches_through_a_large_first_layer():
    assert pairs_pay([784, 100, 10], 10) and pairs_pay([784, 30, 10], 16)
    assert not pairs_pay([784, 100, 10], 32) and not pairs_pay([784, 100, 10], 128)
    assert not pairs_pay([2, 8, 8, 2], 10)                  # the playground: a tiny first W


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_a_pair_whose_second_batch_diverges_keeps_the_first_batch_only(weight_decay):
    X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.4], [1e200, 1e200]])
    Y = np.eye(2)[[0, 1, 1, 0]]
    paired, single = (MLP([2, 3, 2], activation="identity", seed=0) for _ in range(2))
    done = Workspace(paired).pair(X, Y, np.arange(4), lr=0.1, weight_decay=weight_decay)
    assert np.isfinite(done[0][0]) and not np.isfinite(done[1][0])
    Workspace(single).step(X[:2], Y[:2], lr=0.1, weight_decay=weight_decay)
    assert_same_weights(paired, single)


def test_a_pair_whose_first_batch_diverges_stops_there():
    X = np.array([[1e200, 1e200], [1.0, 2.0], [-0.3, 0.4], [0.5, 0.5]])
    Y = np.eye(2)[[0, 1, 1, 0]]
    net = MLP([2, 3, 2], activation="identity", seed=0)
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    done = Workspace(net).pair(X, Y, np.arange(4), lr=0.1)
    assert len(done) == 1 and not np.isfinite(done[0][0])
    for layer, (W, b) in zip(net.layers, before):
        assert np.array_equal(layer.W, W) and np.array_equal(layer.b, b)


def test_pairs_on_mnist_sized_data_agree_with_the_plain_loop():
    rng = np.random.default_rng(0)
    X, y = rng.random((120, 784)), rng.integers(0, 10, 120)
    assert pairs_pay([784, 20, 10], 10)
    fused, plain = MLP([784, 20, 10], seed=0), MLP([784, 20, 10], seed=0)
    h = train(fused, X, y, epochs=2, batch_size=10, lr=0.5, seed=0, progress=False,
              weight_decay=0.01)
    np.testing.assert_allclose(h.loss, plain_loop(plain, X, y, 2, 10, 0.5, 0, 0.01), rtol=1e-12)
    assert_same_weights(fused, plain)
