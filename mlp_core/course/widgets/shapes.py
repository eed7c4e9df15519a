"""Lesson 02's widget: type layer sizes, move the batch size N, read every array's shape.

The table lists, per layer l = 1 .. L (``net.layers[l]``; layer 0 is the input, whose ``a`` is
Xᵀ), the shapes of ``W``, ``b``, ``z``, ``a``, ``delta``, ``dW``, ``db`` and the parameter count,
beside a drawing of the network. A check box replays the post's
``b`` as a row (1, n_out) added without its ``.T``: the table then shows what numpy makes of it
(a silently wrong array, or a broadcasting error).
"""

import re

import ipywidgets as widgets
import numpy as np

from mlp_core.course.viz import NetworkDrawing, layer_weights
from mlp_core.course.widgets.base import FigureWidget, new_figure
from mlp_core.network import MLP
from mlp_core.validate import check_sizes

MAX_LAYERS = 8       # entries in the sizes box (the drawing gets crowded beyond)
MAX_WIDTH = 1024     # neurons per layer (a bigger W is slow to make and says nothing new)
KINDS = ("W", "b", "z", "a", "delta", "dW", "db")


def parse_sizes(text):
    """Layer sizes from text such as "2, 3, 2", "64 30 10" or "[2, 3, 1]".

    Returns a list of positive ints; raises ValueError with a message meant for a learner.
    """
    tokens = [t for t in re.split(r"[\s,;]+", text.strip().strip("[]()")) if t]
    if not tokens:
        raise ValueError("type the layer sizes, like 2, 3, 2")
    sizes = []
    for t in tokens:
        if not re.fullmatch(r"[+-]?\d+", t):
            raise ValueError(f"'{t}' is not a whole number: type layer sizes like 2, 3, 2")
        sizes.append(int(t))
    check_sizes(sizes)
    if len(sizes) > MAX_LAYERS:
        raise ValueError(f"{len(sizes)} sizes: this table takes at most {MAX_LAYERS}")
    if max(sizes) > MAX_WIDTH:
        raise ValueError(f"a layer of {max(sizes)} neurons: this table takes at most {MAX_WIDTH}")
    return sizes


def layer_shapes(sizes, N):
    """The shape of every array of every layer for sizes [n_0, ..., n_L] and a batch of N.

    Returns {l: shapes} for the layers l = 1 .. L, with n_l = sizes[l] and
    n_{l-1} = sizes[l - 1]: W, dW (n_l, n_{l-1}); b, db (n_l, 1); z, a, delta (n_l, N).
    """
    return {l: {"W": (sizes[l], sizes[l - 1]), "b": (sizes[l], 1), "z": (sizes[l], N),
                "a": (sizes[l], N), "delta": (sizes[l], N), "dW": (sizes[l], sizes[l - 1]),
                "db": (sizes[l], 1)}
            for l in range(1, len(sizes))}


def n_params(sizes):
    """Weights and biases of each layer l = 1 .. L, n_l·n_{l-1} + n_l: {l: count}."""
    return {l: sizes[l] * sizes[l - 1] + sizes[l] for l in range(1, len(sizes))}


def row_bias_forward(sizes, N):
    """What numpy makes of the post's row ``b`` (1, n_out) added without ``.T``:
    ``z[l] = W[l] @ a[l-1] + b[l]`` for l = 1 .. L, starting from a[0] = X.T (n_0, N).

    Returns {l: (shape, verdict)}: shape is z[l]'s shape or None after numpy refused; verdict
    is "right", "wrong values" (the right shape, b added per sample instead of per neuron),
    "wrong shape" or numpy's error message. Layers after an error get (None, "").
    """
    out, cols, ok = {}, N, True
    for l in range(1, len(sizes)):
        n_out = sizes[l]
        if cols is None:
            out[l] = (None, "")
            continue
        try:   # zero-stride stand-ins for W @ a and b: numpy's own verdict, no real data
            shape = (np.broadcast_to(0.0, (n_out, cols)) + np.broadcast_to(0.0, (1, n_out))).shape
        except ValueError as err:
            out[l] = (None, "ValueError: " + " ".join(str(err).split()))
            cols = None
            continue
        if shape != (n_out, N):
            verdict = "wrong shape"
        elif n_out == 1 and ok:
            verdict = "right"        # a (1, 1) row is a (1, 1) column
        else:
            verdict = "wrong values"
        ok = verdict == "right"
        out[l] = (shape, verdict)
        cols = shape[1]
    return out


def _shape(s):
    return "(" + ", ".join(str(n) for n in s) + ")"


def _cell(text, colour=None):
    style = f' style="color:{colour}; font-weight:bold"' if colour else ""
    return f"<td{style}>{text}</td>"


VERDICT_COLOUR = {"right": None, "wrong values": "#b2182b", "wrong shape": "#b2182b"}


