"""Lesson 06: the step-size V, the bug menu widget and the checks of its two exercises."""

import matplotlib
import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome
from test_widgets_blit import full_draw, pixels

from mlp_core import MLP, relative_error
from mlp_core.course.bugs import BUGS, BuggyMLP, bug_batch
from mlp_core.course.checks.gradient_checking import check_gradcheck_layer, check_relative_error
from mlp_core.course.models import cost_in, diagnose, eps_sweep, flagged, v_theory, verdict
from mlp_core.course.widgets.gradcheck_lab import (
    ARCHITECTURES,
    BugMenu,
    describe,
    elementwise_errors,
    max_elementwise_error,
    plot_eps_sweep,
)

matplotlib.use("Agg")
EPS = np.logspace(-12, 0, 25)


@pytest.fixture(scope="module")
def case():
    X, Y = bug_batch(10)
    return MLP([2, 5, 4, 3], init="xavier", seed=0), X, Y


# ----- the V ----------------------------------------------------------------------------------

def test_cost_in_float64_is_the_engines_cost_and_float32_stays_float32(case):
    net, X, Y = case
    assert cost_in(net, X, Y, np.float64) == pytest.approx(net.loss(X, Y), rel=1e-12)
    c32 = cost_in(net, X, Y, np.float32)
    assert c32.dtype == np.float32 and c32 == pytest.approx(net.loss(X, Y), rel=1e-5)
    with pytest.raises(ValueError, match="MSE"):
        cost_in(MLP([2, 3], output_activation="softmax", loss="cross_entropy"), X[:, :2],
                np.eye(3)[:10], np.float64)


def test_the_V_in_float64_and_float32(case):
    net, X, Y = case
    W_before = net.layers[2].W.copy()
    e64 = eps_sweep(net, X, Y, 2, (1, 2), EPS, np.float64)         # W[2] (4, 5), entry (1, 2)
    e32 = eps_sweep(net, X, Y, 2, (1, 2), EPS, np.float32)
    assert np.array_equal(net.layers[2].W, W_before)              # the weight is restored
    best = EPS[np.argmin(e64)]
    assert e64.min() < 1e-9 and 1e-7 <= best <= 1e-3             # float64: a deep V near 1e-5
    assert e32.min() > 1e-6                                       # float32 never gets "right"
    assert np.all(e32[EPS < 1e-8] > 0.5)                          # the difference is lost
    big = EPS >= 1e-2                                             # truncation: slope 2
    slope = np.polyfit(np.log10(EPS[big]), np.log10(e64[big]), 1)[0]
    assert slope == pytest.approx(2, abs=0.15)
    top = EPS >= 0.1                                              # where truncation rules,
    assert np.allclose(e64[top], e32[top], rtol=0.5)              # both types agree


def test_v_theory_lines_cross_near_the_bottom(case):
    net, X, Y = case
    e64 = eps_sweep(net, X, Y, 2, (1, 2), EPS, np.float64)
    truncation, rounding, crossing = v_theory(net, X, Y, 2, (1, 2), EPS, e64)
    assert truncation.shape == EPS.shape and np.all(np.diff(truncation) > 0)
    assert np.all(np.diff(rounding(1.1e-16)) < 0)
    assert 1e-6 < crossing(1.1e-16) < 1e-3 < crossing(6e-8)


def test_plot_eps_sweep_draws_both_types_the_lines_and_the_thresholds(case):
    from matplotlib.figure import Figure

    net, X, Y = case
    errors = {n: eps_sweep(net, X, Y, 2, (1, 2), EPS, getattr(np, n))
              for n in ("float64", "float32")}
    truncation, rounding, _ = v_theory(net, X, Y, 2, (1, 2), EPS, errors["float64"])
    ax = Figure().subplots()
    plot_eps_sweep(ax, EPS, errors, truncation, {n: rounding(1e-16) for n in errors}, title="t")
    labels = [line.get_label() for line in ax.get_lines()]
    assert "float64 forward pass" in labels and "float32 forward pass" in labels
    assert "truncation ∝ ε²" in labels and sum("rounding" in s for s in labels) == 2
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_title() == "t"


