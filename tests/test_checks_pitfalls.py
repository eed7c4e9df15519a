"""Lesson 09's exercise checks: ✓ for the right answer, "not done yet" for an unfinished one,
and the matching hint for each usual mistake."""

import numpy as np
import pytest

from mlp_core.activations import sigmoid, sigmoid_prime
from mlp_core.checks_pitfalls import check_layer_gradient_norms, check_output_delta
from mlp_core.widgets.pitfalls import deep_net, gradient_norms


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    return rng.random((50, 64)), rng.integers(0, 10, 50)


def verdict(capsys, ok, expected_ok, *phrases):
    out = capsys.readouterr().out
    assert ok is expected_ok
    for phrase in phrases:
        assert phrase in out, out
    return out


def test_layer_gradient_norms(capsys, batch):
    X, y = batch
    net = deep_net(3, seed=0)
    right = gradient_norms(net, X, y)
    verdict(capsys, check_layer_gradient_norms(right, net, X, y), True, "✓")
    verdict(capsys, check_layer_gradient_norms(None, net, X, y), False, "not done yet")
    dW = np.array([np.linalg.norm(layer.dW) for layer in net.layers])
    delta = np.array([np.linalg.norm(layer.delta) for layer in net.layers])
    mistakes = [(right[::-1], "reversed"), (dW, "‖dW[l]‖"), (delta, "whole batch"),
                (right[:-1], "the output layer included"), (2 * right, "✗")]
    for wrong, phrase in mistakes:
        verdict(capsys, check_layer_gradient_norms(wrong, net, X, y), False, "✗", phrase)


def test_output_delta(capsys):
    z = np.array([[-4.0, -1.0, 0.0, 2.0, 4.0]])
    y = np.array([[0.0, 1.0, 0.0, 1.0, 0.0]])
    a = sigmoid(z)
    mse, ce = (a - y) * sigmoid_prime(z), a - y
    out = verdict(capsys, check_output_delta(mse, ce, z, y), True)
    assert out.count("✓") == 2
    verdict(capsys, check_output_delta(None, None, z, y), False, "not done yet")
    cases = [((ce, ce), "σ'(z) is missing"), ((-mse, ce), "sign is flipped"),
             (((a - y) * sigmoid_prime(a), ce), "taken at a"),
             ((mse, mse), "σ'(z) cancels"), ((mse, -ce), "δ = a − y, not y − a")]
    for (got_mse, got_ce), phrase in cases:
        verdict(capsys, check_output_delta(got_mse, got_ce, z, y), False, "✗", phrase)
