"""Planted bugs: the classic mistakes of back-propagation, in one catalogue, and the one backward
pass that makes them.

``backward_with(net, X, Y, bug)`` is ``MLP.backward`` (BP1-BP4 for l = L .. 1, on the cached
forward pass) with one mistake of ``CATALOGUE`` planted in it, or none. Lesson 05's check runs it
to name the mistake a learner's backward pass makes; lesson 06's bug menu builds a ``BuggyMLP``,
whose ``backward`` is ``backward_with``, and lets a gradient check or a shape check find the bug.

The one index: ``net.layers[l]`` is layer l, l = 1 .. L, with ``delta`` (n_l, N), ``dW``
(n_l, n_{l-1}) and ``db`` (n_l, 1); ``net.layers[0].a`` is a[0] = Xᵀ. The mistakes, by the
equation they break:

- BP1 ``delta[L] = dC/da[L] ⊙ σ'(z[L])``: ``"sigma_prime_bp1"`` leaves σ' out (for the quadratic
  cost; cross-entropy's delta has no σ' to lose); ``"sigma_prime_both"`` leaves it out of BP1
  and BP2; ``"sigma_prime_of_a"`` takes σ' at a instead of z, in BP1 and BP2.
- BP2 ``delta[l] = (W[l+1].T @ delta[l+1]) ⊙ σ'(z[l])``: ``"sigma_prime"`` leaves σ' out;
  ``"W_not_transposed"`` uses ``W[l+1] @ delta[l+1]``, a shape error when W[l+1] is not square
  and silently wrong numbers when it is.
- BP3 ``db[l] = mean of delta[l]`` and BP4 ``dW[l] = delta[l] @ a[l-1].T / N``:
  ``"sum_not_mean"`` sums over the batch in both (N times too big), ``"sum_db"`` in BP3 only,
  ``"sum_dW"`` in BP4 only; ``"z_for_a"`` multiplies by z[l-1] where a[l-1] belongs (a[0] = Xᵀ
  at l = 1: the input has no z); ``"post_db"`` is the post's per-sample ``d_b = delta`` on a
  batch, shape (n_l, N), right only when N = 1.
- The cost: ``"post_loss"`` is the post's ``np.mean((y_hat - y)**2) / 2``, which averages over
  the n_L outputs too, while its BP1 ``(y_hat - y) ⊙ σ'`` is the derivative of the sum: the
  gradients are right for Nielsen's C but n_L times too big for the post's own cost.

``BUGS`` is lesson 06's bug menu, {key: label}; ``bug_batch`` is the batch it hunts on.
"""

from dataclasses import dataclass

import numpy as np

from mlp_core.datasets import make_blobs, one_hot
from mlp_core.losses import Loss
from mlp_core.network import MLP
from mlp_core.validate import check_Y


@dataclass(frozen=True)
class Bug:
    """One planted mistake: ``label``, a few words (the bug menu shows them), and ``hint``, what
    a check tells a learner whose gradients show this mistake."""

    label: str
    hint: str


