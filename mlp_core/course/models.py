"""The computation behind the widgets, which the checks and the lessons use too.

A widget shows; the numbers it shows are computed here, from the engine alone, so a check or a
lesson can compute the same numbers without building a picture. Nothing here imports a widget.
Layers use the one index: ``net.layers[l]`` is layer l of the equations, l = 1 .. L (layer 0
is the input, with only ``a``).

- Lesson 06, finite differences: ``cost_in`` (the cost with every number in float64 or
  float32), ``eps_sweep`` (the V of the centred difference as ε shrinks) and ``v_theory`` (its
  two straight lines); ``verdict`` reads a relative error on CS231n's scale; ``diagnose``
  gradient-checks and shape-checks every layer (of a network with a planted bug, say) and
  ``flagged`` lists the layers it calls wrong.
- Lesson 09, how fast each layer learns: ``deep_net`` (Nielsen's chapter-5 network),
  ``gradient_norms`` (‖db[l]‖ for l = 1 .. L), ``saturation_edge`` and ``saturated_fraction``.
- Lesson 10, the playground: ``Settings`` (every control), ``playground_data``,
  ``playground_net`` and ``Experiment``, the trainer: data, network and history, one epoch of
  lesson 07's loop per ``run_epoch()``.
"""

from dataclasses import dataclass

import numpy as np

from mlp_core.activations import sigmoid_prime
from mlp_core.datasets import DATASETS, make_dataset, one_hot, train_test_split
from mlp_core.fused import FusedStep
from mlp_core.gradcheck import numerical_gradient, relative_error
from mlp_core.network import MLP

# CS231n's reading of a relative error, as in the check protocol (mlp_core.course.checks)
RIGHT, WRONG = 1e-7, 1e-2

# ===== lesson 06: the step-size V of finite differences ======================================

_IN_DTYPE = {
    "sigmoid": lambda z: 0.5 * (1 + np.tanh(0.5 * z)),   # σ without exp overflow, dtype kept
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "identity": lambda z: z,
}


def cost_in(net, X, Y, dtype, weights=None):
    """Nielsen's quadratic cost C = 1/(2N) Σ ||a − y||² with every number of the forward pass
    held in ``dtype`` (np.float64 or np.float32). X: (N, n_0); Y: (N, n_L).
    weights: {l: W[l]} for l = 1 .. L, already in ``dtype``; default, the network's."""
    if net.loss_name != "mse" or net.layers[-1].activation.name == "softmax":
        raise ValueError("cost_in computes the MSE cost with an elementwise output activation")
    if weights is None:
        weights = {l: net.layers[l].W.astype(dtype) for l in range(1, net.L + 1)}
    a = np.asarray(X, dtype=dtype).T                     # a[0] = Xᵀ
    for l in range(1, net.L + 1):
        layer = net.layers[l]
        a = _IN_DTYPE[layer.activation.name](weights[l] @ a + layer.b.astype(dtype))
    diff = a - np.asarray(Y, dtype=dtype).T
    return np.sum(diff * diff) / dtype(2 * X.shape[0])


def eps_sweep(net, X, Y, layer, index, eps_values, dtype=np.float64):
    """Relative error of the centred difference (C(w + ε) − C(w − ε)) / 2ε for the weight
    ``net.layers[layer].W[index]`` (layer l = 1 .. L, index a pair (j, k)), computed in
    ``dtype``, against back-propagation's ``dW[layer]`` (float64). X: (N, n_0); Y: (N, n_L).
    The network is not changed (the sweep perturbs a copy of the weights). Returns an array
    shaped like ``eps_values``."""
    net.forward(X)
    net.backward(Y)
    exact = net.layers[layer].dW[index]
    weights = {l: net.layers[l].W.astype(dtype) for l in range(1, net.L + 1)}
    W = weights[layer]
    w = W[index]
    errors = []
    for eps in eps_values:
        W[index] = w + dtype(eps)
        c_plus = cost_in(net, X, Y, dtype, weights)
        W[index] = w - dtype(eps)
        c_minus = cost_in(net, X, Y, dtype, weights)
        W[index] = w
        numeric = float((c_plus - c_minus) / (dtype(2) * dtype(eps)))
        errors.append(relative_error(numeric, exact))
    return np.array(errors)


