"""Lesson 08's pictures and counts, and its MNIST section on tiny IDX files."""

import gzip
import json
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from mlp_core.course import digits_viz as dv
from mlp_core.train import History

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "08_digits.ipynb"


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_side_of_square_images():
    assert dv.side(64) == 8 and dv.side(784) == 28
    with pytest.raises(ValueError, match="square"):
        dv.side(65)


def test_tile_places_every_image_and_blanks_the_gaps():
    images = np.arange(5 * 4).reshape(5, 2, 2).astype(float)
    mosaic, corners = dv.tile(images, n_cols=3, gap=1, caption_space=2)
    assert mosaic.shape == (2 * (2 + 1 + 2), 3 * 3 - 1)
    for img, (r, c) in zip(images, corners):
        assert np.array_equal(mosaic[r:r + 2, c:c + 2], img)
    assert np.isnan(mosaic).sum() == mosaic.size - images.size
    flat, _ = dv.tile(images.reshape(5, 4), n_cols=3, gap=1, caption_space=2)
    assert np.array_equal(np.isnan(flat), np.isnan(mosaic))


def test_confusion_counts_match_scikit_learn():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    C = dv.confusion_counts(y_true, y_pred)
    assert np.array_equal(C, sk_confusion_matrix(y_true, y_pred, labels=range(10)))
    assert C.sum() == 500 and np.array_equal(C.sum(axis=1), np.bincount(y_true, minlength=10))


def test_confident_mistakes_are_wrong_and_sorted():
    Y_hat = np.array([[0.9, 0.1], [0.2, 0.7], [0.6, 0.3], [0.1, 0.95], [0.55, 0.5]])
    y = np.array([0, 0, 1, 0, 1])          # rows 1, 2, 3, 4 are wrong; row 0 is right
    assert list(dv.confident_mistakes(Y_hat, y, k=10)) == [3, 1, 2, 4]
    assert list(dv.confident_mistakes(Y_hat, y, k=2)) == [3, 1]
    assert len(dv.confident_mistakes(Y_hat, np.argmax(Y_hat, axis=1))) == 0


def test_draw_samples_shows_per_class_rows(ax):
    X = np.random.default_rng(0).random((40, 64))
    y = np.repeat(np.arange(10), 4)
    im = dv.draw_samples(ax, X, y, per_class=3)
    assert im.get_array().shape == (10 * 9, 3 * 9 - 1)
    assert [t.get_text() for t in ax.texts] == [str(k) for k in range(10)]
    with pytest.raises(ValueError, match="at least 5"):
        dv.draw_samples(ax, X, y, per_class=5)


def test_draw_confusion_writes_the_nonzero_counts(ax):
    C = np.array([[5, 0], [2, 3]])
    dv.draw_confusion(ax, C)
    assert sorted(t.get_text() for t in ax.texts) == ["2", "3", "5"]
    assert ax.get_xlabel() == "predicted class j" and ax.get_ylabel() == "true class i"


def test_draw_mistakes_captions(ax):
    X = np.zeros((3, 64))
    Y_hat = np.array([[0.1, 0.8], [0.7, 0.2], [0.3, 0.4]])
    dv.draw_mistakes(ax, X, np.array([0, 1, 0]), Y_hat, [0, 1], n_cols=2)
    assert [t.get_text() for t in ax.texts] == ["0 → 1\n(0.80)", "1 → 0\n(0.70)"]


def test_draw_hidden_weights_is_centred_on_zero(ax):
    W = np.random.default_rng(0).normal(size=(30, 64))
    im = dv.draw_hidden_weights(ax, W)
    vmin, vmax = im.get_clim()
    assert vmin == -vmax == -np.abs(W).max()
    assert im.get_cmap().name.startswith("RdBu_r")


def test_learning_curves_plot_every_epoch():
    history = History(loss=[0.5, 0.3, 0.2], accuracy=[0.5, 0.8, 0.9],
                      val_loss=[0.6, 0.4, 0.35], val_accuracy=[0.4, 0.7, 0.85])
    fig, (a, b) = plt.subplots(1, 2)
    lines = dv.draw_learning_curves(a, b, history)
    assert len(lines) == 4
    assert list(lines[1].get_xdata()) == [1, 2, 3]
    assert list(lines[1].get_ydata()) == [0.6, 0.4, 0.35]
    plt.close(fig)


# ----- the lesson's MNIST section ----------------------------------------------------------

def write_idx(path, array):
    """An IDX file of uint8 ``array`` (gzipped when the name ends in .gz)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)


def lesson_cells(*needles):
    """Source of the first code cell of lesson 08 that contains each needle."""
    cells = [c for c in json.loads(LESSON.read_text())["cells"] if c["cell_type"] == "code"]
    return ["".join(next(c["source"] for c in cells if needle in "".join(c["source"])))
            for needle in needles]


def run_mnist_section(tmp_path, monkeypatch):
    imports, section = lesson_cells("import time", "load_mnist(MNIST_DIR)")
    monkeypatch.chdir(tmp_path)
    namespace = {}
    with mpl.rc_context():          # the lesson's setup() changes rcParams: keep them local
        exec(imports, namespace)    # the lesson's own code, as a learner runs it
        exec(section, namespace)
    plt.close("all")
    return namespace


def test_mnist_section_is_skipped_with_a_clear_message(tmp_path, monkeypatch, capsys):
    run_mnist_section(tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert out.startswith("MNIST is not in data/mnist/, so this section is skipped")


def test_mnist_section_trains_on_tiny_idx_files(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(0)
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for stem, n in (("train", 40), ("t10k", 10)):
        labels = np.arange(n) % 10
        images = rng.integers(0, 60, (n, 28, 28))
        images[np.arange(n), labels * 2 + 4, 4:24] = 255      # a bar whose row is the label
        write_idx(folder / f"{stem}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{stem}-labels-idx1-ubyte", labels)
    namespace = run_mnist_section(tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert "X_train (40, 784)  X_test (10, 784)" in out
    assert "MNIST test accuracy:" in out
    assert namespace["net_m"].sizes == [784, 30, 10]
