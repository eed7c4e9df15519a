"""Checks for the exercises of lessons 06 (gradient checking) and 07 (the training loop).

Each check takes the learner's function, as in ``check_gradcheck_layer(gradcheck_layer)``, runs
it on the check's own cases through ``checks.call`` and prints one line (see
``mlp_core.checks``): ✓ and True, or ✗ with a hint naming the usual mistake (found by running
that mistake and comparing), or "not done yet", and ``CheckFailed``.
"""

import numpy as np

from mlp_core.bugs import BuggyMLP, bug_batch
from mlp_core.checks import RIGHT, WRONG, call, exercise, fail, passed
from mlp_core.datasets import make_moons
from mlp_core.gradcheck import relative_error
from mlp_core.network import MLP
from mlp_core.train import train


def _number(value):
    """value as a float, or None when it is not one real number."""
    if value is None:
        return None
    try:
        return float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return None


# ----- lesson 06: the relative error ---------------------------------------------------------

def _relative_error_cases():
    """(name, g, g_ref) pairs that tell the usual mistakes apart: plain, scaled by 1000, the
    larger one first, one zero gradient, both zero."""
    rng = np.random.default_rng(6)
    g = rng.standard_normal((3, 4))
    g_ref = g + 0.3 * rng.standard_normal((3, 4))
    return [("plain", g, g_ref), ("scaled", 1000 * g, 1000 * g_ref), ("swapped", 2 * g_ref, g),
            ("one zero", g, np.zeros_like(g)), ("both zero", np.zeros((2, 2)), np.zeros((2, 2)))]


_norm = np.linalg.norm
RELATIVE_ERROR_MISTAKES = [
    (lambda g, r: _norm(g - r),
     "that is the absolute error, which grows 1000-fold when both gradients do: divide by "
     "their size"),
    (lambda g, r: _norm(g - r) / _norm(r),
     "dividing by ||g_ref|| alone makes the order matter and fails when g_ref = 0: divide by "
     "max(||g||, ||g_ref||)"),
    (lambda g, r: _norm(g - r) / _norm(g),
     "dividing by ||g|| alone makes the order matter: divide by max(||g||, ||g_ref||)"),
    (lambda g, r: _norm(g - r) / (_norm(g) + _norm(r)),
     "CS231n (and this course) divide by the larger norm, max(||g||, ||g_ref||), not the sum"),
    (lambda g, r: np.mean(np.abs(g - r) / np.maximum(np.abs(g), np.abs(r))),
     "that is a mean of entry-by-entry ratios; take norms of the whole arrays"),
]


@exercise("my_relative_error")
def check_relative_error(my_relative_error):
    """Check the learner's ``my_relative_error(g, g_ref)`` on the check's pairs against
    CS231n's ||g − g_ref|| / max(||g||, ||g_ref||), which is 0 when both are 0."""
    name = "my_relative_error"
    with np.errstate(all="ignore"):
        answers = {case: call(name, my_relative_error, g.copy(), g_ref.copy())
                   for case, g, g_ref in _relative_error_cases()}
    got = {case: _number(value) for case, value in answers.items()}
    if any(v is None for v in got.values()):
        bad = next(v for v in answers.values() if _number(v) is None)
        fail(name, f"{name} should return one number, got {type(bad).__name__} "
                   "(is the return statement missing?)")
    cases = _relative_error_cases()
    want = {case: relative_error(g, g_ref) for case, g, g_ref in cases}
    wrong = [case for case in want if not np.isclose(got[case], want[case], rtol=1e-9, atol=0)]
    if not wrong:
        return passed(f"{name} is right (e.g. {got['plain']:.4f} for the first test pair, "
                      "0 for two zero gradients)")
    hint = "use norms of the whole arrays: ||g − g_ref|| / max(||g||, ||g_ref||)"
    if wrong == ["both zero"]:
        hint = "two zero gradients agree perfectly: return 0 instead of dividing 0 by 0"
    else:
        for mistake, message in RELATIVE_ERROR_MISTAKES:
            with np.errstate(all="ignore"):
                if all(np.isclose(got[case], mistake(g, r), rtol=1e-9)
                       for case, g, r in cases if case != "both zero"):
                    hint = message
                    break
    fail(name, f"{name} is off for the '{wrong[0]}' test pair: {hint}")


# ----- lesson 06: gradcheck for one layer ----------------------------------------------------

GRADCHECK_SIZES = [2, 5, 4, 3]


