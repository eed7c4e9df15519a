"""Lesson checks for the cost (lesson 04) and the backward pass (lesson 05).

Each ``check_*`` takes the learner's function and the test case, runs it through
``checks.call`` and prints one line per verdict (see ``mlp_core.checks``): ✓ and True, or ✗ with
a hint and ``CheckFailed``. A wrong answer is compared with the usual mistakes, each computed
exactly, and the line names the one it matches. ``numerical_delta`` checks BP1 and BP2 by their
definition, δ = ∂C_x/∂z, with finite differences on z itself.
"""

import numpy as np

from mlp_core import post
from mlp_core.activations import sigmoid_prime
from mlp_core.checks import RIGHT, call, check_close, exercise, fail, fmt_error, passed
from mlp_core.gradcheck import numerical_gradient, relative_error
from mlp_core.network import MLP


def _same(got, expected):
    """True when got has expected's shape and matches it to CS231n's "right" threshold."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and relative_error(got, expected) <= RIGHT


# ----- lesson 04: cost and accuracy -----------------------------------------------------------
def _number(name, got, advice):
    """CheckFailed for an answer that is not one number (None: a missing return)."""
    if got is None:
        fail(name, f"{name} returned None: is the return statement missing?")
    if np.ndim(got) != 0:
        fail(name, f"{name} returned an array of shape {np.shape(got)}: {advice}")


@exercise("quadratic_cost")
def check_quadratic_cost(quadratic_cost, Y_hat, Y):
    """Check the learner's ``quadratic_cost(Y_hat, Y)``, Nielsen's quadratic cost
    C = 1/(2N) Σ_x ||y_hat(x) − y(x)||²; Y_hat, Y: (N, n_L).
    The usual mistakes named: the post's mean over outputs too, no ½, no 1/N, no square.
    """
    got = call("quadratic_cost", quadratic_cost, Y_hat, Y)
    _number("quadratic_cost", got, "the cost is one number, summed over the outputs and "
            "averaged over the samples")
    N, n_L = Y.shape
    diff = Y_hat - Y
    right = 0.5 * np.sum(diff ** 2) / N
    return check_close("quadratic_cost", got, right, hints=[
        (lambda g: np.isclose(g, right / n_L),
         f"this is the post's np.mean((y_hat - y)**2)/2, which also divides by n_L = {n_L}; "
         "Nielsen's C sums over the outputs and averages over the samples only"),
        (lambda g: np.isclose(g, 2 * right), "the factor ½ is missing"),
        (lambda g: np.isclose(g, N * right),
         f"this is the sum over the batch: divide by N = {N} (C is a mean over samples)"),
        (lambda g: np.isclose(g, 0.5 * np.sum(np.abs(diff)) / N),
         "square the differences: ||y_hat − y||² sums (y_hat_j − y_j)²"),
    ])


def _accuracy_of(choice, Y):
    """Fraction of rows where the one-hot ``choice`` (N, n_L) equals the target row exactly."""
    return float(np.mean(np.all(choice == Y, axis=1)))


@exercise("accuracy")
def check_accuracy(accuracy, Y_hat, Y):
    """Check the learner's vectorised ``accuracy(Y_hat, Y)``; Y_hat (N, n_L) outputs;
    Y (N, n_L) targets.

    For n_L > 1 (one-hot Y) the answer is the post's loop, ``post.accuracy``: the class of a row
    is its first largest output. For n_L = 1 the class is 1 where y_hat ≥ 0.5 (as
    ``MLP.predict``). Best with a batch that holds a tie and a row whose largest output is below
    0.5, where the usual shortcuts differ from the loop.
    """
    got = call("accuracy", accuracy, Y_hat, Y)
    _number("accuracy", got, "average the per-sample hits (True/False) into one fraction")
    N, n_L = Y.shape
    count = (lambda g: np.isclose(g, right * N),
             f"this counts the hits; divide by N = {N} for a fraction")
    if n_L == 1:
        right = float(np.mean((Y_hat >= 0.5) == (Y >= 0.5)))
        return check_close(f"accuracy with n_L = 1 (N = {N})", got, right, hints=[
            (lambda g: np.isclose(g, 1.0) or np.isclose(g, N),
             "with one output, the argmax of every row is 0, for y_hat and y alike, so every "
             "sample seems right; threshold instead: class 1 where y_hat ≥ 0.5"),
            count,
            (lambda g: np.isclose(g, post.accuracy(Y_hat, Y)),
             "with one output the argmax is always 0, so this counts the targets equal to 1 "
             "(the post's loop does the same); threshold instead: class 1 where y_hat ≥ 0.5"),
            (lambda g: np.isclose(g, float(np.mean((Y_hat > 0.5) == (Y >= 0.5)))),
             "an output of exactly 0.5 counts as class 1: use y_hat ≥ 0.5"),
        ])
    right = post.accuracy(Y_hat, Y)
    every_max = (Y_hat == Y_hat.max(axis=1, keepdims=True)).astype(float)
    return check_close(f"accuracy with n_L = {n_L} (N = {N})", got, right, hints=[
        count,
        (lambda g: np.isclose(g, float(np.mean(np.argmax(Y_hat, axis=0)
                                                == np.argmax(Y, axis=0)))),
         "argmax over axis=0 picks a sample per class; each row is a sample, so use axis=1"),
        (lambda g: np.isclose(g, _accuracy_of(np.round(Y_hat), Y)),
         "rounding y_hat to 0/1 is not choosing a class: a row can have no output above 0.5, "
         "or several; take the argmax of each row"),
        (lambda g: np.isclose(g, _accuracy_of(every_max, Y)),
         "a tie marks every maximum; the post's loop (like np.argmax) takes the first one"),
    ])


# ----- lesson 05: the backward pass -----------------------------------------------------------
def numerical_delta(net, X, Y, l, eps=1e-5):
    """BP1/BP2's delta[l] (n_l, N) by its definition δ_j(x) = ∂C_x/∂z_j[l]: nudge one entry of
    z[l] by ±eps, run the rest of the forward pass, and take the centred difference of the
    cost. X: (N, n_0); Y: (N, n_L) targets. The batch cost is the mean of the samples' costs,
    so the difference is multiplied by N. Leaves the network's cached forward pass for X."""
    net.forward(X)
    N = X.shape[0]
    Yt = np.asarray(Y, dtype=float).T
    z0 = net.layers[l].z.copy()

    def cost(z):
        a = net.layers[l].activation.f(z)
        for layer in net.layers[l + 1:]:
            z = layer.W @ a + layer.b
            a = layer.activation.f(z)
        return net.loss_fn.cost(z, a, Yt)

    grad = np.zeros_like(z0)
    for idx in np.ndindex(z0.shape):
        step = np.zeros_like(z0)
        step[idx] = eps
        grad[idx] = N * (cost(z0 + step) - cost(z0 - step)) / (2 * eps)
    net.forward(X)
    return grad


