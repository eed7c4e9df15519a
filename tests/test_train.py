"""The training loop: determinism, what it records, and that it really learns."""

import numpy as np
import pytest

from mlp_core import MLP, train
from mlp_core.datasets import load_digits, make_moons, train_test_split
from mlp_core.train import History


def test_same_seed_same_history_bit_for_bit():
    X, y = make_moons(120, noise=0.2, seed=1)
    runs = []
    for _ in range(2):
        net = MLP([2, 6, 2], activation="tanh", init="xavier", seed=3)
        h = train(net, X, y, epochs=5, batch_size=16, lr=0.5, X_val=X[:30], Y_val=y[:30],
                  seed=4, progress=False)
        runs.append((h, net.layers[1].W.tobytes()))
    (h1, w1), (h2, w2) = runs
    assert (h1.loss, h1.accuracy, h1.val_loss, h1.val_accuracy) == \
        (h2.loss, h2.accuracy, h2.val_loss, h2.val_accuracy)
    assert w1 == w2
    net = MLP([2, 6, 2], activation="tanh", init="xavier", seed=3)
    other = train(net, X, y, epochs=5, batch_size=16, lr=0.5, seed=5, progress=False)
    assert other.loss != h1.loss                      # the shuffle seed matters


def test_history_and_callback():
    X, y = make_moons(50, seed=0)
    seen = []

    def stop_after_three(epoch, history):
        seen.append((epoch, history.epochs))
        return epoch < 3

    h = train(MLP([2, 4, 2], seed=0), X, y, epochs=10, batch_size=7, lr=1.0, seed=0,
              callback=stop_after_three, progress=False)
    assert seen == [(1, 1), (2, 2), (3, 3)]
    assert h.epochs == 3 and h.samples_seen == [50, 100, 150]
    assert len(h.seconds) == 3 and h.val_loss == []
    assert all(0 <= a <= 1 for a in h.accuracy)


def test_history_append_records_one_epoch_in_the_named_lists():
    """Lesson 07's exercise records each epoch with history.append(loss, accuracy, ...)."""
    h = History()
    h.append(0.5, 0.75)                                  # no validation data
    h.append(0.25, 0.875, 0.3, 0.8, samples_seen=100, seconds=1.5)
    assert h.loss == [0.5, 0.25] and h.accuracy == [0.75, 0.875] and h.epochs == 2
    assert h.val_loss == [0.3] and h.val_accuracy == [0.8]
    assert h.samples_seen == [100] and h.seconds == [1.5]
    h.append(np.float64(0.125), 1, val_loss=0.2, val_accuracy=0.9)
    assert h.loss[-1] == 0.125 and type(h.loss[-1]) is float and h.accuracy[-1] == 1.0
    assert h.val_loss == [0.3, 0.2] and h.samples_seen == [100]


def test_a_loop_with_history_append_is_train_bit_for_bit():
    X, y = make_moons(40, seed=1)
    X_val, y_val = make_moons(20, seed=2)
    net, mine = MLP([2, 4, 2], seed=0), MLP([2, 4, 2], seed=0)
    h = train(net, X, y, epochs=3, batch_size=16, lr=1.0, seed=0, X_val=X_val, Y_val=y_val,
              progress=False, fused=False)
    history, rng, N = History(), np.random.default_rng(0), len(X)
    for epoch in range(1, 4):
        order = rng.permutation(N)
        total, correct = 0.0, 0
        for first in range(0, N, 16):
            idx = order[first:first + 16]
            Y_hat = mine.forward(X[idx])
            total += mine.backward(y[idx]) * len(idx)
            correct += int(np.sum(np.argmax(Y_hat, axis=1) == y[idx]))
            mine.step(1.0)
        history.append(total / N, correct / N, mine.loss(X_val, y_val),
                       mine.accuracy(X_val, y_val), samples_seen=epoch * N)
    for a, b in zip(net.layers[1:], mine.layers[1:]):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert history.accuracy == h.accuracy and history.samples_seen == h.samples_seen
    assert np.allclose(history.loss, h.loss, rtol=1e-12, atol=0)
    assert np.allclose(history.val_loss, h.val_loss, rtol=1e-12, atol=0)
    assert history.val_accuracy == h.val_accuracy and len(h.seconds) == 3


def test_epoch_loss_is_the_mean_of_the_batch_costs_before_each_step():
    """A by-hand loop with the same shuffle gives the same numbers."""
    X, y = make_moons(30, seed=2)
    Y = np.eye(2)[y]
    net_a, net_b = MLP([2, 3, 2], seed=1), MLP([2, 3, 2], seed=1)
    h = train(net_a, X, y, epochs=2, batch_size=8, lr=0.7, seed=9, progress=False)
    rng = np.random.default_rng(9)
    losses = []
    for _ in range(2):
        order, total = rng.permutation(30), 0.0
        for first in range(0, 30, 8):
            idx = order[first:first + 8]
            net_b.forward(X[idx])
            total += net_b.backward(Y[idx]) * len(idx)
            net_b.step(0.7)
        losses.append(total / 30)
    assert h.loss == pytest.approx(losses, rel=1e-12)
    np.testing.assert_allclose(net_a.layers[2].W, net_b.layers[2].W, rtol=1e-12, atol=1e-15)


def test_weight_decay_shrinks_the_weights():
    X, y = make_moons(60, seed=0)
    norms = []
    for wd in (0.0, 0.05):
        net = MLP([2, 8, 2], init="normal", seed=0)
        train(net, X, y, epochs=20, batch_size=10, lr=0.5, seed=0, weight_decay=wd,
              progress=False)
        norms.append(np.linalg.norm(net.layers[1].W))
    assert norms[1] < 0.8 * norms[0]


def test_one_hidden_layer_separates_the_moons():
    X, y = make_moons(400, noise=0.1, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.25, seed=0)
    net = MLP([2, 16, 2], activation="tanh", output_activation="softmax", loss="cross_entropy",
              init="xavier", seed=0)
    train(net, X_tr, y_tr, epochs=100, batch_size=16, lr=0.3, seed=0, progress=False)
    assert net.accuracy(X_te, y_te) >= 0.97


def test_digits_reach_97_percent_like_pytorch_and_sklearn():
    """[64, 30, 10], sigmoid, quadratic cost, 80/20 split, mini-batches of 10, 30 epochs,
    lr = 3.0 (Nielsen's rate for this cost): the mean test accuracy over 5 seeds."""
    X, y = load_digits()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.2, seed=0)
    accuracies = []
    for seed in range(5):
        net = MLP([64, 30, 10], seed=seed)
        train(net, X_tr, y_tr, epochs=30, batch_size=10, lr=3.0, seed=seed, progress=False)
        accuracies.append(net.accuracy(X_te, y_te))
    assert np.mean(accuracies) >= 0.97, accuracies