def v_theory(net, X, Y, layer, index, eps_values, errors64):
    """The two straight lines of the V for ``net.layers[layer].W[index]``, in relative-error
    units.

    truncation: (ε² / 6)·|C'''| / |C'|, with |C'''| fitted to the float64 errors at the three
    largest ε (eps_values ascending; there rounding is negligible); rounding(u): u·|C| / (ε·|C'|)
    for the unit roundoff u of a dtype. Returns (truncation array, rounding function,
    best-ε function)."""
    net.forward(X)
    C = net.backward(Y)
    g = abs(net.layers[layer].dW[index])
    eps_values = np.asarray(eps_values, dtype=float)
    k = np.median(errors64[-3:] / eps_values[-3:] ** 2)       # = |C'''| / (6 |C'|)
    truncation = k * eps_values ** 2

    def rounding(u):
        return u * C / (eps_values * g)

    def best_eps(u):
        """Where the two lines cross: ε³ = u·C / (g·k)."""
        return (u * C / (g * k)) ** (1 / 3)

    return truncation, rounding, best_eps


def verdict(err):
    """CS231n's reading of a relative error: "right" (≤ 1e-7), "wrong" (≥ 1e-2), else
    "suspicious"."""
    if err <= RIGHT:
        return "right"
    return "wrong" if err >= WRONG else "suspicious"


def diagnose(net, X, Y, eps=1e-5):
    """Gradient-check every layer l = 1 .. L, and note what a shape check sees.

    net: an ``MLP`` (or a ``BuggyMLP`` of ``mlp_core.course.bugs``, whose ``backward`` has a
    planted mistake); X: (N, n_0); Y: (N, n_L). Returns a dict with
    - "failure": the error message if ``backward`` itself raised (a shape error), else None;
    - "layers": {l: entry} for l = 1 .. L, each entry holding, for "W" and "b", a dict with
      "numeric" (finite differences of ``net.loss``, shaped like the parameter), "analytic"
      (the gradient ``backward`` left, any shape), "shape_ok" (its shape equals the
      parameter's) and "error" (relative error, or None when the shapes differ).
    """
    numeric = {l: {p: numerical_gradient(net, X, Y, l, p, eps) for p in ("W", "b")}
               for l in range(1, net.L + 1)}
    try:
        net.forward(X)
        net.backward(Y)
    except ValueError as err:
        return {"failure": str(err), "layers": {}}
    layers = {}
    for l, num in numeric.items():
        layer, entry = net.layers[l], {}
        for p, grad in (("W", layer.dW), ("b", layer.db)):
            ok = grad.shape == num[p].shape
            entry[p] = {"numeric": num[p], "analytic": grad, "shape_ok": ok,
                        "error": relative_error(grad, num[p]) if ok else None}
        layers[l] = entry
    return {"failure": None, "layers": layers}


def flagged(diag):
    """The layers l (1 .. L) whose dW[l] or db[l] a ``diagnose`` result calls wrong or
    suspicious."""
    return [l for l, entry in diag["layers"].items()
            if any(e["shape_ok"] and verdict(e["error"]) != "right" for e in entry.values())]


# ===== lesson 09: how fast each layer learns =================================================

WIDTH = 30          # neurons per hidden layer, as in Nielsen's chapter 5
# Saturation, the course's one definition (lessons 01 and 09): σ'(z) below 1 % of its peak.
PEAK = 0.25                     # σ'(0), the steepest slope of the sigmoid
SATURATION = 0.01               # saturated: σ'(z) below this fraction of PEAK
SATURATED = SATURATION * PEAK   # 0.0025: σ'(z) below this counts as saturated (|z| > 5.99)


