"""``train``'s default step (``mlp_core.fused.FusedStep``) against the readable ``forward``,
``backward`` and ``step`` the lessons teach: the same training to 1e-12 for every activation,
loss, depth (one weight layer included) and batch size, updates in place, no dW stored, and no
weight touched by a batch whose cost is not finite. (``tests/test_train_loop.py`` holds
``train(fused=False)`` to a hand-written loop bit for bit.)"""

import numpy as np
import pytest

from mlp_core import MLP, train
from mlp_core.datasets import make_moons
from mlp_core.fused import FusedStep, gemm

NETWORKS = {
    "sigmoid, mse": {},
    "tanh, mse": {"activation": "tanh"},
    "relu, softmax, cross-entropy": {"activation": "relu", "output_activation": "softmax",
                                     "loss": "cross_entropy", "init": "he"},
    "sigmoid, cross-entropy": {"loss": "cross_entropy"},
    "identity": {"activation": "identity"},
    "relu, softmax, mse": {"activation": "relu", "output_activation": "softmax"},
}


@pytest.mark.parametrize("kind", NETWORKS)
@pytest.mark.parametrize("sizes", [[2, 5, 2], [2, 4, 3, 2], [2, 1, 2], [2, 3]])
@pytest.mark.parametrize("batch_size", [1, 16, 203])
def test_fused_train_agrees_with_the_plain_loop(kind, sizes, batch_size):
    X, y = make_moons(203, noise=0.2, seed=1)
    fused, plain = MLP(sizes, seed=1, **NETWORKS[kind]), MLP(sizes, seed=1, **NETWORKS[kind])
    settings = dict(epochs=3, batch_size=batch_size, lr=0.3, seed=2, progress=False,
                    weight_decay=0.01)
    h = train(fused, X, y, **settings)
    h_plain = train(plain, X, y, fused=False, **settings)
    np.testing.assert_allclose(h.loss, h_plain.loss, rtol=1e-12)
    for f, p in zip(fused.layers[1:], plain.layers[1:]):
        for got, want in ((f.W, p.W), (f.b, p.b)):
            assert np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want))
        assert f.dW is None and f.db is None                # the fused update stores no dW
        assert f.a.shape == (f.n_out, 203 % batch_size or batch_size)
    assert fused.layers[0].a.shape == (2, 203 % batch_size or batch_size)


def test_the_update_happens_in_place():
    net = MLP([2, 4, 3, 2], seed=0)
    arrays = [(layer.W, layer.b) for layer in net.layers[1:]]
    X, y = make_moons(40, seed=0)
    train(net, X, y, epochs=2, batch_size=8, lr=0.5, seed=0, progress=False)
    for layer, (W, b) in zip(net.layers[1:], arrays):
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
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers[1:]]
    X = np.array([[1e200, 1e200], [1.0, 2.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        cost = FusedStep(net)(X, np.eye(2), np.arange(2), lr=0.1)
    assert not np.isfinite(cost)
    for layer, (W, b) in zip(net.layers[1:], before):
        assert np.array_equal(layer.W, W) and np.array_equal(layer.b, b)


def test_after_fused_training_forward_and_backward_work_as_before():
    X, y = make_moons(30, seed=0)
    net = MLP([2, 4, 2], seed=0)
    train(net, X, y, epochs=1, batch_size=8, lr=0.5, seed=0, progress=False)
    with pytest.raises(ValueError, match="step needs gradients"):
        net.step(0.1)
    with pytest.raises(ValueError, match="backward needs a forward pass first"):
        net.backward(y[:6])                                 # the weights moved after the last
    net.forward(X)
    net.backward(y)
    assert net.layers[1].dW.shape == (4, 2)
    net.step(0.1)
