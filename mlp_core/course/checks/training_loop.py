"""Checks for the exercise of lesson 07 (the training loop).

The check runs the learner's loop on a network that records what it is given, and tests what a
training loop must do, not the calls it makes: every sample once per epoch, in a new shuffled
order each epoch, each input with its own target; ⌈N/B⌉ updates per epoch on batches of at most
B rows (the last one smaller, kept); a history that records those batches; a cost that falls; and
last, with the seeded order of ``mlp_core.train``, the same weights as ``train(..., fused=False)``
to the last bit. Each check prints one short line (see ``mlp_core.course.checks``): ✓ and True,
or ✗ with a hint that names the usual mistake and ``CheckFailed``, or "not done yet".
"""

import math

import numpy as np

from mlp_core.course.checks import call, exercise, fail, passed
from mlp_core.datasets import make_blobs, make_moons
from mlp_core.network import MLP, labels_from
from mlp_core.train import train

# ----- lesson 07: the training loop ----------------------------------------------------------

LOOP_SETTINGS = {"epochs": 3, "batch_size": 16, "lr": 0.5, "seed": 7}
#: train's order, stated once: the one requirement beyond what any right training loop does.
TRAIN_ORDER = ("make rng = np.random.default_rng(seed) once, before the epochs, take order = "
               "rng.permutation(N) at the start of each epoch, and the batches "
               "order[first:first + batch_size] for first in range(0, N, batch_size)")
MISTAKES = {
    "no_shuffle": "the samples come in the same order every epoch, unshuffled (0, 1, 2, ...): "
                  "shuffle at the start of each epoch, e.g. order = rng.permutation(N)",
    "same_order": "every epoch uses the same shuffled order: make rng = "
                  "np.random.default_rng(seed) once, before the epochs, and draw a new "
                  "permutation each epoch",
    "X_only": "X was shuffled but y was not, so inputs and targets no longer match: index "
              "both with the same order",
    "drop_last": "the last, smaller batch is missing: with N = 50 and batch_size = 16 there are "
                 "four batches per epoch (16, 16, 16, 2); loop with range(0, N, batch_size)",
    "no_step": "the weights never changed: call net.step(lr) after each backward",
}


def loop_data():
    """The check's small problem: 50 moons points to train on and 20 to validate on.
    Returns X (50, 2), y (50,), X_val (20, 2), y_val (20,). The rows of X are distinct, so the
    check can tell which samples each batch holds."""
    X, y = make_moons(50, noise=0.2, seed=3)
    X_val, y_val = make_moons(20, noise=0.2, seed=4)
    return X, y, X_val, y_val


def separable_data():
    """A set a straight line separates, for the check that the cost falls: 40 points in two
    blobs of spread 0.2 around (1, 0) (class 0, every point with x > 0) and (−1, 0) (class 1,
    every point with x < 0). Returns X (40, 2), y (40,)."""
    return make_blobs(40, noise=0.2, centers=2, seed=5)


def loop_net(cls=None):
    """A fresh network for the check: sizes [2, 4, 2], tanh, Xavier weights, seed 1 (of class
    ``cls``, an MLP subclass, when given)."""
    return (cls or MLP)([2, 4, 2], activation="tanh", init="xavier", seed=1)


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


#: How close a learner's recorded loss and val_loss must come to what its own batches give:
#: a sum of batch costs may be added up in another order.
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


def _recording_net(X):
    """A ``loop_net()`` that records, for every ``backward``, the training rows of its forward
    pass (indices into X, matched by value, whatever indexing the learner used; None for rows
    that are not rows of X), the targets it was given (as labels), its cost, its predictions
    and the weights before it. ``net.log`` holds those dicts in order."""
    rows = {row.tobytes(): i for i, row in enumerate(np.asarray(X, dtype=float))}

    class Recording(MLP):
        def forward(self, X_batch):
            Y_hat = super().forward(X_batch)
            found = [rows.get(r.tobytes()) for r in np.asarray(X_batch, dtype=float)]
            self.seen = None if None in found else np.array(found, dtype=int)
            return Y_hat

        def backward(self, Y_batch):
            cost = super().backward(Y_batch)
            self.log.append({"rows": self.seen, "targets": labels_from(np.asarray(Y_batch)),
                             "cost": float(cost),
                             "predicted": labels_from(self.layers[self.L].a.T),
                             "weights": [p.copy() for p in _weights(self)]})
            return cost

    net = loop_net(Recording)
    net.log, net.seen = [], None
    return net


