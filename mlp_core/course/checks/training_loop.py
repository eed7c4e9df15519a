"""Checks for the exercise of lesson 07 (the training loop).

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".
"""

import numpy as np

from mlp_core.course.checks import call, exercise, fail, passed
from mlp_core.datasets import make_moons
from mlp_core.network import MLP
from mlp_core.train import train

# ----- lesson 07: the training loop ----------------------------------------------------------

LOOP_SETTINGS = {"epochs": 3, "batch_size": 16, "lr": 0.5, "seed": 7}
MISTAKES = {
    "no_shuffle": "the samples come in the same order every epoch, unshuffled: draw "
                  "order = rng.permutation(N) at the start of each epoch",
    "same_order": "every epoch uses the same order: make rng = np.random.default_rng(seed) "
                  "once, before the epochs, and draw a new permutation each epoch",
    "X_only": "X was shuffled but y was not, so inputs and targets no longer match: index "
              "both with the same order",
    "drop_last": "the last, smaller batch is missing: with N = 50 and batch_size = 16 there are "
                 "four batches per epoch (16, 16, 16, 2); loop with range(0, N, batch_size)",
    "no_step": "the weights never changed: call net.step(lr) after each backward",
}


def loop_data():
    """The check's small problem: 50 moons points to train on and 20 to validate on.
    Returns X (50, 2), y (50,), X_val (20, 2), y_val (20,)."""
    X, y = make_moons(50, noise=0.2, seed=3)
    X_val, y_val = make_moons(20, noise=0.2, seed=4)
    return X, y, X_val, y_val


def loop_net():
    """A fresh network for the check: sizes [2, 4, 2], tanh, Xavier weights, seed 1."""
    return MLP([2, 4, 2], activation="tanh", init="xavier", seed=1)


def mistaken_loop(net, X, y, epochs, batch_size, lr, seed, mistake):
    """The training loop with one usual mistake (a key of ``MISTAKES``), in place on ``net``.
    X: (N, n_0); y: (N,) labels. Returns ``net``."""
    N = len(X)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        if mistake == "same_order":
            rng = np.random.default_rng(seed)
        order = np.arange(N) if mistake == "no_shuffle" else rng.permutation(N)
        stop = N - N % batch_size if mistake == "drop_last" else N
        for first in range(0, stop, batch_size):
            idx = order[first:first + batch_size]
            y_idx = np.arange(first, min(first + batch_size, N)) if mistake == "X_only" else idx
            net.forward(X[idx])
            net.backward(y[y_idx])
            if mistake != "no_step":
                net.step(lr)
    return net


#: How close a learner's per-epoch loss and val_loss must come to ``train``'s: the weights and
#: the accuracies must be the same to the last bit (``train(..., fused=False)`` runs the very
#: calls of lesson 07's loop), but a sum of batch costs may be added up in another order.
AGREE = 1e-12


def _close(got, want):
    """Whether arrays (or lists) agree to AGREE relative to the largest value of ``want``."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(
        np.max(np.abs(got - want), initial=0.0) <= AGREE * np.max(np.abs(want), initial=1.0))


def _weights(net):
    """Every W and b of the layers l = 1 .. L, in order."""
    return [p for layer in net.layers[1:] for p in (layer.W, layer.b)]


def _same_weights(a, b):
    """Whether two networks hold the same weights, bit for bit."""
    return all(np.array_equal(p, q) for p, q in zip(_weights(a), _weights(b)))


def _close_weights(a, b):
    """Whether two networks hold the same weights to AGREE."""
    return all(_close(p, q) for p, q in zip(_weights(a), _weights(b)))


def _field(history, key):
    """history.key or history[key] as a list of floats, or None."""
    value = history.get(key) if isinstance(history, dict) else getattr(history, key, None)
    try:
        return [float(v) for v in value]
    except (TypeError, ValueError):
        return None


def _unweighted_losses(X, y, epochs, batch_size, lr, seed):
    """The per-epoch loss when the batch costs are averaged without their sizes as weights."""
    net, losses = loop_net(), []
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order, costs = rng.permutation(len(X)), []
        for first in range(0, len(X), batch_size):
            idx = order[first:first + batch_size]
            net.forward(X[idx])
            costs.append(net.backward(y[idx]))
            net.step(lr)
        losses.append(float(np.mean(costs)))
    return losses


@exercise("train_loop")
def check_training_loop(train_loop):
    """Check the learner's ``train_loop(net, X, y, epochs, batch_size, lr, seed, X_val,
    y_val)``, run on a fresh ``loop_net()`` and ``loop_data()`` with ``LOOP_SETTINGS`` (50
    samples in batches of 16: the last batch holds 2), against ``mlp_core.train(...,
    fused=False)`` with the same seed, which runs net.forward, net.backward and net.step and
    nothing else: the final weights bit for bit, accuracy and val_accuracy exactly, loss and
    val_loss to 12 digits (AGREE: the batch costs may be summed in another order)."""
    name = "train_loop"
    X, y, X_val, y_val = loop_data()
    net = loop_net()
    history = call(name, train_loop, net, X, y, X_val=X_val, y_val=y_val, **LOOP_SETTINGS)
    reference = loop_net()
    ref = train(reference, X, y, X_val=X_val, Y_val=y_val, progress=False, fused=False,
                **LOOP_SETTINGS)
    if not _same_weights(net, reference):
        if _close_weights(net, reference):
            fail(name, f"{name}: the weights agree with mlp_core.train's to 12 digits but not "
                       "to the last bit: for each batch call net.forward(X[batch]), "
                       "net.backward(y[batch]) and net.step(lr), and change the weights in no "
                       "other way")
        for mistake, hint in MISTAKES.items():
            if _same_weights(net, mistaken_loop(loop_net(), X, y, mistake=mistake,
                                                **LOOP_SETTINGS)):
                fail(name, f"{name}: {hint}")
        fail(name, f"{name}: the weights differ from mlp_core.train's with the same seed. Make "
                   "rng = np.random.default_rng(seed) once; each epoch take order = "
                   "rng.permutation(N) and the batches order[first:first + batch_size]; for "
                   "each, forward, backward, step(lr)")
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        got, want = _field(history, key), getattr(ref, key)
        if got is None or len(got) != len(want):
            fail(name, f"{name}: history.{key} should hold one number per epoch ({len(want)} "
                       f"here); got {'nothing' if got is None else len(got)}")
        if _close(got, want) if key.endswith("loss") else got == want:
            continue
        if key == "loss" and _close(got, _unweighted_losses(X, y, **LOOP_SETTINGS)):
            hint = ("that is the plain mean of the batch costs; the last batch holds only 2 "
                    "samples, so weight each cost by its batch size: Σ cost·|B| / N")
        elif key == "loss":
            hint = "record Σ cost·|B| / N, with each batch's cost from backward, before its step"
        elif key == "accuracy":
            hint = ("count the correct predictions of each batch's forward pass (before its "
                    "step) and divide by N at the end of the epoch")
        else:
            hint = f"after each epoch, append net.{key[4:]}(X_val, y_val)"
        fail(name, f"{name}: the weights are right but history.{key} differs from "
                   f"mlp_core.train's ({got[-1]:.6f} vs {want[-1]:.6f} at the last epoch): "
                   f"{hint}")
    return passed(f"{name} is right: after {LOOP_SETTINGS['epochs']} epochs its weights are "
                  "mlp_core.train's to the last bit, its loss and val_loss agree to 12 digits, "
                  "and its accuracy and val_accuracy are the same")
