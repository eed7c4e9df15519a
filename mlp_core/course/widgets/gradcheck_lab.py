"""Lesson 06's pictures: the step-size V of finite differences, and the bug menu.

The numbers come from ``mlp_core.course.models``, which lesson 06's checks use too:
``eps_sweep`` (the relative error of the centred difference against back-propagation as the
step ε shrinks, with the whole forward pass in float64 or float32), ``v_theory`` (its two
lines), ``diagnose`` (a gradient check of every layer l = 1 .. L, with what a shape check sees)
and ``flagged``. Here:

- ``plot_eps_sweep`` draws the V where truncation error (∝ ε²) meets rounding error (∝ 1/ε);
- ``elementwise_errors`` is CS231n's relative error, entry by entry, and
  ``max_elementwise_error`` its largest value
  (``mlp_core.relative_error`` is the norm-wise one over a whole array);
- ``describe`` says a ``diagnose`` result in one line; ``BugMenu`` lets the learner pick a
  planted bug (``mlp_core.course.bugs``) and watch the check flag the layers. Its axes never
  change (the right panel shows gradients divided by their largest entry), so a redraw repaints
  only the bars, dots and texts over a background drawn once.
"""

import html

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from mlp_core.course.bugs import BUGS, BuggyMLP, bug_batch
from mlp_core.course.checks import RIGHT, WRONG
from mlp_core.course.models import diagnose, flagged, verdict
from mlp_core.course.widgets.base import new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget

# ----- the step-size V ---------------------------------------------------------------------


def plain_log_ticks(axis, ticks):
    """Put ticks at ``ticks`` on a log axis, labelled "1e-07" in plain text (mathtext labels
    are slow to draw) and without minor ticks."""
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _: "1" if v == 1 else f"{v:.0e}"))
    axis.set_minor_locator(NullLocator())


DTYPE_COLOURS = {"float64": "#0072B2", "float32": "#D55E00"}   # Okabe-Ito: blue, vermillion


def plot_eps_sweep(ax, eps_values, errors, truncation=None, rounding=None, title=None):
    """Draw the V on a log-log Axes. errors: {"float64": array, "float32": array} (relative
    errors per ε); truncation: array ∝ ε²; rounding: {"float64": array, ...} ∝ 1/ε.
    Adds CS231n's thresholds 1e-7 (right) and 1e-2 (wrong). Returns the Axes."""
    ax.axhspan(WRONG, 2, color="#D55E00", alpha=0.08, lw=0)
    ax.axhspan(1e-17, RIGHT, color="#009E73", alpha=0.08, lw=0)
    ax.axhline(RIGHT, color="#009E73", ls=":", lw=1)
    ax.axhline(WRONG, color="#D55E00", ls=":", lw=1)
    x_text = eps_values[0] * 3
    ax.text(x_text, RIGHT * 0.4, "1e-7: right", color="#007050", fontsize=10, va="top")
    ax.text(x_text, WRONG * 1.6, "1e-2: wrong", color="#B04000", fontsize=10)
    for name, err in errors.items():
        ax.loglog(eps_values, np.maximum(err, 1e-17), "o-", ms=3, lw=1.5,
                  color=DTYPE_COLOURS[name], label=f"{name} forward pass")
        if rounding is not None and name in rounding:
            ax.loglog(eps_values, rounding[name], "--", lw=1, color=DTYPE_COLOURS[name],
                      label=f"rounding ≲ u·C / (ε·|∂C/∂w|), {name}")
    if truncation is not None:
        ax.loglog(eps_values, truncation, "k--", lw=1, label="truncation ∝ ε²")
    ax.set_ylim(1e-14, 2)
    ax.set_xlim(eps_values[0], eps_values[-1])
    ax.set_xlabel("step ε")
    ax.set_ylabel("relative error")
    ax.set_title(title or "the V of finite differences")
    ax.legend(loc="lower left", fontsize=9)
    return ax


# ----- diagnosing a network -----------------------------------------------------------------

def elementwise_errors(g, g_ref):
    """CS231n's relative error entry by entry, |g − g_ref| / max(|g|, |g_ref|), 0 where both
    entries are 0, of two same-shape arrays. Returns an array of their shape, values in [0, 2]."""
    g, g_ref = np.asarray(g, dtype=float), np.asarray(g_ref, dtype=float)
    if g.shape != g_ref.shape:
        raise ValueError(f"cannot compare gradients of shapes {g.shape} and {g_ref.shape}")
    scale = np.maximum(np.abs(g), np.abs(g_ref))
    diff = np.abs(g - g_ref)
    return np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)