def shape_table_html(sizes, N, row_bias=False):
    """The shapes table as HTML: a row for the input layer 0, one per layer l = 1 .. L, and
    the output with the total parameter count."""
    head = "".join(f"<th>{k}</th>" for k in ("layer l", *KINDS, "parameters"))
    rows = [f"<tr><td>0 (input)</td><td colspan='8'>a[0] = X.T {_shape((sizes[0], N))}, "
            f"from X {_shape((N, sizes[0]))}</td></tr>"]
    forward = row_bias_forward(sizes, N) if row_bias else None
    params = n_params(sizes)
    for l, shapes in layer_shapes(sizes, N).items():
        cells = [_cell(l)] + [_cell(_shape(shapes[k])) for k in KINDS] + [_cell(f"{params[l]:,}")]
        if forward:
            shape, verdict = forward[l]
            colour = VERDICT_COLOUR.get(verdict, "#e66101")
            z_text = f"{_shape(shape)} {verdict}" if shape else (verdict or "—")
            cells[2] = _cell(_shape((1, shapes["b"][0])), "#b2182b")
            cells[3] = _cell(z_text, colour)
            cells[4] = _cell(_shape(shape) if shape else "—", colour)
            cells[5:8] = [_cell("—")] * 3
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append(f"<tr><td>output</td><td colspan='7'>Y_hat = a[{len(sizes) - 1}].T "
                f"{_shape((N, sizes[-1]))}</td><td><b>{sum(params.values()):,}</b></td></tr>")
    return (f"<table style='border-collapse:collapse; text-align:center'><tr>{head}</tr>"
            + "".join(rows) + "</table>")


def row_bias_verdict(sizes, N):
    """One sentence on the post's row b without .T for these sizes and N."""
    for l, (shape, verdict) in row_bias_forward(sizes, N).items():
        if shape is None:
            return f"layer {l}: numpy raises {verdict}; at least this N fails loudly."
        if verdict == "wrong shape":
            return (f"layer {l}: z comes out {_shape(shape)} instead of "
                    f"{_shape((sizes[l], N))}, silently: no error, a wrong array.")
        if verdict == "wrong values":
            return (f"layer {l}: z has the right shape {_shape(shape)} but b[j] was added to "
                    "sample j, not neuron j: wrong values, silently.")
    return "every layer has one neuron, so a row b is also a column: no harm here."


class ShapesWidget(FigureWidget):
    """A sizes box, a batch-size slider N and a row-b check box; a live table of shapes beside
    a drawing of ``MLP(sizes, seed=0)``. Bad text in the box shows a message, not a traceback."""

    def __init__(self, sizes="2, 3, 2", N=4):
        self.sizes = parse_sizes(sizes)
        self.text = widgets.Text(value=sizes, description="sizes", continuous_update=False)
        self.N = widgets.IntSlider(value=N, min=1, max=256, description="batch N")
        self.row_bias = widgets.Checkbox(value=False, indent=False,
                                         description="the post's row b (1, n_out), no .T")
        self.message = widgets.HTML()
        self.table = widgets.HTML()
        fig = new_figure(5.2, 3.4)
        self.ax = fig.add_subplot()
        self._draw_network()
        self._update_table()
        super().__init__([widgets.HBox([self.text, self.N]), self.row_bias, self.message], fig)
        self.children = (*self.children[:-1], widgets.HBox([self.image, self.table]))
        self.text.observe(self._on_sizes, names="value")
        self.N.observe(self._on_table, names="value")
        self.row_bias.observe(self._on_table, names="value")

    def _on_sizes(self, change):
        try:
            sizes = parse_sizes(change["new"])
        except ValueError as err:
            self.message.value = f"<span style='color:#b2182b'>⚠ {err}</span>"
            return
        self.message.value = ""
        if sizes != self.sizes:
            self.sizes = sizes
            self._draw_network()
            self._update_table()
            self.redraw()

    def _on_table(self, _change):
        self._update_table()

    def _draw_network(self):
        net = MLP(self.sizes, seed=0)
        self.ax.clear()
        NetworkDrawing(self.ax, self.sizes, weights=layer_weights(net),
                       title=f"MLP({self.sizes}, seed=0): {net.n_params:,} parameters")

    def _update_table(self):
        N = self.N.value
        note = ""
        if self.row_bias.value:
            note = f"<p><b>b as a row, no .T:</b> {row_bias_verdict(self.sizes, N)}</p>"
        self.table.value = shape_table_html(self.sizes, N, self.row_bias.value) + note

    def summary(self):
        """The network, N and the parameter count, e.g. "sizes [2, 3, 2], N = 4: 17 ..."."""
        text = (f"ShapesWidget: sizes {self.sizes}, N = {self.N.value}: "
                f"{sum(n_params(self.sizes).values()):,} parameters")
        if self.row_bias.value:
            text += "; row b: " + row_bias_verdict(self.sizes, self.N.value)
        return text
