"""Lesson 02's ShapesWidget: parsing the sizes box, the shapes table and the row-b replay."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlp_core.course.widgets.shapes import (
    KINDS,
    ShapesWidget,
    layer_shapes,
    n_params,
    parse_sizes,
    row_bias_forward,
    row_bias_verdict,
    shape_table_html,
)
from mlp_core.network import MLP


@pytest.mark.parametrize("text, sizes", [
    ("2, 3, 2", [2, 3, 2]), ("64 30 10", [64, 30, 10]), ("[2, 3, 1]", [2, 3, 1]),
    (" 4;5 ", [4, 5]), ("(3,1)", [3, 1]),
])
def test_parse_sizes_reads_the_usual_spellings(text, sizes):
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize("text, message", [
    ("2, x, 3", "'x' is not a whole number"),
    ("1.5, 2", "'1.5' is not a whole number"),
    ("0, 3", "sizes[0] = 0: every layer size must be a positive integer"),
    ("2, 3, -1", "sizes[2] = -1"),
    ("5", "at least two entries"),
    ("", "type the layer sizes"),
    ("2, 3, 5000", "at most 1024"),
    ("1, 1, 1, 1, 1, 1, 1, 1, 1", "at most 8"),
])
def test_parse_sizes_explains_bad_text(text, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_sizes(text)


sizes_st = st.lists(st.integers(1, 6), min_size=2, max_size=5)


@settings(max_examples=30, deadline=None)
@given(sizes=sizes_st, N=st.integers(1, 7))
def test_layer_shapes_are_those_of_a_real_pass(sizes, N):
    """Keyed by the one index: layer_shapes(...)[l] is what net.layers[l] holds, l = 1 .. L."""
    net = MLP(sizes, seed=0)
    rng = np.random.default_rng(0)
    net.forward(rng.standard_normal((N, sizes[0])))
    net.backward(rng.random((N, sizes[-1])))
    real = {l: {k: getattr(net.layers[l], k).shape for k in KINDS} for l in range(1, net.L + 1)}
    assert layer_shapes(sizes, N) == real
    params = n_params(sizes)
    assert list(params) == list(range(1, net.L + 1))
    assert sum(params.values()) == net.n_params


@settings(max_examples=60, deadline=None)
@given(sizes=sizes_st, N=st.integers(1, 7))
def test_row_bias_forward_matches_what_numpy_really_does(sizes, N):
    """Replay the post's forward with real numbers and a row b added without .T."""
    net = MLP(sizes, init="normal", seed=1)
    A = np.random.default_rng(0).random((sizes[0], N))
    A_right = A
    forward = row_bias_forward(sizes, N)
    assert list(forward) == list(range(1, net.L + 1))
    for layer, (shape, verdict) in zip(net.layers[1:], forward.values()):
        if A is None:
            assert (shape, verdict) == (None, "")
            continue
        Z_right = layer.W @ A_right + layer.b
        try:
            Z = layer.W @ A + layer.b.T
        except ValueError as err:
            assert shape is None and verdict == f"ValueError: {err}".strip()
            A = None
            continue
        assert shape == Z.shape
        if Z.shape != Z_right.shape:
            assert verdict == "wrong shape"
        else:
            assert verdict == ("right" if np.allclose(Z, Z_right) else "wrong values")
        A, A_right = np.tanh(Z), np.tanh(Z_right)


def test_row_bias_verdicts_for_the_three_cases():
    assert row_bias_verdict([2, 3, 2], 4).startswith("layer 1: numpy raises ValueError")
    assert row_bias_verdict([2, 3, 2], 4).endswith("No Y_hat: the forward pass stops at layer 1.")
    assert row_bias_verdict([2, 3, 2], 1).startswith("layer 1: z comes out (3, 3) instead of "
                                                     "(3, 1), silently")
    assert row_bias_verdict([2, 3, 2], 3).startswith("layer 1: z has the right shape (3, 3)")
    assert "wrong values, silently" in row_bias_verdict([2, 3, 2], 3)
    assert "no harm" in row_bias_verdict([2, 1, 1], 5)


def test_row_bias_story_follows_the_next_layer_to_its_end():
    """Lesson 02's text: with N = 1 the next layer multiplies the (3, 3) block on, then its own
    row b stops the pass; where no layer refuses, the wrong Y_hat comes out silently."""
    story = row_bias_verdict([2, 3, 2], 1)
    assert ("Layer 2 multiplies it on (W[2] @ a[1] is (2, 3)), but adding its row b (1, 2) "
            "fails: numpy raises ValueError: operands could not be broadcast together with "
            "shapes (2,3) (1,2). No Y_hat: the forward pass stops at layer 2.") in story
    assert row_bias_verdict([3, 3], 1).endswith(
        "No layer refuses it: Y_hat = a[1].T comes out (3, 3), silently wrong.")


