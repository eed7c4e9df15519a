"""Lesson 03's widget: move the inputs, watch the forward pass light up the network.

One slider per input; the network drawing colours each neuron by its activation (viridis,
0 to 1) and draws each weight with a width that grows with |w|; bars show the outputs.
"""

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from mlp_core.course.viz import ACTIVATION_CMAP, NetworkDrawing, layer_weights
from mlp_core.course.widgets.base import new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget

MAX_INPUTS = 6   # one slider per input


def forward_steps(net, x):
    """The forward pass of one sample x (n_0,), layer by layer.

    Returns {l: (z[l], a[l])} for l = 1 .. L, each of shape (n_l,).
    """
    net.forward(np.asarray(x, dtype=float).reshape(1, -1))
    return {l: (net.layers[l].z[:, 0].copy(), net.layers[l].a[:, 0].copy())
            for l in range(1, net.L + 1)}


def _vector(v):
    return "[" + ", ".join(f"{t:.3f}" for t in v) + "]"


def steps_html(x, steps):
    """The forward pass as HTML lines: a[0] = x, then z[l] and a[l] with their shapes, for
    l = 1 .. L. steps: ``forward_steps``'s {l: (z, a)}."""
    lines = [f"a[0] = x (n_0, 1) = ({len(x)}, 1): {_vector(x)}ᵀ"]
    for l, (z, a) in steps.items():
        lines.append(f"z[{l}] = W[{l}] a[{l - 1}] + b[{l}] ({len(z)}, 1): "
                     f"{_vector(z)}ᵀ → a[{l}] = σ(z[{l}]): {_vector(a)}ᵀ")
    return "<br>".join(f"<code>{line}</code>" for line in lines)


class ForwardWidget(BlitFigureWidget):
    """Input sliders for ``net`` (an ``MLP`` with at most six inputs); a network drawing
    recoloured by the activations and the output bars, updated on every move."""

    def __init__(self, net, x=None, lo=0.0, hi=1.0):
        n_in = net.sizes[0]
        if n_in > MAX_INPUTS:
            raise ValueError(f"ForwardWidget takes a network with at most {MAX_INPUTS} inputs, "
                             f"got n_0 = {n_in}")
        self.net = net
        x = np.full(n_in, (lo + hi) / 2) if x is None else np.asarray(x, dtype=float)
        self.sliders = [widgets.FloatSlider(value=float(v), min=lo, max=hi, step=0.05,
                                            description=f"x{k + 1}", readout_format=".2f")
                        for k, v in enumerate(x)]
        self.label = widgets.HTML()
        fig = new_figure(9.0, 3.6)
        grid = fig.add_gridspec(1, 2, width_ratios=[3, 1])
        ax_net, ax_out = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
        self.weights = layer_weights(net)
        self.drawing = NetworkDrawing(ax_net, net.sizes, weights=self.weights,
                                      title="node colour = activation, line width = |w|")
        for spine in ax_net.spines.values():
            spine.set_visible(False)   # the drawing has no frame; blitting redraws spines
        self.values = [ax_net.text(px + 0.13, py + 0.07, "", fontsize=9, ha="left", zorder=4)
                       for px, py in np.concatenate(self.drawing.pos)]
        self.cmap = mpl.colormaps[ACTIVATION_CMAP]
        n_out = net.sizes[-1]
        self.bars = ax_out.bar(np.arange(n_out), np.zeros(n_out), edgecolor="black")
        self.bar_text = [ax_out.text(j, 0, "", ha="center", va="bottom", fontsize=10)
                         for j in range(n_out)]
        ax_out.set_ylim(0, 1.12)
        ax_out.set_xticks(np.arange(n_out))
        ax_out.set_xlabel("output neuron j")
        ax_out.set_ylabel(f"ŷ_j = a[{net.L}]_j")
        ax_out.set_title(f"Y_hat (1, {n_out})")
        self._update()
        moving = [self.drawing.nodes, *self.values, *self.bars, *self.bar_text]
        super().__init__(self.sliders, fig, moving, footer=[self.label])
        for slider in self.sliders:
            slider.observe(self._on_change, names="value")

    @property
    def x(self):
        """The input sample, shape (n_0,)."""
        return np.array([s.value for s in self.sliders])

    def _on_change(self, _change):
        self._update()
        self.redraw()

    def _update(self):
        x = self.x
        steps = forward_steps(self.net, x)
        acts = [x] + [a for _, a in steps.values()]        # a[l] for l = 0 .. L, a[0] = x
        self.drawing.update(weights=self.weights, activations=[np.clip(x, 0, 1)] + acts[1:])
        shown = np.concatenate([v[idx] for v, idx in zip(acts, self.drawing.drawn)])
        for text, v in zip(self.values, shown):
            text.set_text(f"{v:.2f}")
        y_hat = acts[-1]
        for bar, text, v in zip(self.bars, self.bar_text, y_hat):
            bar.set_height(v)
            bar.set_facecolor(self.cmap(v))
            text.set_y(v + 0.02)
            text.set_text(f"{v:.3f}")
        self.label.value = steps_html(x, steps)

    def summary(self):
        """The network, the input and the output, rounded: one stable line."""
        steps = forward_steps(self.net, self.x)
        return (f"ForwardWidget: MLP({self.net.sizes}), x = {_vector(self.x)} "
                f"→ Y_hat = {_vector(steps[self.net.L][1])}")
