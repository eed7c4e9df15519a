"""Pictures shared by the lessons: the network drawing and the decision boundary.

Every function draws into a matplotlib ``Axes`` it is given and returns the artists it made,
so a widget can create a figure once and then update those artists in place (fast redraws).
Colours: weights and deltas use a diverging map centred on 0 (blue negative, red positive);
activations use viridis. Both are colour-blind safe and readable on a projector.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

WEIGHT_CMAP = "RdBu_r"      # diverging, centred on 0: weights, deltas, gradients
ACTIVATION_CMAP = "viridis"  # sequential: activations, probabilities
MAX_DRAWN = 12              # neurons drawn per layer; larger layers show a sample and a count

PROJECTOR = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12,
             "figure.dpi": 80, "savefig.dpi": 80, "axes.grid": False}


def setup():
    """Projector-friendly matplotlib defaults for a lesson: larger fonts, modest DPI (small
    notebooks). Call once at the top of a lesson."""
    mpl.rcParams.update(PROJECTOR)


def _drawn(n):
    """Indices of the neurons drawn for a layer of n neurons (at most MAX_DRAWN)."""
    if n <= MAX_DRAWN:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, MAX_DRAWN).round().astype(int))


class NetworkDrawing:
    """A drawing of a fully connected network: neurons as circles, one column per layer,
    weights as lines coloured by sign and sized by magnitude.

    ax: the Axes to draw into; sizes: the post's ``neurons_per_layer``, e.g. [2, 3, 1].
    Column l is layer l of the equations (``net.layers[l]``): layer 0 the input, layer L the
    output; the lines between columns l − 1 and l are the weights W[l].
    ``update(weights=..., activations=..., highlight=...)`` recolours in place.
    Layers wider than ``MAX_DRAWN`` show an even sample of their neurons and their size.
    """

    def __init__(self, ax, sizes, weights=None, activations=None, highlight=None, title=None):
        self.ax, self.sizes = ax, list(sizes)
        self.drawn = [_drawn(n) for n in self.sizes]
        self.pos = []
        for l, idx in enumerate(self.drawn):
            k = len(idx)
            y = np.linspace(1, -1, k) if k > 1 else np.zeros(1)
            self.pos.append(np.c_[np.full(k, float(l)), y * min(1.0, 0.18 * k)])
        segments, self._edge_index = [], []
        for l in range(1, len(self.sizes)):                 # W[l]: layer l − 1 → layer l
            for j_out, j in enumerate(self.drawn[l]):
                for k_in, k in enumerate(self.drawn[l - 1]):
                    segments.append([self.pos[l - 1][k_in], self.pos[l][j_out]])
                    self._edge_index.append((l, j, k))
        self.edges = LineCollection(segments, cmap=WEIGHT_CMAP, zorder=1)
        ax.add_collection(self.edges)
        xy = np.concatenate(self.pos)
        widest = max(len(idx) for idx in self.drawn)
        self.nodes = ax.scatter(xy[:, 0], xy[:, 1], s=min(260, 1500 / widest),
                                c=np.zeros(len(xy)), edgecolors="black", linewidths=1.2,
                                zorder=3, cmap=ACTIVATION_CMAP, vmin=0, vmax=1)
        self.band = ax.axvspan(-0.3, 0.3, color="gold", alpha=0.0, zorder=0)
        for l, n in enumerate(self.sizes):
            note = (f"layer {l}" + (" (input)" if l == 0 else "") + f"\nn = {n}"
                    + (f"\n({MAX_DRAWN} shown)" if n > MAX_DRAWN else ""))
            ax.text(l, -1.35, note, ha="center", va="top", fontsize=10)
        ax.set_xlim(-0.5, len(self.sizes) - 0.5)
        ax.set_ylim(-1.75, 1.25)
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        self.update(weights=weights, activations=activations, highlight=highlight)

    def update(self, weights=None, activations=None, highlight=None):
        """Recolour in place. weights: W[l] (n_l, n_{l-1}) for l = 1 .. L, indexed by l, as
        ``layer_weights(net)`` gives them; activations: per-neuron values in [0, 1], one array
        (n_l,) per column l = 0 .. L, the input included; highlight: a layer l = 1 .. L to
        mark (its W[l] and its neurons), or None."""
        if weights is not None:
            w = np.array([weights[l][j, k] for l, j, k in self._edge_index])
            scale = max(np.abs(w).max(), 1e-12)
            self.edges.set_array(w)
            self.edges.set_clim(-scale, scale)
            self.edges.set_linewidths(0.4 + 3.6 * np.abs(w) / scale)
        else:
            self.edges.set_array(None)
            self.edges.set_color("0.6")
            self.edges.set_linewidths(0.8)
        if activations is not None:
            vals = np.concatenate([np.asarray(activations[l])[idx]
                                   for l, idx in enumerate(self.drawn)])
            self.nodes.set_array(vals)
        else:
            self.nodes.set_array(None)
            self.nodes.set_facecolor("white")
        if highlight is None:
            self.band.set_alpha(0.0)
        else:
            self.band.set_x(highlight - 0.9)
            self.band.set_width(1.15)
            self.band.set_alpha(0.25)
        return self

    @classmethod
    def of(cls, ax, net, X=None, **kwargs):
        """Draw an ``MLP`` with its weights; with one input sample X (n_0,), colour the
        neurons by their activation too (inputs shown as given, clipped to [0, 1])."""
        activations = None
        if X is not None:
            net.forward(X)
            activations = [np.clip(np.ravel(X), 0, 1)] + [layer.a[:, 0]
                                                          for layer in net.layers[1:]]
        return cls(ax, net.sizes, weights=layer_weights(net), activations=activations,
                   **kwargs)


def layer_weights(net):
    """The weights of an ``MLP`` by layer: {l: net.layers[l].W} for l = 1 .. L."""
    return {l: net.layers[l].W for l in range(1, net.L + 1)}


def draw_network(sizes_or_net, ax=None, **kwargs):
    """Draw a network from its sizes (list) or an ``MLP``; returns the ``NetworkDrawing``.
    Makes a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    if hasattr(sizes_or_net, "layers"):
        return NetworkDrawing.of(ax, sizes_or_net, **kwargs)
    return NetworkDrawing(ax, sizes_or_net, **kwargs)


