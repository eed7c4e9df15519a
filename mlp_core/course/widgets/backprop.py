"""Lesson 05's widget: step through the backward pass one layer at a time.

The engine runs ``forward`` and ``backward`` once; the widget then reveals, from the output layer
down, what BP1-BP4 produced for each layer: ``delta`` (shown as samples × neurons, i.e.
``delta.T``), ``db`` (shown as ``db.T``, a row under the columns of ``delta.T`` it averages) and
``dW`` (n_out × n_in), as heatmaps on a diverging colormap centred on 0, each titled with the
equation that made it, while the network drawing highlights the layer being computed.
"""

import ipywidgets as widgets
import numpy as np

from mlp_core.course.viz import WEIGHT_CMAP, NetworkDrawing, layer_weights
from mlp_core.course.widgets.base import FigureWidget, new_figure

MAX_ANNOTATED = 48   # heatmaps with at most this many cells print their values in the cells


def step_equations(l, L):
    """The equations that produce layer l's arrays (l = 1 .. L, ``net.layers[l]``; layer L
    is the output), as mathtext titles. BP4 reads a[l − 1], with a[0] = Xᵀ the input: no special
    case. Returns a dict with keys "delta", "db", "dW"."""
    if l == L:
        delta = rf"BP1: $\delta[{l}] = (a[{l}] - Y^T) \odot \sigma'(z[{l}])$"
    else:
        delta = rf"BP2: $\delta[{l}] = (W[{l + 1}]^T \delta[{l + 1}]) \odot \sigma'(z[{l}])$"
    return {"delta": delta,
            "db": rf"BP3: $db[{l}]$ = mean of $\delta[{l}]$ over the batch",
            "dW": rf"BP4: $dW[{l}] = \delta[{l}]\, a[{l - 1}]^T\, /\, N$"}


class Heatmap:
    """One heatmap on an Axes whose array may change shape from step to step.

    ``show(M, title, xlabel, ylabel)`` draws M (rows × columns) centred on 0 with a symmetric
    colour scale, and writes each value in its cell when M is small.
    """

    def __init__(self, ax):
        self.ax = ax
        self.image = ax.imshow(np.zeros((1, 1)), cmap=WEIGHT_CMAP, vmin=-1, vmax=1,
                               aspect="auto", interpolation="nearest")
        self.labels = []

    def show(self, M, title, xlabel, ylabel):
        """Draw the array M (rows, columns) with its title and axis labels."""
        M = np.atleast_2d(M)
        rows, cols = M.shape
        scale = max(float(np.abs(M).max()), 1e-12)
        self.image.set_data(M)
        self.image.set_clim(-scale, scale)
        self.image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        ax = self.ax
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xticks(range(cols) if cols <= 12 else [])
        ax.set_yticks(range(rows) if rows <= 12 else [])
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        for text in self.labels:
            text.remove()
        self.labels = []
        if M.size <= MAX_ANNOTATED:
            digits = max(0, 2 - int(np.floor(np.log10(scale))))
            for (i, j), v in np.ndenumerate(M):
                colour = "white" if abs(v) > 0.6 * scale else "black"
                self.labels.append(ax.text(j, i, f"{v:.{digits}f}", ha="center", va="center",
                                           fontsize=8, color=colour))