# ----- diagnose ------------------------------------------------------------------------------

def test_verdict_uses_cs231n_thresholds():
    assert [verdict(e) for e in (1e-9, 1e-7, 1e-5, 1e-2, 0.9)] == \
        ["right", "right", "suspicious", "wrong", "wrong"]


@pytest.mark.parametrize("sizes, bug, expected", [
    ([2, 5, 4, 3], "none", "passes both checks"),
    ([2, 5, 4, 3], "sigma_prime", "gradient check flags layers 1, 2"),
    ([2, 5, 4, 3], "W_not_transposed", "shape error in backward (numpy refuses a matrix product)"),
    ([2, 3, 3, 3], "W_not_transposed", "gradient check flags layers 1, 2"),
    ([2, 5, 4, 3], "sum_not_mean", "gradient check flags layers 1, 2, 3"),
    ([2, 5, 4, 3], "post_loss", "gradient check flags layers 1, 2, 3"),
    ([2, 5, 4, 3], "post_db", "shape error: db of layers 1, 2, 3"),
])
def test_every_bug_is_caught_by_one_check_or_the_other(sizes, bug, expected):
    X, Y = bug_batch(10)
    diag = diagnose(BuggyMLP(sizes, bug, init="xavier", seed=0), X, Y)
    assert describe(diag) == expected
    assert list(diag["layers"]) in ([], [1, 2, 3])                 # the one index


def test_diagnose_keeps_both_gradients_and_the_shapes():
    X, Y = bug_batch(10)
    diag = diagnose(BuggyMLP([2, 5, 4, 3], "post_db", init="xavier", seed=0), X, Y)
    assert diag["failure"] is None and flagged(diag) == []
    e = diag["layers"][1]["b"]                                     # layer 1: db[1] (5, 1)
    assert e["analytic"].shape == (5, 10) and e["numeric"].shape == (5, 1)
    assert not e["shape_ok"] and e["error"] is None
    w = diag["layers"][1]["W"]
    assert w["shape_ok"] and w["error"] == relative_error(w["analytic"], w["numeric"])


# ----- the bug menu --------------------------------------------------------------------------

def bar_heights(menu):
    return [bar.get_height() for p in ("W", "b") for bar in menu.bars[p]]


def test_bug_menu_changes_with_the_bug():
    menu = BugMenu(bug="none")
    assert menu.summary() == ("BugMenu: no bug: BP1-BP4 as in lesson 05, sizes [2, 5, 4, 3], "
                              "N = 10: passes both checks")
    png, heights = menu.image.value, bar_heights(menu)
    dots = menu.dots.get_offsets().copy()
    assert dots.shape == (sum(s * n + n for s, n in [(2, 5), (5, 4), (4, 3)]), 2)
    np.testing.assert_allclose(dots[:, 0], dots[:, 1], rtol=1e-5, atol=1e-9)   # on the diagonal
    menu.bug.value = "sigma_prime"
    assert menu.summary().endswith("gradient check flags layers 1, 2")
    assert menu.image.value != png
    new = bar_heights(menu)
    assert new[0] > 1e-2 > heights[0] and new[2] == pytest.approx(heights[2])  # layer 3 right
    assert not np.allclose(menu.dots.get_offsets()[:, 1], dots[:, 1])
    assert "wrong" in menu.report.value and "gradient check flags layers 1, 2" in \
        menu.title_err.get_text()
    assert ">layer 1</td>" in menu.report.value and ">layer 0</td>" not in menu.report.value
    assert [t.get_text() for t in menu.ax_err.get_xticklabels()] == ["layer 1", "layer 2",
                                                                    "layer 3"]
    legend = [t.get_text() for t in menu.ax_dots.get_legend().get_texts()]
    assert legend == ["layer 1", "layer 2", "layer 3"]


