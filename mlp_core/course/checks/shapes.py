"""Checks for the exercise of lesson 02 (shapes): predicting every array's shape.

Each check takes the learner's function and the test case, runs it through ``call`` and
prints one short line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a hint that
names the usual mistake and ``CheckFailed``, or "not done yet".

The exercise, ``predict_shapes(sizes, N)``, returns a dict keyed by layer, l = 1 .. L, as
``net.layers[l]`` and ``gradcheck`` number them (layer 0 is the input: only a[0] = Xᵀ, nothing
to learn): ``shapes[l]`` maps "W", "b", "z", "a", "delta", "dW", "db" to shape tuples.
"""

from collections.abc import Mapping

import numpy as np

from mlp_core.course import checks
from mlp_core.course.checks import exercise, fail, layer_keys_problem, passed
from mlp_core.network import MLP

KINDS = ("W", "b", "z", "a", "delta", "dW", "db")

WHY = {
    "W": "W[l] is (n_l, n_{l-1}): one row per neuron of layer l, one column per input it reads",
    "b": "b[l] is a column (n_l, 1), one bias per neuron",
    "z": "z[l] is (n_l, N): one row per neuron, one column per sample",
    "a": "a[l] = σ(z[l]) has the shape of z[l]: (n_l, N)",
    "delta": "delta[l] = ∂C/∂z[l] has the shape of z[l]: (n_l, N)",
    "dW": ("dW[l] = ∂C/∂W[l] has one entry per weight, so the shape of W[l]: the cost is one "
           "number, averaged over the batch"),
    "db": ("db[l] = ∂C/∂b[l] has one entry per bias, so the shape of b[l]: the cost is one "
           "number, averaged over the batch"),
}


def engine_shapes(sizes, N, seed=0):
    """The shapes a real forward and backward pass of ``MLP(sizes)`` on N samples leaves on
    each layer: a dict {l: {"W": (n_l, n_{l-1}), "b": ..., "z", "a", "delta", "dW", "db"}} for
    the layers l = 1 .. L."""
    net = MLP(sizes, seed=seed)
    rng = np.random.default_rng(seed)
    net.forward(rng.standard_normal((N, sizes[0])))
    net.backward(rng.random((N, sizes[-1])))
    return {layer.index: {k: getattr(layer, k).shape for k in KINDS} for layer in net.layers[1:]}


def _why_wrong(kind, got, expected, n_l, N):
    """A hint for one mispredicted shape of a layer with n_l neurons."""
    if kind == "b" and got == (1, n_l):
        return "that is the post's row; the engine keeps b as a column (n_l, 1)"
    if kind == "db" and got == (n_l, N):
        return ("one bias gradient per neuron, not per sample: the cost averages over the "
                "batch, so db has one entry per bias, the shape of b")
    if kind == "dW" and len(got) == 3:
        return "dW is the batch mean, not one matrix per sample"
    if kind in ("z", "a", "delta") and got == (N, n_l):
        return "rows per sample is how X and Y_hat face the user; inside, one sample per column"
    if got == expected[::-1]:
        return "it looks transposed; " + WHY[kind]
    return WHY[kind]


def _as_shape(value):
    try:
        return tuple(int(n) for n in value)
    except (TypeError, ValueError):
        return None


@exercise("predict_shapes")
def check_shape_prediction(predict_shapes, sizes, N):
    """Compare the shapes that the learner's ``predict_shapes(sizes, N)`` predicts with those
    of a real forward and backward pass.

    ``predict_shapes`` returns a dict {l: {"W": ..., "b", "z", "a", "delta", "dW", "db"}} for
    l = 1 .. L, shape tuples as values. Prints one line per kind of array missed (its layers,
    what was written, the reason), then a tally.
    """
    name = f"predict_shapes({list(sizes)}, N={N})"
    predicted = checks.call("predict_shapes", predict_shapes, list(sizes), N)
    truth = engine_shapes(sizes, N)
    L = len(truth)
    problem = layer_keys_problem(predicted, L, "shapes = {}", "its shapes")
    if problem:
        fail(name, f"{name}: {problem}")
    misses = {}                                 # kind -> [(layer, got, expected)]
    for l, real in truth.items():
        guess = predicted[l]
        for kind in KINDS:
            got = _as_shape(guess.get(kind, ())) if isinstance(guess, Mapping) else None
            if got != real[kind]:
                misses.setdefault(kind, []).append((l, got, real[kind]))
    for kind, missed in misses.items():
        l, got, real = missed[0]
        why = (_why_wrong(kind, got, real, sizes[l], N) if got
               else "give a shape tuple like (2, 3)")
        wrote = "; ".join(f"layer {m}: " + (f"you wrote {g}, a real pass gives {r}" if g
                                            else f"missing, a real pass gives {r}")
                          for m, g, r in missed)
        print(f"✗ {kind}, {wrote} — {why}")
    total = L * len(KINDS)
    if misses:
        wrong = sum(len(m) for m in misses.values())
        fail(name, f"{name}: {total - wrong} of {total} shapes right")
    return passed(f"{name}: all {total} shapes match a real forward and backward pass")