class BackpropStepper(FigureWidget):
    """Press "next step" to walk the backward pass of ``net`` on the batch X (N, n_0) with
    targets Y (N, n_L) or labels, from the output layer to the first.

    Step k (1 .. L) shows layer l = L + 1 − k (``net.layers[l]``; step 1 the output layer L,
    step L the first hidden layer 1): its ``delta`` (BP1 or BP2), ``db`` (BP3) and ``dW``
    (BP4), as the engine's ``backward`` computed them, and highlights that layer on the
    drawing. "back" and "restart" move the other way. The arrays are copied when the widget is
    made, so later passes through ``net`` do not change what it shows; each step's picture is
    rendered once, up front, so a click only swaps the image. The network must be sigmoid with
    the quadratic cost for the equations in the titles to be the ones the engine used.
    """

    def __init__(self, net, X, Y):
        if net.activation != "sigmoid" or net.output_activation != "sigmoid" \
                or net.loss_name != "mse":
            raise ValueError("BackpropStepper shows the sigmoid, quadratic-cost equations: "
                             "use MLP(sizes) with the default activation and loss")
        net.forward(X)
        self.cost = net.backward(Y)
        self.sizes = list(net.sizes)
        self.N = net.layers[0].a.shape[1]
        self.L = net.L
        self.arrays = {l: {"delta": net.layers[l].delta.T.copy(),
                           "db": net.layers[l].db.T.copy(), "dW": net.layers[l].dW.copy()}
                       for l in range(1, net.L + 1)}
        self._weights = {l: W.copy() for l, W in layer_weights(net).items()}
        self.step = 1
        self._png = {}
        self.next_button = widgets.Button(description="next step ▶", button_style="primary")
        self.back_button = widgets.Button(description="◀ back")
        self.restart_button = widgets.Button(description="restart ⟲")
        self.caption = widgets.HTML()
        fig = new_figure(11.0, 4.0)
        grid = fig.add_gridspec(2, 3, width_ratios=[1.2, 1.0, 1.0],
                                height_ratios=[max(self.N, 2), 1.4])
        ax_net = fig.add_subplot(grid[:, 0])
        self.maps = {"delta": Heatmap(fig.add_subplot(grid[0, 1])),
                     "db": Heatmap(fig.add_subplot(grid[1, 1])),
                     "dW": Heatmap(fig.add_subplot(grid[:, 2]))}
        self.drawing = NetworkDrawing(ax_net, self.sizes, title="backward pass")
        self.drawing.nodes.set_array(None)   # plain white neurons: no activation colouring here
        self._show()
        super().__init__([widgets.HBox([self.back_button, self.next_button,
                                        self.restart_button]), self.caption], fig)
        for step in range(2, self.L + 1):            # render every step once, then go back
            self.go(step)
        self.go(1)
        self.next_button.on_click(lambda _: self.go(self.step + 1))
        self.back_button.on_click(lambda _: self.go(self.step - 1))
        self.restart_button.on_click(lambda _: self.go(1))

    @property
    def layer_index(self):
        """The layer l = L + 1 − step that the current step computes (``net.layers[l]``)."""
        return self.L + 1 - self.step

    def shown(self):
        """The arrays on display: {"delta": delta.T (N, n_l), "db": db.T (1, n_l),
        "dW": dW (n_l, n_{l-1})} of the current layer."""
        return self.arrays[self.layer_index]

    def go(self, step):
        """Show step ``step`` (clamped to 1 .. L) and redraw."""
        self.step = int(np.clip(step, 1, self.L))
        self._show()
        self.redraw()

    def redraw(self):
        """Show the current step's picture, rendering it the first time only."""
        if self.step not in self._png:
            super().redraw()
            self._png[self.step] = self.image.value
        self.image.value = self._png[self.step]

    def _show(self):
        l, L = self.layer_index, self.L
        arrays = self.shown()
        eq = step_equations(l, L)
        n_l, n_prev = self.sizes[l], self.sizes[l - 1]
        prev = "layer 0, the input" if l == 1 else f"layer {l - 1}"
        self.maps["delta"].show(arrays["delta"], eq["delta"], "",
                                f"sample (N = {self.N})")
        self.maps["db"].show(arrays["db"], eq["db"], f"neuron j of layer {l} (n = {n_l})", "")
        self.maps["dW"].show(arrays["dW"], eq["dW"], f"input k from {prev} (n = {n_prev})",
                             f"neuron j of layer {l}")
        self.maps["db"].ax.set_yticks([])
        self.drawing.update(weights=self._weights, highlight=l)
        self.next_button.disabled = self.step == L
        self.back_button.disabled = self.step == 1
        where = "the output layer" if l == L else f"hidden layer {l}"
        self.caption.value = (
            f"<b>Step {self.step} of {L}</b> (cost C = {self.cost:.4f} on N = {self.N} samples)"
            f" · net.layers[{l}], {where}: "
            f"delta[{l}] {(n_l, self.N)} shown as delta.T {arrays['delta'].shape}, "
            f"db[{l}] {(n_l, 1)} shown as db.T {arrays['db'].shape}, "
            f"dW[{l}] {arrays['dW'].shape}"
            + (" · the pass is complete" if self.step == L else " · press next step"))

    def summary(self):
        return (f"BackpropStepper: {self.sizes}, N = {self.N}, step {self.step} of "
                f"{self.L} (net.layers[{self.layer_index}])")
