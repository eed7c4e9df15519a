"""Lesson 09's widget and pictures: how fast each layer learns, and what makes it slow.

Nielsen (chapter 5) measures the speed of learning of layer l by the length of its bias
gradient, ‖db[l]‖, where db[l] (n_l, 1) is the batch mean of delta[l] (n_l, N). In a deep
stack of sigmoids it shrinks layer by layer toward the input: BP2 multiplies delta by
σ'(z) ≤ 1/4 at every layer. ``GradientBars`` draws ‖db[l]‖ per layer for a choice of depth,
initialisation and activation; ``draw_saturation`` shows where the z of a layer fall against
the flat tails of the sigmoid.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from mlp_core.activations import sigmoid_prime
from mlp_core.digits_viz import OKABE_ITO
from mlp_core.network import INITS, MLP
from mlp_core.widgets.base import new_figure
from mlp_core.widgets.blit import BlitFigureWidget

WIDTH = 30          # neurons per hidden layer, as in Nielsen's chapter 5
MAX_DEPTH = 5       # hidden layers the widget offers
YLIM = (1e-6, 1e4)  # the bars' log scale: wide enough for vanishing and exploding gradients
SATURATED = 0.01    # σ'(z) below this counts as saturated (|z| > 4.6)
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def deep_net(depth, init="xavier", activation="sigmoid", n_in=64, n_out=10, seed=0):
    """An MLP [n_in, 30, ..., 30, n_out] with ``depth`` hidden layers of ``activation``,
    sigmoid outputs and the cross-entropy cost: the set-up of Nielsen's chapter 5."""
    return MLP([n_in] + [WIDTH] * depth + [n_out], activation=activation,
               output_activation="sigmoid", loss="cross_entropy", init=init, seed=seed)


def gradient_norms(net, X, Y):
    """‖db[l]‖ for every layer l = 0 .. L-1 after one forward and backward pass.

    X: (N, n_0) inputs; Y: (N, n_L) targets or N labels. db[l] (n_l, 1) is the batch mean of
    delta[l] (n_l, N). Returns (L,), the input side first and the output layer last."""
    net.forward(X)
    net.backward(Y)
    return np.array([np.linalg.norm(layer.db) for layer in net.layers])


def saturation_edge(threshold=SATURATED):
    """The |z| beyond which σ'(z) < threshold (4.6 for 0.01): σ(1 − σ) = t solved for z."""
    r = np.sqrt(1 - 4 * threshold)
    return float(np.log((1 + r) / (1 - r)))


def saturated_fraction(z, threshold=SATURATED):
    """The fraction of the entries of z (any shape) where σ'(z) < threshold."""
    return float(np.mean(sigmoid_prime(z) < threshold))


def _short(value):
    """A gradient norm in two significant digits, without exponents above 100: 0.0036, 520."""
    return f"{value:.0f}" if value >= 100 else f"{value:.2g}"


def _power_of_ten(value, _position=None):
    """A log-axis tick label in plain text: 0.001 → "10⁻³"."""
    exponent = str(int(round(np.log10(value))))
    return "10" + exponent.translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


class GradientBarChart:
    """Bars of ‖db[l]‖ per layer on a log scale: hidden layers in blue, the output in grey,
    each with its value written above it.

    ax: the Axes; max_depth: the most hidden layers it will show (bars at l = 0 .. max_depth).
    ``update(norms)`` takes norms (L,) from ``gradient_norms`` (L − 1 hidden layers, then the
    output) and hides the unused bars. ``artists`` lists everything ``update`` changes.
    """

    def __init__(self, ax, max_depth=MAX_DEPTH,
                 title="‖db[l]‖ per layer (grey: the output layer)"):
        self.ax, self.max_depth = ax, max_depth
        x = np.arange(max_depth + 1)
        self.bars = ax.bar(x, np.ones(len(x)), bottom=YLIM[0], color=OKABE_ITO[0], width=0.7)
        self.values = [ax.text(i, YLIM[0], "", ha="center", va="bottom", fontsize=10)
                       for i in x]
        self.artists = list(self.bars) + self.values
        ax.set_yscale("log")
        ax.set_ylim(*YLIM)
        ax.yaxis.set_minor_locator(NullLocator())    # fewer ticks to draw
        ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))   # no mathtext to lay out
        ax.set_xlim(-0.6, max_depth + 0.6)
        ax.set_xticks(x)
        ax.set_xlabel("layer l, net.layers[l] (input side → output)")
        ax.set_ylabel("‖db[l]‖ (log scale)")
        ax.set_title(title, y=1.0)                   # a fixed place: no layout pass per draw

    def update(self, norms):
        """Show the bars of norms (L,), L ≤ max_depth + 1; the last one is the output layer."""
        L = len(norms)
        if not 1 <= L <= self.max_depth + 1:
            raise ValueError(f"norms must have 1 to {self.max_depth + 1} entries, got {L}")
        for i, (bar, text) in enumerate(zip(self.bars, self.values)):
            shown = i < L
            bar.set_visible(shown)
            text.set_visible(shown)
            if shown:
                top = min(max(float(norms[i]), YLIM[0]), YLIM[1] / 3)   # stay inside the axes
                bar.set_height(top - YLIM[0])
                bar.set_color("0.6" if i == L - 1 else OKABE_ITO[0])
                text.set_position((i, top * 1.3))
                text.set_text(_short(norms[i]))
        return self


