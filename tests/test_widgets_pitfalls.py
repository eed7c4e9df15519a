"""Lesson 09's gradient bars and pictures, driven without a browser."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlp_core.activations import sigmoid_prime
from mlp_core.course.models import (
    SATURATED,
    deep_net,
    gradient_norms,
    saturated_fraction,
    saturation_edge,
)
from mlp_core.course.widgets.pitfalls import (
    MAX_DEPTH,
    GradientBarChart,
    GradientBars,
    describe,
    draw_saturation,
)
from mlp_core.datasets import load_digits, train_test_split


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    X_train, _, y_train, _ = train_test_split(X, y, 0.2, seed=0)
    return X_train[:500], y_train[:500]


def bars_of(widget):
    """(heights, visible) of the widget's bars."""
    bars = widget.chart.bars
    return (np.array([b.get_height() for b in bars]), [b.get_visible() for b in bars])


def test_gradient_norms_are_the_lengths_of_db(digits):
    X, y = digits
    net = deep_net(3, seed=0)
    norms = gradient_norms(net, X, y)
    assert list(norms) == [1, 2, 3, 4] == list(range(1, net.L + 1))   # the one index
    net.forward(X)
    net.backward(y)
    for l, norm in norms.items():
        assert isinstance(norm, float)
        assert norm == pytest.approx(np.sqrt(np.sum(net.layers[l].db ** 2)), rel=1e-14)


def test_sigmoid_gradients_vanish_toward_the_input_like_nielsens(digits):
    X, y = digits
    norms = gradient_norms(deep_net(4, "xavier", "sigmoid", seed=0), X, y)
    hidden = np.array([norms[l] for l in range(1, 5)])         # layers 1 .. 4; 5 is the output
    assert np.all(np.diff(hidden) > 0)                    # smaller at every step toward the input
    assert 2.5 < (hidden[1:] / hidden[:-1]).min() and (hidden[1:] / hidden[:-1]).max() < 8
    assert hidden[-1] / hidden[0] > 30


def hidden_norms(net, X, y):
    """‖db[l]‖ of the hidden layers l = 1 .. L − 1, as an array."""
    norms = gradient_norms(net, X, y)
    return np.array([norms[l] for l in range(1, net.L)])


def test_relu_with_he_keeps_them_and_with_normal_weights_they_explode(digits):
    X, y = digits
    he = hidden_norms(deep_net(4, "he", "relu", seed=0), X, y)
    assert he.max() / he.min() < 10
    normal = hidden_norms(deep_net(4, "normal", "relu", seed=0), X, y)
    assert normal[0] > 10 * normal[-1]


def test_every_control_changes_the_bars(digits):
    widget = GradientBars(*digits, depth=4, init="xavier", activation="sigmoid")
    for control, value in ((widget.depth, 2), (widget.init, "he"), (widget.activation, "tanh"),
                           (widget.init, "small"), (widget.activation, "relu"),
                           (widget.depth, 5)):
        heights, image, label = bars_of(widget)[0], widget.image.value, widget.label.value
        control.value = value
        assert not np.array_equal(bars_of(widget)[0], heights), control.description
        assert widget.image.value != image
        assert widget.label.value != label
    assert widget.summary().startswith("GradientBars: 5 hidden layers, relu, init small")


def test_the_bars_show_depth_plus_one_layers(digits):
    widget = GradientBars(*digits, depth=1)
    for depth in range(1, MAX_DEPTH + 1):
        widget.depth.value = depth
        heights, visible = bars_of(widget)
        assert visible == [l <= depth + 1 for l in range(1, MAX_DEPTH + 2)]
        assert list(widget.norms) == list(range(1, depth + 2))
        assert widget.chart.bars[depth].get_facecolor() != widget.chart.bars[0].get_facecolor()
        assert [bar.get_x() + bar.get_width() / 2 for bar in widget.chart.bars[:2]] == [1, 2]
        texts = [t.get_text() for t in widget.chart.values[:depth + 1]]
        assert all(texts)


def test_describe_reports_vanishing_and_exploding():
    slow = describe({1: 0.001, 2: 0.01, 3: 0.1, 4: 1.0})
    assert slow.startswith("‖db[l]‖ of the hidden layers l = 1 .. 3: 0.001, 0.01, 0.1")
    assert slow.endswith("output layer 4: 1. layers[1] learns 100× slower than layers[3]")
    assert "layers[1] gets 50× larger steps than layers[2]" in describe({1: 5.0, 2: 0.1, 3: 1.0})
    assert describe({1: 0.5, 2: 1.0}).endswith("output layer 2: 1")


def test_chart_refuses_too_many_layers():
    fig, ax = plt.subplots()
    chart = GradientBarChart(ax, max_depth=2)
    with pytest.raises(ValueError, match="l = 1 .. L, L from 1 to 3"):
        chart.update({1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0})
    with pytest.raises(ValueError, match="got the keys"):
        chart.update({0: 1.0, 1: 1.0})                    # the old 0-based list's keys
    chart.update({1: 1e-9, 2: 1e9})                       # clipped into the axes, labelled exactly
    assert [t.get_text() for t in chart.values[:2]] == ["1e-09", "1000000000"]
    plt.close(fig)


def test_saturation_edge_and_fraction():
    edge = saturation_edge()                     # the default: σ' < 1 % of its peak 1/4
    assert SATURATED == 0.0025 and abs(edge - 5.986) < 1e-3
    assert np.isclose(sigmoid_prime(edge), 0.0025)
    assert abs(saturation_edge(0.01) - 4.585) < 1e-3     # any other threshold on σ'
    z = np.array([0.0, 1.0, -5.9, 6.1, -10.0])   # |z| > 5.99 only at 6.1 and -10
    assert saturated_fraction(z) == pytest.approx(0.4)
    assert saturated_fraction(z, 0.01) == pytest.approx(0.6)


def test_saturation_has_one_definition_in_lessons_01_and_09():
    from mlp_core.course.widgets.neuron import PEAK, SATURATION, saturation_z

    assert SATURATED == SATURATION * PEAK
    assert saturation_z() == saturation_edge()


def test_controls_show_their_whole_label(digits):
    widget = GradientBars(*digits, depth=2)
    for control in (widget.depth, widget.init, widget.activation):
        assert control.style.description_width == "initial", control.description


def test_draw_saturation_draws_one_histogram_per_layer():
    fig, ax = plt.subplots()
    rng = np.random.default_rng(0)
    patches = draw_saturation(ax, {"narrow": rng.normal(0, 0.5, 1000),
                                   "wide": rng.normal(0, 4, 1000)})
    assert len(patches) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "narrow: 0% saturated" and labels[1].startswith("wide: ")
    assert "saturated:\nσ' < 1 % of\nits peak" in [t.get_text() for t in ax.texts]
    plt.close(fig)