def test_bug_menu_shape_errors_and_the_square_architecture():
    menu = BugMenu(bug="W_not_transposed")
    assert "shape error in backward" in menu.summary()
    assert len(menu.dots.get_offsets()) == 0
    assert all(text.get_text().endswith("shape") for text in menu.bar_text["W"])
    assert "backward raised" in menu.report.value
    menu.architecture.value = "[2, 3, 3, 3]: square W[2], W[3]"
    assert ARCHITECTURES[menu.architecture.value] == [2, 3, 3, 3]
    assert menu.summary().endswith("gradient check flags layers 1, 2")
    assert len(menu.dots.get_offsets()) > 0
    menu.bug.value = "post_db"
    assert "shape (3, 10) ≠ (3, 1)" in menu.report.value
    assert [t.get_text() for t in menu.bar_text["b"]] == ["db\nshape"] * 3


def test_bug_menu_batch_of_one_hides_the_batch_bugs():
    menu = BugMenu(bug="sum_not_mean")
    assert "flags layers 1, 2, 3" in menu.summary()
    menu.N.value = 1
    assert menu.summary().endswith("N = 1: passes both checks")
    menu.bug.value = "post_db"
    assert menu.summary().endswith("passes both checks")
    menu.bug.value = "post_loss"                                   # n_L = 3 still shows it
    assert menu.summary().endswith("flags layers 1, 2, 3")


def assert_full_picture(widget):
    """The frame shown is what a full draw of the figure gives, so a blitted redraw shows
    nothing stale or missing: the same pixels, but for a few along the axes' edges that are
    off by a few levels (where the tick marks meet the repainted image)."""
    diff = np.abs(pixels(widget.image.value) - full_draw(widget)).max(axis=2)
    assert diff.max() <= 16 and np.count_nonzero(diff) <= 50


def test_bug_menu_redraws_over_a_still_background_and_shows_the_full_picture():
    menu = BugMenu()
    background, png = menu._background, menu.image.value
    menu.N.value = 11
    assert menu.image.value != png
    assert menu._background is background                     # no full draw for a move
    assert_full_picture(menu)
    assert np.array_equal(pixels(menu.image.value), pixels(BugMenu(N=11).image.value))
    for architecture in ARCHITECTURES:                          # shape errors, wrong numbers,
        menu.architecture.value = architecture                  # right ones: each frame whole
        for bug in BUGS:
            menu.bug.value = bug
            assert_full_picture(menu)
    assert menu._background is background
    menu.N.value = 10
    assert np.array_equal(pixels(menu.image.value),
                          pixels(BugMenu(bug="post_db", architecture=menu.architecture.value)
                                 .image.value))


def test_bug_menu_dots_are_scaled_by_the_largest_entry_on_fixed_axes():
    menu = BugMenu(bug="sum_not_mean")                          # backprop N = 10 times too big
    d = menu.diag["layers"].values()
    numeric = np.concatenate([e[p]["numeric"].ravel() for e in d for p in ("W", "b")])
    analytic = np.concatenate([e[p]["analytic"].ravel() for e in d for p in ("W", "b")])
    assert menu.scale == pytest.approx(np.abs(analytic).max())
    np.testing.assert_allclose(menu.dots.get_offsets() * menu.scale, np.c_[numeric, analytic])
    slope = np.polyfit(numeric, analytic, 1)[0]
    assert slope == pytest.approx(10, rel=1e-4)                 # the steep line the dots show
    assert np.abs(menu.dots.get_offsets()).max() == pytest.approx(1)
    assert f"s = {menu.scale:.1e}" in menu.scale_text.get_text()
    assert "÷ s" in menu.ax_dots.get_xlabel() and "÷ s" in menu.ax_dots.get_ylabel()
    menu.bug.value = "W_not_transposed"                         # no gradients to show
    assert menu.scale is None and menu.scale_text.get_text() == ""
    assert "backward failed" in menu.no_dots_text.get_text()
    assert menu.ax_dots.get_xlim() == menu.ax_dots.get_ylim() == (-1.1, 1.1)
    menu.bug.value = "none"
    assert menu.no_dots_text.get_text() == "" and menu.scale_text.get_text() != ""


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_no_dot_hides_under_the_legend_or_the_scale_note(architecture):
    menu = BugMenu(architecture=architecture)
    renderer = menu.fig.canvas.get_renderer()
    to_data = menu.ax_dots.transData.inverted()
    for bug in BUGS:
        menu.bug.value = bug
        for N in (1, 10, 16):
            menu.N.value = N
            boxes = [menu.ax_dots.get_legend().get_window_extent(renderer)]
            if menu.scale_text.get_text():
                boxes.append(menu.scale_text.get_bbox_patch().get_window_extent(renderer))
            for box in boxes:
                box = box.transformed(to_data).padded(0.03)      # a dot's radius
                assert not any(box.contains(x, y) for x, y in menu.dots.get_offsets()), \
                    (bug, N)


