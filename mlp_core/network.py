"""The post's ``MLP``, done right: vectorised over the batch, in one convention of shapes.

For sizes ``[n_0, n_1, ..., n_L]`` (the post's ``neurons_per_layer``) and a batch of N samples,
layer l (l = 0 .. L-1, the post's indexing) holds

    W      (n_out, n_in)   the post's W: row j holds the weights into neuron j
    b      (n_out, 1)      a column, so ``z = W a + b`` broadcasts over the batch
    z, a   (n_out, N)      one sample per column
    delta  (n_out, N)      the error ∂C/∂z of each sample
    dW, db like W, b       gradients of the batch-mean cost

Inputs and outputs face the user as rows: ``forward(X)`` takes X of shape (N, n_0) and returns
Y_hat of shape (N, n_L). Back-propagation follows Nielsen's four equations (BP1-BP4).
"""

import json
import zipfile

import numpy as np
from scipy.linalg.blas import daxpy

from mlp_core.activations import get_activation
from mlp_core.losses import Loss
from mlp_core.validate import as_float_array, check_positive, check_sizes, check_X, check_Y

INITS = ("small", "normal", "xavier", "he")
_FORMAT = "mlp_core.MLP/1"


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


class Layer:
    """One layer of the network: the parameters ``W`` (n_out, n_in) and ``b`` (n_out, 1), and
    after a forward and backward pass ``z``, ``a``, ``delta`` (n_out, N) and ``dW``, ``db``.

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
        """Weights, shape (n_out, n_in): ``W[j, k]`` connects input k to neuron j."""
        return self._W

    @W.setter
    def W(self, value):
        self._W = self._checked(value, "W", (self.n_out, self.n_in), "(n_out, n_in)")

    @property
    def b(self):
        """Biases, a column of shape (n_out, 1)."""
        return self._b

    @b.setter
    def b(self, value):
        self._b = self._checked(value, "b", (self.n_out, 1), "(n_out, 1)")

    def __repr__(self):
        return (f"Layer {self.index}: {self.activation.name}, W {self.W.shape}, "
                f"b {self.b.shape}")


class MLP:
    """A multi-layer perceptron trained by back-propagation.

    sizes: the post's ``neurons_per_layer``, e.g. [2, 3, 1] or [64, 30, 10].
    activation: hidden-layer activation ("sigmoid", "tanh", "relu", "identity").
    output_activation: the output layer's ("sigmoid", "tanh", "relu", "identity", "softmax");
        None means the same as ``activation``.
    loss: "mse" (Nielsen's quadratic cost) or "cross_entropy" (sigmoid or softmax output).
    init: "small" (the post's 0.1·randn), "normal", "xavier" or "he".
    seed: seeds the initial weights; the same seed gives the same network.
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
        rng = np.random.default_rng(seed)
        self.layers = []
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            act = output if i == len(self.sizes) - 2 else hidden
            W, b = init_weights(n_in, n_out, init, rng)
            self.layers.append(Layer(i, n_in, n_out, W, b, act))
        self._cache = None

    # ----- the forward pass -------------------------------------------------------------
    def forward(self, X):
        """Forward pass. X: (N, n_0), or one sample (n_0,). Returns Y_hat (N, n_L).

        Caches ``z`` and ``a`` (n_out, N) on every layer for ``backward``.
        """
        return self._forward(check_X(X, self.sizes[0]))

    def _forward(self, X):
        """``forward`` without input checks, for the training loop. X: float (N, n_0)."""
        a = X.T
        for layer in self.layers:
            z = layer.W @ a
            z += layer.b
            a = layer.activation.f(z)
            layer.z, layer.a = z, a
        self._cache = (X, self._versions())
        return a.T

    def _versions(self):
        return tuple(layer.version for layer in self.layers)

    # ----- the backward pass ------------------------------------------------------------
    def backward(self, Y):
        """Back-propagation for the batch of the last ``forward``.

        Y: targets (N, n_L), or N integer class labels. Fills ``delta`` (n_out, N), ``dW``
        and ``db`` (the batch-mean gradients) on every layer by BP1-BP4. Returns the cost.
        """
        if self._cache is None:
            raise ValueError("backward needs a forward pass first: call net.forward(X)")
        X, versions = self._cache
        if versions != self._versions():
            raise ValueError(
                "the weights changed since the last forward pass (step or a new W or b), so "
                "the cached z and a are stale: call net.forward(X) again before backward"
            )
        N = X.shape[0]
        Y = check_Y(Y, N, self.sizes[-1], self.loss_name)
        return self._backward(X, Y)

    def _backward(self, X, Y):
        """``backward`` without checks. X: (N, n_0) of the last forward; Y: float (N, n_L)."""
        N = X.shape[0]
        out = self.layers[-1]
        Yt = Y.T
        cost = self.loss_fn.cost(out.z, out.a, Yt)
        delta = self.loss_fn.delta(out.z, out.a, Yt)                          # BP1
        for l in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[l]
            a_prev = self.layers[l - 1].a if l > 0 else X.T
            layer.delta = delta
            layer.db = delta.sum(axis=1, keepdims=True) / N                   # BP3
            layer.dW = (delta / N) @ a_prev.T                                 # BP4
            # (dividing the small delta, not the large dW, saves a pass over dW)
            if l > 0:
                prev = self.layers[l - 1]
                delta = prev.activation.backprop(prev.z, prev.a, layer.W.T @ delta)  # BP2
        return cost

    def step(self, lr):
        """One gradient-descent update of every layer: W -= lr·dW, b -= lr·db (in place)."""
        check_positive(lr, "lr (the learning rate)")
        if any(layer.dW is None for layer in self.layers):
            raise ValueError("step needs gradients: call net.forward(X) and net.backward(Y) first")
        for layer in self.layers:      # a gradient set by hand must fit its parameter
            for name, grad, shape, what in (("dW", layer.dW, layer.W.shape, "(n_out, n_in)"),
                                            ("db", layer.db, layer.b.shape, "(n_out, 1)")):
                if np.shape(grad) != shape:
                    raise ValueError(f"layer {layer.index}: {name} must have shape {what} = "
                                     f"{shape} to update {name[1:]}, got {np.shape(grad)}")
        self._step(lr)
        for layer in self.layers:      # report a NaN or infinite weight now, as assigning W does
            as_float_array(layer.W, f"layer {layer.index}: W")
            as_float_array(layer.b, f"layer {layer.index}: b")

    def _step(self, lr, weight_decay=0.0):
        """``step`` without checks; ``weight_decay`` λ adds λ·W to dW (L2 regularisation)."""
        for layer in self.layers:
            # Update the arrays in place, past the W and b setters: they would check every
            # weight for NaN and copy W on every mini-batch (train checks the cost instead).
            W, b = layer._W, layer._b
            if weight_decay:
                W *= 1.0 - lr * weight_decay
            # W -= lr * dW in one pass and no temporary: BLAS's axpy, y ← y + α·x, on W's
            # contiguous memory (W.ravel() is a view: the setter stores a C-ordered copy).
            daxpy(np.asarray(layer.dW).ravel(), W.ravel(), a=-lr)
            b -= lr * layer.db
            layer.version += 1

    # ----- evaluation -------------------------------------------------------------------
    def loss(self, X, Y):
        """The batch-mean cost of the network on X (N, n_0) with targets Y (N, n_L) or labels."""
        X = check_X(X, self.sizes[0])
        Y = check_Y(Y, X.shape[0], self.sizes[-1], self.loss_name)
        self._forward(X)
        out = self.layers[-1]
        return self.loss_fn.cost(out.z, out.a, Y.T)

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
        """The number of weights and biases: Σ_l n_out·n_in + n_out."""
        return sum(layer.W.size + layer.b.size for layer in self.layers)

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
        for i, layer in enumerate(self.layers):
            arrays[f"W{i}"], arrays[f"b{i}"] = layer.W, layer.b
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
        if str(data.get("format", "")) != _FORMAT:
            raise ValueError(f"{path} is not a network saved by MLP.save (no {_FORMAT} marker)")
        try:
            config = json.loads(str(data["config"]))
            net = cls(config["sizes"], config["activation"], config["output_activation"],
                      config["loss"], config["init"], seed=0)
            for i, layer in enumerate(net.layers):
                layer.W, layer.b = data[f"W{i}"], data[f"b{i}"]
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
