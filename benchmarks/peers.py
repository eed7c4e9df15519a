"""A training run by each implementation the benchmark races, and the ceiling.

Every ``make_*`` function has the same signature,
``make_x(sizes, batch_size, X, y, lr, seed, epochs)``, and returns ``run()``: a function that
trains for ``epochs`` more epochs of mini-batch SGD over all of X (N, n_0) with integer labels
y (N,), in one call of the library's training function where it has one, and returns the number
of samples it processed; its attribute ``model`` is what it trains (for the tests). Everything
that is not training (building the network, converting the data) happens before, untimed.

All of them train the same network (sigmoid layers of ``sizes``) with plain SGD (no momentum,
no weight decay) on the same data; each does what its library does per mini-batch beyond the
gradients (``mlp_core.train`` and the PyTorch loop also total the cost and count the correct
predictions). scikit-learn's ``MLPClassifier`` has a softmax output with the log-loss instead
of a sigmoid output with the quadratic cost: the same matrix products, a few cheaper
elementwise operations on the last (n_L, N) block.
"""

import itertools

import numpy as np
from scipy.special import expit

from mlp_core import MLP, sigmoid, train


def synthetic_mnist(n, n_in=784, n_out=10, seed=0):
    """MNIST-shaped random data: X (n, n_in) float64 pixel values k/255, labels y (n,) in
    0 .. n_out-1. The benchmark measures speed, so the numbers need only the right shape."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(n, n_in)) / 255.0
    y = rng.integers(0, n_out, size=n)
    return X, y


def n_weights(sizes):
    """Σ_l n_l·n_{l-1}: the weights a sample meets (biases not counted)."""
    return sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def product_flops(sizes):
    """FLOPs of the matrix products one sample costs in a training step, as every trainer here
    does them: 2 per weight for z = W a, 2 for dW (BP4) and, except in the first layer (no
    delta goes back into the inputs), 2 for Wᵀ delta (BP2)."""
    return 6 * n_weights(sizes) - 2 * sizes[0] * sizes[1]


# ----- mlp_core -------------------------------------------------------------------------------
def make_mlp_core(sizes, batch_size, X, y, lr, seed=0, epochs=1, fused=True):
    """One ``mlp_core.train`` call per run (its checks of X and y included, once a call)."""
    net = MLP(sizes, seed=seed)
    shuffles = itertools.count(seed)

    def run():
        train(net, X, y, epochs=epochs, batch_size=batch_size, lr=lr, seed=next(shuffles),
              progress=False, fused=fused)
        return epochs * len(X)

    run.model = net
    return run


def make_mlp_core_plain(sizes, batch_size, X, y, lr, seed=0, epochs=1):
    """``mlp_core.train(fused=False)``: lesson 07's loop of forward, backward and step, to show
    beside the default what the fused step buys."""
    return make_mlp_core(sizes, batch_size, X, y, lr, seed, epochs, fused=False)


# ----- the post -------------------------------------------------------------------------------
def _scipy_sigmoid(z):
    from scipy.stats import logistic

    return logistic.cdf(z)


#: The post's ``MLP.sigmoid`` is ``np.array(logistic.cdf(a))`` with scipy's ``logistic``; "numpy"
#: puts ``mlp_core``'s sigmoid (the same function, 10× cheaper to call) in its place, so the
#: comparison is with the post's algorithm rather than with scipy's per-call overhead.
POST_SIGMOIDS = {"numpy": sigmoid, "scipy": _scipy_sigmoid}


class PostMLP:
    """The post's network and back-propagation, one sample at a time, with the gradients summed
    over each mini-batch before one update (the training loop the post leaves to the reader).

    The post's shapes: ``W[i]`` (n_{i+1}, n_i); ``b[i]`` a row (1, n_{i+1}), transposed in the
    forward pass; one sample x enters ``forward`` as a column (n_0, 1), so ``z[i]``, ``a[i]`` are
    columns (n_{i+1}, 1); ``y_hat``, y and every delta are rows (1, n); ``d_W = delta.T * a.T``
    is an outer product by broadcasting. Weights start as the post's ``0.1·randn``.
    """

    def __init__(self, sizes, seed=0, sigmoid="numpy"):
        rng = np.random.default_rng(seed)
        self.W = [0.1 * rng.standard_normal((n_out, n_in))
                  for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros((1, n_out)) for n_out in sizes[1:]]
        self._cdf = POST_SIGMOIDS[sigmoid]
        self.z, self.a = [], []

    def sigmoid(self, z):
        """The post's ``MLP.sigmoid``: ``np.array(logistic.cdf(z))``. z: any shape."""
        return np.array(self._cdf(z))

    def d_sigmoid(self, z):
        """The post's ``MLP.d_sigmoid``: σ(z)(1 − σ(z)), calling σ twice as it does."""
        return self.sigmoid(z) * (1 - self.sigmoid(z))

    def forward(self, x):
        """The post's ``forward`` for one sample x (n_0,): keeps z, a (n, 1) of every layer and
        returns y_hat, a row (1, n_L)."""
        a = x.reshape(x.shape[0], 1)
        self.z, self.a = [], []
        for W, b in zip(self.W, self.b):
            z = W @ a + b.T
            a = self.sigmoid(z)
            self.z.append(z)
            self.a.append(a)
        return a.T

    def gradients(self, x, y, y_hat):
        """The post's ``backpropagation`` steps 1-3 (delta, d_b, d_W) for one sample, without its
        update. x (1, n_0), y and y_hat (1, n_L) rows. Returns the lists d_W, d_b."""
        n = len(self.W)
        d_W, d_b = [None] * n, [None] * n
        delta = None
        for i in reversed(range(n)):
            if i == n - 1:
                delta = (y_hat - y) * self.d_sigmoid(self.z[i]).T
            else:
                delta = delta @ self.W[i + 1] * self.d_sigmoid(self.z[i]).T
            d_b[i] = delta
            d_W[i] = delta.T * (x if i == 0 else self.a[i - 1].T)
        return d_W, d_b

    def train_epoch(self, X, Y, batch_size, lr, rng):
        """One epoch over X (N, n_0), Y (N, n_L) in a shuffled order: per mini-batch, sum the
        per-sample gradients, then W ← W − lr·(sum/m), b likewise, for a batch of m samples."""
        order = rng.permutation(len(X))
        for first in range(0, len(X), batch_size):
            idx = order[first:first + batch_size]
            sum_W = [np.zeros_like(W) for W in self.W]
            sum_b = [np.zeros_like(b) for b in self.b]
            for k in idx:
                y = Y[k:k + 1]
                y_hat = self.forward(X[k])
                d_W, d_b = self.gradients(X[k:k + 1], y, y_hat)
                for i in range(len(self.W)):
                    sum_W[i] += d_W[i]
                    sum_b[i] += d_b[i]
            for i in range(len(self.W)):
                self.W[i] -= lr * sum_W[i] / len(idx)
                self.b[i] -= lr * sum_b[i] / len(idx)


