"""Lesson 07's check (mlp_core.course.checks.training_loop) against ``train(..., fused=False)``,
which runs net.forward, net.backward and net.step and nothing else: a learner's loop matches its
weights to the last bit. (Each usual mistake's hint is tested in test_widgets_training_lab.py.)"""

import numpy as np
from checking import outcome

from mlp_core.course.checks.training_loop import (
    LOOP_SETTINGS,
    check_training_loop,
    loop_data,
    loop_net,
    mistaken_loop,
)
from mlp_core.train import History, train


def train_loop(net, X, y, epochs, batch_size, lr, seed=None, X_val=None, y_val=None,
               half_steps=False):
    """Lesson 07's solution; with half_steps, each step taken as two halves of it."""
    history, N = History(), X.shape[0]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(N)
        total_cost, correct = 0.0, 0
        for first in range(0, N, batch_size):
            idx = order[first:first + batch_size]
            Y_hat = net.forward(X[idx])
            cost = net.backward(y[idx])
            total_cost += cost * len(idx)
            correct += int(np.sum(np.argmax(Y_hat, axis=1) == y[idx]))
            if half_steps:
                for layer in net.layers[1:]:
                    layer.W = layer.W - lr / 2 * layer.dW - lr / 2 * layer.dW
                    layer.b = layer.b - lr / 2 * layer.db - lr / 2 * layer.db
            else:
                net.step(lr)
        history.loss.append(total_cost / N)
        history.accuracy.append(correct / N)
        history.val_loss.append(net.loss(X_val, y_val))
        history.val_accuracy.append(net.accuracy(X_val, y_val))
    return history


def test_the_plain_loop_is_train_unfused_bit_for_bit():
    X, y, _, _ = loop_data()
    reference = loop_net()
    train(reference, X, y, progress=False, fused=False, **LOOP_SETTINGS)
    mine = mistaken_loop(loop_net(), X, y, mistake=None, **LOOP_SETTINGS)
    for a, b in zip(reference.layers[1:], mine.layers[1:]):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)


def test_a_right_loop_passes_to_the_last_bit():
    ok, out = outcome(check_training_loop, train_loop)
    assert ok is True and out == (
        "✓ train_loop is right: after 3 epochs its weights are mlp_core.train's to the last "
        "bit, its loss and val_loss agree to 12 digits, and its accuracy and val_accuracy are "
        "the same\n")


def test_weights_right_to_12_digits_but_not_to_the_bit_are_told_so():
    def halves(*args, **kwargs):
        return train_loop(*args, half_steps=True, **kwargs)

    ok, out = outcome(check_training_loop, halves)
    assert ok is False and out.count("\n") == 1
    assert "agree with mlp_core.train's to 12 digits but not to the last bit" in out
