"""Pictures for lesson 08 (real handwritten digits), and the counts behind them.

Images are rows of ``X`` (N, 64) for the 8×8 digits (or (N, 784) for MNIST's 28×28): each
picture function reshapes a row to its square and lays many of them out as tiles of one image
in one ``Axes``, which draws far faster than one ``Axes`` per digit. Like
``mlp_core.course.viz``, every function draws into an ``Axes`` it is given and returns the
artists it made.

Colours: pixels in grey (ink dark), weights in ``RdBu_r`` centred on 0, counts in viridis, curves
in the Okabe-Ito palette; all colour-blind safe.
"""

import matplotlib as mpl
import numpy as np
from matplotlib.colors import PowerNorm

from mlp_core.course.viz import WEIGHT_CMAP

PIXEL_CMAP = "gray_r"
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")


def side(n_pixels):
    """The side of a square image of ``n_pixels`` pixels (64 → 8, 784 → 28)."""
    s = int(round(np.sqrt(n_pixels)))
    if s * s != n_pixels:
        raise ValueError(f"{n_pixels} pixels do not make a square image")
    return s


def as_images(rows):
    """Flat pixel rows (n, h·w) as square images (n, h, w); images (n, h, w) pass through."""
    rows = np.asarray(rows, dtype=float)
    if rows.ndim == 3:
        return rows
    if rows.ndim != 2:
        raise ValueError(f"expected pixel rows (n, h·w) or images (n, h, w), got {rows.shape}")
    s = side(rows.shape[1])
    return rows.reshape(-1, s, s)