@pytest.mark.parametrize("sizes, N, stop", [([2, 3, 2], 4, 1), ([2, 3, 2], 1, 2),
                                            ([2, 3, 2], 3, 2)])
def test_row_bias_table_reports_no_Y_hat_where_numpy_stops(sizes, N, stop):
    html = shape_table_html(sizes, N, row_bias=True)
    assert f"no Y_hat: numpy stopped at layer {stop}" in html
    assert "Y_hat = a[" not in html
    assert html.count(">ValueError</td>") == 1
    assert html.count(">not run</td>") == 2 * (len(sizes) - 1 - stop)   # z and a of each


def test_row_bias_table_reports_a_silent_Y_hat():
    assert "Y_hat = a[1].T (3, 3), silently wrong: it should be (1, 3)" in shape_table_html(
        [3, 3], 1, row_bias=True)
    assert "Y_hat = a[2].T (3, 3): the right shape with wrong values, silently" in \
        shape_table_html([2, 3, 3], 3, row_bias=True)
    assert "Y_hat = a[2].T (5, 1)</td>" in shape_table_html([2, 1, 1], 5, row_bias=True)


def test_table_lists_every_shape_and_the_total():
    html = shape_table_html([64, 30, 10], 32)
    for text in ("(30, 64)", "(30, 1)", "(30, 32)", "(10, 30)", "(10, 32)", "2,260",
                 "X (32, 64)", "a[0] = X.T (64, 32)", "Y_hat = a[2].T (32, 10)", "0 (input)"):
        assert text in html
    assert html.count("<tr>") == 5                 # header, input, 2 layers, output
    cells = re.findall(r"<t([dh])[^>]*>(.*?)</t[dh]>", html)
    assert [text for kind, text in cells if kind == "h"] == ["layer l", *KINDS, "parameters"]
    assert [text for _, text in cells[11:20]] == ["1", "(30, 64)", "(30, 1)", "(30, 32)",
                                                  "(30, 32)", "(30, 32)", "(30, 64)",
                                                  "(30, 1)", "1,950"]


def test_table_cells_are_spaced_and_never_wrap():
    """One cell per value, padded and bordered, white-space: nowrap, a projector-sized font:
    the headers cannot run together ("deltadWdb") nor a shape break over two lines."""
    html = shape_table_html([64, 30, 10], 32, row_bias=True)
    tags = re.findall(r"<t[dh]\b[^>]*>", html)
    assert len(tags) == 9 + 2 + 2 * 9 + 3
    for tag in tags:
        assert "white-space:nowrap" in tag and "padding:4px 14px" in tag
        assert "border:1px solid" in tag and "font-size:15px" in tag
    widget = ShapesWidget("2, 3, 2", N=4)
    assert widget.table.layout.flex == "0 0 auto"


def test_typing_sizes_redraws_the_network_and_the_table():
    widget = ShapesWidget("2, 3, 2", N=4)
    png, table = widget.image.value, widget.table.value
    widget.text.value = "64, 30, 10"
    assert widget.sizes == [64, 30, 10]
    assert widget.image.value != png
    assert "(30, 64)" in widget.table.value and widget.table.value != table
    assert widget.summary() == "ShapesWidget: sizes [64, 30, 10], N = 4: 2,260 parameters"
    assert widget.ax.get_title() == "MLP([64, 30, 10], seed=0): 2,260 parameters"


def test_moving_N_changes_the_table_only():
    widget = ShapesWidget("2, 3, 2", N=4)
    png = widget.image.value
    widget.N.value = 7
    assert "(3, 7)" in widget.table.value and "(3, 4)" not in widget.table.value
    assert widget.image.value == png               # the drawing does not depend on N
    assert "N = 7" in widget.summary()


@pytest.mark.parametrize("text, message", [("2, x, 3", "'x' is not a whole number"),
                                           ("0, 3", "every layer size must be a positive")])
def test_bad_text_shows_a_message_and_keeps_the_last_network(text, message):
    widget = ShapesWidget("2, 3, 2", N=4)
    png, table = widget.image.value, widget.table.value
    widget.text.value = text                       # must not raise
    assert message in widget.message.value
    assert widget.sizes == [2, 3, 2]
    assert widget.image.value == png and widget.table.value == table
    widget.text.value = "3, 1"
    assert widget.message.value == "" and widget.sizes == [3, 1]


def test_row_bias_box_replays_the_trap():
    widget = ShapesWidget("2, 3, 2", N=1)
    widget.row_bias.value = True
    assert "(1, 3)" in widget.table.value                       # the post's row b
    assert "(3, 3) wrong shape" in widget.table.value
    assert "silently" in widget.summary()
    widget.N.value = 3
    assert "(3, 3) wrong values" in widget.table.value
    widget.N.value = 4
    assert "ValueError: operands could not be broadcast" in widget.table.value
    widget.row_bias.value = False
    assert "wrong" not in widget.table.value and "row b" not in widget.summary()
