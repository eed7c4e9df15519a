"""The training loop's mini-batch step: ``forward``, ``backward`` and ``step`` fused, on arrays
allocated once per ``train`` call.

Lesson 05 reads ``MLP._backward`` line by line, so that code stays as plain as the equations.
``train`` does the same mathematics with four changes a library makes for speed:

- the mini-batch's rows and the arrays ``z``, ``a`` and ``delta`` are written into buffers
  allocated once, not allocated again for every mini-batch;
- the output error ``a − y`` is computed once, for both the cost and BP1;
- BP4 and the update are one product: BLAS's ``gemm`` computes C ← α·A·B + β·C, so
  ``W ← W − (η/N)·delta·a_prevᵀ`` happens inside the product that would have made ``dW``.
  ``dW`` is never stored, which saves two passes over a matrix the size of ``W`` per layer and
  mini-batch; the bias update is BLAS's ``gemv`` likewise;
- small mini-batches go through a large first layer four at a time (``Workspace.epoch``,
  ``group_size``): one product ``W [x_0 x_1 x_2 x_3]`` gives every batch's ``W x``, each then
  corrected for the updates of the batches before it, ``W_1 x = c·W_0 x − (η/N)·delta_0 (x_0ᵀ x)``
  with c = 1 − ηλ (products of inputs, N × N per batch before), and one product makes all four
  updates. The same SGD, step for step, in one pass over the largest W where there were four:
  about a fifth faster for [784, 100, 10] at batch size 10.

The fused update rounds differently from ``W − η·dW`` (the product is scaled inside BLAS), so
``train``'s weights agree with a loop of ``forward``, ``backward`` and ``step`` to about 1e-15
per update, not bit for bit; tests hold the two within 1e-12 for every activation and loss.
"""

import math

import numpy as np
from scipy.linalg.blas import dgemm, dgemv

from mlp_core.losses import mse

#: ``Workspace.epoch`` trains small mini-batches GROUP at a time through a large first layer
GROUP = 4
GROUP_MIN_WEIGHTS = 4096


def group_size(sizes, batch_size):
    """How many mini-batches of ``batch_size`` ``Workspace.epoch`` trains at a time for a network
    of layer sizes ``sizes``: GROUP when the first layer's W is large (at least
    GROUP_MIN_WEIGHTS weights) and the batches small beside it (B² ≤ 2·n_1), so that a pass over
    W costs more than the (B, B) products of inputs a group adds; else 1. Measured on MNIST
    shapes: [784, 100, 10] at B = 10 trains about a fifth faster in groups of 4; at B = 16, or
    with 30 hidden neurons, groups gain nothing."""
    n_0, n_1 = sizes[0], sizes[1]
    if n_0 * n_1 >= GROUP_MIN_WEIGHTS and batch_size * batch_size <= 2 * n_1:
        return GROUP
    return 1


def _fortran(M):
    """``M`` as a Fortran-ordered operand for BLAS, with no copy: (M, 0) if it is
    Fortran-contiguous, (Mᵀ, 1) if it is C-contiguous (then Mᵀ is Fortran-contiguous and BLAS
    transposes it back), else a Fortran copy."""
    if M.flags.f_contiguous:
        return M, 0
    if M.flags.c_contiguous:
        return M.T, 1
    return np.asfortranarray(M), 0


def gemm(alpha, A, B, beta, C):
    """C ← α·A·B + β·C in place, by BLAS. A (m, k), B (k, n), C (m, n) contiguous.

    BLAS works on column-major (Fortran-ordered) arrays. A Fortran-ordered C is passed as it
    is; a C-ordered C is a column-major Cᵀ, so BLAS is asked for Cᵀ ← α·Bᵀ·Aᵀ + β·Cᵀ instead.
    Either way every operand goes in without a copy."""
    if C.flags.f_contiguous:
        (X, trans_x), (Y, trans_y), target = _fortran(A), _fortran(B), C
    else:
        (X, trans_x), (Y, trans_y), target = _fortran(B.T), _fortran(A.T), C.T
    result = dgemm(alpha, X, Y, beta, target, trans_x, trans_y, overwrite_c=1)
    if result is not target:        # BLAS wrote a copy (C was not contiguous): copy it back
        target[...] = result
    return C


class Buffers:
    """The arrays of one mini-batch size B: the batch ``X`` (B, n_0) and ``Y`` (B, n_L); per
    layer of n_out neurons, ``z``, ``a``, ``delta`` and a scratch block (n_out, B); ``ones``,
    B ones (for BP3's sum over samples). ``z0`` and ``delta0``, if given, are the first layer's
    ``z`` and ``delta`` (views into a group's arrays)."""

    def __init__(self, net, B, z0=None, delta0=None):
        self.X = np.empty((B, net.sizes[0]))
        self.Y = np.empty((B, net.sizes[-1]))
        # (n_out, B) blocks in Fortran order, one sample's column contiguous: the forward
        # product then takes W as BLAS's first operand (about 10% faster at B = 128), and
        # a − y meets Yᵀ, a view of the C-ordered Y, in the same memory order
        shapes = [(layer.n_out, B) for layer in net.layers]
        self.z = [np.empty(s, order="F") for s in shapes]
        self.a = [np.empty(s, order="F") for s in shapes]
        self.delta = [np.empty(s, order="F") for s in shapes]
        self.scratch = [np.empty(s, order="F") for s in shapes]
        self.ones = np.ones(B)
        if z0 is not None:
            self.z[0], self.delta[0] = z0, delta0


