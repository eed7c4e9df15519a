"""The exercise checks of lessons 01-03 (mlp_core.course.checks.neuron, .shapes, .forward) and
``checks.call``, through which every check runs a learner's function. (The student versions of
every lesson are run, blank, wrong and raising, by nbgrader in tests/test_nbgrader.py.)"""

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, returning
from checking import outcome as run

from mlp_core.course.checks import CheckFailed, call, exercise
from mlp_core.course.checks.forward import (
    check_batch_columns,
    check_layer_forward,
    check_network_forward,
)
from mlp_core.course.checks.neuron import check_sigmoid, check_sigmoid_prime
from mlp_core.course.checks.shapes import check_shape_prediction, engine_shapes
from mlp_core.network import MLP

Z = np.array([[-1000.0, -30.0, -2.0], [-0.5, 0.0, 0.5], [2.0, 30.0, 1000.0]])


# ----- checks.call ---------------------------------------------------------------------------

def test_call_returns_says_not_done_or_names_the_error():
    assert run(call, "f", lambda x: x + 1, 2) == (3, "")
    ok, text = run(call, "f", not_done)
    assert ok is False and text == ("… f: not done yet. Write your answer in the cell above, "
                                    "then run this again.\n")
    ok, text = run(call, "f", lambda: np.ones(2) @ np.ones(3))
    assert ok is False and text.startswith("✗ your f raised ValueError: matmul: Input operand")
    assert "check the shape of every array" in text


def test_check_failed_renders_as_one_line():
    error = CheckFailed("f is not done yet")
    assert isinstance(error, AssertionError)
    assert error._render_traceback_() == ["\x1b[0;31mCheckFailed\x1b[0m: f is not done yet"]


# ----- lesson 01 -----------------------------------------------------------------------------

def stable(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def naive(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("fn, ok, words", [
    (stable, True, "✓ my_sigmoid is right at all 9 test points"),
    (not_done, False, "not done yet"),
    (naive, False, "numpy warned \"overflow encountered in exp\""),
    (lambda z: np.exp(z) / (1 + np.exp(z)), False, "nan or inf at z = 1000"),
    (lambda z: stable(-z), False, "you computed σ(-z)"),
    (lambda z: np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))), False,
     "numpy warned"),                       # both branches are computed: both overflow
    (lambda z: stable(z)[0], False, "returned shape (3,), expected (3, 3)"),
    (lambda z: stable(2 * z), False, "check the formula"),
    (lambda z: naive(np.clip(z, -20, 20)), False,          # right to 1e-9 over the array
     "my_sigmoid is off at z = -1000, -30 (it gives 2.1e-09 at z = -1000, σ is 0): the tiny "
     "values far from 0 must be right too; clipping z changes them"),
    (lambda z: np.where(z < 0, 1 - 1 / (1 + np.exp(np.minimum(z, 0))), stable(z)), True,
     "✓ my_sigmoid is right"),              # 1 - σ(-z) for z < 0: right to the last digits
])
def test_check_sigmoid(fn, ok, words):
    result, text = run(check_sigmoid, fn, Z)
    assert result is ok and words in text
    assert text.count("\n") == 1


@pytest.mark.parametrize("fn, ok, words", [
    (lambda z: stable(z) * (1 - stable(z)), True, "✓ my_sigmoid_prime matches finite differences"),
    (not_done, False, "not done yet"),
    (lambda z: z * (1 - z), False, "you computed z(1 - z)"),
    (stable, False, "that is σ(z) itself"),
    (lambda z: -stable(z) * (1 - stable(z)), False, "the sign is flipped"),
    (lambda z: stable(z) * (1 - stable(-z)), False,
     "you computed σ(z)(1 - σ(-z)) = σ(z)², since 1 - σ(-z) = σ(z)"),
    (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, False, "nan or inf at z = -1000"),
    (lambda z: naive(z) * (1 - naive(z)), False, "numpy warned"),
    (lambda z: np.where(np.abs(z) > 20, 1e-3, stable(z) * (1 - stable(z))), False,
     "wrong at the extremes (z = -1000, -30, 30, 1000): σ'(z) is about e^(-|z|) there, under "
     "1e-8 for |z| > 20"),
])
def test_check_sigmoid_prime(fn, ok, words):
    result, text = run(check_sigmoid_prime, fn, Z)
    assert result is ok and words in text


# ----- lesson 02 -----------------------------------------------------------------------------

def right_shapes(sizes, N):
    return {l: dict(shapes) for l, shapes in engine_shapes(sizes, N).items()}


def test_engine_shapes_follow_the_one_index():
    shapes = engine_shapes([64, 30, 10], 32)
    assert sorted(shapes) == [1, 2]
    assert shapes[1] == {
        "W": (30, 64), "b": (30, 1), "z": (30, 32), "a": (30, 32), "delta": (30, 32),
        "dW": (30, 64), "db": (30, 1)}
    assert shapes[2]["W"] == (10, 30)