def test_bug_menu_saves_a_picture_and_its_summary():
    menu = BugMenu()
    bundle = menu._repr_mimebundle_()
    assert bundle["text/plain"] == menu.summary() and len(bundle["image/png"]) > 1000


# ----- the exercises' checks -----------------------------------------------------------------

def right_relative_error(g, g_ref):
    scale = max(np.linalg.norm(g), np.linalg.norm(g_ref))
    return 0.0 if scale == 0 else np.linalg.norm(g - g_ref) / scale


@pytest.mark.parametrize("fn, expected", [
    (right_relative_error, "✓ my_relative_error is right"),
    (lambda g, r: np.linalg.norm(g - r), "absolute error"),
    (lambda g, r: np.linalg.norm(g - r) / np.linalg.norm(r), "dividing by ||g_ref|| alone"),
    (lambda g, r: np.linalg.norm(g - r) / max(np.linalg.norm(g), np.linalg.norm(r)),
     "return 0 instead of dividing 0 by 0"),
    (lambda g, r: np.linalg.norm(g - r) / (np.linalg.norm(g) + np.linalg.norm(r)), "not the sum"),
    (lambda g, r: None, "return statement"),
    (lambda g, r: {}["oops"], "✗ your my_relative_error raised KeyError: 'oops'"),
])
def test_check_relative_error(fn, expected):
    ok, out = outcome(check_relative_error, fn)
    assert expected in out and out.count("\n") == 1, out
    assert ok is expected.startswith("✓")


def test_check_relative_error_not_done():
    ok, out = outcome(check_relative_error, not_done)
    assert ok is False and "not done yet" in out and out.count("\n") == 1


def test_check_relative_error_explains_a_crash():
    assert_explains_a_crash(check_relative_error, name="my_relative_error")


def make_gradcheck(mistake=None):
    """A learner's gradcheck_layer, right or with one usual mistake."""
    def gradcheck_layer(net, X, Y, l, eps=1e-5):
        if mistake == "unfinished":
            raise NotImplementedError()
        layer, numeric = net.layers[l], []
        for theta in (layer.W, layer.b):
            if mistake == "copy":
                theta = theta.copy()
            grad = np.zeros_like(theta)
            for idx in np.ndindex(theta.shape):
                w = theta[idx]
                theta[idx] = w + eps
                c_plus = net.loss(X, Y)
                theta[idx] = w if mistake == "one_sided" else w - eps
                c_minus = net.loss(X, Y)
                if mistake != "no_restore":
                    theta[idx] = w
                step = eps if mistake in ("one_sided", "no_two") else 2 * eps
                grad[idx] = (c_plus - c_minus) / step
            numeric.append(grad)
        net.forward(X)
        net.backward(Y)
        if mistake == "constant":
            return 0.0, 0.0
        return relative_error(layer.dW, numeric[0]), relative_error(layer.db, numeric[1])
    return gradcheck_layer