def max_elementwise_error(g, g_ref):
    """The largest of ``elementwise_errors(g, g_ref)`` (0.0 for empty arrays), a float."""
    errors = elementwise_errors(g, g_ref)
    return float(errors.max()) if errors.size else 0.0


def _layer_list(ls):
    return ("layer " if len(ls) == 1 else "layers ") + ", ".join(str(l) for l in ls)


def describe(diag):
    """One line: what the shape check and the gradient check say about a ``diagnose`` result."""
    if diag["failure"] is not None:
        return "shape error in backward (numpy refuses a matrix product)"
    parts = []
    for p, name in (("W", "dW"), ("b", "db")):
        bad = [l for l, entry in diag["layers"].items() if not entry[p]["shape_ok"]]
        if bad:
            parts.append(f"shape error: {name} of {_layer_list(bad)}")
    flags = flagged(diag)
    if flags:
        parts.append(f"gradient check flags {_layer_list(flags)}")
    return "; ".join(parts) if parts else "passes both checks"


# ----- the bug menu widget -----------------------------------------------------------------

ARCHITECTURES = {
    "[2, 5, 4, 3]: no square W": [2, 5, 4, 3],
    "[2, 3, 3, 3]: square W[2], W[3]": [2, 3, 3, 3],
}
VERDICT_COLOURS = {"right": "#009E73", "suspicious": "#E69F00", "wrong": "#D55E00",
                   "shape": "0.85"}
_TOP = 30.0        # where a bar for a shape error ends (off the relative-error scale)
_FLOOR = 1e-16     # bars start here on the log axis
_LIM = 1.1         # the dots' axes: entries divided by the largest one lie in [-1, 1]


