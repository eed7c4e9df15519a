"""Checks for the exercises of lessons 01-03: the sigmoid, the shapes, the forward pass.

Each check takes the learner's function and the test case, runs the function through
``checks.call`` and prints one short deterministic line (see ``mlp_core.checks``): ✓ when the
answer is right, ✗ with a hint that names the usual mistake (and ``CheckFailed``, one short line,
no traceback), "not done yet" for an unfinished exercise. The sigmoid checks also record numpy's
floating-point warnings, which is how the naive sigmoid's overflow at z = -1000 shows.
"""

import warnings

import numpy as np

from mlp_core import checks
from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.checks import exercise, fail, passed
from mlp_core.gradcheck import relative_error
from mlp_core.network import MLP


def _watched(name, fn, z):
    """Run the learner's elementwise ``fn(z)`` through ``checks.call``; return (its value, the
    distinct messages of the numpy warnings it emitted)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = checks.call(name, fn, z)
    return value, tuple(dict.fromkeys(str(w.message) for w in caught))


def _as_array(name, value, shape):
    """``value`` as a float array of ``shape``, or CheckFailed after saying what is wrong."""
    if value is None:
        fail(name, f"{name} returned None: is the return statement missing?")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        fail(name, f"{name} should return an array of numbers, got {type(value).__name__}")
    if arr.shape != tuple(shape):
        fail(name, f"{name} returned shape {arr.shape}, expected {tuple(shape)}: "
                   "an elementwise function keeps the shape of z")
    return arr


def _elementwise(name, fn, z, nan_hint):
    """The learner's array for an elementwise function of z and the warnings it raised;
    CheckFailed when it cannot be checked (not done, an error, a wrong shape, nan)."""
    value, warned = _watched(name, fn, z)
    got = _as_array(name, value, np.shape(z))
    bad = ~np.isfinite(got)
    if bad.any():
        fail(name, f"{name} gives nan or inf at {_at(z, bad)}: {nan_hint}")
    return got, warned


def _at(z, mask):
    """The z values where ``mask`` holds, as text: "z = -1000, 1000"."""
    return "z = " + ", ".join(f"{v:g}" for v in np.asarray(z)[mask])


# ----- lesson 01: the sigmoid and its derivative ------------------------------------------

@exercise("my_sigmoid")
def check_sigmoid(my_sigmoid, z, name="my_sigmoid"):
    """Check a learner's σ, the function ``my_sigmoid``, on the test points z (any shape,
    including z = ±1000). True when right; CheckFailed with a hint otherwise."""
    nan_hint = "e^z / (1 + e^z) is inf / inf for large z; use e^(-|z|), which never overflows"
    got, warned = _elementwise(name, my_sigmoid, z, nan_hint)
    err = relative_error(got, sigmoid(z))
    if err > checks.RIGHT:
        if relative_error(got, sigmoid(-np.asarray(z))) <= checks.RIGHT:
            hint = "you computed σ(-z) = 1 / (1 + e^z); the exponent is -z"
        elif np.all((got >= 0) & (got <= 1)):
            hint = "check the formula σ(z) = 1 / (1 + e^(-z)) at z = 0 (it is 0.5)"
        else:
            hint = "σ(z) lies between 0 and 1; check the formula 1 / (1 + e^(-z))"
        fail(name, f"{name} is off (relative error {err:.1e}): {hint}")
    if warned:
        fail(name, f"{name} has the right values, but numpy warned \"{warned[0]}\": "
                   "exp(-z) overflows for z = -1000; compute e^(-|z|) and pick the formula by "
                   "sign")
    return passed(f"{name} is right at all {np.size(z)} test points, ±1000 included, without "
                  "warnings")


def central_difference(f, z, h=1e-5):
    """The centred difference (f(z + h) − f(z − h)) / 2h, elementwise: an estimate of f'(z)
    with an error of order h². z: any shape; returns the same shape."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2 * h)


