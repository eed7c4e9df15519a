"""Checks for the exercise of lesson 05 (the four equations): the backward pass.

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".

The exercise, ``backward_pass(net, X, Y)``, returns (dW, db): two dicts keyed by layer,
``dW[l]`` (n_l, n_{l-1}) and ``db[l]`` (n_l, 1) for l = 1 .. L, as ``net.layers[l]`` and
``gradcheck`` number them (layer 0 is the input: it has no W or b). The exercise's network has
tanh hidden layers and a softmax output with the cross-entropy cost, so BP1 is
δ[L] = a[L] − y and BP2 multiplies by tanh′(z) = 1 − a²: the lesson shows neither in code.
``MISTAKES`` holds the usual mistakes with their hints, and ``answer_with`` computes the answer
of each, as a learner writes it. ``numerical_delta`` checks BP1 and BP2 by their definition,
δ = ∂C_x/∂z, with finite differences on z itself.
"""

from collections.abc import Mapping

import numpy as np

from mlp_core.activations import sigmoid_prime
from mlp_core.course.bugs import CATALOGUE
from mlp_core.course.checks import RIGHT, call, exercise, fail, fmt_error, passed
from mlp_core.gradcheck import numerical_gradient, relative_error
from mlp_core.network import MLP
from mlp_core.validate import check_Y


