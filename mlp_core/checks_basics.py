"""Checks for the exercises of lessons 01-03: the sigmoid, the shapes, the forward pass.

Like ``mlp_core.checks``, every check prints short deterministic lines: ✓ when the answer is
right, ✗ with a hint that names the usual mistake, "not done yet" for an unfinished exercise,
and never a traceback. ``attempt_watched`` runs the learner's function for the check: it is
``checks.attempt`` that also records numpy's floating-point warnings (the naive sigmoid's
overflow) and turns an exception into an ``Attempt`` the check explains.
"""

import warnings
from typing import NamedTuple

import numpy as np

from mlp_core import checks
from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.gradcheck import relative_error
from mlp_core.network import MLP


class Attempt(NamedTuple):
    """What running a learner's function gave: its ``value`` (None if it raised), the ``error``
    it raised as "Type: message" ("" if none), and the numpy ``warnings`` it emitted."""

    value: object
    error: str = ""
    warnings: tuple = ()


def attempt_watched(fn, *args):
    """``checks.attempt(fn, *args)`` that also records warnings and catches errors.

    Returns None for an unfinished exercise (``NotImplementedError``), else an ``Attempt``.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = checks.attempt(fn, *args)
        except Exception as err:  # the learner's bug: explained by the check, not a traceback
            return Attempt(None, f"{type(err).__name__}: {err}", _messages(caught))
    if value is None:
        return None
    return Attempt(value, "", _messages(caught))


def _messages(caught):
    return tuple(dict.fromkeys(str(w.message) for w in caught))


def _unpack(name, result):
    """The value of an attempt, or None after printing why there is none to check."""
    if result is None:
        print(f"… {name}: not done yet. Write your answer in the cell above, then run this again.")
        return None
    if not isinstance(result, Attempt):
        result = Attempt(result)
    if result.error:
        print(f"✗ {name} raised {result.error}")
        return None
    return result


def _as_array(name, value, shape):
    """``value`` as a float array of ``shape``, or None after printing what is wrong."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        print(f"✗ {name} should return an array of numbers, got {type(value).__name__}")
        return None
    if arr.shape != tuple(shape):
        print(f"✗ {name} returned shape {arr.shape}, expected {tuple(shape)}: "
              "an elementwise function keeps the shape of z")
        return None
    return arr


def _elementwise(name, result, z, nan_hint):
    """The learner's array for an elementwise function of z and the warnings it raised, or
    None after printing why it cannot be checked (not done, an error, a wrong shape, nan)."""
    result = _unpack(name, result)
    if result is None:
        return None
    got = _as_array(name, result.value, np.shape(z))
    if got is None:
        return None
    bad = ~np.isfinite(got)
    if bad.any():
        print(f"✗ {name} gives nan or inf at {_at(z, bad)}: {nan_hint}")
        return None
    return got, result.warnings


def _at(z, mask):
    """The z values where ``mask`` holds, as text: "z = -1000, 1000"."""
    return "z = " + ", ".join(f"{v:g}" for v in np.asarray(z)[mask])


# ----- lesson 01: the sigmoid and its derivative ------------------------------------------

def check_sigmoid(result, z, name="my_sigmoid"):
    """Check a learner's σ on the test points z (any shape, including z = ±1000).

    result: what ``attempt_watched(my_sigmoid, z)`` returned.
    """
    nan_hint = "e^z / (1 + e^z) is inf / inf for large z; use e^(-|z|), which never overflows"
    if (found := _elementwise(name, result, z, nan_hint)) is None:
        return False
    got, warned = found
    err = relative_error(got, sigmoid(z))
    if err > checks.RIGHT:
        if relative_error(got, sigmoid(-np.asarray(z))) <= checks.RIGHT:
            hint = "you computed σ(-z) = 1 / (1 + e^z); the exponent is -z"
        elif np.all((got >= 0) & (got <= 1)):
            hint = "check the formula σ(z) = 1 / (1 + e^(-z)) at z = 0 (it is 0.5)"
        else:
            hint = "σ(z) lies between 0 and 1; check the formula 1 / (1 + e^(-z))"
        print(f"✗ {name} is off (relative error {err:.1e}): {hint}")
        return False
    if warned:
        print(f"✗ {name} has the right values, but numpy warned \"{warned[0]}\": "
              "exp(-z) overflows for z = -1000; compute e^(-|z|) and pick the formula by sign")
        return False
    print(f"✓ {name} is right at all {np.size(z)} test points, ±1000 included, without warnings")
    return True


