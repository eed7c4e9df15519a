"""The one check protocol, held for every exercise check of the course at once: a learner's
function that is still the stub, that raises, or that forgets its ``return`` gets one short ✗ or
"not done yet" line and ``CheckFailed`` (an AssertionError, which nbgrader scores 0), never a
traceback and never a ✓. (The lessons themselves are graded blank, wrong and raising by nbgrader
in tests/test_nbgrader.py.)"""

import numpy as np
import pytest
from checking import BROADCAST, broadcasting, not_done, outcome, returning

from mlp_core.course.checks import (
    cost,
    digits,
    forward,
    four_equations,
    gradient_checking,
    neuron,
    pitfalls,
    playground,
    shapes,
    training_loop,
)
from mlp_core.network import MLP


def _net():
    return MLP([2, 3, 2], seed=0)


X = np.random.default_rng(0).random((5, 2))
Y = np.eye(2)[[0, 1, 0, 1, 0]]

#: (check, the arguments after the learner's function, the name the learner gave it)
CHECKS = [
    (neuron.check_sigmoid, lambda: (np.linspace(-3, 3, 6).reshape(2, 3),), "my_sigmoid"),
    (neuron.check_sigmoid_prime, lambda: (np.linspace(-3, 3, 6).reshape(2, 3),),
     "my_sigmoid_prime"),
    (shapes.check_shape_prediction, lambda: ([3, 4, 1], 4), "predict_shapes"),
    (forward.check_layer_forward, lambda: (np.ones((3, 2)), np.ones((3, 1)), X.T),
     "layer_forward"),
    (forward.check_network_forward, lambda: (_net(), X), "network_forward"),
    (cost.check_quadratic_cost, lambda: (Y * 0.5, Y), "quadratic_cost"),
    (cost.check_accuracy, lambda: (Y * 0.5, Y), "accuracy"),
    (cost.check_softmax_delta, lambda: (np.array([[1.0, 1000.0], [0.0, -1000.0]]), np.eye(2)),
     "softmax_cross_entropy_delta"),
    (four_equations.check_backward, lambda: (MLP([2, 3, 2], activation="tanh",
     output_activation="softmax", loss="cross_entropy", seed=0), X, Y), "backward_pass"),
    (gradient_checking.check_relative_error, lambda: (), "my_relative_error"),
    (gradient_checking.check_gradcheck_layer, lambda: (), "gradcheck_layer"),
    (training_loop.check_training_loop, lambda: (), "train_loop"),
    (digits.check_confusion_matrix,
     lambda: (np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2]), 3), "confusion_matrix"),
    (digits.check_confident_mistakes,
     lambda: (np.eye(3)[[0, 1, 2, 0]], np.array([1, 1, 2, 0]), 1), "most_confident_mistakes"),
    (digits.check_per_class_accuracy, lambda: (np.eye(3) * 4 + 1,),
     "per_class_accuracy"),
    (pitfalls.check_layer_gradient_norms, lambda: (_net(), X, Y), "layer_gradient_norms"),
    (pitfalls.check_output_delta, lambda: (np.zeros((2, 5)), Y.T), "output_delta"),
    (playground.check_spiral, lambda: (), "spiral_settings"),
]
IDS = [check.__name__ for check, _, _ in CHECKS]


def _one_line(text):
    """The check printed one line per verdict and no traceback."""
    return text.strip() and "Traceback" not in text and all(
        line.startswith(("✗", "…")) for line in text.splitlines())


@pytest.mark.parametrize("check, args, name", CHECKS, ids=IDS)
def test_the_stub_is_not_done_yet(check, args, name):
    ok, text = outcome(check, not_done, *args())
    assert ok is False and text.startswith(f"… {name}: not done yet") and text.count("\n") == 1


@pytest.mark.parametrize("check, args, name", CHECKS, ids=IDS)
def test_a_shape_slip_is_named_in_one_line(check, args, name):
    ok, text = outcome(check, broadcasting, *args())
    assert ok is False and text == text.splitlines()[0] + "\n", text
    assert text.startswith(f"✗ your {name} {BROADCAST}"), text


@pytest.mark.parametrize("check, args, name", CHECKS, ids=IDS)
def test_a_missing_return_fails_with_a_short_line(check, args, name):
    ok, text = outcome(check, returning(None), *args())
    assert ok is False and _one_line(text), text


@pytest.mark.parametrize("check, args, name", CHECKS, ids=IDS)
def test_a_string_where_numbers_belong_fails_with_a_short_line(check, args, name):
    ok, text = outcome(check, returning("nonsense"), *args())
    assert ok is False and _one_line(text), text
