"""Checks for the exercise of lesson 05 (the four equations): the backward pass.

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".

The exercise, ``backward_pass(net, X, Y)``, returns (dW, db): two dicts keyed by layer,
``dW[l]`` (n_l, n_{l-1}) and ``db[l]`` (n_l, 1) for l = 1 .. L, as ``net.layers[l]`` and
``gradcheck`` number them (layer 0 is the input: it has no W or b). The usual mistakes are
those of ``mlp_core.course.bugs``, planted by its ``backward_with``. ``numerical_delta`` checks
BP1 and BP2 by their definition, δ = ∂C_x/∂z, with finite differences on z itself.
"""

from collections.abc import Mapping

import numpy as np

from mlp_core.course.bugs import CATALOGUE, backward_with
from mlp_core.course.checks import RIGHT, call, exercise, fail, fmt_error, passed
from mlp_core.gradcheck import numerical_gradient, relative_error
from mlp_core.network import MLP


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
    """The test case of lesson 05's exercise: a sigmoid MLP [2, 3, 3, 3] with the quadratic cost
    (seed 5, Nielsen's N(0, 1) init), a batch X (4, 2) and one-hot Y (4, 3), after forward(X).
    Its W[2] and W[3] are square, so a W left untransposed runs and can be named, not crash."""
    rng = np.random.default_rng(5)
    net = MLP([2, 3, 3, 3], init="normal", seed=5)
    X = rng.standard_normal((4, 2))
    Y = np.eye(3)[[0, 2, 1, 2]]
    net.forward(X)
    return net, X, Y


def answer_with(net, X, Y, bug="none"):
    """What a ``backward_pass(net, X, Y)`` that makes the mistake ``bug`` (a key of
    ``CATALOGUE``) returns: (dW, db), dicts {l: array} for l = 1 .. L. net: after
    ``forward(X)``; X (N, n_0); Y (N, n_L). Overwrites the layers' delta, dW and db."""
    backward_with(net, X, Y, bug)
    layers = net.layers[1:]
    return ({layer.index: layer.dW for layer in layers},
            {layer.index: layer.db for layer in layers})


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
    """(key, dW, db) of each mistake of ``CATALOGUE`` that changes the gradients of this case:
    not "none", not one whose gradients are the right ones (the post's loss scaling changes the
    cost only), not one that cannot run here (W not transposed when no W is square)."""
    flat = [right[0][l] for l in right[0]] + [right[1][l] for l in right[1]]
    for key in CATALOGUE:
        if key == "none":
            continue
        try:
            dW, db = answer_with(net, X, Y, key)
        except ValueError:
            continue
        grads = [dW[l] for l in right[0]] + [db[l] for l in right[1]]
        if not all(_same(g, r) for g, r in zip(grads, flat)):
            yield key, dW, db


@exercise("backward_pass")
def check_backward(backward_pass, net, X, Y):
    """Check the learner's whole backward pass, ``backward_pass(net, X, Y)`` = (dW, db), two
    dicts {l: array} for l = 1 .. L; net after ``forward(X)``; X (N, n_0); Y (N, n_L) one-hot.

    Compares every dW[l], db[l] with the engine's ``backward`` and with finite differences, and
    names the usual mistake it matches (missing σ', W not transposed, a sum for a mean, ...:
    ``mlp_core.course.bugs.CATALOGUE``). Leaves the network's forward pass cached for X.
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
    right = tuple({l: g.copy() for l, g in grads.items()} for grads in answer_with(net, X, Y))
    for key, wrong_dW, wrong_db in _planted(net, X, Y, right):
        if all(_same(dW[l], wrong_dW[l]) and _same(db[l], wrong_db[l]) for l in layers):
            fail(name, f"{name}: {CATALOGUE[key].hint}")
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
                   "BP1-BP4 above, layer by layer from the output")
    return passed(f"{name}: dW and db of all {L} layers match mlp_core (largest relative "
                  f"error {fmt_error(max(errors))}) and finite differences (largest "
                  f"{max(fd):.1e})")