CATALOGUE = {
    "none": Bug("no bug: BP1-BP4 as in lesson 05", "no mistake"),
    "sigma_prime_both": Bug(
        "σ' missing in BP1 and BP2",
        "σ' is missing from both BP1 and BP2: delta = (error arriving at a) ⊙ σ'(z)"),
    "sigma_prime_bp1": Bug(
        "σ' missing in BP1",
        "BP1 lacks σ': the output layer's delta is (a − y) ⊙ σ'(z) for the quadratic cost "
        "(a − y alone is cross-entropy's delta)"),
    "sigma_prime": Bug(
        "σ' missing in BP2",
        "BP2 lacks σ'(z[l]): delta[l] = (W[l+1].T @ delta[l+1]) ⊙ σ'(z[l])"),
    "sigma_prime_of_a": Bug(
        "σ' taken at a, not z",
        "σ' is taken at a instead of z: use sigmoid_prime(z), or a·(1 − a)"),
    "W_not_transposed": Bug(
        "W not transposed in BP2",
        "W is not transposed in BP2: W[l+1] is (n_{l+1}, n_l), so the error goes back "
        "through W[l+1].T @ delta[l+1]"),
    "sum_not_mean": Bug(
        "sum instead of mean in BP3, BP4",
        "a sum over the batch where a mean belongs: divide dW and db by N (BP3, BP4)"),
    "sum_dW": Bug(
        "sum instead of mean in BP4",
        "dW is a sum over the batch: BP4 divides delta[l] @ a[l-1].T by N"),
    "sum_db": Bug(
        "sum instead of mean in BP3",
        "db is a sum over the batch: BP3 takes the mean over the samples (axis=1)"),
    "z_for_a": Bug(
        "z for a in BP4",
        "BP4 multiplies by z[l-1]; it needs the activations a[l-1] (a[0] = X.T at l = 1)"),
    "post_loss": Bug(
        "the post's loss scaling (mean over outputs)",
        "the post's cost np.mean((y_hat - y)**2) / 2 also divides by n_L, but its BP1 is the "
        "derivative of the sum: the gradients are n_L times too big for that cost"),
    "post_db": Bug(
        "the post's per-sample d_b on a batch",
        "db keeps one column per sample, like the post's d_b = deltas[i]: take the mean over "
        "the batch, axis=1, keepdims=True"),
}

#: Lesson 06's bug menu: {key: label}, "no bug" first.
BUGS = {key: CATALOGUE[key].label for key in
        ("none", "sigma_prime", "W_not_transposed", "sum_not_mean", "post_loss", "post_db")}


class PostLoss(Loss):
    """The post's cost, ``np.mean((y_hat - y)**2) / 2``: a mean over the N samples *and* the
    n_L outputs, C_post = C / n_L, while ``delta`` stays BP1's ``(a − y) ⊙ σ'(z)``, the
    derivative of Nielsen's C. z, a, y: (n_L, N)."""

    def __init__(self, output):
        super().__init__("mse", output)

    def cost(self, z, a, y):
        """The post's cost: the mean of (a − y)² over all n_L·N entries, halved."""
        return float(np.mean((a - y) ** 2)) / 2


def _error_at_z(layer, g, bug, equation):
    """BP1's or BP2's last step for ``layer`` (``equation`` "BP1" or "BP2"): the error g
    (n_l, N) arriving at a, times f'(z), or what ``bug`` does instead."""
    if bug == "sigma_prime_both" or (bug, equation) in (("sigma_prime_bp1", "BP1"),
                                                        ("sigma_prime", "BP2")):
        return g                                                    # f'(z) left out
    if bug == "sigma_prime_of_a":
        if layer.activation.prime is None:
            raise ValueError(f"{layer.activation.name} is not elementwise: σ' at a needs an "
                             "elementwise activation")
        return g * layer.activation.prime(layer.a)                  # f'(a) for f'(z)
    return layer.activation.backprop(layer.z, layer.a, g)


