"""Lesson 07's check (mlp_core.course.checks.training_loop) tests properties: every sample once
per epoch in a new order, ⌈N/B⌉ updates, a history that records them, a falling cost, and, with
train's seeded order, ``train(..., fused=False)``'s weights to the last bit. A right loop that
shuffles another way passes the first properties and is told train's order. (Each usual mistake's
hint is tested in test_widgets_training_lab.py.)"""

import numpy as np
from checking import outcome

from mlp_core.course.checks.training_loop import (
    LOOP_SETTINGS,
    TRAIN_ORDER,
    check_training_loop,
    loop_data,
    loop_net,
    mistaken_loop,
)
from mlp_core.train import History, train


def train_loop(net, X, y, epochs, batch_size, lr, seed=None, X_val=None, y_val=None,
               half_steps=False, shuffle=None, sign=1.0):
    """Lesson 07's solution; with half_steps, each step taken as two halves of it (by hand, no
    net.step); shuffle: another way to draw each epoch's order, shuffle(rng, N); sign -1: a step
    up the gradient."""
    history, N = History(), X.shape[0]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = shuffle(rng, N) if shuffle else rng.permutation(N)
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
            elif sign < 0:
                for layer in net.layers[1:]:
                    layer.W = layer.W + lr * layer.dW
                    layer.b = layer.b + lr * layer.db
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
        "✓ train_loop is right: each epoch sees all 50 samples once, in a new order, in 4 steps "
        "of at most 16; the history records it; on 40 points a line separates the cost falls "
        "from 0.3958 to 0.0206; and with "
        "train's seeded order the weights are mlp_core.train's to the last bit\n")


def test_a_right_loop_with_another_shuffle_is_told_trains_order():
    def shuffled_by_hand(*args, **kwargs):
        def shuffle(rng, N):
            order = np.arange(N)
            rng.shuffle(order)
            return order[::-1]
        return train_loop(*args, shuffle=shuffle, **kwargs)

    ok, out = outcome(check_training_loop, shuffled_by_hand)
    assert ok is False and out.count("\n") == 1, out
    assert out.startswith("✗ train_loop trains correctly (each sample once per epoch, 4 steps"), out
    assert "not in mlp_core.train's order" in out and TRAIN_ORDER in out


def test_indexing_by_a_list_or_take_is_recognised():
    def by_take(net, X, y, **kwargs):
        class Rows(np.ndarray):
            pass
        return train_loop(net, np.take(X, np.arange(len(X)), axis=0).view(Rows), y, **kwargs)

    ok, out = outcome(check_training_loop, by_take)
    assert ok is True, out


def test_a_step_up_the_gradient_is_told_the_cost_does_not_fall():
    def uphill(*args, **kwargs):
        return train_loop(*args, sign=-1.0, **kwargs)

    ok, out = outcome(check_training_loop, uphill)
    assert ok is False and "not clearly down: step against the gradient" in out, out


def test_weights_right_to_12_digits_but_not_to_the_bit_are_told_so():
    def halves(*args, **kwargs):
        return train_loop(*args, half_steps=True, **kwargs)

    ok, out = outcome(check_training_loop, halves)
    assert ok is False and out.count("\n") == 1
    assert "agree with mlp_core.train's to 12 digits but not to the last bit" in out


def test_the_cost_is_checked_on_a_set_a_straight_line_separates():
    """The check's fifth property runs the loop on separable_data(), which is what its docstring
    says: class 0 has x > 0, class 1 x < 0, so the line x = 0 separates them."""
    from mlp_core.course.checks.training_loop import separable_data

    X, y = separable_data()
    assert X.shape == (40, 2) and set(y) == {0, 1}
    assert np.all((X[:, 0] > 0) == (y == 0))
