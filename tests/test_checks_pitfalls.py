"""Lesson 09's exercise checks: ✓ for the right answer, "not done yet" for an unfinished one,
the matching hint for each usual mistake, and a one-line ✗ for a function that raises."""

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome, returning

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.course.checks.pitfalls import check_layer_gradient_norms, check_output_delta
from mlp_core.course.models import deep_net, gradient_norms

Z = np.array([[-4.0, -1.0, 0.0, 2.0, 4.0]])
Y = np.array([[0.0, 1.0, 0.0, 1.0, 0.0]])


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    return rng.random((50, 64)), rng.integers(0, 10, 50)


def verdict(check, fn, args, expected_ok, *phrases):
    ok, out = outcome(check, fn, *args)
    assert ok is expected_ok, out
    for phrase in phrases:
        assert phrase in out, out
    return out


def layer_gradient_norms(net, X, Y):
    """Lesson 09's solution, as a learner writes it."""
    net.forward(X)
    net.backward(Y)
    return {l: np.linalg.norm(net.layers[l].db) for l in range(1, net.L + 1)}


def test_layer_gradient_norms(batch):
    X, y = batch
    net = deep_net(3, seed=0)
    right = gradient_norms(net, X, y)
    assert sorted(right) == [1, 2, 3, 4]
    verdict(check_layer_gradient_norms, returning(right), (net, X, y), True, "✓")
    verdict(check_layer_gradient_norms, layer_gradient_norms, (net, X, y), True,
            "✓ layer_gradient_norms is right")
    verdict(check_layer_gradient_norms, not_done, (net, X, y), False, "not done yet")
    layers = range(1, 5)
    dW = {l: np.linalg.norm(net.layers[l].dW) for l in layers}
    delta = {l: np.linalg.norm(net.layers[l].delta) for l in layers}
    mistakes = [({l: right[5 - l] for l in layers}, "the layers are reversed"),
                (dW, "‖dW[l]‖"), (delta, "whole batch"),
                ({l: right[l] for l in (1, 2, 3)}, "the output layer included"),
                ({l: 2 * right[l] for l in layers}, "✗"),
                (dict(enumerate(right.values())), "the keys 0 .. 3, the post's numbering"),
                ({**right, 5: 0.0}, "has the keys [1, 2, 3, 4, 5]; it needs the layers"),
                (np.array(list(right.values())),
                 "should return a dict keyed by layer, a norm ‖db[l]‖ for each l = 1 .. 4"),
                (None, "returned None: is the return statement missing?")]
    for wrong, phrase in mistakes:
        verdict(check_layer_gradient_norms, returning(wrong), (net, X, y), False, "✗", phrase)


def test_layer_gradient_norms_over_every_layer_hits_the_input(batch):
    def over_all_layers(net, X, Y):
        net.forward(X)
        net.backward(Y)
        return {layer.index: np.linalg.norm(layer.db) for layer in net.layers}

    out = verdict(check_layer_gradient_norms, over_all_layers, (deep_net(3, seed=0), *batch),
                  False, "net.layers[0] is the input layer")
    assert out.count("\n") == 1


def test_layer_gradient_norms_explains_a_crash(batch):
    assert_explains_a_crash(check_layer_gradient_norms, deep_net(3, seed=0), *batch,
                            name="layer_gradient_norms")


def by_cost(got_mse, got_ce):
    """A learner's output_delta(z, y, cost) returning got_mse for "mse", got_ce otherwise."""
    return lambda z, y, cost: got_mse if cost == "mse" else got_ce


def test_output_delta():
    a = sigmoid(Z)
    mse, ce = (a - Y) * sigmoid_prime(Z), a - Y
    out = verdict(check_output_delta, by_cost(mse, ce), (Z, Y), True)
    assert out.count("✓") == 2 and out.count("\n") == 2
    verdict(check_output_delta, not_done, (Z, Y), False, "not done yet")
    cases = [((ce, ce), "σ'(z) is missing"), ((-mse, ce), "sign is flipped"),
             (((a - Y) * sigmoid_prime(a), ce), "taken at a"),
             ((mse, mse), "σ'(z) cancels"), ((mse, -ce), "δ = a − y, not y − a")]
    for (got_mse, got_ce), phrase in cases:
        verdict(check_output_delta, by_cost(got_mse, got_ce), (Z, Y), False, "✗", phrase)


def test_output_delta_asks_for_both_costs():
    costs = []

    def output_delta(z, y, cost):
        costs.append(cost)
        a = sigmoid(z)
        return (a - y) * sigmoid_prime(z) if cost == "mse" else a - y

    assert outcome(check_output_delta, output_delta, Z, Y)[0] is True
    assert sorted(costs) == ["cross_entropy", "mse"]


def test_output_delta_explains_a_crash():
    assert_explains_a_crash(check_output_delta, Z, Y, name="output_delta")