def make_post(sizes, batch_size, X, y, lr, seed=0, epochs=1, sigmoid="numpy"):
    """The post's per-sample algorithm (``PostMLP``), ``epochs`` epochs per run."""
    net = PostMLP(sizes, seed=seed, sigmoid=sigmoid)
    Y = np.eye(sizes[-1])[y]
    rng = np.random.default_rng(seed)

    def run():
        for _ in range(epochs):
            net.train_epoch(X, Y, batch_size, lr, rng)
        return epochs * len(X)

    run.model = net
    return run


def make_post_scipy(sizes, batch_size, X, y, lr, seed=0, epochs=1):
    """The post exactly as published: its sigmoid is ``scipy.stats.logistic.cdf``."""
    return make_post(sizes, batch_size, X, y, lr, seed, epochs, sigmoid="scipy")


# ----- scikit-learn ---------------------------------------------------------------------------
def make_sklearn(sizes, batch_size, X, y, lr, seed=0, epochs=1):
    """scikit-learn's ``MLPClassifier``, the same hidden layers, logistic activation, plain SGD
    (constant rate, no momentum, alpha = 0): one ``fit`` of ``epochs`` shuffled epochs per run,
    continuing from the weights it has (``warm_start``), its checks of X and y once a call. y
    must hold every class."""
    import warnings

    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="logistic",
                        solver="sgd", alpha=0.0, batch_size=batch_size, learning_rate="constant",
                        learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False,
                        shuffle=True, random_state=seed, tol=0.0, n_iter_no_change=10**9,
                        max_iter=epochs, warm_start=True)

    def run():                                      # the first run also makes the weights
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # "maximum iterations reached": as asked
            clf.fit(X, y)
        return epochs * len(X)

    run.model = clf
    return run