def backward_with(net, X, Y, bug="none"):
    """``net.backward(Y)`` with one planted mistake: BP1-BP4 for l = L .. 1 on the forward pass
    of X that ``net`` holds, with ``bug`` (a key of ``CATALOGUE``; "none" or None for the right
    backward pass, which is the engine's bit for bit).

    X: (N, n_0), the batch of the last ``net.forward(X)``; Y: (N, n_L) targets or N labels.
    Fills ``delta`` (n_l, N), ``dW`` and ``db`` on every layer l = 1 .. L, as ``backward`` does,
    and returns the cost (the post's for "post_loss"). "W_not_transposed" raises numpy's
    ValueError when a W is not square; "post_db" leaves every ``db`` (n_l, N).
    """
    bug = "none" if bug is None else bug
    if bug not in CATALOGUE:
        raise ValueError(f"unknown bug {bug!r}: choose one of {', '.join(CATALOGUE)}")
    layers, L = net.layers, net.L
    X = np.asarray(X, dtype=float)
    if layers[0].a is None or not np.array_equal(layers[0].a, X.T):
        raise ValueError("backward_with needs the forward pass of this X: call net.forward(X)")
    N = X.shape[0]
    y = check_Y(Y, N, net.sizes[-1], net.loss_name).T                     # (n_L, N)
    out = layers[L]
    if bug == "post_loss":
        if net.loss_name != "mse":
            raise ValueError("the post's loss scaling is a bug of the MSE cost: use loss='mse'")
        cost = PostLoss(out.activation).cost(out.z, out.a, y)
    else:
        cost = net.loss_fn.cost(out.z, out.a, y)
    if net.loss_name == "mse" and bug in ("sigma_prime_both", "sigma_prime_bp1",
                                          "sigma_prime_of_a"):
        out.delta = _error_at_z(out, out.a - y, bug, "BP1")              # BP1, dC/da = a − y
    else:
        out.delta = net.loss_fn.delta(out.z, out.a, y)                   # BP1
    for l in range(L - 1, 0, -1):
        layer, above = layers[l], layers[l + 1]
        W = above.W if bug == "W_not_transposed" else above.W.T
        layer.delta = _error_at_z(layer, W @ above.delta, bug, "BP2")    # BP2
    for l in range(L, 0, -1):
        layer = layers[l]
        if bug == "post_db":
            layer.db = layer.delta                                       # BP3 per sample
        elif bug in ("sum_not_mean", "sum_db"):
            layer.db = layer.delta.sum(axis=1, keepdims=True)            # BP3 without 1/N
        else:
            layer.db = layer.delta.mean(axis=1, keepdims=True)           # BP3
        a_prev = layers[l - 1].a
        if bug == "z_for_a" and l > 1:
            a_prev = layers[l - 1].z
        if bug in ("sum_not_mean", "sum_dW"):
            layer.dW = layer.delta @ a_prev.T                            # BP4 without 1/N
        else:
            layer.dW = layer.delta @ a_prev.T / N                        # BP4
    return cost


class BuggyMLP(MLP):
    """An ``MLP`` whose ``backward`` is ``backward_with(self, X, Y, bug)``: the planted mistake
    ``bug`` (a key of ``CATALOGUE``) in an otherwise right network.

    Everything else (forward, step, loss, the weights for a given seed) is the ``MLP``'s, so
    ``BuggyMLP(sizes, bug, seed=s)`` and ``MLP(sizes, seed=s)`` start from the same weights; for
    "post_loss" the cost (``loss``, and so a gradient check) is the post's. "post_loss" needs
    the MSE cost. Train one with ``train(..., fused=False)``: the fused step computes its own,
    right, gradients.
    """

    def __init__(self, sizes, bug="none", **kwargs):
        if bug not in CATALOGUE:
            raise ValueError(f"unknown bug {bug!r}: choose one of {', '.join(CATALOGUE)}")
        super().__init__(sizes, **kwargs)
        self.bug = bug
        if bug == "post_loss":
            if self.loss_name != "mse":
                raise ValueError("the post's loss scaling is a bug of the MSE cost: use loss='mse'")
            self.loss_fn = PostLoss(self.loss_fn.output)

    def backward(self, Y):
        """Back-propagation with the planted bug, for the batch of the last ``forward``: fills
        ``delta``, ``dW`` and ``db`` on the layers l = 1 .. L and returns the cost. A shape bug
        raises numpy's ValueError (W not transposed) or leaves ``db`` misshapen (post_db)."""
        if self._versions_seen is None:
            raise ValueError("backward needs a forward pass first: call net.forward(X)")
        if self._versions_seen != self._versions():
            raise ValueError("the weights changed since the last forward pass: call "
                             "net.forward(X) again before backward")
        return backward_with(self, self.layers[0].a.T, Y, self.bug)

    def __repr__(self):
        return f"BuggyMLP({self.sizes}, bug={self.bug!r})"


def bug_batch(N=10, seed=0):
    """A batch to hunt bugs with: N points of three Gaussian blobs, X (N, 2), and one-hot
    targets Y (N, 3). Three outputs and N > 1, so the post's loss scaling (1/n_L) and the
    batch bugs (sum instead of mean, per-sample d_b) cannot hide."""
    X, y = make_blobs(N, noise=0.5, centers=3, seed=seed)
    return X, one_hot(y, 3)