@exercise("my_sigmoid_prime")
def check_sigmoid_prime(my_sigmoid_prime, z, name="my_sigmoid_prime"):
    """Check a learner's σ', the function ``my_sigmoid_prime``, on the test points z: against
    centred finite differences of σ where |z| ≤ 20, and 0 (not nan) at the extremes."""
    nan_hint = "e^(-z) / (1 + e^(-z))² is inf / inf there; write it as σ(z)(1 - σ(z))"
    got, warned = _elementwise(name, my_sigmoid_prime, z, nan_hint)
    z = np.asarray(z, dtype=float)
    inner = np.abs(z) <= 20
    err = relative_error(got[inner], central_difference(sigmoid, z[inner]))
    if err > 1e-6:
        s = sigmoid(z)
        hints = [(z * (1 - z), "you computed z(1 - z): the formula a(1 - a) needs a = σ(z), "
                               "not z"),
                 (s, "that is σ(z) itself; its derivative is σ(z)(1 - σ(z))"),
                 (s * (1 + s), "a sign slipped: σ'(z) = σ(z)(1 - σ(z))"),
                 (-s * (1 - s), "the sign is flipped: σ is increasing, so σ' > 0")]
        hint = next((msg for ref, msg in hints if relative_error(got, ref) <= checks.RIGHT),
                    "compare with the derivation above: σ'(z) = σ(z)(1 - σ(z))")
        fail(name, f"{name} does not match finite differences (relative error {err:.1e}): "
                   f"{hint}")
    if np.abs(got[~inner] - sigmoid_prime(z[~inner])).max(initial=0.0) > 1e-12:
        fail(name, f"{name} is wrong at the extremes ({_at(z, ~inner)}): σ' is about e^(-|z|) "
                   "there, so 0 in float64")
    if warned:
        fail(name, f"{name} has the right values, but numpy warned \"{warned[0]}\": "
                   "make your sigmoid stable first")
    return passed(f"{name} matches finite differences where |z| ≤ 20 (relative error "
                  f"{err:.1e}) and is 0, not nan, at z = ±1000")


# ----- lesson 02: the shapes ---------------------------------------------------------------

KINDS = ("W", "b", "z", "a", "delta", "dW", "db")

WHY = {
    "W": "W[l] is (n_out, n_in): one row per neuron of layer l, one column per input it reads",
    "b": "b[l] is a column (n_out, 1), one bias per neuron",
    "z": "z[l] is (n_out, N): one row per neuron, one column per sample",
    "a": "a[l] = σ(z[l]) has the shape of z[l]: (n_out, N)",
    "delta": "delta[l] = ∂C/∂z[l] has the shape of z[l]: (n_out, N)",
    "dW": "dW[l] = ∂C/∂W[l] has the shape of W[l] (BP4 averages over the batch)",
    "db": "db[l] = ∂C/∂b[l] has the shape of b[l] (BP3 averages delta over the batch)",
}


def engine_shapes(sizes, N, seed=0):
    """The shapes a real forward and backward pass of ``MLP(sizes)`` on N samples leaves on
    each layer: a list of L dicts {"W": (n_out, n_in), "b": ..., "z", "a", "delta", "dW", "db"}.
    """
    net = MLP(sizes, seed=seed)
    rng = np.random.default_rng(seed)
    net.forward(rng.standard_normal((N, sizes[0])))
    net.backward(rng.random((N, sizes[-1])))
    return [{k: getattr(layer, k).shape for k in KINDS} for layer in net.layers]


