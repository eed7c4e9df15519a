"""Planted bugs: the backward pass with one classic mistake in it, for lesson 06's bug menu.

``BuggyMLP(sizes, bug=...)`` is an ``MLP`` whose ``backward`` makes one of the mistakes below
(or none), so a gradient check, a shape check or a training run can be pointed at it. Each bug
is a small change to one of Nielsen's four equations, written in the shapes of the course:
``delta`` (n_out, N), ``dW`` (n_out, n_in), ``db`` (n_out, 1).

- ``"sigma_prime"``: BP2 without ``⊙ σ'(z)``: ``delta[l] = W[l+1].T @ delta[l+1]``.
- ``"W_not_transposed"``: BP2 with ``W[l+1] @ delta[l+1]``. A shape error when ``W[l+1]`` is
  not square; silently wrong numbers when it is.
- ``"sum_not_mean"``: BP3 and BP4 sum over the batch instead of averaging: N times too big.
- ``"post_loss"``: the post's cost ``np.mean((y_hat - y)**2) / 2`` averages over the n_L outputs
  too, but its BP1 ``(y_hat - y) ⊙ σ'`` is the derivative of the sum: n_L times too big.
- ``"post_db"``: the post's per-sample ``d_b = delta`` used on a batch: ``db`` has shape
  (n_out, N), not (n_out, 1); right only when N = 1.
"""

import numpy as np

from mlp_core.datasets import make_blobs, one_hot
from mlp_core.losses import Loss
from mlp_core.network import MLP

BUGS = {
    "none": "no bug: BP1-BP4 as in lesson 05",
    "sigma_prime": "σ' missing in BP2",
    "W_not_transposed": "W not transposed in BP2",
    "sum_not_mean": "sum instead of mean in BP3, BP4",
    "post_loss": "the post's loss scaling (mean over outputs)",
    "post_db": "the post's per-sample d_b on a batch",
}


class PostLoss(Loss):
    """The post's cost, ``np.mean((y_hat - y)**2) / 2``: a mean over the N samples *and* the
    n_L outputs, C_post = C / n_L, while ``delta`` stays BP1's ``(a − y) ⊙ σ'(z)``, the
    derivative of Nielsen's C. z, a, y: (n_L, N)."""

    def __init__(self, output):
        super().__init__("mse", output)

    def cost(self, z, a, y):
        """The post's cost: the mean of (a − y)² over all n_L·N entries, halved."""
        return float(np.mean((a - y) ** 2)) / 2


class BuggyMLP(MLP):
    """An ``MLP`` whose backward pass carries the planted bug ``bug`` (a key of ``BUGS``).

    Everything else (forward, step, loss, the weights for a given seed) is the ``MLP``'s, so
    ``BuggyMLP(sizes, bug, seed=s)`` and ``MLP(sizes, seed=s)`` start from the same weights.
    ``"post_loss"`` needs an MSE cost; the other bugs work with any activation and cost.
    """

    def __init__(self, sizes, bug="none", **kwargs):
        if bug not in BUGS:
            raise ValueError(f"unknown bug {bug!r}: choose one of {', '.join(BUGS)}")
        super().__init__(sizes, **kwargs)
        self.bug = bug
        if bug == "post_loss":
            if self.loss_name != "mse":
                raise ValueError("the post's loss scaling is a bug of the MSE cost: use loss='mse'")
            self.loss_fn = PostLoss(self.loss_fn.output)

    def _backward(self, X, Y):
        """BP1-BP4 for the batch X (N, n_0), Y (N, n_L), with the planted bug. Fills every
        layer's ``delta`` (n_out, N), ``dW`` and ``db``; returns the cost. A shape bug raises
        numpy's ValueError here (W not transposed) or leaves ``db`` misshapen (post_db)."""
        N = X.shape[0]
        out = self.layers[-1]
        cost = self.loss_fn.cost(out.z, out.a, Y.T)
        delta = self.loss_fn.delta(out.z, out.a, Y.T)                     # BP1
        for l in reversed(range(len(self.layers))):
            layer = self.layers[l]
            a_prev = X.T if l == 0 else self.layers[l - 1].a
            layer.delta = delta
            if self.bug == "sum_not_mean":
                layer.db = delta.sum(axis=1, keepdims=True)                # BP3 without 1/N
                layer.dW = delta @ a_prev.T                                # BP4 without 1/N
            else:
                layer.db = delta if self.bug == "post_db" else delta.mean(axis=1, keepdims=True)
                layer.dW = (delta / N) @ a_prev.T
            if l == 0:
                break
            prev = self.layers[l - 1]
            W_back = layer.W if self.bug == "W_not_transposed" else layer.W.T
            g = W_back @ delta                                            # BP2, first half
            delta = g if self.bug == "sigma_prime" else prev.activation.backprop(prev.z, prev.a, g)
        return cost

    def __repr__(self):
        return f"BuggyMLP({self.sizes}, bug={self.bug!r})"


def bug_batch(N=10, seed=0):
    """A batch to hunt bugs with: N points of three Gaussian blobs, X (N, 2), and one-hot
    targets Y (N, 3). Three outputs and N > 1, so the post's loss scaling (1/n_L) and the
    batch bugs (sum instead of mean, per-sample d_b) cannot hide."""
    X, y = make_blobs(N, noise=0.5, centers=3, seed=seed)
    return X, one_hot(y, 3)
