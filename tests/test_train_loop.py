"""``train`` is lesson 07's loop: with ``fused=False`` a hand-written loop of ``forward``,
``backward`` and ``step`` reproduces it bit for bit, and the default fused step stays within
1e-12 of it, for every activation and loss at batch sizes 1, 10 and 32."""

import numpy as np
import pytest

from mlp_core import MLP, train
from mlp_core.datasets import make_moons

#: (hidden activation, output activation, loss): every pairing the engine accepts
SETUPS = [("sigmoid", "sigmoid", "mse"), ("tanh", "identity", "mse"), ("relu", "sigmoid", "mse"),
          ("identity", "tanh", "mse"), ("relu", "relu", "mse"),
          ("sigmoid", "softmax", "cross_entropy"), ("tanh", "sigmoid", "cross_entropy"),
          ("relu", "softmax", "mse")]
EPOCHS, LR, SEED, DECAY = 2, 0.1, 3, 1e-3


def lesson_07_loop(net, X, y, epochs, batch_size, lr, seed, weight_decay):
    """The loop as lesson 07 writes it: one seeded permutation per epoch, then forward,
    backward and step on each mini-batch in that order. Returns the costs, batch by batch."""
    Y = np.eye(net.sizes[-1])[y]
    rng = np.random.default_rng(seed)
    costs = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for first in range(0, len(X), batch_size):
            batch = order[first:first + batch_size]
            net.forward(X[batch])
            costs.append(net.backward(Y[batch]))
            net.step(lr, weight_decay)
    return costs


def case(setup):
    hidden, output, loss = setup
    X, y = make_moons(70, noise=0.2, seed=1)
    return X, y, lambda: MLP([2, 6, 5, 2], hidden, output, loss, init="xavier", seed=4)


def weights(net):
    return [(layer.W, layer.b) for layer in net.layers[1:]]


@pytest.mark.parametrize("batch_size", [1, 10, 32])
@pytest.mark.parametrize("setup", SETUPS, ids="-".join)
def test_plain_train_is_a_loop_of_forward_backward_step_bit_for_bit(setup, batch_size):
    X, y, make = case(setup)
    mine, plain = make(), make()
    costs = lesson_07_loop(mine, X, y, EPOCHS, batch_size, LR, SEED, DECAY)
    history = train(plain, X, y, epochs=EPOCHS, batch_size=batch_size, lr=LR, seed=SEED,
                    weight_decay=DECAY, progress=False, fused=False)
    for (W, b), (W_ref, b_ref) in zip(weights(plain), weights(mine)):
        assert np.array_equal(W, W_ref) and np.array_equal(b, b_ref)
    per_epoch = len(costs) // EPOCHS
    sizes = [len(range(first, min(first + batch_size, len(X))))
             for first in range(0, len(X), batch_size)]
    for epoch in range(EPOCHS):
        epoch_costs = costs[epoch * per_epoch:(epoch + 1) * per_epoch]
        assert history.loss[epoch] == sum(c * n for c, n in zip(epoch_costs, sizes)) / len(X)


@pytest.mark.parametrize("batch_size", [1, 10, 32])
@pytest.mark.parametrize("setup", SETUPS, ids="-".join)
def test_the_fused_step_stays_within_1e_12_of_the_plain_loop(setup, batch_size):
    X, y, make = case(setup)
    fused, plain = make(), make()
    h_fused = train(fused, X, y, epochs=EPOCHS, batch_size=batch_size, lr=LR, seed=SEED,
                    weight_decay=DECAY, progress=False)
    h_plain = train(plain, X, y, epochs=EPOCHS, batch_size=batch_size, lr=LR, seed=SEED,
                    weight_decay=DECAY, progress=False, fused=False)
    for (W, b), (W_ref, b_ref) in zip(weights(fused), weights(plain)):
        np.testing.assert_allclose(W, W_ref, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, b_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_fused.loss, h_plain.loss, rtol=1e-12)
    assert h_fused.accuracy == h_plain.accuracy


def test_after_plain_training_the_gradients_of_the_last_batch_are_kept():
    X, y, make = case(SETUPS[0])
    net = make()
    train(net, X, y, epochs=1, batch_size=32, lr=LR, seed=0, progress=False, fused=False)
    assert all(layer.dW.shape == layer.W.shape for layer in net.layers[1:])
    assert net.layers[0].a.shape == (2, len(X) - 64)            # the last batch: 70 - 2·32


def test_the_input_layer_holds_X_transposed_and_no_parameters():
    net = MLP([3, 4, 2], seed=0)
    X = np.arange(15.0).reshape(5, 3)
    net.forward(X)
    assert len(net.layers) == net.L + 1 == 3
    assert np.array_equal(net.layers[0].a, X.T) and net.layers[0].a.shape == (3, 5)
    for name in ("W", "b", "z", "delta", "dW", "db"):
        assert not hasattr(net.layers[0], name)
    assert [layer.index for layer in net.layers] == [0, 1, 2]
    assert [layer.W.shape for layer in net.layers[1:]] == [(4, 3), (2, 4)]