# ----- PyTorch --------------------------------------------------------------------------------
def make_torch(sizes, batch_size, X, y, lr, seed=0, epochs=1, dtype="float64"):
    """The usual PyTorch loop: ``nn.Sequential`` of ``Linear`` and ``Sigmoid``, Nielsen's
    quadratic cost, ``optim.SGD``; per mini-batch it also totals the cost (``loss.item()``) and
    counts the correct predictions, as ``mlp_core.train`` does. CPU, in ``dtype``."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    kind = getattr(torch, dtype)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out, dtype=kind), nn.Sigmoid()]
    model = nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    Xt = torch.from_numpy(X).to(kind)
    labels = torch.from_numpy(np.asarray(y))
    Yt = torch.from_numpy(np.eye(sizes[-1])[y]).to(kind)
    shuffle = torch.Generator().manual_seed(seed)
    N = len(X)

    def run():
        for _ in range(epochs):
            order = torch.randperm(N, generator=shuffle)
            total, correct = 0.0, 0
            for first in range(0, N, batch_size):
                idx = order[first:first + batch_size]
                out = model(Xt[idx])
                loss = 0.5 * ((out - Yt[idx]) ** 2).sum() / len(idx)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
                correct += int((out.argmax(dim=1) == labels[idx]).sum())
        return epochs * N

    run.model = model
    return run


def make_torch32(sizes, batch_size, X, y, lr, seed=0, epochs=1):
    """``make_torch`` in float32 (the data converted once, before timing)."""
    return make_torch(sizes, batch_size, X, y, lr, seed, epochs, dtype="float32")


# ----- the ceiling ----------------------------------------------------------------------------
def make_matmul_ceiling(sizes, batch_size, X, y, lr, seed=0, epochs=1, gather=False,
                        sigmoid=False):
    """numpy's time for only the matrix products of ``mlp_core``'s training steps, at the same
    shapes and memory layouts, into preallocated arrays: per layer l, z = W a_{l-1} (forward),
    dW = delta a_{l-1}ᵀ (BP4) and, for l > 0, Wᵀ delta (BP2). One call runs as many mini-batches
    as ``epochs`` epochs hold (whole batches only); no training happens, so nothing can go
    faster. It multiplies the same cached batch every step, unless ``gather``: then each step
    first gathers its shuffled batch ``X[idx]`` from memory, as every trainer must; and with
    ``sigmoid``, each z = W a also goes through σ (scipy's ``expit``, in place), the one
    elementwise pass a sigmoid network cannot skip. Each adds work, so each makes a lower
    (tighter) ceiling."""
    rng = np.random.default_rng(seed)
    B = min(batch_size, len(X))
    Ws = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    a = [np.ascontiguousarray(X[:B]).T] + [np.empty((n, B)) for n in sizes[1:]]
    deltas = [rng.standard_normal((n, B)) for n in sizes[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    per_epoch = len(X) // B
    L = len(Ws)

    def run():
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for step in range(per_epoch):
                if gather:
                    a[0] = X[order[step * B:(step + 1) * B]].T
                for l in range(L):
                    np.matmul(Ws[l], a[l], out=a[l + 1])
                    if sigmoid:
                        expit(a[l + 1], out=a[l + 1])
                for l in range(L - 1, -1, -1):
                    np.matmul(deltas[l], a[l].T, out=dWs[l])
                    if l > 0:
                        np.matmul(Ws[l].T, deltas[l], out=deltas[l - 1])
        return epochs * per_epoch * B

    run.model = None
    return run


def make_matmul_gather_ceiling(sizes, batch_size, X, y, lr, seed=0, epochs=1):
    """``make_matmul_ceiling`` with each step's shuffled batch gathered from memory first."""
    return make_matmul_ceiling(sizes, batch_size, X, y, lr, seed, epochs, gather=True)


def make_matmul_sigmoid_ceiling(sizes, batch_size, X, y, lr, seed=0, epochs=1):
    """``make_matmul_ceiling`` with the gather and σ on every layer: the matrix products, the
    batch and the sigmoid, the least a numpy float64 trainer of sigmoid layers must do."""
    return make_matmul_ceiling(sizes, batch_size, X, y, lr, seed, epochs, gather=True,
                               sigmoid=True)
