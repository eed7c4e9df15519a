"""The shared pictures: the decision boundary's grid, limits, points and in-place updates."""

import numpy as np
from matplotlib.figure import Figure

from mlp_core import MLP
from mlp_core.course.viz import DecisionBoundary, NetworkDrawing, class_score, layer_weights
from mlp_core.datasets import make_moons


def boundary(**kwargs):
    X, y = make_moons(40, noise=0.1, seed=0)
    ax = Figure().subplots()
    net = MLP([2, 4, 2], seed=0)
    return ax, net, X, y, DecisionBoundary(ax, net, X, y, X[:10] + 0.1, y[:10], steps=30,
                                           **kwargs)


def test_the_shading_is_the_networks_score_on_a_grid_holding_every_point():
    ax, net, X, y, b = boundary()
    assert b.G.shape == (30 * 30, 2)
    assert np.array_equal(b.image.get_array(), class_score(net, b.G).reshape(30, 30))
    (left, right), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    assert left < X[:, 0].min() and right > X[:, 0].max()
    assert bottom < X[:, 1].min() and top > X[:, 1].max()
    assert np.array_equal(b.train_points.get_offsets(), X)
    assert len(b.test_points.get_offsets()) == 10


def test_set_points_moves_and_recolours_in_place_and_corners_hold_the_frame():
    corners = np.array([[-5.0, -4.0], [6.0, 7.0]])
    ax, net, X, y, b = boundary(corners=corners)
    assert ax.get_xlim()[0] < -5 and ax.get_xlim()[1] > 6
    assert ax.get_ylim()[0] < -4 and ax.get_ylim()[1] > 7
    limits, points, image = (ax.get_xlim(), ax.get_ylim()), b.train_points, b.image
    colours = b.legend_colours()
    b.set_points(X * 2, 1 - y, X[:10] * 2, 1 - y[:10], corners)     # swapped labels
    assert b.train_points is points and b.image is image           # the same artists
    assert np.array_equal(points.get_offsets(), X * 2)
    assert np.array_equal(b.test_points.get_offsets(), X[:10] * 2)
    assert (ax.get_xlim(), ax.get_ylim()) == limits                 # the frame stays
    assert b.legend_colours() != colours                            # first point's colour
    blobs = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    b.set_points(blobs, np.array([0, 1, 2]), blobs, np.array([2, 1, 0]))   # three classes
    assert b.image.get_cmap().name == "viridis" and b.image.get_clim() == (0, 2)
    assert len(points.get_offsets()) == 3 and ax.get_xlim()[1] < 3     # fitted to the points
    b.update(net)
    assert b.image.get_array().shape == (30, 30)


def test_the_network_drawing_numbers_its_columns_as_the_equations_do():
    """Column l is net.layers[l]: layer 0 the input, the lines into column l the weights W[l]."""
    net = MLP([2, 3, 2], init="normal", seed=0)
    ax = Figure().subplots()
    drawing = NetworkDrawing.of(ax, net, X=np.array([0.2, 0.9]))
    notes = [t.get_text().split("\n")[0] for t in ax.texts]
    assert notes == ["layer 0 (input)", "layer 1", "layer 2"]
    expected = [net.layers[l].W[j, k] for l in (1, 2) for j in range(net.sizes[l])
                for k in range(net.sizes[l - 1])]
    np.testing.assert_array_equal(drawing.edges.get_array(), expected)
    segments = drawing.edges.get_segments()
    assert segments[0][0][0] == 0 and segments[0][1][0] == 1       # W[1]: column 0 → 1
    assert segments[-1][0][0] == 1 and segments[-1][1][0] == 2     # W[2]: column 1 → 2
    np.testing.assert_allclose(drawing.nodes.get_array(),
                               np.r_[0.2, 0.9, net.layers[1].a[:, 0], net.layers[2].a[:, 0]])
    assert layer_weights(net) == {1: net.layers[1].W, 2: net.layers[2].W}
    for l in (1, 2):                                # the band covers W[l] and column l
        drawing.update(weights=layer_weights(net), highlight=l)
        left, width = drawing.band.get_x(), drawing.band.get_width()
        assert l - 1 < left < l - 0.5 and left + width > l


def test_draw_chain_writes_each_node_with_its_value_and_gradient():
    import matplotlib.pyplot as plt

    from mlp_core.course.viz import draw_chain

    fig, ax = plt.subplots()
    nodes = draw_chain(ax, ["x", "z", "C"], [1.5, 0.25, 0.125], [-0.5, 2.0, 1.0], title="t")
    texts = [t.get_text() for t in ax.texts]
    assert [n.get_text() for n in nodes] == ["x", "z", "C"]
    assert {"1.5000", "0.2500", "0.1250", "-0.5000", "2.0000", "1.0000"} <= set(texts)
    assert ax.get_title() == "t" and len(ax.patches) + len(
        [c for c in ax.get_children() if type(c).__name__ == "Annotation"]) >= 2
    plt.close(fig)
