"""Input checks shared by the public functions: each raises a ``ValueError`` (or ``TypeError``)
whose message says what was expected, in the post's terms (n_in, n_out, N), and what to try.
"""

import numbers

import numpy as np


def as_float_array(value, what):
    """``value`` as a float64 array; TypeError if it is not numeric, ValueError if not finite."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be an array of numbers, got {type(value).__name__}") from None
    # A NaN or an infinity makes the sum of squares non-finite, so a finite one clears the
    # whole array in one read with no allocation (np.isfinite(arr) would make a boolean copy of
    # a data set), by BLAS's dot product when the memory is contiguous (twice as fast as a sum);
    # only a non-finite result (a bad value, or an overflow) needs the elementwise look.
    with np.errstate(over="ignore", invalid="ignore"):
        if arr.flags.c_contiguous or arr.flags.f_contiguous:
            flat = arr.ravel(order="K")
            total = np.dot(flat, flat)
        else:
            total = np.sum(arr)
    if not np.isfinite(total) and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{what} contains {bad} NaN or infinite value(s); clean the data first")
    return arr


def check_sizes(sizes):
    """The post's ``neurons_per_layer``: a list of at least two positive integers."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError(
            f"sizes must be a list of layer sizes like [2, 3, 1], got {sizes!r}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(
            f"sizes needs at least two entries (n_in and n_out), like [2, 3, 1]; got {sizes}"
        )
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(
                f"sizes[{i}] = {n!r}: every layer size must be a positive integer, like [2, 3, 1]"
            )
    return [int(n) for n in sizes]


def check_X(X, n_in, what="X"):
    """A batch of inputs: (N, n_in), or a single sample (n_in,). Returns a float (N, n_in) array."""
    X = as_float_array(X, what)
    if X.ndim == 1 and X.shape[0] == n_in:
        X = X.reshape(1, n_in)
    if X.ndim != 2 or X.shape[1] != n_in:
        hint = ""
        if X.ndim == 2 and X.shape[0] == n_in:
            hint = f" It looks transposed: pass {what}.T, one sample per row."
        raise ValueError(
            f"{what} must have shape (N, n_in) = (N, {n_in}), one sample per row with "
            f"n_in = {n_in} features; got {X.shape}.{hint}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{what} is an empty batch (N = 0); pass at least one sample")
    return X


def check_Y(Y, N, n_out, loss_name, what="Y"):
    """Targets for N samples: one-hot or real targets (N, n_out), or integer class labels (N,).

    Returns a float (N, n_out) array. Integer labels become one-hot rows (n_out > 1) or a
    column of 0/1 values (n_out = 1).
    """
    Y = as_float_array(Y, what)
    if Y.ndim == 1 and Y.shape[0] == N:
        if n_out == 1:
            Y = Y.reshape(N, 1)
        else:
            if not np.all(Y == np.round(Y)) or Y.min() < 0 or Y.max() > n_out - 1:
                raise ValueError(
                    f"{what} as class labels must be integers 0 .. {n_out - 1} "
                    f"(n_out = {n_out}); got values from {Y.min():g} to {Y.max():g}"
                )
            Y = np.eye(n_out)[Y.astype(int)]
    if Y.ndim != 2 or Y.shape != (N, n_out):
        raise ValueError(
            f"{what} must have shape (N, n_out) = ({N}, {n_out}), one target row per sample, "
            f"or be {N} integer class labels; got {Y.shape}"
        )
    if loss_name == "cross_entropy" and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(
            f"{what}: cross-entropy targets must lie in [0, 1] (probabilities or one-hot); "
            f"got values from {Y.min():g} to {Y.max():g}"
        )
    return Y


def check_positive(value, what, integer=False):
    """A positive number (or positive integer); ValueError otherwise."""
    ok_type = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, ok_type) or not value > 0 \
            or not np.isfinite(value):
        kind = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{what} must be {kind}, got {value!r}")
    return value