def backward_case():
    """The test case of lesson 05's exercise: a sigmoid MLP [2, 3, 3, 3] with the quadratic cost
    (seed 5, Nielsen's N(0, 1) init), a batch X (4, 2) and one-hot Y (4, 3), after forward(X).
    Its hidden W are square, so a W left untransposed runs and can be named, not crash."""
    rng = np.random.default_rng(5)
    net = MLP([2, 3, 3, 3], init="normal", seed=5)
    X = rng.standard_normal((4, 2))
    Y = np.eye(3)[[0, 2, 1, 2]]
    net.forward(X)
    return net, X, Y


MISTAKES = {
    "no_prime": "σ' is missing from both BP1 and BP2: delta = (error arriving at a) ⊙ σ'(z)",
    "no_prime_bp1": "BP1 lacks σ': the output layer's delta is (a − y) ⊙ σ'(z) for the "
                    "quadratic cost (a − y alone is cross-entropy's delta)",
    "no_prime_bp2": "BP2 lacks σ'(z[l]): delta[l] = (W[l+1].T @ delta[l+1]) ⊙ σ'(z[l])",
    "prime_of_a": "σ' is taken at a instead of z: use sigmoid_prime(z), or a·(1 − a)",
    "no_transpose": "W is not transposed in BP2: W[l+1] is (n_{l+1}, n_l), so the error goes "
                    "back through W[l+1].T @ delta[l+1]",
    "sum": "a sum over the batch where a mean belongs: divide dW and db by N (BP3, BP4)",
    "sum_dW": "dW is a sum over the batch: BP4 divides delta[l] @ a[l-1].T by N",
    "sum_db": "db is a sum over the batch: BP3 takes the mean over the samples (axis=1)",
    "z_for_a": "BP4 multiplies by z[l-1]; it needs the activations a[l-1] (X.T for layer 0)",
}