def deep_net(depth, init="xavier", activation="sigmoid", n_in=64, n_out=10, seed=0):
    """An MLP [n_in, 30, ..., 30, n_out] with ``depth`` hidden layers of ``activation``,
    sigmoid outputs and the cross-entropy cost: the set-up of Nielsen's chapter 5."""
    return MLP([n_in] + [WIDTH] * depth + [n_out], activation=activation,
               output_activation="sigmoid", loss="cross_entropy", init=init, seed=seed)


def gradient_norms(net, X, Y):
    """Nielsen's speed of learning of each layer: {l: ‖db[l]‖} for l = 1 .. L, after one
    forward and one backward pass.

    X: (N, n_0) inputs; Y: (N, n_L) targets or N labels. db[l] (n_l, 1) is the batch mean of
    delta[l] (n_l, N). Keys run from the first hidden layer (1) to the output layer (L), as
    ``gradcheck``'s do; the values are floats."""
    net.forward(X)
    net.backward(Y)
    return {l: float(np.linalg.norm(net.layers[l].db)) for l in range(1, net.L + 1)}


def saturation_edge(threshold=SATURATED):
    """The |z| beyond which σ'(z) < threshold (5.99 for SATURATED = 0.0025, 1 % of the peak):
    σ(1 − σ) = t solved for z."""
    r = np.sqrt(1 - 4 * threshold)
    return float(np.log((1 + r) / (1 - r)))


def saturated_fraction(z, threshold=SATURATED):
    """The fraction of the entries of z (any shape) where σ'(z) < threshold, by default where
    σ'(z) is below 1 % of its peak (|z| > 5.99)."""
    return float(np.mean(sigmoid_prime(z) < threshold))


# ===== lesson 10: the playground's trainer ===================================================

N_POINTS = 300                       # points per dataset, split into train and test
BLOWUP = 10.0                        # a train loss this many times its start counts as diverged
ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity")
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 8
MAX_BATCH = 30
NOISE_RANGE = (0.0, 0.5)             # the noise slider's ends


@dataclass(frozen=True)
class Settings:
    """Everything the playground's controls set. The defaults are close to TensorFlow
    Playground's: two hidden layers of tanh neurons, batches of 10, half the points to train on.

    dataset: one of ``DATASETS``; noise: the spread added to the points (0 to 0.5);
    train_percent: the share of the ``N_POINTS`` points used for training (10 to 90, the rest
    is the test set); hidden_layers (0 to 4) of ``neurons`` each (1 to 8); activation: the
    hidden layers' (one of ``ACTIVATIONS``); lr: the learning rate η (one of
    ``LEARNING_RATES``); batch_size: samples per update (1 to 30); l2: the L2 strength λ, the
    engine's ``weight_decay`` (one of ``L2_RATES``). Out-of-range values raise ValueError.
    """

    dataset: str = "moons"
    noise: float = 0.05
    train_percent: int = 50
    hidden_layers: int = 2
    neurons: int = 4
    activation: str = "tanh"
    lr: float = 0.3
    batch_size: int = 10
    l2: float = 0.0

    def __post_init__(self):
        def refuse(name, allowed):
            raise ValueError(f"{name} = {getattr(self, name)!r} is not a playground setting: "
                             f"choose {allowed}")

        def integer_in(name, lo, hi, step=1):
            value = getattr(self, name)
            if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                    or not lo <= value <= hi or (value - lo) % step):
                refuse(name, f"an integer from {lo} to {hi}" + (f" in steps of {step}"
                                                                 if step > 1 else ""))

        if self.dataset not in DATASETS:
            refuse("dataset", "one of " + ", ".join(DATASETS))
        if (isinstance(self.noise, bool) or not isinstance(self.noise, (int, float))
                or not NOISE_RANGE[0] <= self.noise <= NOISE_RANGE[1]):
            refuse("noise", "a number from {} to {}".format(*NOISE_RANGE))
        integer_in("train_percent", 10, 90, step=10)
        integer_in("hidden_layers", 0, MAX_HIDDEN_LAYERS)
        integer_in("neurons", 1, MAX_NEURONS)
        integer_in("batch_size", 1, MAX_BATCH)
        if self.activation not in ACTIVATIONS:
            refuse("activation", "one of " + ", ".join(ACTIVATIONS))
        if self.lr not in LEARNING_RATES:
            refuse("lr", "one of " + ", ".join(f"{v:g}" for v in LEARNING_RATES))
        if self.l2 not in L2_RATES:
            refuse("l2", "one of " + ", ".join(f"{v:g}" for v in L2_RATES))


