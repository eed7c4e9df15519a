"""Activation functions and their derivatives.

Each activation acts on a block ``z`` of shape ``(n_l, N)`` (one sample per column) and
returns ``a = f(z)`` of the same shape. Back-propagation needs ``f'(z)``: BP1 and BP2 multiply
the incoming error by it elementwise, ``delta = g ⊙ f'(z)``. Softmax is the one activation whose
output neurons depend on each other, so it is allowed only on the output layer and provides the
full product with its Jacobian instead.
"""

import numpy as np


def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(-z)), elementwise, without overflow.

    The naive formula computes ``exp(-z)``, which overflows for z below about -710. Here the
    exponent is always ``-|z|`` (at most 0), so ``exp`` never overflows:
    σ(z) = 1 / (1 + e^(-|z|)) for z ≥ 0 and e^(-|z|) / (1 + e^(-|z|)) for z < 0.

    z: any shape. Returns an array of the same shape, values in [0, 1].
    """
    z = np.asarray(z, dtype=float)
    if z.ndim == 0:                     # a number in, a number out
        return sigmoid(z.reshape(1))[0]
    # The same arithmetic as np.where(z >= 0, 1, e) / (1 + e), in two arrays instead of
    # seven: this function is the engine's sigmoid, on every layer of every mini-batch.
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)                    # e = e^(-|z|) ≤ 1
    a = np.where(z >= 0, 1.0, e)
    np.add(e, 1.0, out=e)
    return np.divide(a, e, out=a)


def sigmoid_prime(z):
    """σ'(z) = σ(z) (1 − σ(z)), elementwise. z: any shape; returns the same shape."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z), elementwise. z: any shape; returns the same shape, values in [-1, 1]."""
    return np.tanh(z)


def tanh_prime(z):
    """tanh'(z) = 1 − tanh(z)², elementwise. z: any shape; returns the same shape."""
    return 1.0 - np.tanh(z) ** 2


def relu(z):
    """max(0, z), elementwise. z: any shape; returns the same shape."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """1 where z > 0, else 0 (the derivative at the kink z = 0 is taken as 0)."""
    return (np.asarray(z) > 0).astype(float)


def identity(z):
    """z itself (a linear neuron). z: any shape; returns an array of the same shape."""
    return np.asarray(z, dtype=float)


def identity_prime(z):
    """1 everywhere. z: any shape; returns ones of the same shape."""
    return np.ones_like(np.asarray(z, dtype=float))


def softmax(z):
    """Softmax over the neurons of each sample: column j of ``z`` (n_L, N) becomes a
    probability vector. The column maximum is subtracted first so ``exp`` never overflows.

    z: (n_L, N). Returns (n_L, N), each column summing to 1.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


class Activation:
    """An activation by name: ``f`` computes a = f(z); ``prime`` computes f'(z) elementwise;
    ``backprop(z, a, g)`` returns ``g ⊙ f'(z)``, the step shared by BP1 and BP2.

    ``f_into(z, out)`` and ``prime_from_a(a, out)``, where given, do the same arithmetic into an
    array allocated once (the training loop's buffers): the same numbers, bit for bit.
    """

    def __init__(self, name, f, prime, prime_from_a=None, output_only=False, f_into=None):
        self.name = name
        self.f = f
        self.prime = prime
        self._prime_from_a = prime_from_a
        self.output_only = output_only
        self.f_into = f_into

    def backprop(self, z, a, g, out=None, scratch=None):
        """Error at z from the error at a: ``g ⊙ f'(z)``. z, a, g: (n_l, N); returns (n_l, N).

        Uses the cached activation ``a`` where f' is cheaper from it (σ' = a(1 − a)).
        ``out`` receives the result and ``scratch`` holds f' on the way (both (n_l, N)).
        """
        if self._prime_from_a is not None:
            return np.multiply(g, self._prime_from_a(a, scratch), out=out)
        return np.multiply(g, self.prime(z), out=out)

    def __repr__(self):
        return f"Activation({self.name!r})"


class _Softmax(Activation):
    """Softmax: its Jacobian is diag(s) − s sᵀ per sample, so the error it passes back is
    ``s ⊙ (g − Σ_k s_k g_k)`` column by column, not an elementwise product."""

    def __init__(self):
        super().__init__("softmax", softmax, None, output_only=True)

    def backprop(self, z, a, g, out=None, scratch=None):
        """Jacobian-vector product per column. z, a, g: (n_L, N); returns (n_L, N)."""
        return np.multiply(a, g - np.sum(a * g, axis=0, keepdims=True), out=out)


def _sigmoid_prime_from_a(a, out=None):
    """σ'(z) = a(1 − a) from a = σ(z). a: any shape; ``out`` (same shape) receives it."""
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh_prime_from_a(a, out=None):
    """tanh'(z) = 1 − a² from a = tanh(z). a: any shape; ``out`` (same shape) receives it."""
    out = np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, _sigmoid_prime_from_a),
    "tanh": Activation("tanh", tanh, tanh_prime, _tanh_prime_from_a,
                       f_into=lambda z, out: np.tanh(z, out=out)),
    "relu": Activation("relu", relu, relu_prime, f_into=lambda z, out: np.maximum(z, 0.0, out=out)),
    "identity": Activation("identity", identity, identity_prime),
    "softmax": _Softmax(),
}


def get_activation(name):
    """The ``Activation`` called ``name`` (one of ``ACTIVATIONS``); ValueError for others."""
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}: choose one of {', '.join(sorted(ACTIVATIONS))}"
        )
    return ACTIVATIONS[name]