def grid_for(X, steps=120, margin=0.4):
    """A square grid over the 2-D points X (N, 2), padded by ``margin``. Returns
    (xx, yy, G): xx and yy (steps, steps), and the grid points as rows G (steps², 2)."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    return xx, yy, np.c_[xx.ravel(), yy.ravel()]


def class_score(net, G):
    """The value shaded behind a 2-D classifier, for grid points G (M, 2): the output for one
    output neuron, else the probability-like score of class 1 (a[1] / Σ a) for two classes, or
    the predicted class index for more. Returns (M,)."""
    Y_hat = net.forward(G)
    if Y_hat.shape[1] == 1:
        return Y_hat[:, 0]
    if Y_hat.shape[1] == 2:
        return Y_hat[:, 1] / np.maximum(Y_hat.sum(axis=1), 1e-12)
    return np.argmax(Y_hat, axis=1).astype(float)


class DecisionBoundary:
    """The network's decision regions over 2-D data, with the points on top.

    ax: the Axes; net: an ``MLP`` with 2 inputs; X (N, 2), y (N,): training points (circles);
    X_test, y_test: optional test points (triangles); corners: optional points (k, 2) the
    shaded box must also hold (e.g. every place ``set_points`` may put points later, so the
    frame and its ticks stay). ``update(net)`` recomputes the shading in place, cheap enough
    for a live training loop; ``set_points`` shows other points with the same artists.
    """

    def __init__(self, ax, net, X, y, X_test=None, y_test=None, steps=80, title=None,
                 corners=None):
        self.steps = steps
        self.image = ax.imshow(np.zeros((steps, steps)), origin="lower", alpha=0.55,
                               aspect="auto", interpolation="bilinear")
        self.train_points = ax.scatter(X[:, 0], X[:, 1], edgecolors="black", s=22,
                                       label="train")
        self.test_points = None
        if X_test is not None:
            self.test_points = ax.scatter(X_test[:, 0], X_test[:, 1], marker="^",
                                          edgecolors="white", s=30, label="test")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_title(title or "decision boundary")
        self.legend = ax.legend(loc="upper right", fontsize=9)
        self.set_points(X, y, X_test, y_test, corners)
        self.update(net)

    def set_points(self, X, y, X_test=None, y_test=None, corners=None):
        """Show the points X (N, 2), y (N,) and X_test (M, 2), y_test (M,) (any N, M; test
        points only if there were some at the start) in the same artists: move and recolour
        them, and fit the grid, the shading's extent and colours and the axes' limits to them
        and to ``corners`` (k, 2), as a new ``DecisionBoundary`` would, without clearing the
        axes. The shading follows at the next ``update(net)``. Returns self."""
        self.xx, self.yy, self.G = grid_for(
            np.vstack([X] + ([] if X_test is None else [X_test])
                      + ([] if corners is None else [corners])), self.steps)
        extent = (self.xx.min(), self.xx.max(), self.yy.min(), self.yy.max())
        n_classes = max(2, int(np.max(y)) + 1)
        vmax = 1.0 if n_classes == 2 else n_classes - 1
        cmap = plt.get_cmap("RdBu_r" if n_classes == 2 else "viridis")
        self.image.set(extent=extent, cmap=cmap, clim=(0, vmax))
        self.image.axes.set(xlim=extent[:2], ylim=extent[2:])    # and no more autoscaling
        shown = [(self.train_points, X, y)]
        if self.test_points is not None:
            shown.append((self.test_points, X_test, y_test))
        for (points, X_set, y_set), handle in zip(shown, self.legend.legend_handles):
            colours = cmap(np.asarray(y_set) / vmax)
            points.set_offsets(X_set)
            points.set_facecolor(colours)
            handle.set_facecolor(colours)     # a legend shows its scatter's first colour
        return self

    def update(self, net):
        """Shade the grid by ``class_score`` of the current network."""
        self.image.set_data(class_score(net, self.G).reshape(self.xx.shape))
        return self

    def legend_colours(self):
        """The colours the legend's markers show (train, then test), as tuples."""
        return tuple(tuple(handle.get_facecolor()[0]) for handle in self.legend.legend_handles)