def _gradcheck_runs(gradcheck_layer):
    """Run a learner's ``gradcheck_layer(net, X, Y, l, eps)`` (through ``checks.call``) on
    every layer of a right network and on two layers of one with σ' missing in BP2. Returns a
    dict: "right" (one answer per layer), "moved" (layers whose W or b the calls changed),
    "bug_first" (layer 0 of the buggy network) and "bug_last" (its output layer)."""
    name = "gradcheck_layer"
    X, Y = bug_batch(10)
    net = MLP(GRADCHECK_SIZES, init="xavier", seed=0)
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    right = [call(name, gradcheck_layer, net, X, Y, l, 1e-5) for l in range(len(net.layers))]
    moved = [l for l, (layer, (W, b)) in enumerate(zip(net.layers, before))
             if not (np.array_equal(layer.W, W) and np.array_equal(layer.b, b))]
    buggy = BuggyMLP(GRADCHECK_SIZES, "sigma_prime", init="xavier", seed=0)
    return {"right": right, "moved": moved,
            "bug_first": call(name, gradcheck_layer, buggy, X, Y, 0, 1e-5),
            "bug_last": call(name, gradcheck_layer, buggy, X, Y, len(buggy.layers) - 1, 1e-5)}


def _two_errors(result):
    """(err_W, err_b) from what the learner returned, or None."""
    try:
        err_W, err_b = result
    except (TypeError, ValueError):
        return None
    err_W, err_b = _number(err_W), _number(err_b)
    return None if err_W is None or err_b is None else (err_W, err_b)


@exercise("gradcheck_layer")
def check_gradcheck_layer(gradcheck_layer):
    """Check the learner's ``gradcheck_layer`` on ``_gradcheck_runs``: on a right
    network both relative errors ≤ 1e-7 on every layer, every weight left as it was, and a
    planted bug (σ' missing in BP2) flagged in layer 0 (≥ 1e-2) but not in the output layer."""
    name = "gradcheck_layer"
    answers = _gradcheck_runs(gradcheck_layer)
    values = answers["right"] + [answers["bug_first"], answers["bug_last"]]
    pairs = [_two_errors(v) for v in values]
    if any(p is None for p in pairs):
        bad = values[[p is None for p in pairs].index(True)]
        fail(name, f"{name} should return two numbers, (error of dW, error of db); "
                   f"got {type(bad).__name__} (is the return statement missing?)")
    if answers["moved"]:
        fail(name, f"{name} changed the weights of layer {answers['moved'][0]}: put each "
                   "perturbed entry back (w + ε, then w − ε, then w) before moving to the next")
    worst = max(max(p) for p in pairs[:-2])
    if worst > RIGHT:
        if 0.45 <= worst <= 0.55:
            hint = "off by a factor of 2: the centred difference divides by 2ε"
        elif worst >= 0.99:
            hint = ("the numerical gradient looks like 0: perturb the network's own array "
                    "(net.layers[l].W[j, k]), not a copy")
        elif worst < WRONG:
            hint = ("that is the size of a one-sided difference's error (∝ ε): use the centred "
                    "(C(w + ε) − C(w − ε)) / 2ε")
        else:
            hint = ("compare the numerical gradient with net.layers[l].dW after net.forward(X) "
                    "and net.backward(Y) on the unperturbed weights")
        fail(name, f"{name} calls a right backward pass wrong (relative error {worst:.1e}): "
                   f"{hint}")
    flagged, clean = pairs[-2], pairs[-1]
    if max(flagged) < WRONG or max(clean) > RIGHT:
        fail(name, f"{name} misses a planted bug (σ' missing in BP2): compare with the dW and "
                   "db that net.backward(Y) computes, after net.forward(X) with the weights "
                   "restored")
    return passed(f"{name} is right: every layer of a right network below 1e-7; σ' missing in "
                  f"BP2 flagged in layer 0 (dW {flagged[0]:.1e}) and not in the output layer")


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


#: How close a learner's loop must come to ``train``: ``train`` fuses BP4 into the update
#: (``mlp_core.workspace``), which rounds differently, about 1e-16 of a weight per step.
AGREE = 1e-12


def _close(got, want):
    """Whether arrays (or lists) agree to AGREE relative to the largest value of ``want``."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(
        np.max(np.abs(got - want), initial=0.0) <= AGREE * np.max(np.abs(want), initial=1.0))


def _same_weights(a, b):
    return all(_close(la.W, lb.W) and _close(la.b, lb.b) for la, lb in zip(a.layers, b.layers))


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
    samples in batches of 16: the last batch holds 2), against ``mlp_core.train`` with the same
    seed: the final weights, loss and val_loss to 12 digits (AGREE; ``train`` rounds its fused
    update differently), accuracy and val_accuracy exactly."""
    name = "train_loop"
    X, y, X_val, y_val = loop_data()
    net = loop_net()
    history = call(name, train_loop, net, X, y, X_val=X_val, y_val=y_val, **LOOP_SETTINGS)
    reference = loop_net()
    ref = train(reference, X, y, X_val=X_val, Y_val=y_val, progress=False, **LOOP_SETTINGS)
    if not _same_weights(net, reference):
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
    return passed(f"{name} is right: after {LOOP_SETTINGS['epochs']} epochs its weights, loss "
                  "and val_loss agree with mlp_core.train's to 12 digits, and its accuracy and "
                  "val_accuracy are the same")
