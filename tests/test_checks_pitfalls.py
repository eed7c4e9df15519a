"""Lesson 09's exercise checks: ✓ for the right answer, "not done yet" for an unfinished one,
the matching hint for each usual mistake, and a one-line ✗ for a function that raises."""

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome, returning

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.checks_pitfalls import check_layer_gradient_norms, check_output_delta
from mlp_core.widgets.pitfalls import deep_net, gradient_norms

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


def test_layer_gradient_norms(batch):
    X, y = batch
    net = deep_net(3, seed=0)
    right = gradient_norms(net, X, y)
    verdict(check_layer_gradient_norms, returning(right), (net, X, y), True, "✓")
    verdict(check_layer_gradient_norms, gradient_norms, (net, X, y), True, "✓")
    verdict(check_layer_gradient_norms, not_done, (net, X, y), False, "not done yet")
    dW = np.array([np.linalg.norm(layer.dW) for layer in net.layers])
    delta = np.array([np.linalg.norm(layer.delta) for layer in net.layers])
    mistakes = [(right[::-1], "reversed"), (dW, "‖dW[l]‖"), (delta, "whole batch"),
                (right[:-1], "the output layer included"), (2 * right, "✗")]
    for wrong, phrase in mistakes:
        verdict(check_layer_gradient_norms, returning(wrong), (net, X, y), False, "✗", phrase)


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
