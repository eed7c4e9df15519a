"""The lessons' data: generated from a seed, or read from files; nothing is downloaded."""

import gzip

import numpy as np
import pytest

from mlp_core.datasets import (
    DATASETS,
    load_digits,
    load_mnist,
    make_dataset,
    noise_box,
    one_hot,
    read_idx,
    train_test_split,
)


@pytest.mark.parametrize("name", DATASETS)
def test_toy_sets_are_seeded_and_shaped(name):
    X, y = make_dataset(name, n=101, noise=0.1, seed=5)
    X2, y2 = make_dataset(name, n=101, noise=0.1, seed=5)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, make_dataset(name, n=101, noise=0.1, seed=6)[0])
    counts = np.bincount(y)
    assert counts.min() >= 101 // len(counts) - 1                # balanced classes
    clean, _ = make_dataset(name, n=101, noise=0.0, seed=5)
    assert np.abs(X - clean).max() > 0.01                         # noise really is added


def test_digits_are_scaled_and_complete():
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0 and set(y) == set(range(10))


def test_one_hot_and_split():
    assert one_hot([2, 0]).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert one_hot([1], 4).shape == (1, 4)
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.3, seed=1)
    assert len(X_te) == 3 and len(X_tr) == 7
    assert np.array_equal(X_tr[:, 0] // 2, y_tr)                 # rows stay with their labels
    assert sorted(np.r_[y_tr, y_te]) == list(range(10))
    assert np.array_equal(train_test_split(X, y, 0.3, seed=1)[1], X_te)


def write_idx(path, array, type_code):
    header = bytes([0, 0, type_code, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())


def test_read_idx_plain_and_gzipped(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a-idx3-ubyte", images, 0x08)
    write_idx(tmp_path / "b-idx3-ubyte.gz", images, 0x08)
    floats = np.array([1.5, -2.0], dtype=">f8")
    write_idx(tmp_path / "c", floats, 0x0E)
    assert np.array_equal(read_idx(tmp_path / "a-idx3-ubyte"), images)
    assert np.array_equal(read_idx(tmp_path / "b-idx3-ubyte.gz"), images)
    assert read_idx(tmp_path / "c").tolist() == [1.5, -2.0]
    (tmp_path / "bad").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes((tmp_path / "a-idx3-ubyte").read_bytes()[:-1])
    with pytest.raises(ValueError, match="needs 40"):
        read_idx(tmp_path / "short")


def test_load_mnist_from_a_learners_files(tmp_path):
    rng = np.random.default_rng(0)
    for stem, n in [("train", 5), ("t10k", 3)]:
        write_idx(tmp_path / f"{stem}-images-idx3-ubyte.gz",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), 0x08)
        write_idx(tmp_path / f"{stem}-labels-idx1-ubyte", rng.integers(0, 10, n, dtype=np.uint8),
                  0x08)
    X_tr, y_tr, X_te, y_te = load_mnist(tmp_path)
    assert X_tr.shape == (5, 784) and X_te.shape == (3, 784) and y_tr.shape == (5,)
    assert 0 <= X_tr.min() and X_tr.max() <= 1
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path / "nowhere")


@pytest.mark.parametrize("name", DATASETS)
def test_noise_box_holds_the_points_at_every_noise_level_and_no_more(name):
    lo, hi = noise_box(name, 200, (0.0, 0.5), seed=0)
    for noise in np.linspace(0, 0.5, 21):
        X, _ = make_dataset(name, n=200, noise=noise, seed=0)
        assert np.all(X >= lo) and np.all(X <= hi)
    ends = np.vstack([make_dataset(name, n=200, noise=noise, seed=0)[0] for noise in (0, 0.5)])
    assert np.array_equal(lo, ends.min(axis=0)) and np.array_equal(hi, ends.max(axis=0))