def _same(got, expected):
    """True when got has expected's shape and matches it to CS231n's "right" threshold."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and relative_error(got, expected) <= RIGHT


def numerical_delta(net, X, Y, l, eps=1e-5):
    """BP1/BP2's delta[l] (n_l, N), l = 1 .. L, by its definition δ_j(x) = ∂C_x/∂z_j[l]: nudge
    one entry of z[l] by ±eps, run the rest of the forward pass, and take the centred
    difference of the cost. X: (N, n_0); Y: (N, n_L) targets. The batch cost is the mean of the
    samples' costs, so the difference is multiplied by N. Leaves the network's cached forward
    pass for X."""
    if not 1 <= l <= net.L:
        raise ValueError(f"l must be a layer 1 .. {net.L} (layer 0, the input, has no z)")
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
    """The test case of lesson 05's exercise: an MLP [2, 3, 3, 3] with tanh hidden layers, a
    softmax output and the cross-entropy cost (seed 5, N(0, 1) init), a batch X (4, 2) and
    one-hot Y (4, 3), after forward(X). Its W[2] and W[3] are square, so a W left
    untransposed runs and can be named, not crash."""
    rng = np.random.default_rng(5)
    net = MLP([2, 3, 3, 3], activation="tanh", output_activation="softmax",
              loss="cross_entropy", init="normal", seed=5)
    X = rng.standard_normal((4, 2))
    Y = np.eye(3)[[0, 2, 1, 2]]
    net.forward(X)
    return net, X, Y


_TANH = "the hidden layers are tanh: delta[l] = (W[l+1].T @ delta[l+1]) ⊙ (1 − a[l]²)"
_FACTOR = "tanh′ is taken at the wrong place in BP2: tanh′(z[l]) = 1 − tanh(z[l])² = 1 − a[l]²"
_BP1 = ("BP1 has an extra activation-derivative factor: with a softmax output and the "
        "cross-entropy cost the Jacobian collapses and delta[L] = a[L] − y, nothing multiplied "
        "(lesson 04, section 4)")

#: The usual mistakes of this exercise, {key: hint}; ``answer_with`` computes each one's answer.
MISTAKES = {
    "sigmoid_prime_bp2": "BP2 uses sigmoid_prime, the sigmoid's σ′, but " + _TANH,
    "sigmoid_prime_of_a_bp2": "BP2 uses a(1 − a), the sigmoid's σ′, but " + _TANH,
    "no_prime_bp2": (
        "BP2 lacks tanh′(z[l]): delta[l] = (W[l+1].T @ delta[l+1]) ⊙ (1 − a[l]²)"),
    "tanh_prime_of_a": _FACTOR + "; you computed 1 − tanh(a[l])², tanh′ at a",
    "one_minus_z_squared": _FACTOR + "; you computed 1 − z[l]², which forgets the tanh",
    "sigmoid_factor_bp1": _BP1,
    "sigmoid_prime_bp1": _BP1,
    "tanh_factor_bp1": _BP1,
    "W_not_transposed": CATALOGUE["W_not_transposed"].hint,
    "sum_not_mean": CATALOGUE["sum_not_mean"].hint,
    "sum_dW": CATALOGUE["sum_dW"].hint,
    "sum_db": CATALOGUE["sum_db"].hint,
    "z_for_a": CATALOGUE["z_for_a"].hint,
}

def _bp2_factor(layer, mistake):
    """What multiplies the error arriving at a[l] in BP2 (n_l, N), right or with ``mistake``."""
    if mistake == "sigmoid_prime_bp2":
        return sigmoid_prime(layer.z)
    if mistake == "sigmoid_prime_of_a_bp2":
        return layer.a * (1 - layer.a)
    if mistake == "no_prime_bp2":
        return 1.0
    if mistake == "tanh_prime_of_a":
        return 1 - np.tanh(layer.a) ** 2
    if mistake == "one_minus_z_squared":
        return 1 - layer.z ** 2
    if layer.activation.prime is None:
        raise ValueError(f"{layer.activation.name} is not elementwise")
    return layer.activation.prime(layer.z)


def answer_with(net, X, Y, mistake="none"):
    """What a ``backward_pass(net, X, Y)`` that makes ``mistake`` (a key of ``MISTAKES``, or
    "none" for the right answer) returns: (dW, db), dicts {l: array} for l = 1 .. L, written as
    a learner writes it. The right parts are the network's own (its cost's BP1, its hidden
    activation's derivative), so a mistake that changes nothing here gives the right answer.
    net: after ``forward(X)``; X (N, n_0); Y (N, n_L). Leaves the network untouched."""
    if mistake != "none" and mistake not in MISTAKES:
        raise ValueError(f"unknown mistake {mistake!r}: choose one of {', '.join(MISTAKES)}")
    layers, L, N = net.layers, net.L, X.shape[0]
    y = check_Y(Y, N, net.sizes[-1], net.loss_name).T                     # (n_L, N)
    out = layers[L]
    delta = net.loss_fn.delta(out.z, out.a, y)                             # BP1
    if mistake == "sigmoid_factor_bp1":
        delta = delta * out.a * (1 - out.a)
    elif mistake == "sigmoid_prime_bp1":
        delta = delta * sigmoid_prime(out.z)
    elif mistake == "tanh_factor_bp1":
        delta = delta * (1 - out.a ** 2)
    dW, db = {}, {}
    for l in range(L, 0, -1):
        if mistake in ("sum_not_mean", "sum_db"):
            db[l] = delta.sum(axis=1, keepdims=True)                       # BP3 without 1/N
        else:
            db[l] = delta.mean(axis=1, keepdims=True)                      # BP3
        a_prev = layers[l - 1].z if mistake == "z_for_a" and l > 1 else layers[l - 1].a
        dW[l] = delta @ a_prev.T
        if mistake not in ("sum_not_mean", "sum_dW"):
            dW[l] = dW[l] / N                                              # BP4
        if l > 1:
            W = layers[l].W if mistake == "W_not_transposed" else layers[l].W.T
            delta = (W @ delta) * _bp2_factor(layers[l - 1], mistake)      # BP2
    return dW, db


def _per_layer_problem(name, grads, L):
    """A message when ``grads`` is not a dict keyed by exactly the layers 1 .. L."""
    if not isinstance(grads, Mapping):
        return (f"{name} should be a dict keyed by layer, {name}[l] for l = 1 .. {L} (start "
                f"from {name} = {{}}), got {type(grads).__name__}")
    if 0 in grads:
        return (f"{name}[0] is there, but layer 0 is the input: it has no W or b, so no "
                f"{name}; fill l = {L} .. 1")
    missing = [l for l in range(L, 0, -1) if l not in grads]
    if missing:
        return (f"{name}[{missing[0]}] is missing: fill every layer, from the output "
                f"(l = {L}) down to 1")
    extra = [key for key in grads if key not in range(1, L + 1)]
    if extra:
        return f"{name} has a key {extra[0]!r}; it needs exactly the layers l = 1 .. {L}"
    return None


def _shape_problem(got, net):
    """A message when ``got`` is not (dW, db) with one correctly shaped array per layer."""
    L = net.L
    try:
        dW, db = got
    except (TypeError, ValueError):
        return f"return two dicts, dW and db, with one array per layer l = 1 .. {L}"
    problem = _per_layer_problem("dW", dW, L) or _per_layer_problem("db", db, L)
    if problem:
        return problem
    N = net.layers[0].a.shape[1]
    for l in range(L, 0, -1):
        layer = net.layers[l]
        for name, arr, shape in (("dW", dW[l], layer.W.shape), ("db", db[l], layer.b.shape)):
            if arr is None:
                return f"{name}[{l}] is None: fill every layer, from the output down to 1"
            got_shape = np.shape(arr)
            if got_shape == shape:
                continue
            msg = f"{name}[{l}] has shape {got_shape}, expected {shape} (like {name[1:]}[{l}])"
            if name == "db" and got_shape == (shape[0], N):
                msg += f": {CATALOGUE['post_db'].hint}"
            elif name == "db" and got_shape == (shape[0],):
                msg += ": keep it a column with keepdims=True"
            elif got_shape == shape[::-1]:
                msg += ": it looks transposed; BP4 is delta[l] @ a[l-1].T / N"
            return msg
    return None


def _planted(net, X, Y, right):
    """(hint, dW, db) of each mistake of ``MISTAKES`` that changes the gradients of this case:
    not one whose gradients are the right ones, not one that cannot run here (W not
    transposed when no W is square)."""
    flat = [right[0][l] for l in right[0]] + [right[1][l] for l in right[1]]
    for key, hint in MISTAKES.items():
        try:
            dW, db = answer_with(net, X, Y, key)
        except ValueError:
            continue
        grads = [dW[l] for l in right[0]] + [db[l] for l in right[1]]
        if not all(_same(g, r) for g, r in zip(grads, flat)):
            yield hint, dW, db


@exercise("backward_pass")
def check_backward(backward_pass, net, X, Y):
    """Check the learner's whole backward pass, ``backward_pass(net, X, Y)`` = (dW, db), two
    dicts {l: array} for l = 1 .. L; net after ``forward(X)``; X (N, n_0); Y (N, n_L) one-hot.

    Compares every dW[l], db[l] with the engine's ``backward`` and with finite differences, and
    names the usual mistake it matches (``MISTAKES``: σ′ for tanh′ in BP2, tanh′ at a, an extra
    factor in BP1, W not transposed, a sum for a mean, z for a). Leaves the network's forward
    pass cached for X.
    """
    name = "backward_pass"
    got = call(name, backward_pass, net, X, Y)
    problem = _shape_problem(got, net)
    if problem:
        fail(name, f"{name}: {problem}")
    dW, db = got
    L = net.L
    layers = range(1, L + 1)
    net.forward(X)
    net.backward(Y)
    right = ({l: net.layers[l].dW.copy() for l in layers},
             {l: net.layers[l].db.copy() for l in layers})
    for hint, wrong_dW, wrong_db in _planted(net, X, Y, right):
        if all(_same(dW[l], wrong_dW[l]) and _same(db[l], wrong_db[l]) for l in layers):
            fail(name, f"{name}: {hint}")
    net.forward(X)
    net.backward(Y)
    engine = [net.layers[l].dW for l in layers] + [net.layers[l].db for l in layers]
    names = [f"dW[{l}]" for l in layers] + [f"db[{l}]" for l in layers]
    numeric = [numerical_gradient(net, X, Y, l, "W") for l in layers] + \
              [numerical_gradient(net, X, Y, l, "b") for l in layers]
    net.forward(X)
    got = [dW[l] for l in layers] + [db[l] for l in layers]
    errors = [relative_error(g, e) for g, e in zip(got, engine)]
    fd = [relative_error(g, n) for g, n in zip(got, numeric)]
    worst = int(np.argmax(np.maximum(errors, fd)))
    if max(errors[worst], fd[worst]) > RIGHT:
        fail(name, f"{name}: {names[worst]} is off (relative error {errors[worst]:.1e} to "
                   f"mlp_core, {fd[worst]:.1e} to finite differences); compare each line with "
                   "BP1-BP4 for this network (tanh hidden layers, softmax output), layer by "
                   "layer from the output")
    return passed(f"{name}: dW and db of all {L} layers match mlp_core (largest relative "
                  f"error {fmt_error(max(errors))}) and finite differences (largest "
                  f"{max(fd):.1e})")
