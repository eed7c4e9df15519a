"""Lesson 04's widget: one sigmoid output neuron, its two costs, and their gradients.

For a single output ``a = σ(z)`` with target ``y`` (scalars, or arrays of any one shape):

- quadratic cost   C = ½ (a − y)²,                      dC/dz = (a − y) σ'(z)
- cross-entropy    C = −[y ln a + (1 − y) ln(1 − a)],   dC/dz = a − y

The quadratic cost's gradient carries σ'(z), which is nearly 0 when the neuron saturates
(σ' below 1 % of its peak ¼, |z| > 5.99: the course's one definition), so a neuron that is
confidently *wrong* learns slowly; cross-entropy's does not.
"""

import io

import ipywidgets as widgets
import numpy as np
from PIL import Image

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course.widgets.base import FigureWidget, new_figure

QUADRATIC, CROSS_ENTROPY = "#0072B2", "#D55E00"   # Okabe-Ito blue and vermillion


def quadratic_cost(z, y):
    """½ (σ(z) − y)², elementwise. z, y: same shape (or broadcastable); returns that shape."""
    return 0.5 * (sigmoid(z) - y) ** 2


def cross_entropy_cost(z, y):
    """−[y ln σ(z) + (1 − y) ln(1 − σ(z))], elementwise, computed from z so ln 0 never occurs
    (ln σ(z) = −ln(1 + e^(−z))). z, y: same shape (or broadcastable); returns that shape."""
    return y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z)


def quadratic_grad(z, y):
    """dC/dz of the quadratic cost through the sigmoid: (σ(z) − y) σ'(z), elementwise."""
    return (sigmoid(z) - y) * sigmoid_prime(z)


def cross_entropy_grad(z, y):
    """dC/dz of cross-entropy through the sigmoid: σ(z) − y (σ' cancels), elementwise."""
    return sigmoid(z) - y


