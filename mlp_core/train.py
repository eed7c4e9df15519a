"""The training loop the post leaves to the reader, lesson 07's loop: mini-batch stochastic
gradient descent.

Each epoch shuffles the samples with a seeded generator (one ``rng.permutation(N)`` per epoch),
cuts them into mini-batches of ``batch_size`` rows in that order, and for each one runs the
forward pass, back-propagation (BP1-BP4) and the update. With ``fused=False`` those are the
three calls ``net.forward``, ``net.backward`` and ``net.step`` and nothing else, so a learner's
loop reproduces ``train`` bit for bit. The default, ``fused=True``, makes the same three moves
in one call of ``mlp_core.fused.FusedStep`` (buffers allocated once, BP4 fused with the update),
which agrees with the plain loop to about 1e-15 per step.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from mlp_core.fused import FusedStep
from mlp_core.network import MLP, labels_from
from mlp_core.validate import check_positive, check_X, check_Y


class TrainingDiverged(ValueError):
    """The cost became NaN or infinite during training (usually: the learning rate is too big)."""


@dataclass
class History:
    """What ``train`` measured, one entry per epoch.

    loss, accuracy: on the training data, the mean over the epoch's mini-batches, each taken
        just before its update (the running figure Keras reports; free to compute);
    val_loss, val_accuracy: on the validation data after the epoch (empty without it);
    samples_seen: training samples processed so far; seconds: wall time since the start.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    samples_seen: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def epochs(self):
        """How many epochs have finished."""
        return len(self.loss)

    def append(self, loss, accuracy, val_loss=None, val_accuracy=None, samples_seen=None,
               seconds=None):
        """Record one finished epoch: its training ``loss`` and ``accuracy`` and, when given,
        ``val_loss``, ``val_accuracy``, ``samples_seen`` and ``seconds``, each appended to the
        list of that name. A field left as None is left alone, so a run without validation
        data keeps ``val_loss`` and ``val_accuracy`` empty."""
        self.loss.append(float(loss))
        self.accuracy.append(float(accuracy))
        for name, value in (("val_loss", val_loss), ("val_accuracy", val_accuracy),
                            ("samples_seen", samples_seen), ("seconds", seconds)):
            if value is not None:
                getattr(self, name).append(value)


def _progress_bar(epochs, enabled):
    """A tqdm bar over epochs: a widget in notebooks, a text line in terminals."""
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc="training", unit="epoch", disable=not enabled, leave=True)


def train(net, X, Y, *, epochs, batch_size, lr, X_val=None, Y_val=None, seed=None,
          callback=None, progress=True, weight_decay=0.0, fused=True):
    """Train ``net`` by mini-batch SGD and return a ``History``.

    X: (N, n_0) inputs; Y: (N, n_L) targets or N integer class labels.
    epochs: passes over the data; batch_size: samples per update (clamped to N);
    lr: learning rate η in W ← W − η·dW; weight_decay: L2 strength λ (W ← W − η·(dW + λW)).
    X_val, Y_val: optional validation data, evaluated after each epoch.
    seed: seeds the shuffle; the same seed and network give the same history, bit for bit.
    callback: called as ``callback(epoch, history)`` after each epoch; returning False stops.
    progress: show a progress bar (a widget in Jupyter, text in a terminal).
    fused: True (default) runs each step as one ``FusedStep`` call; False runs
        ``net.forward``, ``net.backward`` and ``net.step``, lesson 07's three calls.
    Raises TrainingDiverged (a ValueError) naming the epoch when the cost stops being finite,
    before that batch's update.
    Afterwards every layer holds the last batch's ``z``, ``a`` and ``delta``; with fused=True
    ``dW`` and ``db`` are None (the fused update never stores them).
    """
    if not isinstance(net, MLP):
        raise TypeError(f"train needs an MLP as its first argument, got {type(net).__name__}")
    n_in, n_out = net.sizes[0], net.sizes[-1]
    X = check_X(X, n_in)
    Y = check_Y(Y, X.shape[0], n_out, net.loss_name)
    check_positive(epochs, "epochs", integer=True)
    check_positive(batch_size, "batch_size", integer=True)
    check_positive(lr, "lr (the learning rate)")
    if not (isinstance(weight_decay, (int, float)) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a number ≥ 0, got {weight_decay!r}")
    if (X_val is None) != (Y_val is None):
        raise ValueError("pass both X_val and Y_val, or neither")
    if X_val is not None:
        X_val = check_X(X_val, n_in, "X_val")
        Y_val = check_Y(Y_val, X_val.shape[0], n_out, net.loss_name, "Y_val")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be a function called as callback(epoch, history)")

    N = X.shape[0]
    batch_size = min(batch_size, N)
    labels = labels_from(Y)
    out = net.layers[net.L]
    rng = np.random.default_rng(seed)
    fused_step = FusedStep(net) if fused else None
    predicted = np.empty(N, dtype=int)       # each sample's class, before its batch's step
    history = History()
    start = time.perf_counter()
    bar = _progress_bar(epochs, progress)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, epochs + 1):
                order = rng.permutation(N)
                total_cost = 0.0
                for first in range(0, N, batch_size):
                    batch = order[first:first + batch_size]
                    if fused:                # forward, backward and step in one call
                        cost = fused_step(X, Y, batch, lr, weight_decay)
                    else:
                        net.forward(X[batch])
                        cost = net.backward(Y[batch])
                    if not math.isfinite(cost):
                        raise TrainingDiverged(
                            f"epoch {epoch}: the cost became {cost} on step "
                            f"{first // batch_size + 1} of {-(-N // batch_size)} (the mini-batch "
                            f"at positions {first}-{first + len(batch) - 1} of this epoch's "
                            f"shuffled order) with lr = {lr:g}. The steps are too big: try a "
                            f"smaller learning rate (for example lr = {lr / 10:g})."
                        )
                    if not fused:
                        net.step(lr, weight_decay)
                    total_cost += cost * len(batch)
                    labels_from(out.a.T, out=predicted[first:first + len(batch)])
                val_loss, val_accuracy = (_evaluate(net, X_val, Y_val) if X_val is not None
                                          else (None, None))
                history.append(total_cost / N,
                               np.count_nonzero(predicted == labels[order]) / N,
                               val_loss, val_accuracy, samples_seen=epoch * N,
                               seconds=time.perf_counter() - start)
                bar.update(1)
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{history.accuracy[-1]:.3f}")
                if callback is not None and callback(epoch, history) is False:
                    break
    finally:
        bar.close()
    return history


def _evaluate(net, X_val, Y_val):
    """The cost and accuracy of ``net`` on the validation data (float (N, n_0) and (N, n_L),
    checked), as two floats."""
    Y_hat = net.forward(X_val)
    out = net.layers[net.L]
    return (net.loss_fn.cost(out.z, out.a, Y_val.T),
            float(np.mean(labels_from(Y_hat) == labels_from(Y_val))))