@pytest.mark.parametrize("mistake, expected", [
    (None, "✓ gradcheck_layer is right"),
    ("unfinished", "not done yet"),
    ("copy", "not a copy"),
    ("one_sided", "one-sided"),
    ("no_two", "factor of 2"),
    ("no_restore", "changed the weights"),
    ("constant", "misses a planted bug"),
])
def test_check_gradcheck_layer(mistake, expected):
    ok, out = outcome(check_gradcheck_layer, make_gradcheck(mistake))
    assert expected in out and out.count("\n") == 1, out
    assert ok is (mistake is None)


def test_check_gradcheck_layer_explains_a_crash():
    assert_explains_a_crash(check_gradcheck_layer, name="gradcheck_layer")


def test_the_models_thresholds_are_the_check_protocols():
    from mlp_core.course import checks, models

    assert (models.RIGHT, models.WRONG) == (checks.RIGHT, checks.WRONG)


# ----- both relative errors, and a table and menus a projector can show -------------------

def test_elementwise_errors_are_cs231ns_and_zero_where_both_are_zero():
    g = np.array([[1.0, 0.0], [2.0, -1e-9]])
    ref = np.array([[1.1, 0.0], [2.0, 1e-9]])
    e = elementwise_errors(g, ref)
    assert e.shape == g.shape
    assert e[0, 0] == pytest.approx(0.1 / 1.1) and e[0, 1] == 0 and e[1, 0] == 0
    assert e[1, 1] == pytest.approx(2)                    # opposite signs: the top of the scale
    assert max_elementwise_error(g, ref) == pytest.approx(2)
    assert max_elementwise_error(3.0, 3.0) == 0.0
    assert max_elementwise_error(np.zeros(0), np.zeros(0)) == 0.0
    assert max_elementwise_error(0.5, 0.25) == relative_error(0.5, 0.25)   # one entry: the same
    with pytest.raises(ValueError, match="shapes"):
        elementwise_errors(np.ones(2), np.ones(3))


def test_each_measure_hides_what_the_other_shows():
    """The norm hides one wrong small entry among large ones; the element-wise maximum flags
    rounding on an entry that is nearly 0 in both."""
    g = np.array([1.0, 2.0, 1e-8])
    one_small_wrong = np.array([1.0, 2.0, -1e-8])   # its sign flipped
    assert verdict(relative_error(g, one_small_wrong)) == "right"
    assert verdict(max_elementwise_error(g, one_small_wrong)) == "wrong"
    noise_near_0 = np.array([1.0, 2.0, 1e-13]) + np.array([0, 0, 1e-14])
    assert verdict(relative_error(np.array([1.0, 2.0, 1e-13]), noise_near_0)) == "right"
    assert verdict(max_elementwise_error(np.array([1.0, 2.0, 1e-13]), noise_near_0)) != "right"


def test_the_report_table_has_a_header_and_both_errors_per_layer():
    menu = BugMenu(bug="none")
    report = menu.report.value
    assert report.count("<tr>") == 2 + 3                       # two header rows, layers 1 .. 3
    assert "<th colspan=2" in report and "norm-wise" in report
    assert "max element-wise" in report and "text-align: right" in report
    assert "table-layout: fixed" in report and report.count("<col ") == 5
    for entry in menu.diag["layers"].values():
        for p in ("W", "b"):
            e = entry[p]
            assert f"{e['error']:.1e} <span" in report and ">right</span>" in report
            assert f"{max_elementwise_error(e['analytic'], e['numeric']):.1e}<" in report
    menu.bug.value = "post_db"
    assert "colspan=2" in menu.report.value and "shape (5, 10) ≠ (5, 1)" in menu.report.value


def test_the_menus_are_wide_enough_for_their_longest_option():
    menu = BugMenu()
    for dropdown in (menu.bug, menu.architecture):
        assert dropdown.style.description_width == "initial"
        longest = max(len(label) for label in dropdown._options_labels)
        width = int(dropdown.layout.width.removesuffix("px"))
        # about 8 px a character at 13 px, plus the label and the arrow
        assert width >= 8 * longest + len(dropdown.description) * 8 + 30
