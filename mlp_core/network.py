"""The post's ``MLP``, done right: vectorised over the batch, with one index for the equations
and the code.

For sizes ``[n_0, n_1, ..., n_L]`` (the post's ``neurons_per_layer``) and a batch of N samples,
``net.layers[l]`` is layer l of Nielsen's equations. ``net.layers[0]`` is the input layer: it has
no weights, and after ``forward(X)`` its ``a`` is Xᵀ (n_0, N). Each layer l = 1 .. L holds

    W      (n_l, n_{l-1})  row j holds the weights into neuron j (the post's (n_out, n_in))
    b      (n_l, 1)        a column, so ``z = W a + b`` broadcasts over the batch
    z, a   (n_l, N)        one sample per column
    delta  (n_l, N)        the error ∂C/∂z of each sample
    dW, db like W, b       gradients of the batch-mean cost

Inputs and outputs face the user as rows: ``forward(X)`` takes X of shape (N, n_0) and returns
Y_hat of shape (N, n_L). ``backward`` is Nielsen's four equations (BP1-BP4), for l = L .. 1.
"""

import json
import zipfile

import numpy as np

from mlp_core.activations import get_activation
from mlp_core.losses import Loss
from mlp_core.validate import as_float_array, check_positive, check_sizes, check_X, check_Y

INITS = ("small", "normal", "xavier", "he")
_FORMAT = "mlp_core.MLP/2"        # arrays W1, b1, ..., WL, bL: the one index
_FORMAT_1 = "mlp_core.MLP/1"      # W0, b0, ..., W{L-1}, b{L-1}: still read


def init_weights(n_in, n_out, init, rng):
    """Initial ``W`` (n_out, n_in) and ``b`` (n_out, 1) for one layer.

    - "small": the post's ``0.1 * randn``, zero biases;
    - "normal": N(0, 1) weights and biases (Nielsen's network.py);
    - "xavier": N(0, 2 / (n_in + n_out)) weights (Glorot), zero biases;
    - "he": N(0, 2 / n_in) weights (for ReLU), zero biases.
    """
    W = rng.standard_normal((n_out, n_in))
    b = np.zeros((n_out, 1))
    if init == "small":
        W *= 0.1
    elif init == "normal":
        b = rng.standard_normal((n_out, 1))
    elif init == "xavier":
        W *= np.sqrt(2.0 / (n_in + n_out))
    elif init == "he":
        W *= np.sqrt(2.0 / n_in)
    else:
        raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITS)}")
    return W, b


class InputLayer:
    """Layer 0, the input: n_0 neurons whose activations are the samples. After a forward
    pass ``a`` is Xᵀ (n_0, N). It has no ``W``, ``b``, ``z`` or ``delta``: nothing to learn."""

    index = 0

    def __init__(self, n):
        self.n_out = n
        self.a = None

    def __repr__(self):
        return f"Layer 0: input, a ({self.n_out}, N)"


class Layer:
    """Layer l ≥ 1 of the network: the parameters ``W`` (n_l, n_{l-1}) and ``b`` (n_l, 1),
    in the post's words (n_out, n_in) and (n_out, 1), and after a forward and backward pass
    ``z``, ``a``, ``delta`` (n_l, N) and ``dW``, ``db``.

    Assigning ``W`` or ``b`` checks the shape, so a row ``b`` of shape (1, n_out), the post's
    choice, is refused instead of broadcasting into a wrong ``z``.
    """

    def __init__(self, index, n_in, n_out, W, b, activation):
        self.index = index
        self.n_in = n_in
        self.n_out = n_out
        self.activation = activation
        self.version = 0
        self.W = W
        self.b = b
        self.z = self.a = self.delta = self.dW = self.db = None

    def _checked(self, value, name, shape, what):
        arr = as_float_array(value, f"layer {self.index}: {name}")
        if arr.shape != shape:
            hint = ""
            if name == "b" and arr.shape == (1, self.n_out):
                hint = " A row b (the post's choice) would broadcast against z silently; use b.T."
            elif arr.shape == shape[::-1]:
                hint = f" It looks transposed: use {name}.T."
            raise ValueError(
                f"layer {self.index}: {name} must have shape {what} = {shape}, "
                f"got {arr.shape}.{hint}"
            )
        self.version += 1
        return arr.copy()

    @property
    def W(self):
        """Weights, shape (n_out, n_in) = (n_l, n_{l-1}): ``W[j, k]`` connects neuron k of
        layer l-1 to neuron j of layer l."""
        return self._W

    @W.setter
    def W(self, value):
        self._W = self._checked(value, "W", (self.n_out, self.n_in), "(n_out, n_in)")

    @property
    def b(self):
        """Biases, a column of shape (n_out, 1) = (n_l, 1)."""
        return self._b

    @b.setter
    def b(self, value):
        self._b = self._checked(value, "b", (self.n_out, 1), "(n_out, 1)")

    def __repr__(self):
        return (f"Layer {self.index}: {self.activation.name}, W {self.W.shape}, "
                f"b {self.b.shape}")