def test_check_shape_prediction_accepts_the_right_shapes_as_lists_too():
    shapes = {l: {k: list(v) for k, v in layer.items()}
              for l, layer in right_shapes([4, 5, 3], 8).items()}
    ok, text = run(check_shape_prediction, returning(shapes), [4, 5, 3], 8)
    assert ok and text == ("✓ predict_shapes([4, 5, 3], N=8): all 14 shapes match a real "
                           "forward and backward pass\n")


@pytest.mark.parametrize("kind, wrong, words", [
    ("W", (64, 30), "it looks transposed; W[l] is (n_l, n_{l-1})"),
    ("b", (1, 30), "that is the post's row"),
    ("z", (32, 30), "inside, one sample per column"),
    ("delta", (30, 1), "delta[l] = ∂C/∂z[l] has the shape of z[l]"),
    ("db", (30, 32), "one bias gradient per neuron, not per sample"),
    ("dW", (32, 30, 64), "dW is the batch mean"),
])
def test_check_shape_prediction_explains_each_miss(kind, wrong, words):
    shapes = right_shapes([64, 30, 10], 32)
    shapes[1][kind] = wrong
    ok, text = run(check_shape_prediction, returning(shapes), [64, 30, 10], 32)
    assert not ok
    assert f"✗ {kind}, layer 1: you wrote {wrong}" in text and words in text
    assert text.endswith("13 of 14 shapes right\n")


def test_check_shape_prediction_says_a_repeated_mistake_once():
    shapes = right_shapes([64, 30, 10], 32)
    for layer in shapes.values():
        layer["W"] = layer["W"][::-1]
    ok, text = run(check_shape_prediction, returning(shapes), [64, 30, 10], 32)
    assert not ok and text.splitlines() == [
        "✗ W, layer 1: you wrote (64, 30), a real pass gives (30, 64); layer 2: you wrote "
        "(30, 10), a real pass gives (10, 30) — it looks transposed; W[l] is (n_l, n_{l-1}): "
        "one row per neuron of layer l, one column per input it reads",
        "✗ predict_shapes([64, 30, 10], N=32): 12 of 14 shapes right"]


def test_check_shape_prediction_counts_layers_and_keys():
    sizes = [2, 3, 1]
    with_input = {0: {"a": (2, 4)}, **right_shapes(sizes, 4)}
    ok, text = run(check_shape_prediction, returning(with_input), sizes, 4)
    assert not ok and "layer 0 is the input: it has only a[0] = X.T (n_0, N)" in text
    shifted = dict(enumerate(right_shapes(sizes, 4).values()))
    ok, text = run(check_shape_prediction, returning(shifted), sizes, 4)
    assert not ok and "layer 0 is the input" in text
    ok, text = run(check_shape_prediction, returning({1: right_shapes(sizes, 4)[1]}), sizes, 4)
    assert not ok and "has 1 of the 2 layers: give its shapes for every l = 1 .. 2" \
        in text
    ok, text = run(check_shape_prediction, returning(list(right_shapes(sizes, 4).values())),
                   sizes, 4)
    assert not ok and "should return a dict keyed by layer, its shapes for each l = 1 .. 2" in text
    missing = right_shapes(sizes, 4)
    del missing[2]["delta"]
    ok, text = run(check_shape_prediction, returning(missing), sizes, 4)
    assert not ok and "✗ delta, layer 2: missing, a real pass gives (1, 4)" in text
    ok, text = run(check_shape_prediction, not_done, sizes, 4)
    assert not ok and "not done yet" in text


# ----- lesson 03 -----------------------------------------------------------------------------

RNG = np.random.default_rng(1)
W, B, A = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 1)), RNG.random((2, 3))


