"""Cost functions: the batch-mean cost and the error they send into the output layer.

Shapes, as everywhere in ``mlp_core``: ``z`` and ``a`` of the output layer and the targets ``y``
are ``(n_L, N)``, one sample per column. Each cost is a *mean over samples* and a *sum over
output neurons* (Nielsen's convention), so a batch's gradient is the mean of its samples'.

- ``mse``: Nielsen's quadratic cost  C = 1/(2N) Σ_x ||a(x) − y(x)||².
  Its derivative per sample is dC/da = a − y, and BP1 gives δ = (a − y) ⊙ f'(z).
- ``cross_entropy``: with a sigmoid output, C = −1/N Σ_x Σ_j [y ln a + (1 − y) ln(1 − a)];
  with a softmax output, C = −1/N Σ_x Σ_j y ln a. For both, f'(z) cancels and δ = a − y
  (Nielsen, chapter 3; for softmax, when each target column sums to 1), which is why
  cross-entropy does not learn slowly when a saturates.
"""

import numpy as np

from mlp_core.activations import Activation


def mse(z, a, y, diff=None):
    """Quadratic cost C = 1/(2N) Σ ||a − y||². z, a, y: (n_L, N); ``diff``, a − y if it is
    already computed. Returns a float."""
    if diff is None:
        diff = a - y
    flat = diff.ravel(order="K")            # in memory order: no copy, whatever the layout
    return float(np.vdot(flat, flat)) / (2 * a.shape[1])


def _softplus(x):
    """ln(1 + e^x) without overflow."""
    return np.logaddexp(0.0, x)


def cross_entropy(z, a, y, output):
    """Cross-entropy cost from the output layer's ``z`` (computed from z, not from a, so
    ``ln 0`` never appears). z, a, y: (n_L, N); ``output`` is "sigmoid" or "softmax"."""
    n = z.shape[1]
    if output == "softmax":
        zmax = z.max(axis=0, keepdims=True)
        log_a = z - zmax - np.log(np.exp(z - zmax).sum(axis=0, keepdims=True))
        return float(-np.vdot(y, log_a)) / n
    # ln σ(z) = −softplus(−z) and ln(1 − σ(z)) = −softplus(z)
    return float(np.vdot(y, _softplus(-z)) + np.vdot(1.0 - y, _softplus(z))) / n


LOSSES = ("mse", "cross_entropy")


class Loss:
    """A cost bound to the output activation it follows.

    ``cost(z, a, y)`` is the batch-mean cost; ``delta(z, a, y)`` is BP1's output error δ^L,
    one column per sample (no 1/N: BP3 and BP4 take the mean over the batch).
    """

    def __init__(self, name, output):
        if not isinstance(name, str) or name not in LOSSES:
            raise ValueError(f"unknown loss {name!r}: choose 'mse' or 'cross_entropy'")
        if name == "cross_entropy" and output.name not in ("sigmoid", "softmax"):
            raise ValueError(
                "loss='cross_entropy' needs output_activation='sigmoid' or 'softmax' "
                f"(outputs read as probabilities); got {output.name!r}"
            )
        self.name = name
        self.output: Activation = output

    def cost(self, z, a, y):
        """Batch-mean cost. z, a, y: (n_L, N). Returns a float."""
        if self.name == "mse":
            return mse(z, a, y)
        return cross_entropy(z, a, y, self.output.name)

    def delta(self, z, a, y):
        """BP1: δ^L = ∇_a C ⊙ f'(z^L) per sample. z, a, y: (n_L, N). Returns (n_L, N)."""
        if self.name == "mse":
            return self.output.backprop(z, a, a - y)
        if self.output.name == "softmax":
            return a * y.sum(axis=0, keepdims=True) - y   # a − y when each target sums to 1
        return a - y

    def __repr__(self):
        return f"Loss({self.name!r}, output={self.output.name!r})"
