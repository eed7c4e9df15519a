"""Lesson 02's widget: type layer sizes, move the batch size N, read every array's shape.

The table lists, per layer l = 1 .. L (``net.layers[l]``; layer 0 is the input, whose ``a`` is
Xᵀ), the shapes of ``W``, ``b``, ``z``, ``a``, ``delta``, ``dW``, ``db`` and the parameter count,
beside a drawing of the network. A check box replays the post's
``b`` as a row (1, n_out) added without its ``.T`` in every layer: the table then shows what
numpy makes of it, layer by layer (a silently wrong array, or a broadcasting error, after which
the pass stops and there is no ``Y_hat``).
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


#: Table styles, inline so that every front end keeps them: a cell per value with room around
#: it, no wrapping inside a shape, a font a projector can show.
CELL = ("padding:4px 14px; border:1px solid #bbb; white-space:nowrap; text-align:center; "
        "font-family:monospace; font-size:15px")
HEAD = CELL + "; background:#eee; font-weight:bold"
TABLE = "border-collapse:collapse; white-space:nowrap; margin:4px 0"


def _cell(text, colour=None, span=1, align=None):
    style = CELL + (f"; color:{colour}; font-weight:bold" if colour else "")
    style += f"; text-align:{align}" if align else ""
    span_attr = f' colspan="{span}"' if span > 1 else ""
    return f'<td style="{style}"{span_attr}>{text}</td>'


VERDICT_COLOUR = {"right": None, "wrong values": "#b2182b", "wrong shape": "#b2182b"}
ERROR_COLOUR = "#e66101"


def _stopped_at(forward):
    """The layer at which numpy refused the row b, or None when every layer ran."""
    return next((l for l, (shape, verdict) in forward.items() if shape is None and verdict),
                None)


def shape_table_html(sizes, N, row_bias=False):
    """The shapes table as HTML: a row for the input layer 0, one per layer l = 1 .. L, and
    the output with the total parameter count. With ``row_bias``, the b, z and a columns
    replay the post's row b without ``.T``: a layer where numpy raises shows "ValueError",
    the layers after it "not run", and the output row says there is no Y_hat."""
    head = "".join(f'<th style="{HEAD}">{k}</th>' for k in ("layer l", *KINDS, "parameters"))
    rows = [f"<tr>{_cell('0 (input)')}"
            + _cell(f"a[0] = X.T {_shape((sizes[0], N))}, from X {_shape((N, sizes[0]))}",
                    span=8, align="left") + "</tr>"]
    forward = row_bias_forward(sizes, N) if row_bias else None
    params = n_params(sizes)
    L = len(sizes) - 1
    for l, shapes in layer_shapes(sizes, N).items():
        cells = [_cell(l)] + [_cell(_shape(shapes[k])) for k in KINDS] + [_cell(f"{params[l]:,}")]
        if forward:
            shape, verdict = forward[l]
            cells[2] = _cell(_shape((1, shapes["b"][0])), "#b2182b")
            if shape is not None:
                colour = VERDICT_COLOUR[verdict]
                cells[3] = _cell(f"{_shape(shape)} {verdict}", colour)
                cells[4] = _cell(_shape(shape), colour)
            elif verdict:
                cells[3] = _cell("ValueError", ERROR_COLOUR)
                cells[4] = _cell("—")
            else:
                cells[3] = cells[4] = _cell("not run")
            cells[5:8] = [_cell("—")] * 3
        rows.append("<tr>" + "".join(cells) + "</tr>")
    total = _cell(f"<b>{sum(params.values()):,}</b>")
    if forward and _stopped_at(forward) is not None:
        output = _cell(f"no Y_hat: numpy stopped at layer {_stopped_at(forward)}",
                       ERROR_COLOUR, span=7, align="left")
    elif forward:
        shape = forward[L][0]
        y_shape = (shape[1], sizes[-1])
        right = y_shape == (N, sizes[-1]) and all(v == "right" for _, v in forward.values())
        if right:
            note = ""
        elif y_shape != (N, sizes[-1]):
            note = f", silently wrong: it should be {_shape((N, sizes[-1]))}"
        else:
            note = ": the right shape with wrong values, silently"
        output = _cell(f"Y_hat = a[{L}].T {_shape(y_shape)}{note}",
                       None if right else "#b2182b", span=7, align="left")
    else:
        output = _cell(f"Y_hat = a[{L}].T {_shape((N, sizes[-1]))}", span=7, align="left")
    rows.append(f"<tr>{_cell('output')}{output}{total}</tr>")
    return (f'<table style="{TABLE}"><tr>{head}</tr>' + "".join(rows) + "</table>")


def row_bias_verdict(sizes, N):
    """What the post's row b without .T does for these sizes and N, layer by layer: the first
    layer that goes silently wrong, the layer where numpy refuses (then there is no Y_hat), or
    the wrong Y_hat that comes out without an error."""
    forward = row_bias_forward(sizes, N)
    story = []
    cols = N
    for l, (shape, verdict) in forward.items():
        if shape is None:
            if not story:
                story.append(f"layer {l}: numpy raises {verdict}; at least this N fails loudly.")
            else:
                story.append(f"Layer {l} multiplies it on (W[{l}] @ a[{l - 1}] is "
                             f"{_shape((sizes[l], cols))}), but adding its row b "
                             f"{_shape((1, sizes[l]))} fails: numpy raises {verdict}.")
            story.append(f"No Y_hat: the forward pass stops at layer {l}.")
            return " ".join(story)
        if not story and verdict == "wrong shape":
            story.append(f"layer {l}: z comes out {_shape(shape)} instead of "
                         f"{_shape((sizes[l], N))}, silently: no error, a wrong array.")
        elif not story and verdict == "wrong values":
            story.append(f"layer {l}: z has the right shape {_shape(shape)} but b[j] was added "
                         "to sample j, not neuron j: wrong values, silently.")
        cols = shape[1]
    if not story:
        return "every layer has one neuron, so a row b is also a column: no harm here."
    L = len(sizes) - 1
    story.append(f"No layer refuses it: Y_hat = a[{L}].T comes out "
                 f"{_shape((cols, sizes[-1]))}, silently wrong.")
    return " ".join(story)


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
        self.table.layout = widgets.Layout(flex="0 0 auto")   # never squeezed: no wrapping
        self.children = (*self.children[:-1],
                         widgets.HBox([self.image, self.table],   # table below when narrow
                                      layout=widgets.Layout(flex_flow="row wrap",
                                                            align_items="flex-start")))
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
            note = (f"<p style='font-size:15px; max-width:60em'><b>b as a row, no .T:</b> "
                    f"{row_bias_verdict(self.sizes, N)} (mlp_core itself refuses a row b as "
                    "soon as it is assigned: section 4.)</p>")
        self.table.value = shape_table_html(self.sizes, N, self.row_bias.value) + note

    def summary(self):
        """The network, N and the parameter count, e.g. "sizes [2, 3, 2], N = 4: 17 ..."."""
        text = (f"ShapesWidget: sizes {self.sizes}, N = {self.N.value}: "
                f"{sum(n_params(self.sizes).values()):,} parameters")
        if self.row_bias.value:
            text += "; row b: " + row_bias_verdict(self.sizes, self.N.value)
        return text
