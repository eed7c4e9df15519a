"""Lesson 03's ForwardWidget: input sliders recolour the network and move the output bars."""

import numpy as np
import pytest

from mlp_core.course.widgets.forward import ForwardWidget, forward_steps, steps_html
from mlp_core.network import MLP


def hand_net():
    """Lesson 03's network with hand-set weights."""
    net = MLP([2, 3, 2], seed=0)
    net.layers[1].W = [[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0]]
    net.layers[1].b = [[0.0], [-0.5], [0.5]]
    net.layers[2].W = [[1.0, -1.0, 0.5], [-1.0, 1.0, 0.5]]
    net.layers[2].b = [[0.0], [0.5]]
    return net


def test_forward_steps_by_hand():
    steps = forward_steps(hand_net(), [1.0, 0.0])
    assert list(steps) == [1, 2]                     # layer l = 1 .. L, the one index
    np.testing.assert_allclose(steps[1][0], [1.0, 0.0, -0.5])
    np.testing.assert_allclose(steps[1][1], [0.731059, 0.5, 0.377541], atol=1e-6)
    np.testing.assert_allclose(steps[2][0], [0.419829, 0.457712], atol=1e-6)
    np.testing.assert_allclose(steps[2][1], [0.603442, 0.612471], atol=1e-6)


def test_steps_html_prints_shapes_and_values():
    net = hand_net()
    html = steps_html(np.array([1.0, 0.0]), forward_steps(net, [1.0, 0.0]))
    assert "a[0] = x (n_0, 1) = (2, 1): [1.000, 0.000]ᵀ" in html
    assert "z[1] = W[1] a[0] + b[1] (3, 1): [1.000, 0.000, -0.500]" in html
    assert "a[2] = σ(z[2]): [0.603, 0.612]" in html


def test_moving_an_input_recolours_nodes_and_moves_the_bars():
    net = hand_net()
    widget = ForwardWidget(net, x=[1.0, 0.0])
    png, label = widget.image.value, widget.label.value
    colours = widget.drawing.nodes.get_array().copy()
    widget.sliders[1].value = 1.0
    x = np.array([1.0, 1.0])
    Y_hat = net.forward(x)[0]
    a1 = net.layers[1].a[:, 0]
    np.testing.assert_allclose([bar.get_height() for bar in widget.bars], Y_hat)
    np.testing.assert_allclose(widget.drawing.nodes.get_array(), np.r_[x, a1, Y_hat])
    assert not np.allclose(widget.drawing.nodes.get_array(), colours)
    assert [t.get_text() for t in widget.values[2:5]] == [f"{v:.2f}" for v in a1]
    assert widget.bar_text[0].get_text() == f"{Y_hat[0]:.3f}"
    assert widget.image.value != png and widget.label.value != label
    assert widget.summary() == ("ForwardWidget: MLP([2, 3, 2]), x = [1.000, 1.000] "
                                f"→ Y_hat = [{Y_hat[0]:.3f}, {Y_hat[1]:.3f}]")


def test_edges_keep_the_weights_while_inputs_move():
    net = hand_net()
    widget = ForwardWidget(net, x=[0.5, 0.5])
    widths = np.array(widget.drawing.edges.get_linewidths())
    widget.sliders[0].value = 0.0
    np.testing.assert_allclose(widget.drawing.edges.get_linewidths(), widths)
    assert widths.max() == pytest.approx(4.0)       # the largest |w| gets the widest line


def test_the_network_drawing_stays_frameless_under_blitting():
    widget = ForwardWidget(hand_net())
    assert not any(spine.get_visible() for spine in widget.drawing.ax.spines.values())


def test_default_input_is_the_middle_of_the_range():
    widget = ForwardWidget(hand_net())
    np.testing.assert_allclose(widget.x, [0.5, 0.5])


def test_too_many_inputs_is_refused_with_a_message():
    with pytest.raises(ValueError, match="at most 6 inputs"):
        ForwardWidget(MLP([64, 30, 10], seed=0))