def draw_chain(ax, labels, values, grads, title=None):
    """A computational graph with one path, in the manner of CS231n: a row of nodes
    ``labels[i]`` joined by arrows, each with its forward value ``values[i]`` above (green) and
    the gradient ∂C/∂(node) ``grads[i]`` below (red), which the backward pass computes right to
    left as the upstream gradient times the node's local gradient. labels, values, grads: lists
    of the same length. Draws into ``ax``; returns the list of node texts."""
    n = len(labels)
    nodes = []
    for i, (label, value, grad) in enumerate(zip(labels, values, grads)):
        nodes.append(ax.text(i, 0, label, ha="center", va="center", fontsize=15,
                             bbox={"boxstyle": "circle,pad=0.35", "fc": "white", "ec": "0.3"}))
        ax.text(i, 0.42, f"{value:.4f}", ha="center", va="bottom", color="#009E73", fontsize=12)
        ax.text(i, -0.42, f"{grad:.4f}", ha="center", va="top", color="#D55E00", fontsize=12)
        if i < n - 1:
            ax.annotate("", xy=(i + 0.72, 0), xytext=(i + 0.28, 0),
                        arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 1.5})
    ax.text(-0.6, 0.42, "forward", ha="right", va="bottom", color="#009E73", fontsize=12)
    ax.text(-0.6, -0.42, "∂C/∂ node", ha="right", va="top", color="#D55E00", fontsize=12)
    ax.set_xlim(-1.6, n - 0.4)
    ax.set_ylim(-1, 1)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return nodes
