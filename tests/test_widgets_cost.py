"""Lesson 04's cost widget, driven without a browser: the formulas, the slider, the target."""

import io

import numpy as np
import pytest
from PIL import Image

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course.widgets.base import figure_png
from mlp_core.course.widgets.cost import (
    CostWidget,
    cross_entropy_cost,
    cross_entropy_grad,
    quadratic_cost,
    quadratic_grad,
)


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_gradients_are_the_derivatives_of_the_costs(y):
    z, eps = np.linspace(-6, 6, 25), 1e-6
    for cost, grad in ((quadratic_cost, quadratic_grad), (cross_entropy_cost, cross_entropy_grad)):
        numeric = (cost(z + eps, y) - cost(z - eps, y)) / (2 * eps)
        np.testing.assert_allclose(grad(z, y), numeric, rtol=1e-6, atol=1e-9)


def test_costs_match_their_textbook_formulas_and_never_overflow():
    z = np.array([-3.0, 0.5, 2.0])
    a = sigmoid(z)
    np.testing.assert_allclose(quadratic_cost(z, 1.0), 0.5 * (a - 1) ** 2)
    np.testing.assert_allclose(cross_entropy_cost(z, 1.0), -np.log(a))
    np.testing.assert_allclose(cross_entropy_cost(z, 0.0), -np.log(1 - a))
    far = cross_entropy_cost(np.array([-800.0, 800.0]), 1.0)   # ln σ(−800) would be ln 0
    np.testing.assert_allclose(far, [800.0, 0.0], atol=1e-12)


def test_the_quadratic_gradient_is_sigma_prime_times_the_cross_entropy_one():
    z = np.linspace(-8, 8, 17)
    np.testing.assert_allclose(quadratic_grad(z, 1), sigmoid_prime(z) * cross_entropy_grad(z, 1))
    assert abs(quadratic_grad(-6.0, 1)) < 0.01 * abs(cross_entropy_grad(-6.0, 1))


@pytest.fixture
def widget():
    return CostWidget(z=-4.0, y=1)


def test_moving_z_moves_the_markers_and_the_numbers(widget):
    image, readout, summary = widget.image.value, widget.readout.value, widget.summary()
    assert "z = -4.0" in readout and "target y = 1" in readout
    widget.z_slider.value = 2.0
    assert widget.image.value != image
    assert widget.readout.value != readout and "z = 2.0" in widget.readout.value
    assert widget.summary() != summary
    x, y = widget.markers["grad", "quadratic"].get_data()
    assert list(x) == [2.0]
    assert y[0] == pytest.approx(float(quadratic_grad(2.0, 1)))
    x, y = widget.markers["cost", "cross-entropy"].get_data()
    assert y[0] == pytest.approx(float(cross_entropy_cost(2.0, 1)))
    assert list(widget.zline[0].get_xdata()) == [2.0, 2.0]


def test_switching_the_target_redraws_the_curves(widget):
    image = widget.image.value
    before = widget.curves["cost", "quadratic"].get_ydata().copy()
    widget.y_buttons.value = 0
    after = widget.curves["cost", "quadratic"].get_ydata()
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, quadratic_cost(widget.z_grid, 0))
    np.testing.assert_allclose(widget.curves["grad", "cross-entropy"].get_ydata(),
                               sigmoid(widget.z_grid))
    assert widget.image.value != image
    assert "target y = 0" in widget.readout.value
    assert widget.values()["cross-entropy dC/dz"] == pytest.approx(float(sigmoid(-4.0)))


def test_the_blitted_picture_is_the_full_picture(widget):
    widget.z_slider.value = 1.5
    widget.y_buttons.value = 0
    widget.z_slider.value = -2.5
    fast, full = pixels(widget.image.value), pixels(figure_png(widget.fig))
    assert fast.shape == full.shape
    assert np.mean(np.any(fast != full, axis=2)) < 0.002   # antialiased edges at most


def test_saved_output_has_a_picture_and_a_stable_line(widget):
    bundle = widget._repr_mimebundle_()
    assert bundle["image/png"]
    assert bundle["text/plain"] == CostWidget(z=-4.0, y=1).summary()
    assert bundle["text/plain"].startswith("CostWidget: z = -4.0, a = 0.0180, y = 1")


def test_left_is_the_cost_right_the_gradient(widget):
    # lesson 04: "Left: the cost of this one sample; right: dC/dz, what back-propagation sends"
    assert widget.ax_cost.get_position().x0 < widget.ax_grad.get_position().x0
    assert widget.ax_cost.get_title() == "cost of one sample"
    assert "dC/dz" in widget.ax_grad.get_ylabel()
    assert widget.z_slider.min <= -6.0 and widget.z_slider.max >= 6.0   # "drag z to -6", "+6"


def test_the_points_lesson_04_asks_to_try():
    # lesson 04: at z = -6 with y = 1 the prediction is 0.0025, the quadratic gradient about
    # -0.0025 and cross-entropy's about -1; z = 6 is at the saturation edge |z| > 5.99
    widget = CostWidget(z=-6.0, y=1)
    v = widget.values()
    assert round(v["a"], 4) == 0.0025 and round(v["quadratic dC/dz"], 4) == -0.0025
    assert round(v["cross-entropy dC/dz"], 1) == -1.0
    widget.z_slider.value, widget.y_buttons.value = 6.0, 0
    v = widget.values()
    assert round(v["quadratic dC/dz"], 4) == 0.0025 and round(v["cross-entropy dC/dz"], 1) == 1.0
    assert sigmoid_prime(6.0) < 0.01 * sigmoid_prime(0.0) < sigmoid_prime(5.9)