def backward_with(net, X, Y, mistake=None):
    """The backward pass on the cached forward pass, right (mistake=None) or with one of the
    usual ``MISTAKES``. X: (N, n_0); Y: (N, n_L) targets; sigmoid layers, quadratic cost.
    Returns (dW, db): lists with one (n_l, n_{l-1}) and one (n_l, 1) array per layer."""
    layers, N = net.layers, X.shape[0]

    def prime(layer):
        return sigmoid_prime(layer.a if mistake == "prime_of_a" else layer.z)

    out = layers[-1]
    delta = out.a - Y.T
    if mistake not in ("no_prime", "no_prime_bp1"):
        delta = delta * prime(out)
    dW, db = [None] * len(layers), [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        a_prev = X.T if l == 0 else layers[l - 1].z if mistake == "z_for_a" else layers[l - 1].a
        db[l] = delta.sum(axis=1, keepdims=True) / (1 if mistake in ("sum", "sum_db") else N)
        dW[l] = delta @ a_prev.T / (1 if mistake in ("sum", "sum_dW") else N)
        if l > 0:
            W = layers[l].W
            delta = (W if mistake == "no_transpose" else W.T) @ delta
            if mistake not in ("no_prime", "no_prime_bp2"):
                delta = delta * prime(layers[l - 1])
    return dW, db


def _shape_problem(got, net):
    """A message when ``got`` is not (dW, db) with one correctly shaped array per layer."""
    L = len(net.layers)
    try:
        dW, db = got
        dW, db = list(dW), list(db)
    except (TypeError, ValueError):
        return "return two lists, dW and db, with one array per layer"
    if len(dW) != L or len(db) != L:
        return f"dW and db need one array per layer: {L} each, got {len(dW)} and {len(db)}"
    for l, layer in enumerate(net.layers):
        for name, arr, shape in (("dW", dW[l], layer.W.shape), ("db", db[l], layer.b.shape)):
            if arr is None:
                return f"{name}[{l}] is None: fill every layer, from the output down to 0"
            got_shape = np.shape(arr)
            if got_shape == shape:
                continue
            msg = f"{name}[{l}] has shape {got_shape}, expected {shape} (like {name[1:]}[{l}])"
            if name == "db" and got_shape == (shape[0], net.layers[0].z.shape[1]):
                msg += ": it keeps one column per sample, like the post's d_b = deltas[i]; " \
                       "take the mean over the batch, axis=1, keepdims=True"
            elif name == "db" and got_shape == (shape[0],):
                msg += ": keep it a column with keepdims=True"
            elif got_shape == shape[::-1]:
                msg += ": it looks transposed; BP4 is delta[l] @ a[l-1].T / N"
            return msg
    return None


@exercise("backward_pass")
def check_backward(backward_pass, net, X, Y):
    """Check the learner's whole backward pass, ``backward_pass(net, X, Y)`` = (dW, db);
    net after ``forward(X)``; X (N, n_0); Y (N, n_L) one-hot.

    Compares every dW[l], db[l] with the engine's ``backward`` and with finite differences, and
    names the usual mistake it matches (missing σ', W not transposed, a sum for a mean, ...).
    Leaves the network's forward pass cached for X.
    """
    name = "backward_pass"
    got = call(name, backward_pass, net, X, Y)
    problem = _shape_problem(got, net)
    if problem:
        fail(name, f"{name}: {problem}")
    dW, db = got
    for mistake, message in MISTAKES.items():
        wrong_dW, wrong_db = backward_with(net, X, Y, mistake)
        if all(_same(g, w) for g, w in zip(list(dW) + list(db), wrong_dW + wrong_db)):
            fail(name, f"{name}: {message}")
    net.forward(X)
    net.backward(Y)
    L = len(net.layers)
    engine = [layer.dW for layer in net.layers] + [layer.db for layer in net.layers]
    names = [f"dW[{l}]" for l in range(L)] + [f"db[{l}]" for l in range(L)]
    numeric = [numerical_gradient(net, X, Y, l, "W") for l in range(L)] + \
              [numerical_gradient(net, X, Y, l, "b") for l in range(L)]
    net.forward(X)
    got = list(dW) + list(db)
    errors = [relative_error(g, e) for g, e in zip(got, engine)]
    fd = [relative_error(g, n) for g, n in zip(got, numeric)]
    worst = int(np.argmax(np.maximum(errors, fd)))
    if max(errors[worst], fd[worst]) > RIGHT:
        fail(name, f"{name}: {names[worst]} is off (relative error {errors[worst]:.1e} to "
                   f"mlp_core, {fd[worst]:.1e} to finite differences); compare each line with "
                   "BP1-BP4 above, layer by layer from the output")
    return passed(f"{name}: dW and db of all {L} layers match mlp_core (largest relative "
                  f"error {fmt_error(max(errors))}) and finite differences (largest "
                  f"{max(fd):.1e})")