def tile(images, n_cols, gap=1, caption_space=0):
    """Lay square images out on a grid of ``n_cols`` columns.

    images: (n, h, w) or flat rows (n, h·w). gap: blank pixels between columns and rows;
    caption_space: extra blank pixels above each row for captions.
    Returns the mosaic (rows·(h + gap + caption_space), n_cols·(w + gap) − gap), NaN in the
    blanks, and ``corners`` (n, 2): the (row, column) of each image's top-left pixel.
    """
    images = as_images(images)
    n, h, w = images.shape
    n_rows = max(1, -(-n // n_cols))
    cell_h, cell_w = h + gap + caption_space, w + gap
    mosaic = np.full((n_rows * cell_h, n_cols * cell_w - gap), np.nan)
    corners = np.zeros((n, 2), dtype=int)
    for i, img in enumerate(images):
        r, c = (i // n_cols) * cell_h + gap + caption_space, (i % n_cols) * cell_w
        mosaic[r:r + h, c:c + w] = img
        corners[i] = r, c
    return mosaic, corners


def draw_tiles(ax, images, n_cols, captions=None, cmap=PIXEL_CMAP, vmin=0.0, vmax=1.0,
               title=None, caption_size=10):
    """Show images (n, h·w) as tiles in ``ax``, each with an optional caption above it.

    Returns the ``AxesImage`` (its data is the mosaic from ``tile``)."""
    images = as_images(images)
    w = images.shape[2]
    space = (w + 1) // 2 if captions is not None else 0        # room for two lines of text
    mosaic, corners = tile(images, n_cols, caption_space=space)
    im = ax.imshow(mosaic, cmap=mpl.colormaps[cmap].with_extremes(bad="white"), vmin=vmin,
                   vmax=vmax, interpolation="nearest")
    if captions is not None:
        for (r, c), text in zip(corners, captions):
            ax.text(c + (w - 1) / 2, r - 0.8, text, ha="center", va="bottom",
                    fontsize=caption_size)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return im


def draw_samples(ax, X, y, per_class=12, n_classes=10):
    """The first ``per_class`` digits of each class, one row per class, labelled on the left.

    X: (N, 64) pixel rows in [0, 1]; y: (N,) labels. Returns the ``AxesImage``."""
    y = np.asarray(y)
    picks = [np.flatnonzero(y == k)[:per_class] for k in range(n_classes)]
    if any(len(p) < per_class for p in picks):
        raise ValueError(f"every class needs at least {per_class} samples to fill its row")
    s = side(X.shape[1])
    im = draw_tiles(ax, X[np.concatenate(picks)], per_class,
                    title=f"{per_class} digits of each class, X[i].reshape({s}, {s})")
    for k in range(n_classes):
        ax.text(-1.5, k * (s + 1) + 1 + (s - 1) / 2, str(k), ha="right", va="center",
                fontsize=12)
    return im


def confusion_counts(y_true, y_pred, n_classes=10):
    """C (n_classes, n_classes): C[i, j] counts the samples of true class i predicted as j.

    y_true, y_pred: (N,) integer labels. The diagonal holds the right answers."""
    C = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(C, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return C


def draw_confusion(ax, C, title="confusion matrix on the test digits"):
    """Show a confusion matrix C (n, n) with its counts written in the non-empty cells.

    A square-root colour scale keeps the few mistakes visible next to the large diagonal.
    Returns the ``AxesImage``."""
    C = np.asarray(C)
    n = C.shape[0]
    im = ax.imshow(C, cmap="viridis", norm=PowerNorm(0.5, vmin=0, vmax=max(1, C.max())))
    for i, j in zip(*np.nonzero(C)):
        light = C[i, j] < 0.5 * C.max()
        ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=10,
                color="white" if light else "black")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted class j")
    ax.set_ylabel("true class i")
    ax.set_title(title)
    return im


def confident_mistakes(Y_hat, y, k=12):
    """Indices (at most k,) of the wrongly classified samples, most confident first.

    Y_hat: (N, n_L) outputs; y: (N,) true labels. The confidence of a sample is its largest
    output, the one its (wrong) prediction comes from; ties keep the sample order."""
    Y_hat = np.asarray(Y_hat)
    wrong = np.flatnonzero(np.argmax(Y_hat, axis=1) != np.asarray(y))
    confidence = Y_hat[wrong].max(axis=1)
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def draw_mistakes(ax, X, y, Y_hat, idx, n_cols=6):
    """The samples ``idx`` as tiles captioned "true → predicted" and the output behind it.

    X: (N, 64); y: (N,) true labels; Y_hat: (N, n_L) outputs. Returns the ``AxesImage``."""
    Y_hat = np.asarray(Y_hat)
    captions = [f"{y[i]} → {np.argmax(Y_hat[i])}\n({Y_hat[i].max():.2f})" for i in idx]
    return draw_tiles(ax, X[idx], n_cols, captions=captions,
                      title="the most confident mistakes: true → predicted (output a)")


def draw_hidden_weights(ax, W, n_cols=10, title=None):
    """Each hidden neuron's incoming weights, row j of W (n_1, 64), drawn as an 8×8 image.

    Blue is negative and red positive, on one scale centred on 0 for all neurons, with a
    colour bar. Returns the ``AxesImage``."""
    W = np.asarray(W)
    scale = np.abs(W).max()
    im = draw_tiles(ax, W, n_cols, cmap=WEIGHT_CMAP, vmin=-scale, vmax=scale,
                    title=title or f"W of layers[1], {W.shape}: row j as an image")
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label="weight $w_{jk}$")
    return im


def draw_curves(ax, curves, ylabel, title, xlabel="epoch", logy=False):
    """Line plots of per-epoch values: ``curves`` maps a label to a sequence (epochs,).

    Epochs are counted from 1. Returns the list of ``Line2D`` in the order of ``curves``."""
    lines = []
    for i, (label, values) in enumerate(curves.items()):
        x = np.arange(1, len(values) + 1)
        lines += ax.plot(x, values, color=OKABE_ITO[i % len(OKABE_ITO)],
                         linestyle=("-", "--", "-.", ":")[i % 4], linewidth=2, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return lines


def draw_learning_curves(ax_loss, ax_acc, history):
    """Training and test cost (left) and accuracy (right) per epoch from a ``History`` that
    was trained with validation data. Returns the lines of both axes."""
    loss = draw_curves(ax_loss, {"training": history.loss, "test": history.val_loss},
                       "cost C (quadratic)", "cost per epoch")
    acc = draw_curves(ax_acc, {"training": history.accuracy, "test": history.val_accuracy},
                      "accuracy", "accuracy per epoch")
    return loss + acc
