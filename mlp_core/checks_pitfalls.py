"""Checks for the exercises of lesson 09 (pitfalls).

Each ``check_*`` takes what the learner's function returned (through ``checks.attempt``, so
``None`` means "not done yet"), prints one line per verdict, never raises, and returns True or
False. A wrong answer is compared with the usual mistakes, each computed exactly.
"""

import numpy as np

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.checks import check_close
from mlp_core.widgets.pitfalls import gradient_norms

NOT_DONE = "not done yet. Write your answer in the cell above, then run this again."


def check_layer_gradient_norms(got, net, X, Y):
    """Check a learner's ‖db[l]‖ per layer, (L,), input side first, for ``net`` on X (N, n_0)
    and Y (N, n_L) or labels. The network's weights are not changed by the check."""
    name = "layer_gradient_norms"
    if got is None:
        print(f"… {name}: {NOT_DONE}")
        return False
    right = gradient_norms(net, X, Y)
    L = len(net.layers)
    dW = np.array([np.linalg.norm(layer.dW) for layer in net.layers])
    delta = np.array([np.linalg.norm(layer.delta) for layer in net.layers])
    if np.shape(got) == (L - 1,):
        print(f"✗ {name} has {L - 1} entries: give one per layer, l = 0 .. {L - 1}, the output "
              "layer included")
        return False
    return check_close(name, got, right, hints=[
        (lambda g: np.allclose(g, right[::-1]),
         "the order is reversed: entry l belongs to net.layers[l], the input side first"),
        (lambda g: np.allclose(g, dW), "that is ‖dW[l]‖; the speed of learning here is ‖db[l]‖"),
        (lambda g: np.allclose(g, delta),
         "that is ‖delta[l]‖ over the whole batch; db[l] is its mean over the samples first"),
    ])


def check_output_delta(got_mse, got_ce, z, y):
    """Check a learner's BP1 for one sigmoid output: δ = (a − y) σ'(z) for the quadratic cost
    (got_mse) and δ = a − y for cross-entropy (got_ce). z, y: (n_L, N)."""
    if got_mse is None or got_ce is None:
        print(f"… output_delta: {NOT_DONE}")
        return False
    a = sigmoid(z)
    mse, ce = (a - y) * sigmoid_prime(z), a - y
    ok_mse = check_close('output_delta(z, y, "mse")', got_mse, mse, hints=[
        (lambda g: np.allclose(g, ce), "σ'(z) is missing: BP1 for the quadratic cost is "
                                       "(a − y) ⊙ σ'(z)"),
        (lambda g: np.allclose(g, -mse), "the sign is flipped: ∂C/∂a = a − y, not y − a"),
        (lambda g: np.allclose(g, (a - y) * sigmoid_prime(a)),
         "σ' is taken at a; it belongs at z: σ'(z) = a(1 − a)"),
    ])
    ok_ce = check_close('output_delta(z, y, "cross_entropy")', got_ce, ce, hints=[
        (lambda g: np.allclose(g, mse), "with cross-entropy σ'(z) cancels: δ = a − y"),
        (lambda g: np.allclose(g, -ce), "the sign is flipped: δ = a − y, not y − a"),
    ])
    return ok_mse and ok_ce