class GroupBuffers:
    """The arrays of g mini-batches of B samples trained as a group: ``X`` (gB, n_0) and ``Y``
    (gB, n_L), the batches' rows one after the other; ``P`` (n_1, gB), the first layer's
    W x for all of them; ``D`` (n_1, gB), their first-layer deltas; ``G`` (gB, B), the inputs
    of the batches before one batch times its own, x_iᵀ x_j; ``parts``, each batch's Buffers,
    whose first z and delta are its columns of P and D."""

    def __init__(self, net, B, g):
        n_1 = net.sizes[1]
        self.X = np.empty((g * B, net.sizes[0]))
        self.Y = np.empty((g * B, net.sizes[-1]))
        self.P = np.empty((n_1, g * B), order="F")
        self.D = np.empty((n_1, g * B), order="F")
        self.G = np.empty((g * B, B))
        self.parts = [Buffers(net, B, self.P[:, j * B:(j + 1) * B], self.D[:, j * B:(j + 1) * B])
                      for j in range(g)]


class Workspace:
    """The fused training step for ``net``, with ``Buffers`` for each batch size it meets
    (usually two: ``batch_size`` and the last, smaller batch of an epoch) and ``GroupBuffers``
    for each group of batches ``epoch`` trains together."""

    def __init__(self, net):
        self.net = net
        self.buffers = {}
        self.group_buffers = {}

    def _buffers(self, N):
        """The Buffers of batch size N, made the first time N is met."""
        if N not in self.buffers:
            self.buffers[N] = Buffers(self.net, N)
        return self.buffers[N]

    def batch(self, X, Y, idx):
        """The mini-batch ``X[idx]``, ``Y[idx]``, gathered into buffers. X: (n, n_0) and
        Y: (n, n_L) floats; idx: N row indices. Returns views (N, n_0) and (N, n_L)."""
        buf = self._buffers(len(idx))
        # mode="clip" (the indices are valid anyway) lets numpy write straight into the buffer
        X.take(idx, axis=0, out=buf.X, mode="clip")
        Y.take(idx, axis=0, out=buf.Y, mode="clip")
        return buf.X, buf.Y

    def epoch(self, X, Y, order, batch_size, lr, weight_decay=0.0):
        """One epoch of mini-batch SGD on the rows of X (n, n_0) and Y (n, n_L) floats, taken
        in ``order`` (a permutation of range(n)) in batches of ``batch_size``. Yields, batch
        after batch, (start, cost, a): the batch order[start:start + batch_size], its
        batch-mean cost before its update and the output layer's a (n_L, N) behind that cost.

        Small batches go ``group_size`` at a time (one pass over the first W for all of them,
        see the module's notes); either way the weights follow the same SGD. A consumer that
        stops at a non-finite cost finds the weights as the batches before it left them."""
        n = len(order)
        g = group_size(self.net.sizes, batch_size)
        start = 0
        while start < n:
            k = min(g, (n - start) // batch_size)           # whole batches left, up to g
            if k > 1:
                done = self.group(X, Y, order[start:start + k * batch_size], batch_size, lr,
                                  weight_decay)
            else:
                Xb, Yb = self.batch(X, Y, order[start:start + batch_size])
                done = [(self.step(Xb, Yb, lr, weight_decay), self.net.layers[-1].a)]
            for cost, a in done:
                yield start, cost, a
                start += batch_size

    def forward(self, X, buf, first_done=False):
        """``net._forward(X)`` into ``buf`` (Buffers of batch size N). X: (N, n_0). Fills every
        layer's ``z`` and ``a`` (n_out, N). With ``first_done``, ``buf.z[0]`` already holds
        the first layer's W x (a group's product) and only b is added to it."""
        a = X.T
        for l, layer in enumerate(self.net.layers):
            z = buf.z[l]
            if l > 0 or not first_done:
                gemm(1.0, layer._W, a, 0.0, z)                      # z = W a + b
            z += layer._b
            act = layer.activation
            a = act.f(z) if act.f_into is None else act.f_into(z, buf.a[l])
            layer.z, layer.a = z, a

    def step(self, X, Y, lr, weight_decay=0.0):
        """One step of gradient descent on the batch X (N, n_0), Y (N, n_L) floats: the forward
        pass, BP1-BP3, and BP4 fused with the update W ← (1 − ηλ)·W − η·dW, b ← b − η·db.
        Leaves ``z``, ``a``, ``delta`` on every layer and ``dW``, ``db`` unset (None).
        Returns the batch-mean cost before the update; if it is NaN or infinite, the weights
        are left as they were."""
        buf = self._buffers(X.shape[0])
        self.forward(X, buf)
        return self._backward(X, Y, buf, lr, weight_decay)

    def group(self, X, Y, idx, B, lr, weight_decay=0.0):
        """g steps, on the batches idx[:B], idx[B:2B], ... (g of B rows each) of X (n, n_0) and
        Y (n, n_L), with one product over the first layer's W for all their forward passes and
        one for all their updates. Returns [(cost, a)] per batch stepped, a the output
        layer's (n_L, B): all g, or up to the first whose cost is not finite (whose update,
        and those after it, are not made)."""
        g = len(idx) // B
        if (B, g) not in self.group_buffers:
            self.group_buffers[B, g] = GroupBuffers(self.net, B, g)
        gb = self.group_buffers[B, g]
        X.take(idx, axis=0, out=gb.X, mode="clip")
        Y.take(idx, axis=0, out=gb.Y, mode="clip")
        W, out = self.net.layers[0]._W, self.net.layers[-1]
        c, scale = 1.0 - lr * weight_decay, -lr / B
        gemm(1.0, W, gb.X.T, 0.0, gb.P)                     # W_0 [x_0 x_1 ... x_{g-1}]
        done = []
        for j in range(g):
            rows = slice(j * B, (j + 1) * B)
            x, D = gb.X[rows], gb.D[:, :j * B]
            if j > 0:
                # batch j meets W_j = c^j·W_0 − (η/B)·Σ_{i<j} c^{j−1−i}·delta_i x_iᵀ, so its
                # W x is c^j·W_0 x − (η/B)·Σ_{i<j} c^{j−1−i}·delta_i (x_iᵀ x): the inputs of
                # the batches before, times its own, correct its columns of P
                G = gemm(1.0, gb.X[:j * B], x.T, 0.0, gb.G[:j * B])
                gemm(scale, D, G, c ** j, gb.P[:, rows])
            self.forward(x, gb.parts[j], first_done=True)
            cost = self._backward(x, gb.Y[rows], gb.parts[j], lr, weight_decay,
                                  update_first=False)
            done.append((cost, out.a))
            if not math.isfinite(cost):                     # the updates of batches 0..j-1
                if j > 0:
                    gemm(scale, D, gb.X[:j * B], c ** j, W)
                return done
            if c != 1.0 and j > 0:                          # delta_i now weighs c^{j−i}
                D *= c
        gemm(scale, gb.D, gb.X, c ** g, W)                  # W_g, all the updates at once
        return done

    def _backward(self, X, Y, buf, lr, weight_decay, update_first=True):
        """The rest of ``step`` after the forward pass into ``buf``: the cost, BP1-BP3 and the
        updates. With ``update_first`` False the first layer's W is left as it is and its
        delta (n_1, N) is left in ``buf.delta[0]`` for ``group`` to update it. Returns the
        cost."""
        net = self.net
        N = X.shape[0]
        out, loss = net.layers[-1], net.loss_fn
        Yt = Y.T
        if loss.name == "mse":                                      # cost and BP1 share a − y
            diff = np.subtract(out.a, Yt, out=buf.delta[-1])
            cost = mse(out.z, out.a, Yt, diff)
            delta = out.activation.backprop(out.z, out.a, diff, diff, buf.scratch[-1])
        else:
            cost = loss.cost(out.z, out.a, Yt)
            delta = loss.delta(out.z, out.a, Yt)
        if not math.isfinite(cost):                                 # keep the weights as they are
            return cost
        for l in range(len(net.layers) - 1, -1, -1):
            layer = net.layers[l]
            layer.delta, layer.dW, layer.db = delta, None, None
            W = layer._W
            if l > 0:                                               # BP2, with W before its update
                prev = net.layers[l - 1]
                g = gemm(1.0, W.T, delta, 0.0, buf.delta[l - 1])
                next_delta = prev.activation.backprop(prev.z, prev.a, g, g, buf.scratch[l - 1])
            a_prev = net.layers[l - 1].a if l > 0 else X.T
            if l > 0 or update_first:
                # BP4 and the update: W ← (1 − ηλ)·W − (η/N)·delta·a_prevᵀ
                gemm(-lr / N, delta, a_prev.T, 1.0 - lr * weight_decay, W)
            elif delta is not buf.delta[0]:                         # where group looks for it
                buf.delta[0][...] = delta
            # BP3 and the update: b ← b − (η/N)·delta·1, 1 the column of N ones
            d, trans = _fortran(delta)
            b = layer._b.ravel()                                    # a view: b is a column
            result = dgemv(-lr / N, d, buf.ones, 1.0, b, trans=trans, overwrite_y=1)
            if result is not b:                                     # as in gemm: copy it back
                b[...] = result
            layer.version += 1
            if l > 0:
                delta = next_delta
        net._cache = None                                           # the weights have moved
        return cost
