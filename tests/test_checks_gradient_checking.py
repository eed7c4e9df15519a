"""Lesson 06's gradcheck check (mlp_core.course.checks.gradient_checking) with the one index:
it asks the learner's ``gradcheck_layer`` about the layers l = 1 .. L, as ``gradcheck`` numbers
them. (Each usual mistake's hint is tested in test_widgets_gradcheck_lab.py.)"""

import numpy as np
from checking import outcome

from mlp_core.course.checks.gradient_checking import GRADCHECK_SIZES, check_gradcheck_layer
from mlp_core.gradcheck import numerical_gradient, relative_error


def test_the_layers_asked_for_are_1_to_L():
    asked = []

    def gradcheck_layer(net, X, Y, l, eps=1e-5):
        asked.append((type(net).__name__, l))
        dW, db = numerical_gradient(net, X, Y, l, "W"), numerical_gradient(net, X, Y, l, "b")
        net.forward(X)
        net.backward(Y)
        return relative_error(net.layers[l].dW, dW), relative_error(net.layers[l].db, db)

    ok, out = outcome(check_gradcheck_layer, gradcheck_layer)
    L = len(GRADCHECK_SIZES) - 1
    assert ok is True and "flagged in layer 1 (dW" in out and "not in the output layer" in out
    assert asked == [("MLP", l) for l in range(1, L + 1)] + [("BuggyMLP", 1), ("BuggyMLP", L)]


def test_the_posts_numbering_meets_the_input_layer():
    def post_numbering(net, X, Y, l, eps=1e-5):
        layer = net.layers[l - 1]                    # the post's layer[l - 1]
        return float(np.linalg.norm(layer.W)), 0.0

    ok, out = outcome(check_gradcheck_layer, post_numbering)
    assert ok is False and out.count("\n") == 1
    assert "'InputLayer' object has no attribute 'W': net.layers[0] is the input layer" in out
