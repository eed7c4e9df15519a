"""Data for the lessons, made on the spot or shipped with a package: nothing is downloaded.

Toy 2-D sets come from a seeded generator: each returns ``X`` (N, 2) and integer labels
``y`` (N,). The 8×8 handwritten digits ship with scikit-learn. A reader for MNIST's IDX files
serves learners who downloaded MNIST themselves.
"""

import gzip
import os

import numpy as np

from mlp_core.validate import as_float_array, check_positive

DATASETS = ("moons", "circles", "xor", "spiral", "blobs")


def _check(n, noise):
    check_positive(n, "n (the number of samples)", integer=True)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise ValueError(f"noise must be a number ≥ 0, got {noise!r}")


def _halves(n):
    """Labels for n samples in two nearly equal classes: n // 2 zeros, then ones."""
    return np.repeat([0, 1], [n // 2, n - n // 2])


def make_moons(n=200, noise=0.1, seed=None):
    """Two interleaving half circles. Returns X (n, 2), y (n,) in {0, 1}."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = _halves(n)
    t = rng.uniform(0, np.pi, n)
    X = np.where(y[:, None] == 0,
                 np.c_[np.cos(t), np.sin(t)],
                 np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + noise * rng.standard_normal((n, 2)), y


def make_circles(n=200, noise=0.05, factor=0.5, seed=None):
    """A ring (class 0, radius 1) around a disc-edge circle (class 1, radius ``factor``).
    Returns X (n, 2), y (n,)."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = _halves(n)
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 0, 1.0, factor)
    X = np.c_[r * np.cos(t), r * np.sin(t)]
    return X + noise * rng.standard_normal((n, 2)), y


def make_xor(n=200, noise=0.1, seed=None):
    """Points in the four quadrants of [-1.1, 1.1]², kept 0.1 away from the axes: class 1 where
    x₁ and x₂ have the same sign (x₁·x₂ > 0), class 0 where they differ (XOR of their signs);
    then jittered by ``noise``. Returns X (n, 2), y (n,), half of each class."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = _halves(n)
    sign = rng.choice([-1.0, 1.0], n)
    X = rng.uniform(0.1, 1.1, (n, 2)) * np.c_[sign, np.where(y == 1, sign, -sign)]
    return X + noise * rng.standard_normal((n, 2)), y


def make_spiral(n=200, noise=0.1, turns=1.5, seed=None):
    """Two interleaved spiral arms, ``turns`` turns each. Returns X (n, 2), y (n,)."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = _halves(n)
    r = rng.uniform(0.05, 1, n)
    t = 2 * np.pi * turns * r + np.pi * y
    X = np.c_[r * np.cos(t), r * np.sin(t)]
    return X + noise * rng.standard_normal((n, 2)), y


def make_blobs(n=200, noise=0.3, centers=3, seed=None):
    """Gaussian blobs of spread ``noise`` around ``centers`` points on the unit circle.
    Returns X (n, 2), y (n,) in 0 .. centers − 1."""
    _check(n, noise)
    check_positive(centers, "centers", integer=True)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % centers
    angle = 2 * np.pi * np.arange(centers) / centers
    mu = np.c_[np.cos(angle), np.sin(angle)]
    return mu[y] + noise * rng.standard_normal((n, 2)), y


_MAKERS = {"moons": make_moons, "circles": make_circles, "xor": make_xor,
           "spiral": make_spiral, "blobs": make_blobs}


def make_dataset(name, n=200, noise=0.1, seed=None):
    """One of the toy sets by name ("moons", "circles", "xor", "spiral", "blobs").
    Returns X (n, 2), y (n,)."""
    if name not in _MAKERS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}")
    return _MAKERS[name](n=n, noise=noise, seed=seed)


def noise_box(names, n, noise_levels, seed=None):
    """The corners (2, 2), lower left then upper right, of the box that holds the n points of
    ``make_dataset(name, n, noise, seed)`` for each name of ``names`` (one name or a list) and
    every noise from min(noise_levels) to max(noise_levels): a frame for a plot that should not
    move while the data do.

    Each coordinate is x0 + noise·z with x0 and z fixed by the seed, so over the points its
    smallest value is concave in the noise and its largest convex: the boxes at the two ends
    hold every level between."""
    ends = []
    for name in [names] if isinstance(names, str) else names:
        for noise in (min(noise_levels), max(noise_levels)):
            X, _ = make_dataset(name, n=n, noise=noise, seed=seed)
            ends += [X.min(axis=0), X.max(axis=0)]
    return np.array([np.min(ends, axis=0), np.max(ends, axis=0)])


def load_digits():
    """The 1,797 handwritten digits, 8×8 pixels, that ship with scikit-learn.
    Returns X (1797, 64) scaled to [0, 1] and y (1797,) in 0 .. 9."""
    from sklearn.datasets import load_digits as sk_load_digits

    digits = sk_load_digits()
    return digits.data / 16.0, digits.target.astype(int)


def one_hot(y, n_classes=None):
    """One-hot rows (N, n_classes) from integer labels y (N,); n_classes defaults to max + 1."""
    y = as_float_array(y, "y")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of class labels, got shape {y.shape}")
    if not np.all(y == np.round(y)) or y.min() < 0:
        raise ValueError("y must hold integer class labels 0, 1, 2, ...")
    y = y.astype(int)
    k = int(y.max()) + 1 if n_classes is None else n_classes
    check_positive(k, "n_classes", integer=True)
    if y.max() >= k:
        raise ValueError(f"label {y.max()} does not fit n_classes = {k} (labels 0 .. {k - 1})")
    return np.eye(k)[y]


def train_test_split(X, y, test_size=0.2, seed=None):
    """Shuffle with a seed and split. X: (N, ...), y: (N, ...). Returns
    X_train, X_test, y_train, y_test (scikit-learn's order), the test part ⌈test_size·N⌉ rows."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; they must match")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction between 0 and 1, got {test_size!r}")
    n_test = int(np.ceil(test_size * len(X)))
    if not 0 < n_test < len(X):
        raise ValueError(f"cannot split {len(X)} samples into non-empty train and test parts")
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Read an IDX file (MNIST's format), gzipped or not. Returns an array of the stored shape,
    e.g. (60000, 28, 28) uint8 images or (60000,) labels."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (it should start 0x00 0x00 <type> <ndim>)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path} is cut short: its header promises {ndim} dimensions")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{path} holds {len(data)} bytes but its header {shape} needs {expected}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


MNIST_FILES = {"X_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
               "X_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


def load_mnist(directory):
    """MNIST from the four IDX files a learner downloaded into ``directory`` (names as on
    MNIST's page, with or without ``.gz``). Returns X_train (60000, 784) in [0, 1], y_train,
    X_test (10000, 784), y_test. FileNotFoundError names the files when they are missing."""
    out = {}
    for key, stem in MNIST_FILES.items():
        found = [p for p in (os.path.join(directory, stem), os.path.join(directory, stem + ".gz"))
                 if os.path.exists(p)]
        if not found:
            raise FileNotFoundError(
                f"MNIST file {stem}[.gz] not found in {directory!r}; it needs the four files "
                + ", ".join(MNIST_FILES.values())
            )
        arr = read_idx(found[0])
        out[key] = arr.reshape(len(arr), -1) / 255.0 if key.startswith("X") else arr.astype(int)
    return out["X_train"], out["y_train"], out["X_test"], out["y_test"]