class CostWidget(FigureWidget):
    """A slider for the output neuron's ``z`` (so its prediction a = σ(z)) and buttons for the
    target y ∈ {0, 1}. Left: both costs against z; right: both gradients dC/dz, with the
    current point marked on every curve. A line above the figure gives the numbers.

    z: the starting z; y: the starting target; z_range: the plotted interval of z.
    """

    def __init__(self, z=-4.0, y=1, z_range=(-8.0, 8.0)):
        self.z_grid = np.linspace(*z_range, 321)
        self.z_slider = widgets.FloatSlider(value=z, min=z_range[0], max=z_range[1], step=0.1,
                                            description="z", continuous_update=True,
                                            readout_format=".1f",
                                            layout=widgets.Layout(width="420px"))
        self.y_buttons = widgets.ToggleButtons(options=[("target y = 0", 0), ("target y = 1", 1)],
                                               value=y)
        self.readout = widgets.HTML()
        fig = new_figure(9.0, 3.4)
        ax_cost, ax_grad = fig.subplots(1, 2)
        self.curves, self.markers = {}, {}
        for ax, kind in ((ax_cost, "cost"), (ax_grad, "grad")):
            for name, colour in (("quadratic", QUADRATIC), ("cross-entropy", CROSS_ENTROPY)):
                (self.curves[kind, name],) = ax.plot(self.z_grid, self.z_grid, color=colour,
                                                     lw=2.2, label=name)
                (self.markers[kind, name],) = ax.plot([0.0], [0.0], "o", color=colour, ms=9,
                                                      mec="black")
            ax.axhline(0.0, color="0.5", lw=0.8)
            ax.set_xlabel("z of the output neuron (a = σ(z))")
            ax.set_xlim(*z_range)
        self.zline = [ax.axvline(z, color="0.3", ls=":", lw=1.2) for ax in (ax_cost, ax_grad)]
        ax_cost.set_ylabel("cost C")
        ax_cost.set_ylim(-0.2, 8.5)
        ax_cost.set_title("cost of one sample")
        ax_cost.legend(loc="upper center", fontsize=10)
        ax_grad.set_ylabel("dC/dz (what backprop sends back)")
        ax_grad.set_ylim(-1.1, 1.1)
        ax_grad.set_title("gradient through the sigmoid")
        self.ax_cost, self.ax_grad = ax_cost, ax_grad
        self.moving = list(self.markers.values()) + self.zline   # redrawn on every move of z
        self._backgrounds = {}      # target y -> the rendered figure without the moving artists
        self._draw_target()
        self._draw_point()
        super().__init__([widgets.HBox([self.z_slider, self.y_buttons]), self.readout], fig)
        self.z_slider.observe(self._on_z, names="value")
        self.y_buttons.observe(self._on_y, names="value")

    @property
    def z(self):
        """The current z of the output neuron."""
        return float(self.z_slider.value)

    @property
    def y(self):
        """The current target, 0 or 1."""
        return int(self.y_buttons.value)

    def values(self):
        """The numbers the widget shows: a, both costs and both gradients at the current z, y."""
        z, y = self.z, self.y
        return {"a": float(sigmoid(z)),
                "quadratic": float(quadratic_cost(z, y)),
                "cross-entropy": float(cross_entropy_cost(z, y)),
                "quadratic dC/dz": float(quadratic_grad(z, y)),
                "cross-entropy dC/dz": float(cross_entropy_grad(z, y))}

    def _draw_target(self, y=None):
        """Recompute the four curves for target ``y`` (default: the current target)."""
        y, z = (self.y if y is None else y), self.z_grid
        self.curves["cost", "quadratic"].set_ydata(quadratic_cost(z, y))
        self.curves["cost", "cross-entropy"].set_ydata(cross_entropy_cost(z, y))
        self.curves["grad", "quadratic"].set_ydata(quadratic_grad(z, y))
        self.curves["grad", "cross-entropy"].set_ydata(cross_entropy_grad(z, y))

    def _draw_point(self):
        """Move the markers and the dotted line to the current z; update the readout."""
        v = self.values()
        for name in ("quadratic", "cross-entropy"):
            self.markers["cost", name].set_data([self.z], [v[name]])
            self.markers["grad", name].set_data([self.z], [v[name + " dC/dz"]])
        for line in self.zline:
            line.set_xdata([self.z, self.z])
        self.readout.value = (
            f"z = {self.z:.1f}, prediction a = σ(z) = {v['a']:.4f}, target y = {self.y} · "
            f"<span style='color:{QUADRATIC}'>quadratic C = {v['quadratic']:.4f}, "
            f"dC/dz = {v['quadratic dC/dz']:+.4f}</span> · "
            f"<span style='color:{CROSS_ENTROPY}'>cross-entropy C = {v['cross-entropy']:.4f}, "
            f"dC/dz = {v['cross-entropy dC/dz']:+.4f}</span> · "
            f"σ'(z) = {float(sigmoid_prime(self.z)):.4f}: the quadratic gradient is this "
            "fraction of the cross-entropy one")

    def redraw(self):
        """Render the figure into the image by blitting: the axes, ticks and curves of each
        target are drawn once into a cached background, and a move of z only redraws the
        markers and the dotted lines on top of it (a full draw costs several times more).
        Both targets' backgrounds are drawn at the first redraw, so the first switch of the
        target is as quick as a move of z."""
        canvas = self.fig.canvas
        if self.y not in self._backgrounds:
            for artist in self.moving:
                artist.set_visible(False)
            for y in (1 - self.y, self.y):            # the current target last: its curves stay
                self._draw_target(y)
                canvas.draw()
                self._backgrounds[y] = canvas.copy_from_bbox(self.fig.bbox)
            for artist in self.moving:
                artist.set_visible(True)
        canvas.restore_region(self._backgrounds[self.y])
        for artist in self.moving:
            artist.axes.draw_artist(artist)
        buf = io.BytesIO()
        Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw",
                         "RGBA", 0, 1).save(buf, format="png", compress_level=1)
        self.image.value = buf.getvalue()

    def _on_z(self, change):
        self._draw_point()
        self.redraw()

    def _on_y(self, change):
        self._draw_target()
        self._draw_point()
        self.redraw()

    def summary(self):
        v = self.values()
        return (f"CostWidget: z = {self.z:.1f}, a = {v['a']:.4f}, y = {self.y}; dC/dz quadratic "
                f"{v['quadratic dC/dz']:+.4f}, cross-entropy {v['cross-entropy dC/dz']:+.4f}")