def _updates(net):
    """The backward calls that were followed by a change of the weights: the updates, each
    with the weights after it."""
    log = net.log
    after = [entry["weights"] for entry in log[1:]] + [_weights(net)]
    updates = []
    for entry, weights in zip(log, after):
        if not all(np.array_equal(p, q) for p, q in zip(entry["weights"], weights)):
            updates.append({**entry, "after": weights})
    return updates


def _net_with(weights):
    """A ``loop_net()`` holding ``weights`` (as ``_weights`` lists them)."""
    net = loop_net()
    for layer, (W, b) in zip(net.layers[1:], zip(weights[::2], weights[1::2])):
        layer.W, layer.b = W.copy(), b.copy()
    return net


@exercise("train_loop")
def check_training_loop(train_loop):
    """Check the learner's ``train_loop(net, X, y, epochs, batch_size, lr, seed, X_val,
    y_val)``, run on a recording ``loop_net()`` and ``loop_data()`` with ``LOOP_SETTINGS`` (50
    samples in batches of 16: the last batch holds 2), property by property:

    1. each batch's targets are its inputs' (y shuffled with X);
    2. ⌈N/B⌉ updates per epoch, each on at most B rows, the last possibly smaller;
    3. every sample exactly once per epoch, in a shuffled order that changes every epoch;
    4. the history: per epoch loss Σ cost·|B| / N and accuracy from the epoch's batches (before
       each update), val_loss and val_accuracy of the weights at the epoch's end;
    5. on a set a straight line separates (``separable_data``), a second run's cost falls
       to below half its start;
    6. with train's seeded order (TRAIN_ORDER), the weights of ``train(..., fused=False)``, bit
       for bit.
    Properties 1-5 hold for any right loop, whatever its shuffle; 6 is the one requirement on
    the order."""
    name = "train_loop"
    X, y, X_val, y_val = loop_data()
    N, B, epochs = len(X), LOOP_SETTINGS["batch_size"], LOOP_SETTINGS["epochs"]
    steps = math.ceil(N / B)
    net = _recording_net(X)
    history = call(name, train_loop, net, X, y, X_val=X_val, y_val=y_val, **LOOP_SETTINGS)
    updates = _updates(net)
    # 1. inputs and targets together
    for update in updates:
        if update["rows"] is None:
            fail(name, f"{name}: a step followed a forward pass on rows that are not rows of X: "
                       "give net.forward the training rows X[batch], then net.backward their "
                       "targets y[batch]")
        if not np.array_equal(update["targets"], y[update["rows"]]):
            fail(name, f"{name}: {MISTAKES['X_only']}")
    # 2. ⌈N/B⌉ updates per epoch, batches of at most B rows
    if not updates:
        fail(name, f"{name}: {MISTAKES['no_step']}")
    sizes = [len(update["rows"]) for update in updates]
    if len(updates) == epochs * (N // B) and N % B and all(s == B for s in sizes):
        fail(name, f"{name}: {MISTAKES['drop_last']}")
    if len(updates) != epochs * steps:
        fail(name, f"{name}: {epochs} epochs of N = {N} samples in batches of {B} take "
                   f"{epochs} × ⌈{N}/{B}⌉ = {epochs * steps} updates (one net.step after each "
                   f"backward); your loop made {len(updates)}")
    if max(sizes) > B:
        fail(name, f"{name}: a batch held {max(sizes)} rows, more than batch_size = {B}: take "
                   "the rows order[first:first + batch_size]")
    # 3. every sample once per epoch, a new shuffled order each epoch
    orders = [np.concatenate([u["rows"] for u in updates[e * steps:(e + 1) * steps]])
              for e in range(epochs)]
    for e, order in enumerate(orders, 1):
        if len(order) != N or not np.array_equal(np.sort(order), np.arange(N)):
            missing = N - len(np.unique(order))
            fail(name, f"{name}: epoch {e} did not see every sample exactly once ({missing} "
                       "left out, some seen twice): cut one shuffled order of all N indices "
                       "into consecutive batches, order[first:first + batch_size]")
    if all(np.array_equal(order, np.arange(N)) for order in orders):
        fail(name, f"{name}: {MISTAKES['no_shuffle']}")
    if any(np.array_equal(orders[0], order) for order in orders[1:]):
        fail(name, f"{name}: {MISTAKES['same_order']}")
    # 4. the history records those batches
    want = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": [], "unweighted": []}
    for e in range(epochs):
        epoch = updates[e * steps:(e + 1) * steps]
        costs = [u["cost"] for u in epoch]
        want["loss"].append(sum(u["cost"] * len(u["rows"]) for u in epoch) / N)
        want["unweighted"].append(float(np.mean(costs)))
        want["accuracy"].append(sum(int(np.sum(u["predicted"] == y[u["rows"]]))
                                    for u in epoch) / N)
        end = _net_with(epoch[-1]["after"])
        want["val_loss"].append(end.loss(X_val, y_val))
        want["val_accuracy"].append(end.accuracy(X_val, y_val))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        got = _field(history, key)
        if got is None or len(got) != epochs:
            fail(name, f"{name}: history.{key} should hold one number per epoch ({epochs} "
                       f"here); got {'nothing' if got is None else len(got)}")
        if _close(got, want[key]):
            continue
        if key == "loss" and _close(got, want["unweighted"]):
            hint = ("that is the plain mean of the batch costs; the last batch holds only 2 "
                    "samples, so weight each cost by its batch size: Σ cost·|B| / N")
        elif key == "loss":
            hint = "record Σ cost·|B| / N, with each batch's cost from backward, before its step"
        elif key == "accuracy":
            hint = ("count the correct predictions of each batch's forward pass (before its "
                    "step) and divide by N at the end of the epoch")
        else:
            hint = f"after each epoch, append net.{key[4:]}(X_val, y_val)"
        fail(name, f"{name}: the batches are right but history.{key} is not what they give "
                   f"({got[-1]:.6f} vs {want[key][-1]:.6f} at the last epoch): {hint}")
    # 5. the cost falls
    X_sep, y_sep = separable_data()
    separable = loop_net()
    start_cost = separable.loss(X_sep, y_sep)
    call(name, train_loop, separable, X_sep, y_sep, X_val=X_sep, y_val=y_sep, **LOOP_SETTINGS)
    end_cost = separable.loss(X_sep, y_sep)
    if not end_cost < 0.5 * start_cost:
        fail(name, f"{name}: on {len(X_sep)} points a straight line separates, the cost went "
                   f"from {start_cost:.4f} to {end_cost:.4f}, not clearly down: step against "
                   "the gradient, W ← W − lr·dW (net.step(lr)), with the lr you were given")
    # 6. train's order gives train's weights
    reference = loop_net()
    train(reference, X, y, progress=False, fused=False, **LOOP_SETTINGS)
    if not _same_weights(net, reference):
        if _close_weights(net, reference):
            fail(name, f"{name}: the weights agree with mlp_core.train's to 12 digits but not "
                       "to the last bit: for each batch call net.forward(X[batch]), "
                       "net.backward(y[batch]) and net.step(lr), and change the weights in no "
                       "other way")
        fail(name, f"{name} trains correctly (each sample once per epoch, {steps} steps, the "
                   f"cost falls on a separable set) but not in "
                   f"mlp_core.train's order, so its weights differ from train's: {TRAIN_ORDER}")
    return passed(f"{name} is right: each epoch sees all {N} samples once, in a new order, in "
                  f"{steps} steps of at most {B}; the history records it; on {len(X_sep)} points "
                  f"a line separates the cost falls from {start_cost:.4f} to {end_cost:.4f}; "
                  "and with train's seeded order the weights are mlp_core.train's to the last "
                  "bit")
