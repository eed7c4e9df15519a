"""Lesson 05's step-through of the backward pass, driven without a browser."""

import numpy as np
import pytest

from mlp_core import MLP
from mlp_core.course.widgets.backprop import MAX_ANNOTATED, BackpropStepper, Heatmap, step_equations
from mlp_core.course.widgets.base import new_figure
from mlp_core.datasets import make_moons


def batch():
    X, y = make_moons(5, noise=0.1, seed=0)
    return MLP([2, 4, 3, 2], init="normal", seed=0), X, y


@pytest.fixture(scope="module")
def made_once():
    net, X, y = batch()
    return BackpropStepper(net, X, y)


@pytest.fixture
def stepper(made_once):
    made_once.restart_button.click()             # every test starts from step 1
    return made_once


def test_it_starts_at_the_output_layer_with_bp1(stepper):
    net, X, y = batch()
    net.forward(X)
    net.backward(y)
    assert stepper.step == 1 and stepper.layer_index == 3 == net.L
    np.testing.assert_array_equal(stepper.maps["delta"].image.get_array(), net.layers[3].delta.T)
    np.testing.assert_array_equal(stepper.maps["db"].image.get_array(), net.layers[3].db.T)
    np.testing.assert_array_equal(stepper.maps["dW"].image.get_array(), net.layers[3].dW)
    assert "δ[3]" not in stepper.maps["delta"].ax.get_title()       # mathtext: \delta[3]
    assert r"\delta[3] = (a[3] - Y^T)" in stepper.maps["delta"].ax.get_title()
    assert stepper.maps["delta"].ax.get_title().startswith("BP1")
    assert stepper.back_button.disabled and not stepper.next_button.disabled
    assert "Step 1 of 3" in stepper.caption.value


def test_next_step_walks_back_one_layer(stepper):
    net, X, y = batch()
    net.forward(X)
    net.backward(y)
    image, band_x = stepper.image.value, stepper.drawing.band.get_x()
    stepper.next_button.click()
    assert stepper.step == 2 and stepper.layer_index == 2
    assert stepper.image.value != image
    assert stepper.drawing.band.get_x() == pytest.approx(band_x - 1)   # highlight moved left
    assert stepper.maps["delta"].ax.get_title().startswith("BP2")
    assert stepper.maps["dW"].ax.get_title().startswith("BP4")
    assert stepper.maps["delta"].image.get_array().shape == (5, 3)     # samples × neurons
    np.testing.assert_array_equal(stepper.maps["dW"].image.get_array(), net.layers[2].dW)
    assert "Step 2 of 3" in stepper.caption.value and "net.layers[2]" in stepper.caption.value
    assert "hidden layer 2" in stepper.caption.value and "dW[2] (3, 4)" in stepper.caption.value
    assert not stepper.back_button.disabled
    assert stepper.summary().endswith("step 2 of 3 (net.layers[2])")


def test_the_pass_ends_at_layer_1_and_can_go_back_and_restart(stepper):
    first = stepper.image.value
    stepper.next_button.click()
    second = stepper.image.value
    stepper.next_button.click()
    assert stepper.layer_index == 1 and stepper.next_button.disabled
    assert "the pass is complete" in stepper.caption.value
    assert r"dW[1] = \delta[1]\, a[0]^T" in stepper.maps["dW"].ax.get_title()   # a[0] = Xᵀ
    assert "layer 0, the input" in stepper.maps["dW"].ax.get_xlabel()
    stepper.next_button.click()                      # past the end: stays at the last step
    assert stepper.step == 3
    stepper.back_button.click()
    assert stepper.step == 2 and stepper.image.value == second
    stepper.restart_button.click()
    assert stepper.step == 1 and stepper.image.value == first


def test_later_passes_through_the_network_do_not_change_what_it_shows():
    net, X, y = batch()
    stepper = BackpropStepper(net, X, y)
    shown = stepper.shown()["delta"].copy()
    net.forward(X[:1])
    net.backward(y[:1])                              # net.layers[3].delta is now (2, 1)
    stepper.next_button.click()
    stepper.back_button.click()
    np.testing.assert_array_equal(stepper.maps["delta"].image.get_array(), shown)


def test_the_colour_scale_is_centred_on_zero(stepper):
    for heatmap in stepper.maps.values():
        vmin, vmax = heatmap.image.get_clim()
        assert vmin == -vmax > -np.inf
        assert vmax == pytest.approx(np.abs(heatmap.image.get_array()).max())


def test_heatmap_annotates_small_arrays_only():
    heatmap = Heatmap(new_figure().subplots())
    heatmap.show(np.arange(6.0).reshape(2, 3) - 2, "t", "x", "y")
    assert len(heatmap.labels) == 6 and heatmap.labels[0].get_text() == "-2.00"
    heatmap.show(np.ones((MAX_ANNOTATED + 1, 1)), "t", "x", "y")
    assert heatmap.labels == []


def test_equations_name_the_layers():
    eq = step_equations(2, 3)
    assert eq["delta"].startswith("BP2") and "W[3]^T" in eq["delta"]
    assert "a[1]^T" in eq["dW"] and eq["db"].startswith("BP3")
    assert step_equations(3, 3)["delta"].startswith("BP1")
    assert "a[0]^T" in step_equations(1, 3)["dW"]


def test_it_refuses_networks_whose_equations_differ():
    X, y = make_moons(5, noise=0.1, seed=0)
    with pytest.raises(ValueError, match="sigmoid, quadratic-cost"):
        BackpropStepper(MLP([2, 3, 2], loss="cross_entropy"), X, y)


def test_saved_output_has_a_picture_and_a_stable_line(stepper):
    bundle = stepper._repr_mimebundle_()
    assert bundle["image/png"]
    assert bundle["text/plain"] == ("BackpropStepper: [2, 4, 3, 2], N = 5, step 1 of 3 "
                                    "(net.layers[3])")


def test_red_is_positive_blue_negative_white_zero(stepper):
    # lesson 05: "Red is positive, blue negative, white 0; each heatmap has its own scale"
    for heatmap in stepper.maps.values():
        image = heatmap.image
        vmin, vmax = image.get_clim()
        top, bottom, middle = (image.cmap(image.norm(v)) for v in (vmax, vmin, 0.0))
        assert top[0] > 2 * max(top[1], top[2])                 # the largest value: red
        assert bottom[2] > bottom[1] > bottom[0]                # the most negative: blue
        assert min(middle[:3]) > 0.9                            # 0: white
    for l in range(1, stepper.L + 1):                          # its own scale, at every step
        stepper.go(stepper.L + 1 - l)
        for name, heatmap in stepper.maps.items():
            assert heatmap.image.get_clim()[1] == pytest.approx(
                np.abs(stepper.shown()[name]).max())
    stepper.go(1)


def test_the_errors_shrink_from_the_output_down(stepper):
    # lesson 05: "the errors shrink as they travel back" on the lesson's network and batch
    largest = [np.abs(stepper.arrays[l]["delta"]).max() for l in range(stepper.L, 0, -1)]
    assert largest == sorted(largest, reverse=True) and largest[-1] < 0.1 * largest[0]
