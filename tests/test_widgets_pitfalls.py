"""Lesson 09's gradient bars and pictures, driven without a browser."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlp_core.activations import sigmoid_prime
from mlp_core.datasets import load_digits, train_test_split
from mlp_core.widgets.pitfalls import (
    MAX_DEPTH,
    GradientBarChart,
    GradientBars,
    deep_net,
    describe,
    draw_saturation,
    gradient_norms,
    saturated_fraction,
    saturation_edge,
)


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
    assert norms.shape == (4,)
    net.forward(X)
    net.backward(y)
    assert np.allclose(norms, [np.sqrt(np.sum(layer.db ** 2)) for layer in net.layers])


def test_sigmoid_gradients_vanish_toward_the_input_like_nielsens(digits):
    X, y = digits
    norms = gradient_norms(deep_net(4, "xavier", "sigmoid", seed=0), X, y)
    hidden = norms[:-1]
    assert np.all(np.diff(hidden) > 0)                    # smaller at every step toward the input
    assert 2.5 < (hidden[1:] / hidden[:-1]).min() and (hidden[1:] / hidden[:-1]).max() < 8
    assert hidden[-1] / hidden[0] > 30


def test_relu_with_he_keeps_them_and_with_normal_weights_they_explode(digits):
    X, y = digits
    he = gradient_norms(deep_net(4, "he", "relu", seed=0), X, y)[:-1]
    assert he.max() / he.min() < 10
    normal = gradient_norms(deep_net(4, "normal", "relu", seed=0), X, y)[:-1]
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
        assert visible == [i <= depth for i in range(MAX_DEPTH + 1)]
        assert len(widget.norms) == depth + 1
        assert widget.chart.bars[depth].get_facecolor() != widget.chart.bars[0].get_facecolor()
        texts = [t.get_text() for t in widget.chart.values[:depth + 1]]
        assert all(texts)


def test_describe_reports_vanishing_and_exploding():
    assert "learns 100× slower" in describe(np.array([0.001, 0.01, 0.1, 1.0]))
    assert "gets 50× larger steps" in describe(np.array([5.0, 0.1, 1.0]))
    assert describe(np.array([0.5, 1.0])).endswith("output layer 1")


def test_chart_refuses_too_many_layers():
    fig, ax = plt.subplots()
    chart = GradientBarChart(ax, max_depth=2)
    with pytest.raises(ValueError, match="1 to 3 entries"):
        chart.update(np.ones(4))
    chart.update(np.array([1e-9, 1e9]))                   # clipped into the axes, labelled exactly
    assert [t.get_text() for t in chart.values[:2]] == ["1e-09", "1000000000"]
    plt.close(fig)


def test_saturation_edge_and_fraction():
    edge = saturation_edge(0.01)
    assert abs(edge - 4.585) < 1e-3
    assert np.isclose(sigmoid_prime(edge), 0.01)
    z = np.array([0.0, 1.0, -4.0, 4.7, -10.0])
    assert saturated_fraction(z) == pytest.approx(0.4)


def test_draw_saturation_draws_one_histogram_per_layer():
    fig, ax = plt.subplots()
    rng = np.random.default_rng(0)
    patches = draw_saturation(ax, {"narrow": rng.normal(0, 0.5, 1000),
                                   "wide": rng.normal(0, 4, 1000)})
    assert len(patches) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "narrow: 0% saturated" and labels[1].startswith("wide: ")
    plt.close(fig)
