"""Lesson 08's exercise checks: ✓ for the right answer, "not done yet" for an unfinished one,
and the matching hint for each usual mistake."""

import numpy as np
import pytest

from mlp_core import checks
from mlp_core.checks_digits import (
    check_confident_mistakes,
    check_confusion_matrix,
    check_per_class_accuracy,
)
from mlp_core.digits_viz import confident_mistakes, confusion_counts


def unfinished(*args):
    raise NotImplementedError()


@pytest.fixture
def labels():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 10, 200)
    y_pred = np.where(rng.random(200) < 0.8, y_true, rng.integers(0, 10, 200))
    return y_true, y_pred


@pytest.fixture
def outputs():
    rng = np.random.default_rng(1)
    Y_hat = rng.random((100, 10))
    y = np.where(rng.random(100) < 0.7, np.argmax(Y_hat, axis=1), rng.integers(0, 10, 100))
    return Y_hat, y


def verdict(capsys, ok, expected_ok, *phrases):
    out = capsys.readouterr().out
    assert ok is expected_ok and out.count("\n") >= 1
    for phrase in phrases:
        assert phrase in out, out
    return out


def test_confusion_matrix(capsys, labels):
    y_true, y_pred = labels
    C = confusion_counts(y_true, y_pred)
    verdict(capsys, check_confusion_matrix(C, y_true, y_pred), True, "✓ confusion_matrix")
    verdict(capsys, check_confusion_matrix(checks.attempt(unfinished), y_true, y_pred), False,
            "not done yet")
    mistakes = [(C.T, "swapped"), (C / C.sum(axis=1, keepdims=True), "normalise"),
                (C / C.sum(), "do not divide by N"),
                (np.diag(np.diag(C)), "off the diagonal"), (np.zeros((9, 9)), "shape")]
    for wrong, phrase in mistakes:
        verdict(capsys, check_confusion_matrix(wrong, y_true, y_pred), False, "✗", phrase)


def test_per_class_accuracy(capsys, labels):
    C = confusion_counts(*labels)
    right = np.diag(C) / C.sum(axis=1)
    verdict(capsys, check_per_class_accuracy(right, C), True, "✓ per_class_accuracy")
    verdict(capsys, check_per_class_accuracy(None, C), False, "not done yet")
    mistakes = [(np.diag(C) / C.sum(axis=0), "column sums"), (np.diag(C), "counts"),
                (np.diag(C) / C.sum(), "all N samples")]
    for wrong, phrase in mistakes:
        verdict(capsys, check_per_class_accuracy(wrong, C), False, "✗", phrase)


def test_confident_mistakes(capsys, outputs):
    Y_hat, y = outputs
    right = confident_mistakes(Y_hat, y, 5)
    verdict(capsys, check_confident_mistakes(right, Y_hat, y, 5), True, "✓", "(5 in all)")
    verdict(capsys, check_confident_mistakes(None, Y_hat, y, 5), False, "not done yet")
    wrong = np.flatnonzero(np.argmax(Y_hat, axis=1) != y)
    confidence = Y_hat.max(axis=1)
    mistakes = [
        (np.argsort(-confidence)[:5], "right ones included"),
        (wrong[np.argsort(confidence[wrong])][:5], "least confident"),
        (wrong[np.argsort(-Y_hat[wrong, y[wrong]])][:5], "true class's output"),
        (right[::-1], "wrong order"),
        (right[:3], "5 indices"),
        (wrong[:5], "largest first"),
    ]
    for answer, phrase in mistakes:
        verdict(capsys, check_confident_mistakes(answer, Y_hat, y, 5), False, "✗", phrase)
    verdict(capsys, check_confident_mistakes("abc", Y_hat, y, 5), False, "array of sample indices")