def _why_wrong(kind, got, expected, n_out, N):
    """A hint for one mispredicted shape."""
    if kind == "b" and got == (1, n_out):
        return "that is the post's row; the engine keeps b as a column (n_out, 1)"
    if kind == "db" and got == (n_out, N):
        return "one bias gradient per neuron, not per sample: BP3 takes the batch mean"
    if kind == "dW" and len(got) == 3:
        return "dW is the batch mean, not one matrix per sample"
    if kind in ("z", "a", "delta") and got == (N, n_out):
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

    ``predict_shapes`` returns a list with one dict per layer (keys "W", "b", "z", "a",
    "delta", "dW", "db"; values shape tuples). Prints one line per kind of array missed (its
    layers, what was written, the reason), then a tally.
    """
    name = f"predict_shapes({list(sizes)}, N={N})"
    predicted = checks.call("predict_shapes", predict_shapes, list(sizes), N)
    truth = engine_shapes(sizes, N)
    L = len(truth)
    if not isinstance(predicted, list | tuple) or len(predicted) != L:
        count = len(predicted) if isinstance(predicted, list | tuple) else "no"
        extra = " (the input is not a layer: there are len(sizes) - 1 weight layers)" \
            if count == L + 1 else ""
        fail(name, f"{name}: expected a list of {L} dicts, one per layer, got {count} "
                   f"entries{extra}")
    misses = {}                                 # kind -> [(layer, got, expected)]
    for l, (guess, real) in enumerate(zip(predicted, truth)):
        for kind in KINDS:
            got = _as_shape(guess.get(kind, ())) if isinstance(guess, dict) else None
            if got != real[kind]:
                misses.setdefault(kind, []).append((l, got, real[kind]))
    for kind, missed in misses.items():
        l, got, real = missed[0]
        why = (_why_wrong(kind, got, real, sizes[l + 1], N) if got
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


# ----- lesson 03: the forward pass ---------------------------------------------------------

@exercise("layer_forward")
def check_layer_forward(layer_forward, W, b, A_prev):
    """Check the learner's one-layer forward pass ``layer_forward(W, b, A_prev)`` = (z, a)
    for W (n_out, n_in), b (n_out, 1) and A_prev (n_in, N)."""
    name = "layer_forward"
    value = checks.call(name, layer_forward, W, b, A_prev)
    if not isinstance(value, tuple | list) or len(value) != 2:
        fail(name, f"{name} should return the pair (z, a), got {type(value).__name__}")
    z_ref = W @ A_prev + b
    hints = [(lambda g: np.allclose(g, z_ref.T), "transposed: z is (n_out, N), W @ A_prev + b"),
             (lambda g: np.allclose(g, W @ A_prev + b.T),
              "b was added as a row (b.T): it lands on the samples, not the neurons"),
             (lambda g: np.allclose(g, W @ A_prev), "the bias b is missing"),
             (lambda g: np.allclose(g, sigmoid(z_ref)), "that is a = σ(z); z comes before σ")]
    ok, line = checks.close_verdict(f"{name}'s z", value[0], z_ref, hints)
    print(line)
    if not ok:
        raise checks.CheckFailed(f"{name} is not right yet: fix z first; a = σ(z) is checked "
                                 "once z is right")
    a_hints = [(lambda g: np.allclose(g, z_ref), "that is z; apply the sigmoid: a = σ(z)"),
               (lambda g: np.allclose(g, sigmoid(z_ref).T), "transposed: a is (n_out, N)")]
    return checks.check_close(f"{name}'s a", value[1], sigmoid(z_ref), a_hints)


def _forward_error_hint(error):
    """The usual shape slips of a whole forward pass, by the error numpy raised."""
    text = str(error)
    if isinstance(error, ValueError) and "matmul" in text:
        return ("X is (N, n_0), one sample per row; the layers work on columns: start from "
                "A = X.T")
    if isinstance(error, ValueError) and text.startswith("operands"):
        return ("a sum of mismatched shapes: is layer_forward right (exercise 1), with b "
                "(n_out, 1) added as a column?")
    return None


@exercise("network_forward")
def check_network_forward(network_forward, net, X):
    """Check the learner's whole forward pass ``network_forward(net, X)`` = Y_hat (N, n_L)
    against ``net.forward(X)``; X: (N, n_0)."""
    name = "network_forward"
    value = checks.call(name, network_forward, net, X, hint=_forward_error_hint)
    expected = net.forward(X)
    if np.shape(value) == expected.T.shape != expected.shape:
        fail(name, f"{name} returned shape {np.shape(value)}, expected {expected.shape}: "
                   "that is a[L-1] (n_L, N); Y_hat = a[L-1].T, one sample per row")
    no_last_sigma = (net.layers[-1].z).T
    hints = [(lambda g: np.allclose(g, expected.T),
              "that is a[L-1] (n_L, N); Y_hat = a[L-1].T, one sample per row"),
             (lambda g: np.allclose(g, no_last_sigma), "the last layer needs its sigmoid too")]
    return checks.check_close("Y_hat", value, expected, hints)


def check_batch_columns(name, Z_batch, per_sample):
    """✓ when column j of Z_batch (n, N) equals per_sample[j] (n, 1) for every sample j;
    else CheckFailed. Prints a rounded verdict (no machine-dependent digits)."""
    Z_batch = np.asarray(Z_batch, dtype=float)
    cols = np.hstack([np.asarray(z, dtype=float).reshape(-1, 1) for z in per_sample])
    if cols.shape != Z_batch.shape:
        fail(name, f"{name}: batched shape {Z_batch.shape}, stacked columns {cols.shape}")
    gap = float(np.abs(Z_batch - cols).max())
    if gap > 1e-12:
        fail(name, f"{name}: the batch differs from the samples by up to {gap:.1e}")
    return passed(f"{name}: column j of the batch equals sample j's result, for all "
                  f"{cols.shape[1]} samples (largest difference below 1e-12)")
