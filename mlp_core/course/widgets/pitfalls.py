"""Lesson 09's widget and pictures: how fast each layer learns, and what makes it slow.

Nielsen (chapter 5) measures the speed of learning of layer l by the length of its bias
gradient, ‖db[l]‖, where db[l] (n_l, 1) is the batch mean of delta[l] (n_l, N). In a deep
stack of sigmoids it shrinks layer by layer toward the input: BP2 multiplies delta by
σ'(z) ≤ 1/4 at every layer. ``GradientBars`` draws ‖db[l]‖ for l = 1 .. L (layer 1 the first
hidden layer, layer L the output) for a choice of depth, initialisation and activation;
``draw_saturation`` shows where the z of a layer fall against the flat tails of the sigmoid.
The numbers come from ``mlp_core.course.models`` (``deep_net``, ``gradient_norms``,
``saturated_fraction``), which lesson 09's checks use too.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from mlp_core.course.digits_viz import OKABE_ITO
from mlp_core.course.models import (
    SATURATED,
    deep_net,
    gradient_norms,
    saturated_fraction,
    saturation_edge,
)
from mlp_core.course.widgets.base import new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget
from mlp_core.network import INITS

MAX_DEPTH = 5       # hidden layers the widget offers
YLIM = (1e-6, 1e4)  # the bars' log scale: wide enough for vanishing and exploding gradients
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def _short(value):
    """A gradient norm in two significant digits, without exponents above 100: 0.0036, 520."""
    return f"{value:.0f}" if value >= 100 else f"{value:.2g}"


def _power_of_ten(value, _position=None):
    """A log-axis tick label in plain text: 0.001 → "10⁻³"."""
    exponent = str(int(round(np.log10(value))))
    return "10" + exponent.translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


class GradientBarChart:
    """Bars of ‖db[l]‖ per layer l on a log scale: hidden layers in blue, the output in grey,
    each with its value written above it.

    ax: the Axes; max_depth: the most hidden layers it will show (bars at l = 1 .. max_depth
    + 1). ``update(norms)`` takes ``gradient_norms``'s {l: ‖db[l]‖} for l = 1 .. L (L − 1
    hidden layers, then the output) and hides the unused bars. ``artists`` lists everything
    ``update`` changes.
    """

    def __init__(self, ax, max_depth=MAX_DEPTH,
                 title="‖db[l]‖ per layer (grey: the output layer)"):
        self.ax, self.max_depth = ax, max_depth
        x = np.arange(1, max_depth + 2)                  # layers l = 1 .. max_depth + 1
        self.bars = ax.bar(x, np.ones(len(x)), bottom=YLIM[0], color=OKABE_ITO[0], width=0.7)
        self.values = [ax.text(i, YLIM[0], "", ha="center", va="bottom", fontsize=10)
                       for i in x]
        self.artists = list(self.bars) + self.values
        ax.set_yscale("log")
        ax.set_ylim(*YLIM)
        ax.yaxis.set_minor_locator(NullLocator())    # fewer ticks to draw
        ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))   # no mathtext to lay out
        ax.set_xlim(0.4, max_depth + 1.6)
        ax.set_xticks(x)
        ax.set_xlabel("layer l, net.layers[l] (input side → output)")
        ax.set_ylabel("‖db[l]‖ (log scale)")
        ax.set_title(title, y=1.0)                   # a fixed place: no layout pass per draw

    def update(self, norms):
        """Show the bars of norms {l: ‖db[l]‖}, l = 1 .. L with L ≤ max_depth + 1; layer L is
        the output layer."""
        L = len(norms)
        if not 1 <= L <= self.max_depth + 1 or sorted(norms) != list(range(1, L + 1)):
            raise ValueError(f"norms must be {{l: ‖db[l]‖}} for l = 1 .. L, L from 1 to "
                             f"{self.max_depth + 1}, got the keys {sorted(norms)}")
        for l, (bar, text) in enumerate(zip(self.bars, self.values), start=1):
            shown = l <= L
            bar.set_visible(shown)
            text.set_visible(shown)
            if shown:
                top = min(max(norms[l], YLIM[0]), YLIM[1] / 3)          # stay inside the axes
                bar.set_height(top - YLIM[0])
                bar.set_color("0.6" if l == L else OKABE_ITO[0])
                text.set_position((l, top * 1.3))
                text.set_text(_short(norms[l]))
        return self


def describe(norms):
    """One line on the hidden layers' gradients: their values and how the first compares
    with the last. norms: ``gradient_norms``'s {l: ‖db[l]‖}, l = 1 .. L."""
    L = len(norms)
    text = "no hidden layer"
    if L > 1:
        text = (f"‖db[l]‖ of the hidden layers l = 1 .. {L - 1}: "
                + ", ".join(_short(norms[l]) for l in range(1, L)))
    text += f"; output layer {L}: {_short(norms[L])}"
    if L > 2:
        ratio = norms[L - 1] / norms[1]
        if ratio >= 1:
            text += f". layers[1] learns {ratio:.3g}× slower than layers[{L - 1}]"
        else:
            text += f". layers[1] gets {1 / ratio:.3g}× larger steps than layers[{L - 1}]"
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
        wide = {"description_width": "initial"}     # the whole label, never "hidden la…"
        self.depth = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH,
                                       description="hidden layers", style=wide)
        self.init = widgets.Dropdown(options=list(INITS), value=init, description="init",
                                     style=wide)
        self.activation = widgets.ToggleButtons(options=list(HIDDEN_ACTIVATIONS),
                                                value=activation, description="activation",
                                                style=wide)
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
    of any shape), over the band where σ'(z) < threshold is shaded (by default 1 % of its peak,
    |z| > 5.99, as in lesson 01). Values beyond ±limit are counted in the end bins. Returns the
    list of histogram patches."""
    edge = saturation_edge(threshold)
    for lo, hi in ((-limit, -edge), (edge, limit)):
        ax.axvspan(lo, hi, color="0.85", zorder=0)
    rule = "σ' < 1 % of\nits peak" if threshold == SATURATED else f"σ'(z) < {threshold:g}"
    ax.text(edge + 0.3, 0.97, f"saturated:\n{rule}",
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
    ax.set_xlabel("z of layers[1], every neuron and sample")
    ax.set_ylabel("density")
    ax.legend(loc="upper left", fontsize=10)
    return patches
