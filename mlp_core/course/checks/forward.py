"""Checks for the exercises of lesson 03 (the forward pass): one layer, then the network.

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".
"""

import re

import numpy as np

from mlp_core.activations import sigmoid
from mlp_core.course import checks
from mlp_core.course.checks import exercise, fail, passed

# ----- lesson 03: the forward pass ---------------------------------------------------------

@exercise("layer_forward")
def check_layer_forward(layer_forward, W, b, A_prev):
    """Check the learner's one-layer forward pass ``layer_forward(W, b, A_prev)`` = (z, a)
    for W (n_out, n_in), b (n_out, 1) and A_prev (n_in, N)."""
    name = "layer_forward"
    value = checks.call(name, layer_forward, W, b, A_prev)
    if not isinstance(value, tuple | list) or len(value) != 2:
        fail(name, f"{name} should return the pair (z, a), got {type(value).__name__}")
    z_ref = W @ A_prev + b
    hints = [(lambda g: np.allclose(g, z_ref.T), "transposed: z is (n_out, N), W @ A_prev + b"),
             (lambda g: np.allclose(g, W @ A_prev + b.T),
              "b was added as a row (b.T): it lands on the samples, not the neurons"),
             (lambda g: np.allclose(g, W @ A_prev), "the bias b is missing"),
             (lambda g: np.allclose(g, sigmoid(z_ref)), "that is a = σ(z); z comes before σ")]
    ok, line = checks.close_verdict(f"{name}'s z", value[0], z_ref, hints)
    print(line)
    if not ok:
        raise checks.CheckFailed(f"{name} is not right yet: fix z first; a = σ(z) is checked "
                                 "once z is right")
    a_hints = [(lambda g: np.allclose(g, z_ref), "that is z; apply the sigmoid: a = σ(z)"),
               (lambda g: np.allclose(g, sigmoid(z_ref).T), "transposed: a is (n_out, N)")]
    return checks.check_close(f"{name}'s a", value[1], sigmoid(z_ref), a_hints)


SKIPPED = ("a layer was skipped: run layer_forward on every layer l = 1 .. L, each reading the a "
           "of the layer before (for layer in net.layers[1:], or range(1, net.L + 1))")


def _forward_error_hint(error, N=None, sizes=()):
    """The usual slips of a whole forward pass, by the error numpy raised: X not transposed
    (a matmul meets N where n_0 belongs), a layer skipped (a W meets the a of a layer too
    early or too late), a sum of mismatched shapes. N: the batch size; sizes: the net's."""
    text = str(error)
    met = re.search(r"size (\d+) is different from (\d+)", text)
    if isinstance(error, ValueError) and "matmul" in text:
        if met and int(met[1]) != N and int(met[1]) in sizes and int(met[2]) in sizes:
            return (f"a W that reads {met[2]} activations met an a with {met[1]} rows, the "
                    f"height of another layer: {SKIPPED}")
        return ("X is (N, n_0), one sample per row; the layers work on columns: start from "
                "A = X.T, the input layer's a[0]")
    if isinstance(error, ValueError) and text.startswith("operands"):
        return ("a sum of mismatched shapes: is layer_forward right (exercise 1), with b "
                "(n_out, 1) added as a column?")
    return None


def _forward_without(net, X, skip=None, sigma=True):
    """Y_hat (N, n_L) of a forward pass that leaves out layer ``skip`` (None: no layer) and,
    when ``sigma`` is False, every activation (a = z); None when the shapes do not fit."""
    A = np.asarray(X, dtype=float).T
    for layer in net.layers[1:]:
        if layer.index == skip:
            continue
        if layer.W.shape[1] != A.shape[0]:
            return None
        Z = layer.W @ A + layer.b
        A = layer.activation.f(Z) if sigma else Z
    return A.T


def _skipped_layer(net, X, value):
    """The layer k whose omission gives exactly ``value``, or None."""
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    for k in range(1, net.L + 1):
        ref = _forward_without(net, X, skip=k)
        if ref is not None and ref.shape == got.shape and np.allclose(got, ref):
            return k
    return None


@exercise("network_forward")
def check_network_forward(network_forward, net, X):
    """Check the learner's whole forward pass ``network_forward(net, X)`` = Y_hat (N, n_L)
    against ``net.forward(X)``; X: (N, n_0). Names the usual slips: X or Y_hat not
    transposed, a layer skipped, σ missing from every layer or from the last."""
    name = "network_forward"
    value = checks.call(name, network_forward, net, X,
                        hint=lambda e: _forward_error_hint(e, np.shape(X)[0], net.sizes))
    expected = net.forward(X)
    if np.shape(value) == expected.T.shape != expected.shape:
        fail(name, f"{name} returned shape {np.shape(value)}, expected {expected.shape}: "
                   "that is a[L] (n_L, N); Y_hat = a[L].T, one sample per row")
    skipped = _skipped_layer(net, X, value)
    if skipped is not None:
        fail(name, f"{name} returned what the network gives without layer {skipped} (shape "
                   f"{np.shape(value)}, expected {expected.shape}): {SKIPPED}")
    no_last_sigma = net.layers[net.L].z.T
    no_sigma = _forward_without(net, X, sigma=False)
    hints = [(lambda g: np.allclose(g, expected.T),
              "that is a[L] (n_L, N); Y_hat = a[L].T, one sample per row"),
             (lambda g: np.allclose(g, no_sigma),
              "no layer applied σ: every layer needs a = σ(z); does layer_forward return z "
              "as its a?"),
             (lambda g: np.allclose(g, no_last_sigma), "the last layer needs its sigmoid too")]
    return checks.check_close("Y_hat", value, expected, hints)


def check_batch_columns(name, Z_batch, per_sample):
    """✓ when column j of Z_batch (n, N) equals per_sample[j] (n, 1) for every sample j;
    else CheckFailed. Prints a rounded verdict (no machine-dependent digits)."""
    Z_batch = np.asarray(Z_batch, dtype=float)
    cols = np.hstack([np.asarray(z, dtype=float).reshape(-1, 1) for z in per_sample])
    if cols.shape != Z_batch.shape:
        fail(name, f"{name}: batched shape {Z_batch.shape}, stacked columns {cols.shape}")
    gap = float(np.abs(Z_batch - cols).max())
    if gap > 1e-12:
        fail(name, f"{name}: the batch differs from the samples by up to {gap:.1e}")
    return passed(f"{name}: column j of the batch equals sample j's result, for all "
                  f"{cols.shape[1]} samples (largest difference below 1e-12)")