class MLP:
    """A multi-layer perceptron trained by back-propagation.

    sizes: the post's ``neurons_per_layer`` [n_0, ..., n_L], e.g. [2, 3, 1] or [64, 30, 10].
    activation: hidden-layer activation ("sigmoid", "tanh", "relu", "identity").
    output_activation: the output layer's ("sigmoid", "tanh", "relu", "identity", "softmax");
        None means the same as ``activation``.
    loss: "mse" (Nielsen's quadratic cost) or "cross_entropy" (sigmoid or softmax output).
    init: "small" (the post's 0.1·randn), "normal", "xavier" or "he".
    seed: seeds the initial weights; the same seed gives the same network.

    ``net.layers[l]`` is layer l of the equations: ``layers[0]`` the input, ``layers[L]`` the
    output, ``L = net.L = len(sizes) - 1``.
    """

    def __init__(self, sizes, activation="sigmoid", output_activation=None, loss="mse",
                 init="small", seed=None):
        self.sizes = check_sizes(sizes)
        hidden = get_activation(activation)
        if hidden.output_only:
            raise ValueError(
                f"activation={hidden.name!r} couples the neurons of a layer and is meant for "
                "the output only: use output_activation='softmax'"
            )
        output = hidden if output_activation is None else get_activation(output_activation)
        self.loss_fn = Loss(loss, output)
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}: choose one of {', '.join(INITS)}")
        self.activation, self.output_activation = hidden.name, output.name
        self.loss_name, self.init, self.seed = loss, init, seed
        self.L = len(self.sizes) - 1
        rng = np.random.default_rng(seed)
        self.layers = [InputLayer(self.sizes[0])]
        for l in range(1, self.L + 1):
            W, b = init_weights(self.sizes[l - 1], self.sizes[l], init, rng)
            act = output if l == self.L else hidden
            self.layers.append(Layer(l, self.sizes[l - 1], self.sizes[l], W, b, act))
        self._versions_seen = None

    # ----- the forward pass -------------------------------------------------------------
    def forward(self, X):
        """Forward pass. X: (N, n_0), or one sample (n_0,). Returns Y_hat = a[L]ᵀ (N, n_L).

        Stores ``a`` (n_0, N) on layer 0, and ``z`` and ``a`` (n_l, N) on every layer l ≥ 1,
        for ``backward``.
        """
        X = check_X(X, self.sizes[0])
        self.layers[0].a = X.T
        for l in range(1, self.L + 1):
            layer = self.layers[l]
            layer.z = layer.W @ self.layers[l - 1].a + layer.b
            layer.a = layer.activation.f(layer.z)
        self._versions_seen = self._versions()
        return self.layers[self.L].a.T

    def _versions(self):
        return tuple(layer.version for layer in self.layers[1:])

    # ----- the backward pass ------------------------------------------------------------
    def backward(self, Y):
        """Back-propagation for the batch of the last ``forward``, Nielsen's four equations.

        Y: targets (N, n_L), or N integer class labels. Fills ``delta`` (n_l, N), ``dW``
        and ``db`` (the batch-mean gradients) on every layer l = L .. 1. Returns the cost.
        """
        if self._versions_seen is None:
            raise ValueError("backward needs a forward pass first: call net.forward(X)")
        if self._versions_seen != self._versions():
            raise ValueError(
                "the weights changed since the last forward pass (step or a new W or b), so "
                "the cached z and a are stale: call net.forward(X) again before backward"
            )
        L, layers = self.L, self.layers
        N = layers[0].a.shape[1]
        y = check_Y(Y, N, self.sizes[-1], self.loss_name).T             # (n_L, N)
        out = layers[L]
        cost = self.loss_fn.cost(out.z, out.a, y)
        out.delta = self.loss_fn.delta(out.z, out.a, y)                        # BP1
        for l in range(L - 1, 0, -1):
            layer, above = layers[l], layers[l + 1]
            layer.delta = layer.activation.backprop(layer.z, layer.a,
                                                    above.W.T @ above.delta)   # BP2
        for l in range(L, 0, -1):
            layer = layers[l]
            layer.db = layer.delta.mean(axis=1, keepdims=True)                 # BP3
            layer.dW = layer.delta @ layers[l - 1].a.T / N                     # BP4
        return cost

    def step(self, lr, weight_decay=0.0):
        """One gradient-descent update of every layer l = 1 .. L, in place:
        W ← W − lr·(dW + λ·W) and b ← b − lr·db, with λ = ``weight_decay`` (L2, default 0).
        Raises ValueError, naming the layer, if a gradient does not fit its parameter or a
        weight becomes NaN or infinite."""
        check_positive(lr, "lr (the learning rate)")
        if not (isinstance(weight_decay, (int, float)) and weight_decay >= 0):
            raise ValueError(f"weight_decay must be a number ≥ 0, got {weight_decay!r}")
        layers = self.layers[1:]
        if any(layer.dW is None for layer in layers):
            raise ValueError("step needs gradients: call net.forward(X) and net.backward(Y) first")
        for layer in layers:           # a gradient set by hand must fit its parameter
            for name, grad, shape, what in (("dW", layer.dW, layer.W.shape, "(n_out, n_in)"),
                                            ("db", layer.db, layer.b.shape, "(n_out, 1)")):
                if np.shape(grad) != shape:
                    raise ValueError(f"layer {layer.index}: {name} must have shape {what} = "
                                     f"{shape} to update {name[1:]}, got {np.shape(grad)}")
        for layer in layers:
            # In place, past the W and b setters (they would copy W on every mini-batch)
            if weight_decay:
                layer._W -= lr * (layer.dW + weight_decay * layer._W)
            else:
                layer._W -= lr * layer.dW
            layer._b -= lr * layer.db
            layer.version += 1
        for layer in layers:           # report a NaN or infinite weight now, as assigning W does
            as_float_array(layer.W, f"layer {layer.index}: W")
            as_float_array(layer.b, f"layer {layer.index}: b")

    # ----- evaluation -------------------------------------------------------------------
    def loss(self, X, Y):
        """The batch-mean cost of the network on X (N, n_0) with targets Y (N, n_L) or labels."""
        N = self.forward(X).shape[0]
        y = check_Y(Y, N, self.sizes[-1], self.loss_name).T                 # (n_L, N)
        out = self.layers[self.L]
        return self.loss_fn.cost(out.z, out.a, y)

    def predict(self, X):
        """Class indices (N,) for X (N, n_0): the argmax of each output row (ties go to the
        first), or, for a single output neuron, 1 where the output is at least 0.5."""
        Y_hat = self.forward(X)
        return labels_from(Y_hat)

    def accuracy(self, X, Y):
        """Fraction of samples whose predicted class is the true one, the post's argmax accuracy.

        Y: one-hot rows (N, n_L) or integer labels (N,); for one output, 0/1 targets."""
        X = check_X(X, self.sizes[0])
        Y = check_Y(Y, X.shape[0], self.sizes[-1], "accuracy")
        return float(np.mean(self.predict(X) == labels_from(Y)))

    @property
    def n_params(self):
        """The number of weights and biases: Σ_{l=1..L} n_l·n_{l-1} + n_l."""
        return sum(layer.W.size + layer.b.size for layer in self.layers[1:])

    def __repr__(self):
        return (f"MLP({self.sizes}, activation={self.activation!r}, "
                f"output_activation={self.output_activation!r}, loss={self.loss_name!r})")

    # ----- saving and loading -----------------------------------------------------------
    def save(self, path):
        """Save the architecture and the weights to a ``.npz`` file (plain arrays, no pickle).
        Returns the path written (numpy adds ``.npz`` if it is missing)."""
        config = {"sizes": self.sizes, "activation": self.activation,
                  "output_activation": self.output_activation, "loss": self.loss_name,
                  "init": self.init}
        arrays = {"format": np.array(_FORMAT), "config": np.array(json.dumps(config))}
        for layer in self.layers[1:]:
            arrays[f"W{layer.index}"], arrays[f"b{layer.index}"] = layer.W, layer.b
        path = str(path)
        np.savez(path, **arrays)
        return path if path.endswith(".npz") else path + ".npz"

    @classmethod
    def load(cls, path):
        """An ``MLP`` from a file written by ``save``, exact to the bit. Never unpickles."""
        try:
            f = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError) as err:
            raise ValueError(f"{path} is not a network saved by MLP.save ({err})") from None
        if not isinstance(f, np.lib.npyio.NpzFile):
            raise ValueError(f"{path} is not a network saved by MLP.save (not an .npz archive)")
        try:
            with f:
                data = {k: f[k] for k in f.files}
        except ValueError as err:   # e.g. an object array, which would need unpickling
            raise ValueError(f"{path} is not a network saved by MLP.save ({err})") from None
        # version 1 (mlp_core 0.1) numbered the weight layers from 0, the post's way
        shift = {_FORMAT: 0, _FORMAT_1: 1}.get(str(data.get("format", "")))
        if shift is None:
            raise ValueError(f"{path} is not a network saved by MLP.save (no {_FORMAT} marker)")
        try:
            config = json.loads(str(data["config"]))
            net = cls(config["sizes"], config["activation"], config["output_activation"],
                      config["loss"], config["init"], seed=0)
            for layer in net.layers[1:]:
                l = layer.index - shift
                layer.W, layer.b = data[f"W{l}"], data[f"b{l}"]
        except (KeyError, TypeError, json.JSONDecodeError) as err:
            raise ValueError(f"{path} is damaged: missing or unreadable {err}") from None
        return net


def labels_from(Y, out=None):
    """Class indices (N,) from rows Y (N, n): argmax per row, or Y ≥ 0.5 when n = 1.
    ``out``, an int array (N,), receives them (and is returned) instead of a new array."""
    Y = np.asarray(Y)
    if Y.ndim == 2 and Y.shape[1] == 1:
        labels = (Y[:, 0] >= 0.5).astype(int)
    elif Y.ndim == 1:
        labels = Y.astype(int)
    elif not Y.flags.c_contiguous:                  # a.T from the network: no reordering copy
        return Y.T.argmax(axis=0, out=out)
    else:
        return np.argmax(Y, axis=1, out=out)
    if out is None:
        return labels
    out[...] = labels
    return out