def sig(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("fn, ok, words", [
    (lambda W, b, A: (W @ A + b, sig(W @ A + b)), True, "✓ layer_forward's a is right"),
    (not_done, False, "not done yet"),
    (lambda W, b, A: (W @ A, sig(W @ A)), False, "the bias b is missing"),
    (lambda W, b, A: (W @ A + b.T, sig(W @ A + b.T)), False, "b was added as a row"),
    (lambda W, b, A: ((W @ A + b).T, sig(W @ A + b).T), False, "transposed"),
    (lambda W, b, A: (W @ A + b, W @ A + b), False, "apply the sigmoid"),
    (lambda W, b, A: sig(W @ A + b), False, "should return the pair (z, a)"),
    (lambda W, b, A: (W.T @ A + b, None), False, "raised ValueError: matmul"),
])
def test_check_layer_forward(fn, ok, words):
    result, text = run(check_layer_forward, fn, W, B, A)
    assert result is ok and words in text


def test_check_layer_forward_checks_a_only_once_z_is_right():
    ok, text = run(check_layer_forward, lambda W, b, A: (W @ A, sig(W @ A)), W, B, A)
    assert not ok
    assert text.splitlines() == ["✗ layer_forward's z is off (relative error 7.9e-01): the bias "
                                 "b is missing"]


def forward_rows(net, X, transpose_in=True, transpose_out=True, last_sigma=True, sigma=True,
                 skip=None):
    A = X.T if transpose_in else X
    for layer in net.layers[1:]:
        if layer.index == skip:
            continue
        Z = layer.W @ A + layer.b
        A = sig(Z) if sigma and (last_sigma or layer.index < net.L) else Z
    return A.T if transpose_out else A


SKIPPED = "a layer was skipped: run layer_forward on every layer l = 1 .. L"


@pytest.mark.parametrize("sizes, kwargs, ok, words", [
    ([2, 3, 2], {}, True, "✓ Y_hat is right"),
    ([2, 3, 2], {"transpose_in": False}, False, "start from A = X.T, the input layer's a[0]"),
    ([2, 3, 2], {"transpose_out": False}, False, "that is a[L] (n_L, N); Y_hat = a[L].T"),
    ([2, 3, 2], {"last_sigma": False}, False, "the last layer needs its sigmoid too"),
    ([2, 3, 2], {"sigma": False}, False, "no layer applied σ: every layer needs a = σ(z); does "
                                         "layer_forward return z as its a?"),
    ([2, 3, 2], {"skip": 2}, False, "returned what the network gives without layer 2 (shape "
                                    f"(5, 3), expected (5, 2)): {SKIPPED}"),
    ([2, 3, 2], {"skip": 1}, False, "(size 2 is different from 3): a W that reads 3 "
                                    f"activations met an a with 2 rows, the height of another "
                                    f"layer: {SKIPPED}"),
    ([2, 3, 3, 2], {"skip": 2}, False, "without layer 2 (shape (5, 2), expected (5, 2))"),
])
def test_check_network_forward(sizes, kwargs, ok, words):
    net = MLP(sizes, init="normal", seed=0)
    X = np.random.default_rng(2).random((5, 2))
    got, text = run(check_network_forward, lambda n, x: forward_rows(n, x, **kwargs), net, X)
    assert got is ok and words in text


def test_check_network_forward_points_a_broadcast_error_to_layer_forward():
    net = MLP([2, 3, 2], seed=0)
    ok, text = run(check_network_forward, lambda n, x: n.layers[1].W @ x.T + n.layers[1].b.T,
                   net, np.ones((5, 2)))
    assert not ok and "shapes (3,5) (1,3): a sum of mismatched shapes" in text


def test_check_network_forward_says_layer_0_is_the_input():
    def over_all_layers(net, X):
        A = X.T
        for layer in net.layers:
            A = sig(layer.W @ A + layer.b)
        return A.T

    ok, text = run(check_network_forward, over_all_layers, MLP([2, 3, 2], seed=0),
                   np.ones((5, 2)))
    assert not ok and text.count("\n") == 1
    assert "'InputLayer' object has no attribute 'W': net.layers[0] is the input layer" in text
    assert "net.layers[1:], l = 1 .. L" in text


def test_a_loop_past_the_output_layer_is_told_the_range_of_net_layers():
    def one_too_far(net, X):
        return net.layers[net.L + 1]

    ok, text = run(check_network_forward, one_too_far, MLP([2, 3, 2], seed=0), np.ones((5, 2)))
    assert not ok and "net.layers runs from 0 (the input) to L = net.L (the output)" in text


def test_check_network_forward_not_done():
    net = MLP([2, 3, 2], seed=0)
    ok, text = run(check_network_forward, not_done, net, np.ones((5, 2)))
    assert not ok and "not done yet" in text


@pytest.mark.parametrize("check, args, name", [
    (check_sigmoid, (Z,), "my_sigmoid"),
    (check_sigmoid_prime, (Z,), "my_sigmoid_prime"),
    (check_shape_prediction, ([3, 4, 1], 4), "predict_shapes"),
    (check_layer_forward, (W, B, A), "layer_forward"),
    (check_network_forward, (MLP([2, 3, 2], seed=0), np.ones((5, 2))), "network_forward"),
])
def test_every_check_of_lessons_01_03_explains_a_crash_in_one_line(check, args, name):
    assert_explains_a_crash(check, *args, name=name)


def test_check_batch_columns():
    Z_batch = np.arange(6.0).reshape(3, 2)
    ok, text = run(check_batch_columns, "z", Z_batch, [Z_batch[:, [0]], Z_batch[:, [1]]])
    assert ok and "for all 2 samples" in text
    ok, text = run(check_batch_columns, "z", Z_batch, [Z_batch[:, [1]], Z_batch[:, [0]]])
    assert not ok and "differs" in text


def test_exercise_turns_an_answer_the_check_cannot_read_into_a_failure():
    @exercise("f")
    def check(value):
        return value["x"] > 1

    ok, text = run(check, 3)
    assert ok is False
    assert text.startswith("✗ f returned something the check cannot read (TypeError: 'int'")
