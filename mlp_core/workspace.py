"""The training loop's mini-batch step: ``forward``, ``backward`` and ``step`` fused, on arrays
allocated once per ``train`` call.

Lesson 05 reads ``MLP._backward`` line by line, so that code stays as plain as the equations.
``train`` does the same mathematics with three changes a library makes for speed:

- the mini-batch's rows and the arrays ``z``, ``a`` and ``delta`` are written into buffers
  allocated once, not allocated again for every mini-batch;
- the output error ``a − y`` is computed once, for both the cost and BP1;
- BP4 and the update are one product: BLAS's ``gemm`` computes C ← α·A·B + β·C, so
  ``W ← W − (η/N)·delta·a_prevᵀ`` happens inside the product that would have made ``dW``.
  ``dW`` is never stored, which saves two passes over a matrix the size of ``W`` per layer and
  mini-batch; the bias update is BLAS's ``gemv`` likewise.

The fused update rounds differently from ``W − η·dW`` (the product is scaled inside BLAS), so
``train``'s weights agree with a loop of ``forward``, ``backward`` and ``step`` to about 1e-15
per update, not bit for bit; tests hold the two within 1e-12 for every activation and loss.
"""

import math

import numpy as np
from scipy.linalg.blas import dgemm, dgemv

from mlp_core.losses import mse


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
    B ones (for BP3's sum over samples)."""

    def __init__(self, net, B):
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


class Workspace:
    """The fused training step for ``net``, with ``Buffers`` for each batch size it meets
    (usually two: ``batch_size`` and the last, smaller batch of an epoch)."""

    def __init__(self, net):
        self.net = net
        self.buffers = {}

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

    def forward(self, X, buf):
        """``net._forward(X)`` into ``buf`` (Buffers of batch size N). X: (N, n_0). Fills every
        layer's ``z`` and ``a`` (n_out, N)."""
        a = X.T
        for l, layer in enumerate(self.net.layers):
            z = gemm(1.0, layer._W, a, 0.0, buf.z[l])                # z = W a + b
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
        net = self.net
        N = X.shape[0]
        buf = self._buffers(N)
        self.forward(X, buf)
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
            # BP4 and the update: W ← (1 − ηλ)·W − (η/N)·delta·a_prevᵀ
            gemm(-lr / N, delta, a_prev.T, 1.0 - lr * weight_decay, W)
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
