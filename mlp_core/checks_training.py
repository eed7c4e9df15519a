"""Checks for the exercises of lessons 06 (gradient checking) and 07 (the training loop).

Each exercise needs the learner's function run on the check's own cases, so a check cell reads

    answers = checks.attempt(checks_training.gradcheck_answers, gradcheck_layer)
    checks_training.check_gradcheck_layer(answers)

The ``*_answers`` runner calls the learner's function on the cases and collects what it
returned; ``checks.attempt`` turns an unfinished exercise (``NotImplementedError``) into None;
any other error the learner's code raises is kept as a ``Raised``. The check then prints one
line, like ``mlp_core.checks``: ✓, ✗ with a hint naming the usual mistake (found by running that
mistake and comparing), or "not done yet". It never raises, and returns True or False.
"""

import numpy as np

from mlp_core.bugs import BuggyMLP, bug_batch
from mlp_core.checks import RIGHT, WRONG
from mlp_core.datasets import make_moons
from mlp_core.gradcheck import relative_error
from mlp_core.network import MLP
from mlp_core.train import train


class Raised:
    """The learner's function raised ``error`` (other than NotImplementedError) on a case."""

    def __init__(self, error):
        self.message = f"{type(error).__name__}: {error}"


def _call(fn, *args, **kwargs):
    """fn(*args, **kwargs), or a ``Raised``; NotImplementedError goes on to ``attempt``."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:  # the learner's bug: the check explains it, no traceback
        return Raised(err)


def _unfinished(name, answers, values):
    """Print "not done yet", or the error the learner's code raised. True if either."""
    if answers is None:
        print(f"… {name}: not done yet. Write your answer in the cell above, then run this again.")
        return True
    for value in values:
        if isinstance(value, Raised):
            print(f"✗ {name} raised {value.message}")
            return True
    return False


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


def relative_error_answers(relative_error_fn):
    """Run a learner's ``relative_error(g, g_ref)`` on the check's pairs: {case: answer}."""
    with np.errstate(all="ignore"):
        return {case: _call(relative_error_fn, g.copy(), g_ref.copy())
                for case, g, g_ref in _relative_error_cases()}


def check_relative_error(answers):
    """Check ``relative_error_answers`` against CS231n's ||g − g_ref|| / max(||g||, ||g_ref||),
    which is 0 when both are 0."""
    name = "relative_error"
    if _unfinished(name, answers, answers.values() if answers else ()):
        return False
    got = {case: _number(value) for case, value in answers.items()}
    if any(v is None for v in got.values()):
        bad = next(v for v in answers.values() if _number(v) is None)
        print(f"✗ {name} should return one number, got {type(bad).__name__} "
              "(is the return statement missing?)")
        return False
    cases = _relative_error_cases()
    want = {case: relative_error(g, g_ref) for case, g, g_ref in cases}
    wrong = [case for case in want if not np.isclose(got[case], want[case], rtol=1e-9, atol=0)]
    if not wrong:
        print(f"✓ {name} is right (e.g. {got['plain']:.4f} for the first test pair, "
              "0 for two zero gradients)")
        return True
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
    print(f"✗ {name} is off for the '{wrong[0]}' test pair: {hint}")
    return False


# ----- lesson 06: gradcheck for one layer ----------------------------------------------------

GRADCHECK_SIZES = [2, 5, 4, 3]


def gradcheck_answers(gradcheck_layer):
    """Run a learner's ``gradcheck_layer(net, X, Y, l, eps)`` on every layer of a right
    network and on two layers of one with σ' missing in BP2. Returns a dict: "right" (one
    answer per layer), "moved" (layers whose W or b the calls changed), "bug_first" (layer 0
    of the buggy network) and "bug_last" (its output layer)."""
    X, Y = bug_batch(10)
    net = MLP(GRADCHECK_SIZES, init="xavier", seed=0)
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    right = [_call(gradcheck_layer, net, X, Y, l, 1e-5) for l in range(len(net.layers))]
    moved = [l for l, (layer, (W, b)) in enumerate(zip(net.layers, before))
             if not (np.array_equal(layer.W, W) and np.array_equal(layer.b, b))]
    buggy = BuggyMLP(GRADCHECK_SIZES, "sigma_prime", init="xavier", seed=0)
    return {"right": right, "moved": moved,
            "bug_first": _call(gradcheck_layer, buggy, X, Y, 0, 1e-5),
            "bug_last": _call(gradcheck_layer, buggy, X, Y, len(buggy.layers) - 1, 1e-5)}