def describe(norms):
    """One line on the hidden layers' gradients: their values and how the first compares
    with the last. norms: (L,) from ``gradient_norms``."""
    hidden = np.asarray(norms[:-1])
    text = "‖db‖ of the hidden layers " + ", ".join(_short(v) for v in hidden)
    text += f"; output layer {_short(norms[-1])}"
    if len(hidden) > 1:
        ratio = hidden[-1] / hidden[0]
        if ratio >= 1:
            text += f". layers[0] learns {ratio:.3g}× slower than the last hidden layer"
        else:
            text += f". layers[0] gets {1 / ratio:.3g}× larger steps than the last hidden layer"
    return text


class GradientBars(BlitFigureWidget):
    """‖db[l]‖ per layer of a fresh network on a batch, for a chosen depth, initialisation
    and activation.

    X: (N, n_0) inputs; Y: (N, n_L) targets or N labels. Controls: ``depth`` (1 to 5 hidden
    layers of 30), ``init`` ("small", "normal", "xavier", "he") and ``activation``
    ("sigmoid", "tanh", "relu"); the output layer is always sigmoid with cross-entropy.
    Redraws blit: only the bars, their values and the title are drawn again.
    """

    def __init__(self, X, Y, depth=4, init="xavier", activation="sigmoid", seed=0):
        self.X, self.Y, self.seed = X, Y, seed
        self.depth = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH,
                                       description="hidden layers")
        self.init = widgets.Dropdown(options=list(INITS), value=init, description="init")
        self.activation = widgets.ToggleButtons(options=list(HIDDEN_ACTIVATIONS),
                                                value=activation, description="activation")
        self.label = widgets.HTML()
        fig = new_figure(7.5, 3.4)
        self.chart = GradientBarChart(fig.subplots())
        self.show(redraw=False)
        super().__init__([widgets.HBox([self.depth, self.init]), self.activation, self.label],
                         fig, animated=self.chart.artists + [self.chart.ax.title])
        for control in (self.depth, self.init, self.activation):
            control.observe(lambda change: self.show(), names="value")

    def net(self):
        """The network the controls describe, freshly initialised with the widget's seed."""
        n_in = np.shape(self.X)[1]
        n_out = int(np.max(self.Y)) + 1 if np.ndim(self.Y) == 1 else np.shape(self.Y)[1]
        return deep_net(self.depth.value, self.init.value, self.activation.value, n_in, n_out,
                        self.seed)

    def show(self, redraw=True):
        """Measure ‖db[l]‖ for the current choice and update the bars and the label."""
        self.norms = gradient_norms(self.net(), self.X, self.Y)
        self.chart.update(self.norms)
        self.chart.ax.title.set_text(f"{self.activation.value}, init {self.init.value!r}: "
                                     "‖db[l]‖ per layer (grey: output)")
        self.label.value = describe(self.norms)
        if redraw:
            self.redraw()

    def summary(self):
        """Stable one-line description (the saved cell's text)."""
        return (f"GradientBars: {self.depth.value} hidden layers, {self.activation.value}, "
                f"init {self.init.value}: {describe(self.norms)}")


def draw_saturation(ax, zs, threshold=SATURATED, limit=12.0):
    """Histograms of the weighted inputs z of a layer, one per label in ``zs`` (label → array
    of any shape), over the band where σ'(z) < threshold is shaded. Values beyond ±limit are
    counted in the end bins. Returns the list of histogram patches."""
    edge = saturation_edge(threshold)
    for lo, hi in ((-limit, -edge), (edge, limit)):
        ax.axvspan(lo, hi, color="0.85", zorder=0)
    ax.text(edge + 0.3, 0.97, f"saturated:\nσ'(z) < {threshold:g}",
            transform=ax.get_xaxis_transform(), va="top", fontsize=10)
    bins = np.linspace(-limit, limit, 61)
    patches = []
    for i, (label, z) in enumerate(zs.items()):
        values = np.clip(np.ravel(z), -limit, limit)
        share = saturated_fraction(z, threshold)
        *_, p = ax.hist(values, bins=bins, density=True, histtype="step", linewidth=2,
                        color=OKABE_ITO[i % len(OKABE_ITO)],
                        label=f"{label}: {share:.0%} saturated")
        patches.append(p)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("z of layers[0], every neuron and sample")
    ax.set_ylabel("density")
    ax.legend(loc="upper left", fontsize=10)
    return patches
