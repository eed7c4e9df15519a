"""Lesson 01's NeuronWidget: the saturation bands and what moving w and b redraws."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course.widgets.neuron import (
    PEAK,
    SATURATION,
    X_RANGE,
    NeuronWidget,
    describe,
    saturated_intervals,
    saturation_z,
)


def test_saturation_z_is_where_the_slope_falls_to_one_percent_of_its_peak():
    z_sat = saturation_z()
    assert z_sat == pytest.approx(5.9864, abs=1e-4)
    assert sigmoid_prime(z_sat) == pytest.approx(SATURATION * PEAK, rel=1e-12)
    assert sigmoid_prime(-z_sat) == pytest.approx(SATURATION * PEAK, rel=1e-12)


def test_saturated_intervals_for_the_standard_neuron():
    z_sat = saturation_z()
    assert saturated_intervals(1.0, 0.0) == [(-10.0, -z_sat), (z_sat, 10.0)]


@pytest.mark.parametrize("w, b, expected", [
    (0.0, 7.0, [(-10.0, 10.0)]),     # a constant neuron beyond |z| > 5.99: saturated everywhere
    (0.0, 1.0, []),                  # a constant neuron in the active band
    (0.5, 0.0, []),                  # band 2 * 5.99 / 0.5 wider than the range
])
def test_saturated_intervals_edge_cases(w, b, expected):
    assert saturated_intervals(w, b) == expected


def test_a_shift_pushes_one_band_out_of_range():
    parts = saturated_intervals(1.0, 8.0)           # middle at x = -8
    assert len(parts) == 1
    start, end = parts[0]
    assert start == pytest.approx(saturation_z() - 8.0) and end == 10.0


@given(w=st.floats(-5, 5), b=st.floats(-10, 10), x=st.floats(*X_RANGE))
def test_saturated_intervals_agree_with_the_definition(w, b, x):
    z_sat = saturation_z()
    inside = any(s <= x <= e for s, e in saturated_intervals(w, b))
    z = abs(w * x + b)
    if abs(z - z_sat) > 1e-9:                       # skip points on the boundary itself
        assert inside == (z > z_sat)


def test_describe_names_the_steepest_point_and_the_share_saturated():
    text = describe(2.0, -3.0)
    assert "steepest at x = 1.50" in text
    assert "for x < -1.49 and for x > 4.49" in text
    assert "70%" in text
    assert "steepest at x = 0.00" in describe(1.0, 0.0)     # no "-0.00"
    assert "for every x" in describe(0.0, 7.0)


@pytest.mark.parametrize("w", [0.5, 0.1, 1.0, 2.3, 4.9, 5.0, -2.0, -0.5])
def test_describe_states_a_slope_bound_that_holds_as_printed(w):
    """The label's "|da/dx| = |w| σ'(z) ≤ B": B, as printed, is at least the steepest slope
    |w|/4 of a = σ(wx + b) (0.125 for w = 0.5, not a rounded-down 0.12), and for a negative w
    too (its slope da/dx is negative, its size is not)."""
    text = describe(w, 1.0)
    assert "slope |da/dx| = |w| σ'(z) ≤ " in text
    bound = float(text.split("≤ ")[1].split(";")[0])
    x = np.linspace(-10, 10, 200001)
    steepest = np.abs(np.gradient(sigmoid(w * x + 1.0), x)).max()
    assert bound >= steepest - 1e-9 and bound == pytest.approx(abs(w) / 4, abs=1e-12)
    assert describe(0.5, 0.0).split("; ")[0].endswith("≤ 0.125")


def test_moving_w_redraws_the_curve_the_slope_and_the_label():
    widget = NeuronWidget()
    png, label, summary = widget.image.value, widget.label.value, widget.summary()
    widget.w.value = 3.0
    x = widget.x
    np.testing.assert_allclose(widget.curve.get_ydata(), sigmoid(3.0 * x))
    np.testing.assert_allclose(widget.slope.get_ydata(), sigmoid_prime(3.0 * x))
    assert widget.image.value != png
    assert widget.label.value != label and "w = 3.0" in widget.label.value
    assert widget.summary() != summary and widget.summary().startswith("NeuronWidget: w = 3.0")


def test_moving_b_moves_the_middle_and_the_shaded_bands():
    widget = NeuronWidget()
    widget.set(2.0, -4.0)
    for line in widget.centre:                      # z = 0 at x = -b / w = 2
        np.testing.assert_allclose(line.get_xdata(), [2.0, 2.0])
    expected = saturated_intervals(2.0, -4.0)
    for spans in widget.spans:
        drawn = [(s.get_x(), s.get_x() + s.get_width()) for s in spans if s.get_width() > 0]
        np.testing.assert_allclose(drawn, expected)


def test_w_zero_hides_the_middle_and_shades_everything_or_nothing():
    widget = NeuronWidget()
    widget.set(0.0, 8.0)
    assert np.isnan(widget.centre[0].get_xdata()).all()
    widths = [s.get_width() for s in widget.spans[0]]
    assert sorted(widths) == [0.0, 20.0]
    widget.b.value = 2.0
    assert [s.get_width() for s in widget.spans[1]] == [0.0, 0.0]
    assert "nowhere" in widget.label.value


def test_saved_output_carries_a_picture_and_a_stable_line():
    bundle = NeuronWidget(w=1.0, b=0.0)._repr_mimebundle_()
    assert bundle["image/png"]
    assert bundle["text/plain"] == NeuronWidget(w=1.0, b=0.0).summary()