class BugMenu(BlitFigureWidget):
    """Pick a planted bug, a network shape and a batch size; see the gradient check per layer.

    Left: the relative error of dW[l] and db[l] for each layer l = 1 .. L on CS231n's scale
    (grey hatched bars: the shape is wrong, so there is no error to compute). Right: every
    gradient entry, backprop against finite differences, both divided by the largest |entry| s
    (written in the panel, kept in ``scale``); a right backward pass puts them on the diagonal.
    Only the bars, the dots and the texts are redrawn when a control moves: the axes stay
    fixed.
    """

    def __init__(self, bug="sigma_prime", architecture="[2, 5, 4, 3]: no square W", N=10,
                 seed=0):
        depth = {len(s) for s in ARCHITECTURES.values()}
        assert len(depth) == 1, "the bars are laid out for one depth"
        self.L = depth.pop() - 1
        self.seed = seed
        # wide enough for the longest option, labels at their natural width
        full = {"description_width": "initial"}
        self.bug = widgets.Dropdown(options=[(text, key) for key, text in BUGS.items()],
                                    value=bug, description="bug", style=full,
                                    layout=widgets.Layout(width="440px"))
        self.architecture = widgets.Dropdown(options=list(ARCHITECTURES), value=architecture,
                                             description="sizes", style=full,
                                             layout=widgets.Layout(width="330px"))
        self.N = widgets.IntSlider(value=N, min=1, max=16, description="batch N", style=full)
        self.report = widgets.HTML()
        fig = new_figure(8.4, 3.4)
        self.ax_err, self.ax_dots = fig.subplots(1, 2, width_ratios=[1, 1.05])
        self._build_bars()
        self._build_dots()
        for control in (self.bug, self.architecture, self.N):
            control.observe(self._changed, names="value")
        # what a control changes, in the order a full draw paints it (by zorder, per axes);
        # every text drawn costs about 2 ms, so the labels that never change stay put
        moving = [*self.bars["W"], *self.bars["b"], *self.thresholds, *self.bar_text["W"],
                  *self.bar_text["b"], self.title_err, self.dots, self.scale_text,
                  self.no_dots_text]
        super().__init__([widgets.HBox([self.bug, self.architecture]), self.N], fig, moving,
                         footer=[self.report])
        self._changed()

    def _build_bars(self):
        ax = self.ax_err
        x = np.arange(1, self.L + 1)                       # layers l = 1 .. L
        self.bars = {"W": ax.bar(x - 0.2, 1.0, 0.38, bottom=_FLOOR, edgecolor="black"),
                     "b": ax.bar(x + 0.2, 1.0, 0.38, bottom=_FLOOR, edgecolor="black")}
        # "shape" written inside a bar whose shape is wrong, else nothing
        self.bar_text = {p: [ax.text(xi + (-0.2 if p == "W" else 0.2), _TOP / 3, "",
                                     ha="center", va="top", fontsize=9,
                                     bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
                             for xi in x] for p in ("W", "b")}
        ax.set_yscale("log")
        ax.set_ylim(_FLOOR, _TOP * 10)
        plain_log_ticks(ax.yaxis, [1e-16, 1e-13, 1e-10, 1e-7, 1e-4, 1e-2, 1])
        # the shaded zones lie under the bars, the threshold lines across them
        ax.axhspan(WRONG, _TOP * 10, color="#D55E00", alpha=0.08, lw=0, zorder=0.5)
        ax.axhspan(_FLOOR, RIGHT, color="#009E73", alpha=0.08, lw=0, zorder=0.5)
        self.thresholds = [ax.axhline(RIGHT, color="#009E73", ls=":", lw=1),
                           ax.axhline(WRONG, color="#D55E00", ls=":", lw=1)]
        ax.set_xticks([xi + dx for xi in x for dx in (-0.2, 0.2)], ["dW", "db"] * len(x),
                      minor=True, fontsize=9)
        ax.set_xticks(x, [f"layer {l}" for l in x])
        ax.tick_params(axis="x", which="major", length=0, pad=16)
        ax.set_ylabel("relative error")
        self.title_err = ax.set_title("two lines\nreserved")

    def _build_dots(self):
        ax = self.ax_dots
        self.diagonal, = ax.plot([-_LIM, _LIM], [-_LIM, _LIM], color="0.5", lw=1, zorder=1)
        none = np.zeros(0)
        self.dots = ax.scatter(none, none, c=none, s=18, cmap="viridis", vmin=1,
                               vmax=self.L, edgecolors="black", linewidths=0.4,
                               zorder=2)
        cmap = colormaps["viridis"]
        handles = [Line2D([], [], ls="", marker="o", markerfacecolor=cmap((l - 1) / (self.L - 1)),
                          markeredgecolor="black", label=f"layer {l}")
                   for l in range(1, self.L + 1)]
        # under the dots, as they are drawn over a still background: no dot is hidden
        ax.legend(handles=handles, loc="upper left", fontsize=9).set_zorder(1.5)
        self.no_dots_text = ax.text(0, 0, "", ha="center", va="center", fontsize=10,
                                    bbox={"facecolor": "white", "edgecolor": "0.8", "pad": 4})
        self.scale_text = ax.text(0.97, 0.03, "", transform=ax.transAxes, ha="right",
                                  va="bottom", fontsize=9,
                                  bbox={"facecolor": "white", "edgecolor": "0.8", "pad": 2})
        ax.set_xlabel("finite difference ∂C/∂θ ÷ s")
        ax.set_ylabel("backprop dW, db entry ÷ s")
        self.title_dots = ax.set_title("each dot one weight or bias:\non the diagonal when right")
        ax.set_xlim(-_LIM, _LIM)
        ax.set_ylim(-_LIM, _LIM)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        ax.set_yticks([-1, -0.5, 0, 0.5, 1])

    def _changed(self, change=None):
        """Rebuild the network with the chosen bug, run ``diagnose`` and update the figure."""
        sizes = ARCHITECTURES[self.architecture.value]
        self.net = BuggyMLP(sizes, self.bug.value, init="xavier", seed=self.seed)
        X, Y = bug_batch(self.N.value, self.seed)
        self.diag = diagnose(self.net, X, Y)
        self._update_bars()
        self._update_dots()
        self.report.value = self._report_html()
        self.redraw()

    def _update_bars(self):
        d = self.diag
        for p in ("W", "b"):
            for l, bar, text in zip(range(1, self.L + 1), self.bars[p], self.bar_text[p]):
                if d["failure"] is not None or not d["layers"][l][p]["shape_ok"]:
                    kind, top = "shape", _TOP
                else:
                    err = d["layers"][l][p]["error"]
                    kind, top = verdict(err), max(err, _FLOOR * 10)
                bar.set_height(top - _FLOOR)
                bar.set_facecolor(VERDICT_COLOURS[kind])
                bar.set_hatch("//" if kind == "shape" else "")
                text.set_text(f"d{p}\nshape" if kind == "shape" else "")
        title = "backward raised a shape error" if d["failure"] else describe(d)
        self.title_err.set_text(_wrap(title))

    def _update_dots(self):
        xs, ys, cs = [], [], []
        for l, entry in self.diag["layers"].items():
            for e in entry.values():
                if e["shape_ok"]:
                    xs.append(e["numeric"].ravel())
                    ys.append(e["analytic"].ravel())
                    cs.append(np.full(e["numeric"].size, l))
        if xs:
            x, y, c = np.concatenate(xs), np.concatenate(ys), np.concatenate(cs)
            self.scale = max(np.abs(x).max(), np.abs(y).max(), 1e-12)
            self.dots.set_offsets(np.c_[x, y] / self.scale)
            self.dots.set_array(c.astype(float))
            self.scale_text.set_text(f"s = {self.scale:.1e}\nthe largest |entry|")
            self.no_dots_text.set_text("")
        else:
            self.scale = None
            self.dots.set_offsets(np.empty((0, 2)))
            self.dots.set_array(np.empty(0))
            self.scale_text.set_text("")
            self.no_dots_text.set_text("no gradients:\nbackward failed")

    def _report_html(self):
        """The relative errors per layer as an HTML table: for dW[l] and db[l], the norm-wise
        error (the bars) with its verdict and the largest element-wise one; numbers right-aligned
        in fixed-width columns."""
        d = self.diag
        if d["failure"] is not None:
            rows = (f"<tr><td colspan=5 style='{_TD}; white-space: normal'>backward raised: "
                    f"{html.escape(d['failure'])}</td></tr>")
        else:
            rows = ""
            for l, entry in d["layers"].items():
                cells = ""
                for p in ("W", "b"):
                    e = entry[p]
                    if e["shape_ok"]:
                        element = max_elementwise_error(e["analytic"], e["numeric"])
                        cells += (f"<td style='{_NUM}'>{e['error']:.1e} <span style='{_WORD}'>"
                                  f"{verdict(e['error'])}</span></td>"
                                  f"<td style='{_NUM}'>{element:.1e}</td>")
                    else:
                        cells += (f"<td colspan=2 style='{_NUM}'>shape {e['analytic'].shape}"
                                  f" ≠ {e['numeric'].shape}</td>")
                rows += f"<tr><td style='{_TD}'>layer {l}</td>{cells}</tr>"
        cols = f"<colgroup><col style='width: {_LAYER_W}'>{2 * _COLS}</colgroup>"
        head = (f"<tr><th style='{_TH}'></th><th colspan=2 style='{_GROUP}'>dW[l]</th>"
                f"<th colspan=2 style='{_GROUP}'>db[l]</th></tr>"
                f"<tr><th style='{_TH}; text-align: left'>layer</th>" + 2 * (
                    f"<th style='{_TH}'>norm-wise</th><th style='{_TH}'>max element-wise</th>")
                + "</tr>")
        return (f"<table style='{_TABLE}'>{cols}{head}{rows}</table>"
                f"<b>{html.escape(self.summary())}</b>")

    def summary(self):
        """The bug, the network, N and the verdict, e.g. "σ' missing in BP2, sizes [2, 5, 4, 3],
        N = 10: gradient check flags layers 1, 2"."""
        sizes = ARCHITECTURES[self.architecture.value]
        return (f"BugMenu: {BUGS[self.bug.value]}, sizes {sizes}, N = {self.N.value}: "
                f"{describe(self.diag)}")


# the report table: fixed column widths (a <colgroup>), numbers right-aligned in tabular digits
_LAYER_W = "64px"
_COLS = "<col style='width: 158px'><col style='width: 150px'>"     # norm-wise, max element-wise
_WORD = "display: inline-block; width: 72px; text-align: left"    # the verdict after a number
_TABLE = ("border-collapse: collapse; table-layout: fixed; width: 680px; "
          "font-variant-numeric: tabular-nums; white-space: nowrap")
_TD = "padding: 2px 6px; text-align: left"
_TH = "padding: 2px 6px; text-align: right; border-bottom: 1px solid #999"
_GROUP = "padding: 2px 6px; text-align: center; border-bottom: 1px solid #999"
_NUM = "padding: 2px 6px; text-align: right"


def _wrap(text, width=42):
    """Break a title into lines at "; " when it is long."""
    return text.replace("; ", ";\n") if len(text) > width else text
