"""Checks for the exercises of lesson 09 (pitfalls).

Each ``check_*`` takes the learner's function and the test case, runs it through
``checks.call`` and prints one line per verdict (see ``mlp_core.course.checks``): ✓ and True,
or ✗ with a hint and ``CheckFailed``. A wrong answer is compared with the usual mistakes, each
computed exactly.

``layer_gradient_norms(net, X, Y)`` returns a dict keyed by layer, {l: ‖db[l]‖} for l = 1 .. L,
as ``net.layers[l]``, ``gradcheck`` and ``mlp_core.course.models.gradient_norms`` number them
(layer 0 is the input: it has no db).
"""


import numpy as np

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course.checks import (
    CheckFailed,
    call,
    check_close,
    close_verdict,
    exercise,
    fail,
    layer_keys_problem,
)
from mlp_core.course.models import gradient_norms


@exercise("layer_gradient_norms")
def check_layer_gradient_norms(layer_gradient_norms, net, X, Y):
    """Check the learner's ``layer_gradient_norms(net, X, Y)``: {l: ‖db[l]‖} for l = 1 .. L,
    for ``net`` on X (N, n_0) and Y (N, n_L) or labels. The network's weights are not changed
    by the check."""
    name = "layer_gradient_norms"
    got = call(name, layer_gradient_norms, net, X, Y)
    right = gradient_norms(net, X, Y)
    L = net.L
    problem = layer_keys_problem(got, L, "norms = {}", "a norm ‖db[l]‖")
    if problem:
        fail(name, f"{name} {problem}")
    layers = range(1, L + 1)
    values = [got[l] for l in layers]
    expected = np.array([right[l] for l in layers])
    dW = np.array([np.linalg.norm(net.layers[l].dW) for l in layers])
    delta = np.array([np.linalg.norm(net.layers[l].delta) for l in layers])
    return check_close(name, values, expected, hints=[
        (lambda g: np.allclose(g, expected[::-1]),
         "the layers are reversed: norms[l] is ‖db‖ of net.layers[l], from layer 1 (the input "
         "side) to L (the output)"),
        (lambda g: np.allclose(g, dW), "that is ‖dW[l]‖; the speed of learning here is ‖db[l]‖"),
        (lambda g: np.allclose(g, delta),
         "that is ‖delta[l]‖ over the whole batch; db[l] is its mean over the samples first"),
    ])


@exercise("output_delta")
def check_output_delta(output_delta, z, y):
    """Check the learner's BP1 for one sigmoid output, ``output_delta(z, y, cost)``:
    δ = (a − y) σ'(z) for the quadratic cost ("mse") and δ = a − y for "cross_entropy".
    z, y: (n_L, N). Prints a line for each cost; CheckFailed if either is wrong."""
    name = "output_delta"
    got_mse = call(name, output_delta, z, y, "mse")
    got_ce = call(name, output_delta, z, y, "cross_entropy")
    a = sigmoid(z)
    mse, ce = (a - y) * sigmoid_prime(z), a - y
    ok_mse, line_mse = close_verdict('output_delta(z, y, "mse")', got_mse, mse, hints=[
        (lambda g: np.allclose(g, ce), "σ'(z) is missing: BP1 for the quadratic cost is "
                                       "(a − y) ⊙ σ'(z)"),
        (lambda g: np.allclose(g, -mse), "the sign is flipped: ∂C/∂a = a − y, not y − a"),
        (lambda g: np.allclose(g, (a - y) * sigmoid_prime(a)),
         "σ' is taken at a; it belongs at z: σ'(z) = a(1 − a)"),
    ])
    ok_ce, line_ce = close_verdict('output_delta(z, y, "cross_entropy")', got_ce, ce, hints=[
        (lambda g: np.allclose(g, mse), "with cross-entropy σ'(z) cancels: δ = a − y"),
        (lambda g: np.allclose(g, -ce), "the sign is flipped: δ = a − y, not y − a"),
    ])
    print(line_mse)
    print(line_ce)
    if not (ok_mse and ok_ce):
        raise CheckFailed(f"{name} is not right yet: the ✗ line above says what to look at")
    return True