def _two_errors(result):
    """(err_W, err_b) from what the learner returned, or None."""
    try:
        err_W, err_b = result
    except (TypeError, ValueError):
        return None
    err_W, err_b = _number(err_W), _number(err_b)
    return None if err_W is None or err_b is None else (err_W, err_b)


def check_gradcheck_layer(answers):
    """Check ``gradcheck_answers``: on a right network both relative errors ≤ 1e-7 on every
    layer, every weight left as it was, and a planted bug (σ' missing in BP2) flagged in
    layer 0 (≥ 1e-2) but not in the output layer."""
    name = "gradcheck_layer"
    values = [] if answers is None else answers["right"] + [answers["bug_first"],
                                                             answers["bug_last"]]
    if _unfinished(name, answers, values):
        return False
    pairs = [_two_errors(v) for v in values]
    if any(p is None for p in pairs):
        bad = values[[p is None for p in pairs].index(True)]
        print(f"✗ {name} should return two numbers, (error of dW, error of db); "
              f"got {type(bad).__name__} (is the return statement missing?)")
        return False
    if answers["moved"]:
        print(f"✗ {name} changed the weights of layer {answers['moved'][0]}: put each perturbed "
              "entry back (w + ε, then w − ε, then w) before moving to the next")
        return False
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
        print(f"✗ {name} calls a right backward pass wrong (relative error {worst:.1e}): {hint}")
        return False
    flagged, clean = pairs[-2], pairs[-1]
    if max(flagged) < WRONG or max(clean) > RIGHT:
        print(f"✗ {name} misses a planted bug (σ' missing in BP2): compare with the dW and db "
              "that net.backward(Y) computes, after net.forward(X) with the weights restored")
        return False
    print(f"✓ {name} is right: every layer of a right network below 1e-7; σ' missing in BP2 "
          f"flagged in layer 0 (dW {flagged[0]:.1e}) and not in the output layer")
    return True


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


def loop_answers(train_loop):
    """Run a learner's ``train_loop(net, X, y, epochs, batch_size, lr, seed, X_val, y_val)``
    on a fresh ``loop_net()`` and ``loop_data()`` with ``LOOP_SETTINGS`` (50 samples in
    batches of 16: the last batch holds 2). Returns (what it returned, the trained net)."""
    X, y, X_val, y_val = loop_data()
    net = loop_net()
    history = _call(train_loop, net, X, y, X_val=X_val, y_val=y_val, **LOOP_SETTINGS)
    return history, net


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


def check_training_loop(answers):
    """Check ``loop_answers`` against ``mlp_core.train`` with the same seed: the final weights,
    loss and val_loss to 12 digits (AGREE; ``train`` rounds its fused update differently),
    accuracy and val_accuracy exactly."""
    name = "train_loop"
    history, net = answers if answers is not None else (None, None)
    if _unfinished(name, answers, [history]):
        return False
    X, y, X_val, y_val = loop_data()
    reference = loop_net()
    ref = train(reference, X, y, X_val=X_val, Y_val=y_val, progress=False, **LOOP_SETTINGS)
    if not _same_weights(net, reference):
        for mistake, hint in MISTAKES.items():
            if _same_weights(net, mistaken_loop(loop_net(), X, y, mistake=mistake,
                                                **LOOP_SETTINGS)):
                print(f"✗ {name}: {hint}")
                return False
        print(f"✗ {name}: the weights differ from mlp_core.train's with the same seed. Make "
              "rng = np.random.default_rng(seed) once; each epoch take order = "
              "rng.permutation(N) and the batches order[first:first + batch_size]; for each, "
              "forward, backward, step(lr)")
        return False
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        got, want = _field(history, key), getattr(ref, key)
        if got is None or len(got) != len(want):
            print(f"✗ {name}: history.{key} should hold one number per epoch ({len(want)} "
                  f"here); got {'nothing' if got is None else len(got)}")
            return False
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
        print(f"✗ {name}: the weights are right but history.{key} differs from "
              f"mlp_core.train's ({got[-1]:.6f} vs {want[-1]:.6f} at the last epoch): {hint}")
        return False
    print(f"✓ {name} is right: after {LOOP_SETTINGS['epochs']} epochs its weights, loss and "
          "val_loss agree with mlp_core.train's to 12 digits, and its accuracy and "
          "val_accuracy are the same")
    return True
