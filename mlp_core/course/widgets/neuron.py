"""Lesson 01's widget: one neuron with one input, a = σ(w x + b), its slope, and where it
saturates.

A neuron *saturates* where σ'(z) is below 1 % of its peak σ'(0) = 1/4: there its output barely
moves when z moves, and back-propagation (which multiplies by σ'(z)) passes almost nothing back.
"""

import ipywidgets as widgets
import numpy as np

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course.models import PEAK, SATURATION, saturation_edge
from mlp_core.course.widgets.base import new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget

X_RANGE = (-10.0, 10.0)


def saturation_z(fraction=SATURATION):
    """The |z| beyond which σ'(z) < fraction · σ'(0): 5.99 for 1 %.

    σ'(z) = s(1 − s) with s = σ(z); solving s(1 − s) = fraction/4 for s < 1/2 gives
    s = (1 − √(1 − fraction)) / 2, and z = ln(s / (1 − s)) is its negative root. The same
    edge as lesson 09's ``mlp_core.course.models.saturation_edge``, which this calls.
    """
    return saturation_edge(fraction * PEAK)


def saturated_intervals(w, b, lo=X_RANGE[0], hi=X_RANGE[1], z_sat=None):
    """The parts of the input range [lo, hi] where the neuron z = w x + b has |z| > z_sat.

    Returns a list of at most two (start, end) intervals, left to right; z_sat defaults to
    ``saturation_z()``.
    """
    z_sat = saturation_z() if z_sat is None else z_sat
    if w == 0:
        return [(lo, hi)] if abs(b) > z_sat else []
    x1, x2 = sorted(((-z_sat - b) / w, (z_sat - b) / w))   # |z| ≤ z_sat between x1 and x2
    parts = [(lo, min(x1, hi)), (max(x2, lo), hi)]
    return [(s, e) for s, e in parts if e > s]


def describe(w, b, lo=X_RANGE[0], hi=X_RANGE[1]):
    """One line about the neuron a = σ(w x + b) on [lo, hi]: where it is steepest and where it
    saturates."""
    parts = saturated_intervals(w, b, lo, hi)
    share = sum(e - s for s, e in parts) / (hi - lo)
    where = " and ".join(_interval_text(s, e, lo, hi) for s, e in parts) or "nowhere"
    steep = f"steepest at x = {-b / w + 0.0:.2f}" if w != 0 else "flat (w = 0)"
    # |w|/4 in full (0.125, not a rounded-down 0.12): the bound must hold as printed
    return (f"w = {w:.1f}, b = {b:.1f}: {steep}, slope |da/dx| = |w| σ'(z) ≤ "
            f"{abs(w) * PEAK:.4g}; saturated (σ' < 1 % of its peak) {where}: {share:.0%} of x in "
            f"[{lo:g}, {hi:g}]")


def _interval_text(s, e, lo, hi):
    if s == lo and e == hi:
        return "for every x"
    if s == lo:
        return f"for x < {e:.2f}"
    if e == hi:
        return f"for x > {s:.2f}"
    return f"for {s:.2f} < x < {e:.2f}"


class NeuronWidget(BlitFigureWidget):
    """Sliders for w and b; left, a = σ(w x + b); right, σ'(z) at z = w x + b; both shade the
    inputs where the neuron saturates. ``set(w, b)`` moves both sliders."""

    def __init__(self, w=1.0, b=0.0):
        self.w = widgets.FloatSlider(value=w, min=-5, max=5, step=0.1, description="w",
                                     readout_format=".1f")
        self.b = widgets.FloatSlider(value=b, min=-10, max=10, step=0.5, description="b",
                                     readout_format=".1f")
        self.label = widgets.HTML()
        self.x = np.linspace(*X_RANGE, 401)
        fig = new_figure(9.0, 3.6)
        ax_a, ax_d = fig.subplots(1, 2)
        ax_a.plot(self.x, sigmoid(self.x), ls="--", color="0.6", lw=1, label="w = 1, b = 0")
        (self.curve,) = ax_a.plot(self.x, self.x, color="C0", lw=2.5, label="a = σ(w x + b)")
        (self.slope,) = ax_d.plot(self.x, self.x, color="C1", lw=2.5, label="σ'(z)")
        ax_d.axhline(SATURATION * PEAK, color="0.3", ls=":", lw=1, label="1 % of the peak")
        self.spans, self.centre = [], []
        for ax in (ax_a, ax_d):
            self.spans.append([ax.axvspan(0, 0, color="0.5", alpha=0.25, lw=0) for _ in "lr"])
            self.centre.append(ax.axvline(0, color="0.3", ls="--", lw=1))
            ax.set_xlim(*X_RANGE)
            ax.set_xticks(np.linspace(*X_RANGE, 5))   # few tick labels: text is most of a redraw
            ax.set_xlabel("input x")
        self.spans[0][0].set_label("saturated")
        ax_a.set_ylim(-0.05, 1.05)
        ax_a.set_yticks([0, 0.5, 1])
        ax_a.set_ylabel("activation a")
        ax_a.set_title("the neuron a = σ(w x + b)")
        ax_a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=9)
        ax_d.set_ylim(0, 0.27)
        ax_d.set_yticks([0, 0.1, 0.2, 0.25])
        ax_d.set_ylabel("σ'(z), z = w x + b")
        ax_d.set_title("its slope σ'(z) = σ(z)(1 − σ(z))")
        ax_d.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=9)
        self._update()
        # the legends sit below the axes, out of the shading's way: redrawing them is costly
        moving = [*self.spans[0], *self.spans[1], *self.centre, self.curve, self.slope]
        super().__init__([self.w, self.b], fig, moving, footer=[self.label])
        self.w.observe(self._on_change, names="value")
        self.b.observe(self._on_change, names="value")

    def set(self, w, b):
        """Move both sliders (one redraw per slider, as a user would)."""
        self.w.value, self.b.value = w, b

    def _on_change(self, _change):
        self._update()
        self.redraw()

    def _update(self):
        w, b = self.w.value, self.b.value
        z = w * self.x + b
        self.curve.set_ydata(sigmoid(z))
        self.slope.set_ydata(sigmoid_prime(z))
        parts = saturated_intervals(w, b)
        for spans in self.spans:
            for span, (s, e) in zip(spans, parts + [(0.0, 0.0)] * 2):
                span.set_x(s)
                span.set_width(e - s)
        for line in self.centre:
            line.set_xdata([-b / w] * 2 if w != 0 else [np.nan] * 2)
        self.label.value = describe(w, b)

    def summary(self):
        """The neuron's state in one line, e.g. for w = 1, b = 0: saturated for |x| > 5.99."""
        return "NeuronWidget: " + describe(self.w.value, self.b.value)