def central_difference(f, z, h=1e-5):
    """The centred difference (f(z + h) − f(z − h)) / 2h, elementwise: an estimate of f'(z)
    with an error of order h². z: any shape; returns the same shape."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2 * h)


def check_sigmoid_prime(result, z, name="my_sigmoid_prime"):
    """Check a learner's σ' on the test points z: against centred finite differences of σ
    where |z| ≤ 20, and 0 (not nan) at the extremes.

    result: what ``attempt_watched(my_sigmoid_prime, z)`` returned.
    """
    nan_hint = "e^(-z) / (1 + e^(-z))² is inf / inf there; write it as σ(z)(1 - σ(z))"
    if (found := _elementwise(name, result, z, nan_hint)) is None:
        return False
    (got, warned), z = found, np.asarray(z, dtype=float)
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
        print(f"✗ {name} does not match finite differences (relative error {err:.1e}): {hint}")
        return False
    if np.abs(got[~inner] - sigmoid_prime(z[~inner])).max(initial=0.0) > 1e-12:
        print(f"✗ {name} is wrong at the extremes ({_at(z, ~inner)}): σ' is about e^(-|z|) there, "
              "so 0 in float64")
        return False
    if warned:
        print(f"✗ {name} has the right values, but numpy warned \"{warned[0]}\": "
              "make your sigmoid stable first")
        return False
    print(f"✓ {name} matches finite differences where |z| ≤ 20 (relative error {err:.1e}) "
          "and is 0, not nan, at z = ±1000")
    return True


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


def check_shape_prediction(result, sizes, N):
    """Compare predicted shapes with those of a real forward and backward pass.

    result: what ``attempt_watched(predict_shapes, sizes, N)`` returned, a list with one dict
    per layer (keys "W", "b", "z", "a", "delta", "dW", "db"; values shape tuples). Prints one
    line per kind of array missed (its layers, what was written, the reason), then a tally.
    """
    name = f"predict_shapes({list(sizes)}, N={N})"
    result = _unpack(name, result)
    if result is None:
        return False
    predicted, truth = result.value, engine_shapes(sizes, N)
    L = len(truth)
    if not isinstance(predicted, list | tuple) or len(predicted) != L:
        count = len(predicted) if isinstance(predicted, list | tuple) else "no"
        extra = " (the input is not a layer: there are len(sizes) - 1 weight layers)" \
            if count == L + 1 else ""
        print(f"✗ {name}: expected a list of {L} dicts, one per layer, got {count} entries{extra}")
        return False
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
        print(f"✗ {name}: {total - wrong} of {total} shapes right")
        return False
    print(f"✓ {name}: all {total} shapes match a real forward and backward pass")
    return True


# ----- lesson 03: the forward pass ---------------------------------------------------------

def check_layer_forward(result, W, b, A_prev):
    """Check one layer's forward pass (z, a) for W (n_out, n_in), b (n_out, 1) and
    A_prev (n_in, N). result: what ``attempt_watched(layer_forward, W, b, A_prev)`` returned.
    """
    name = "layer_forward"
    result = _unpack(name, result)
    if result is None:
        return False
    value = result.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        print(f"✗ {name} should return the pair (z, a), got {type(value).__name__}")
        return False
    z_ref = W @ A_prev + b
    hints = [(lambda g: np.allclose(g, z_ref.T), "transposed: z is (n_out, N), W @ A_prev + b"),
             (lambda g: np.allclose(g, W @ A_prev + b.T),
              "b was added as a row (b.T): it lands on the samples, not the neurons"),
             (lambda g: np.allclose(g, W @ A_prev), "the bias b is missing"),
             (lambda g: np.allclose(g, sigmoid(z_ref)), "that is a = σ(z); z comes before σ")]
    if not checks.check_close(f"{name}'s z", value[0], z_ref, hints):
        print(f"… {name}'s a = σ(z) is checked once z is right")
        return False
    a_hints = [(lambda g: np.allclose(g, z_ref), "that is z; apply the sigmoid: a = σ(z)"),
               (lambda g: np.allclose(g, sigmoid(z_ref).T), "transposed: a is (n_out, N)")]
    return checks.check_close(f"{name}'s a", value[1], sigmoid(z_ref), a_hints)


def check_network_forward(result, net, X):
    """Check a whole forward pass Y_hat (N, n_L) against ``net.forward(X)``.

    result: what ``attempt_watched(network_forward, net, X)`` returned; X: (N, n_0).
    """
    name = "network_forward"
    hint = {"ValueError: matmul": "X is (N, n_0), one sample per row; the layers work on "
                                  "columns: start from A = X.T",
            "ValueError: operands": "A sum of mismatched shapes: is layer_forward right "
                                    "(exercise 1), with b (n_out, 1) added as a column?"}
    error = result.error.strip() if isinstance(result, Attempt) else ""
    for start, message in hint.items():
        if error.startswith(start):
            print(f"✗ {name} raised {error}. {message}")
            return False
    result = _unpack(name, result)
    if result is None:
        return False
    expected = net.forward(X)
    if np.shape(result.value) == expected.T.shape != expected.shape:
        print(f"✗ {name} returned shape {np.shape(result.value)}, expected {expected.shape}: "
              "that is a[L-1] (n_L, N); Y_hat = a[L-1].T, one sample per row")
        return False
    no_last_sigma = (net.layers[-1].z).T
    hints = [(lambda g: np.allclose(g, expected.T),
              "that is a[L-1] (n_L, N); Y_hat = a[L-1].T, one sample per row"),
             (lambda g: np.allclose(g, no_last_sigma), "the last layer needs its sigmoid too")]
    return checks.check_close("Y_hat", result.value, expected, hints)


def check_batch_columns(name, Z_batch, per_sample):
    """✓ when column j of Z_batch (n, N) equals per_sample[j] (n, 1) for every sample j.
    Prints a rounded verdict (no machine-dependent digits)."""
    Z_batch = np.asarray(Z_batch, dtype=float)
    cols = np.hstack([np.asarray(z, dtype=float).reshape(-1, 1) for z in per_sample])
    if cols.shape != Z_batch.shape:
        print(f"✗ {name}: batched shape {Z_batch.shape}, stacked columns {cols.shape}")
        return False
    gap = float(np.abs(Z_batch - cols).max())
    if gap <= 1e-12:
        print(f"✓ {name}: column j of the batch equals sample j's result, for all "
              f"{cols.shape[1]} samples (largest difference below 1e-12)")
        return True
    print(f"✗ {name}: the batch differs from the samples by up to {gap:.1e}")
    return False