def playground_data(settings, seed=0):
    """The points for ``settings``: ``N_POINTS`` of the dataset, split by ``train_percent``.
    Returns X_train (n_train, 2), X_test (n_test, 2), y_train (n_train,), y_test (n_test,)."""
    X, y = make_dataset(settings.dataset, n=N_POINTS, noise=settings.noise, seed=seed)
    return train_test_split(X, y, test_size=(100 - settings.train_percent) / 100, seed=seed)


def playground_net(settings, n_classes, seed=0):
    """The network for ``settings``: sizes [2, neurons × hidden_layers, n_out] with one sigmoid
    output for two classes (else a softmax over ``n_classes``), cross-entropy, and Xavier
    initial weights (He for ReLU)."""
    two = n_classes == 2
    sizes = [2] + [settings.neurons] * settings.hidden_layers + [1 if two else n_classes]
    return MLP(sizes, activation=settings.activation,
               output_activation="sigmoid" if two else "softmax", loss="cross_entropy",
               init="he" if settings.activation == "relu" else "xavier", seed=seed)


class Experiment:
    """The data, the network and the training state for one ``Settings`` and seed: the
    playground's trainer.

    X_train (n_train, 2), y_train (n_train,), X_test, y_test: the points; Y_train, Y_test:
    the targets the cost compares with, (n, 1) for two classes or one-hot (n, n_classes);
    net: the ``MLP``; epoch: epochs finished; train_loss, test_loss: the cost on each set
    before training and after every epoch (``epoch + 1`` values each); diverged: None, or the
    message that says why training stopped. The same settings and seed give the same numbers.

    Each ``run_epoch()`` is lesson 07's loop for one epoch, with the generator seeded once
    here: one ``rng.permutation(n_train)``, then mini-batches in that order. fused: True (the
    default, as ``train``'s) runs each mini-batch as one ``mlp_core.fused.FusedStep`` call, so
    the epochs are ``train``'s bit for bit; False runs ``net.forward``, ``net.backward`` and
    ``net.step(lr, weight_decay)``, the three calls of lesson 07 (the two agree to ~1e-15).

    ``settings`` may be replaced between epochs: ``run_epoch`` reads lr, batch_size and l2
    afresh each time, as TensorFlow Playground does when those controls move.
    """

    def __init__(self, settings=None, seed=0, fused=True):
        self.settings = settings or Settings()
        self.seed = seed
        self.X_train, self.X_test, self.y_train, self.y_test = playground_data(self.settings,
                                                                               seed)
        self.n_classes = int(max(self.y_train.max(), self.y_test.max())) + 1
        self.net = playground_net(self.settings, self.n_classes, seed)
        self.fused_step = FusedStep(self.net) if fused else None
        self.Y_train, self.Y_test = self._targets(self.y_train), self._targets(self.y_test)
        self.rng = np.random.default_rng(seed)
        self.epoch = 0
        self.diverged = None
        self.train_loss, self.test_loss = [], []
        self._record(*self.losses())

    def _targets(self, y):
        if self.n_classes == 2:
            return y[:, None].astype(float)
        return one_hot(y, self.n_classes)

    def cost(self, X, Y):
        """The network's batch-mean cost on X (N, 2) with targets Y (N, n_L); NaN or infinite
        (no warning) when the weights have blown up."""
        with np.errstate(all="ignore"):
            self.net.forward(X)
            out = self.net.layers[-1]
            return self.net.loss_fn.cost(out.z, out.a, Y.T)

    def losses(self):
        """(train loss, test loss) of the current network."""
        return self.cost(self.X_train, self.Y_train), self.cost(self.X_test, self.Y_test)

    def accuracy(self, which="test"):
        """The fraction of the "test" or "train" points the network classifies right."""
        X, y = (self.X_test, self.y_test) if which == "test" else (self.X_train, self.y_train)
        with np.errstate(all="ignore"):
            return self.net.accuracy(X, y)

    def _record(self, train, test):
        self.train_loss.append(train)
        self.test_loss.append(test)

    def _batch_step(self, batch, lr, weight_decay):
        """Forward, backward and step on the training rows ``batch``. Returns the cost before
        the update; when it is not finite the weights are left as they were."""
        if self.fused_step is not None:
            return self.fused_step(self.X_train, self.Y_train, batch, lr, weight_decay)
        self.net.forward(self.X_train[batch])
        cost = self.net.backward(self.Y_train[batch])
        if np.isfinite(cost):
            try:
                self.net.step(lr, weight_decay)
            except ValueError:                   # a weight became NaN or infinite
                return np.inf
        return cost

    def run_epoch(self):
        """One epoch of mini-batch SGD: shuffle the training points with the seeded generator,
        then for each batch of ``batch_size`` rows run the forward pass, BP1-BP4 and the
        update with weight decay l2. Returns True when the epoch finished with finite losses
        below ``BLOWUP`` times the starting train loss.

        A cost that stops being finite puts the weights back as they were before the epoch
        (the picture stays readable); a train loss that blows up keeps the epoch so its curve
        shows the jump. Either way ``diverged`` says what happened and the call returns False,
        as does every call after it until a new ``Experiment``.
        """
        if self.diverged:
            return False
        s = self.settings
        saved = [(layer.W.copy(), layer.b.copy()) for layer in self.net.layers[1:]]
        order = self.rng.permutation(len(self.X_train))
        with np.errstate(all="ignore"):
            for first in range(0, len(order), s.batch_size):
                cost = self._batch_step(order[first:first + s.batch_size], s.lr, s.l2)
                if not np.isfinite(cost):
                    self._restore(saved)
                    return self._stop(self.epoch + 1, f"the loss became {cost}")
        train, test = self.losses()
        if not (np.isfinite(train) and np.isfinite(test)):
            self._restore(saved)
            bad = train if not np.isfinite(train) else test
            return self._stop(self.epoch + 1, f"the loss became {bad}")
        self.epoch += 1
        self._record(train, test)
        if train > BLOWUP * self.train_loss[0]:
            start = self.train_loss[0]
            return self._stop(self.epoch, f"the training loss rose from {start:.3g} to "
                                          f"{train:.3g}, more than {BLOWUP:g} times its start")
        return True

    def _restore(self, saved):
        """Put back the weights and biases saved as (W, b) pairs, one per layer l = 1 .. L."""
        for layer, (W, b) in zip(self.net.layers[1:], saved):
            layer.W, layer.b = W, b

    def _stop(self, epoch, what):
        s = self.settings
        why = (f" With L2, each step also multiplies W by 1 − η·λ = {1 - s.lr * s.l2:g}: "
               "keep η·λ below 2." if s.lr * s.l2 >= 2 else "")
        self.diverged = (f"Diverged in epoch {epoch} (learning rate {s.lr:g}): {what}. The "
                         f"steps overshoot: lower the learning rate (try {s.lr / 10:g}) and "
                         f"press Reset.{why}")
        return False
