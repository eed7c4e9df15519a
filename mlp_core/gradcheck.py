"""Gradient checking: back-propagation's answer against centred finite differences.

For one parameter θ, the centred difference (C(θ + ε) − C(θ − ε)) / 2ε approaches ∂C/∂θ with an
error of order ε² (truncation) plus order 1/ε (rounding). The relative error between two
gradients g and g' is taken here norm-wise, over a whole ``W`` or ``b``,

    ||g − g'|| / max(||g||, ||g'||)      (0 when both are 0),

where CS231n takes it element-wise, |g_i − g'_i| / max(|g_i|, |g'_i|) (lesson 06 reports
both). With CS231n's thresholds: about 1e-7 or below means right in float64;
1e-2 or above means a bug.
"""

import numpy as np

from mlp_core.validate import check_positive, check_X, check_Y


def relative_error(g, g_ref):
    """The norm-wise relative error ||g − g_ref|| / max(||g||, ||g_ref||) of two same-shape
    arrays (0 when both are 0)."""
    g, g_ref = np.asarray(g, dtype=float), np.asarray(g_ref, dtype=float)
    if g.shape != g_ref.shape:
        raise ValueError(f"cannot compare gradients of shapes {g.shape} and {g_ref.shape}")
    scale = max(np.linalg.norm(g), np.linalg.norm(g_ref))
    return 0.0 if scale == 0 else float(np.linalg.norm(g - g_ref) / scale)


def _cost(net, X, Y):
    """The batch-mean cost of ``net`` on X (N, n_0), Y (N, n_L), both checked floats."""
    net.forward(X)
    out = net.layers[net.L]
    return net.loss_fn.cost(out.z, out.a, Y.T)


def numerical_gradient(net, X, Y, layer, param="W", eps=1e-5, order=2):
    """Centred finite differences of the batch-mean cost with respect to ``W`` (n_l, n_{l-1})
    or ``b`` (n_l, 1) of ``net.layers[layer]``, layer l = 1 .. L. X: (N, n_0); Y: (N, n_L) or
    labels. Returns an array shaped like the parameter, which is restored exactly afterwards.

    order=2: (C(θ+ε) − C(θ−ε)) / 2ε, error O(ε²). order=4: the five-point stencil
    (−C(θ+2ε) + 8C(θ+ε) − 8C(θ−ε) + C(θ−2ε)) / 12ε, error O(ε⁴), which allows a larger ε and
    so less rounding error: the reference for gradients that are tiny next to the cost."""
    X = check_X(X, net.sizes[0])
    Y = check_Y(Y, X.shape[0], net.sizes[-1], net.loss_name)
    check_positive(eps, "eps")
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= net.L:
        hint = " (layer 0 is the input: it has no W or b)" if layer == 0 else ""
        raise ValueError(f"layer must be an index 1 .. {net.L}, got {layer!r}{hint}")
    if param not in ("W", "b"):
        raise ValueError(f"param must be 'W' or 'b', got {param!r}")
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order!r}")
    weights = {2: ((1, 1 / 2),), 4: ((1, 8 / 12), (2, -1 / 12))}[order]
    theta = getattr(net.layers[layer], param)   # the live array: perturbed in place
    grad = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        old = theta[idx]
        total = 0.0
        for k, w in weights:
            theta[idx] = old + k * eps
            c_plus = _cost(net, X, Y)
            theta[idx] = old - k * eps
            c_minus = _cost(net, X, Y)
            total += w * (c_plus - c_minus)
        theta[idx] = old
        grad[idx] = total / eps
    return grad


def gradcheck(net, X, Y, eps=1e-5, order=2):
    """Compare ``backward`` with finite differences on every layer.

    X: (N, n_0); Y: (N, n_L) targets or N labels; eps, order: as for ``numerical_gradient``.
    Returns ``{l: {"W": relative error of dW, "b": relative error of db}}`` for the layers
    l = 1 .. L. Afterwards the network holds the analytic ``delta``, ``dW``, ``db`` of this
    batch, as after forward and backward.
    """
    X = check_X(X, net.sizes[0])
    Y = check_Y(Y, X.shape[0], net.sizes[-1], net.loss_name)
    numeric = {l: {p: numerical_gradient(net, X, Y, l, p, eps, order) for p in ("W", "b")}
               for l in range(1, net.L + 1)}
    net.forward(X)
    net.backward(Y)
    return {l: {"W": relative_error(net.layers[l].dW, numeric[l]["W"]),
                "b": relative_error(net.layers[l].db, numeric[l]["b"])}
            for l in range(1, net.L + 1)}
