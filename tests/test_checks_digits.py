"""Lesson 08's exercise checks: ✓ for the right answer, "not done yet" for an unfinished one,
the matching hint for each usual mistake, and a one-line ✗ for a function that raises."""

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome, returning

from mlp_core.course.checks.digits import (
    check_confident_mistakes,
    check_confusion_matrix,
    check_per_class_accuracy,
)
from mlp_core.course.digits_viz import confident_mistakes, confusion_counts


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


def verdict(check, fn, args, expected_ok, *phrases):
    ok, out = outcome(check, fn, *args)
    assert ok is expected_ok and out.count("\n") >= 1, out
    for phrase in phrases:
        assert phrase in out, out
    return out


def test_confusion_matrix(labels):
    y_true, y_pred = labels
    C = confusion_counts(y_true, y_pred)
    case = (y_true, y_pred, 10)
    verdict(check_confusion_matrix, returning(C), case, True, "✓ confusion_matrix")
    verdict(check_confusion_matrix, confusion_counts, case, True, "✓ confusion_matrix")
    verdict(check_confusion_matrix, not_done, case, False, "not done yet")
    mistakes = [(C.T, "swapped"), (C / C.sum(axis=1, keepdims=True), "normalise"),
                (C / C.sum(), "do not divide by N"),
                (np.diag(np.diag(C)), "off the diagonal"), (np.zeros((9, 9)), "shape")]
    for wrong, phrase in mistakes:
        verdict(check_confusion_matrix, returning(wrong), case, False, "✗", phrase)


def test_confusion_matrix_gets_the_case():
    seen = []

    def confusion_matrix(y_true, y_pred, n_classes):
        seen.append((y_true, y_pred, n_classes))
        return confusion_counts(y_true, y_pred, n_classes)

    y_true, y_pred = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1])
    assert outcome(check_confusion_matrix, confusion_matrix, y_true, y_pred, 3)[0] is True
    assert len(seen) == 1 and seen[0][2] == 3


def test_confusion_matrix_explains_a_crash(labels):
    assert_explains_a_crash(check_confusion_matrix, *labels, 10, name="confusion_matrix")


def test_per_class_accuracy(labels):
    C = confusion_counts(*labels)
    right = np.diag(C) / C.sum(axis=1)
    verdict(check_per_class_accuracy, returning(right), (C,), True, "✓ per_class_accuracy")
    verdict(check_per_class_accuracy, lambda C: np.diag(C) / C.sum(axis=1), (C,), True,
            "✓ per_class_accuracy")
    verdict(check_per_class_accuracy, not_done, (C,), False, "not done yet")
    mistakes = [(np.diag(C) / C.sum(axis=0), "column sums"), (np.diag(C), "counts"),
                (np.diag(C) / C.sum(), "all N samples")]
    for wrong, phrase in mistakes:
        verdict(check_per_class_accuracy, returning(wrong), (C,), False, "✗", phrase)


def test_per_class_accuracy_explains_a_crash(labels):
    assert_explains_a_crash(check_per_class_accuracy, confusion_counts(*labels),
                            name="per_class_accuracy")


def test_confident_mistakes(outputs):
    Y_hat, y = outputs
    case = (Y_hat, y, 5)
    right = confident_mistakes(Y_hat, y, 5)
    verdict(check_confident_mistakes, returning(right), case, True, "✓", "(5 in all)")
    verdict(check_confident_mistakes, confident_mistakes, case, True, "✓", "(5 in all)")
    verdict(check_confident_mistakes, not_done, case, False, "not done yet")
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
        verdict(check_confident_mistakes, returning(answer), case, False, "✗", phrase)
    verdict(check_confident_mistakes, returning("abc"), case, False, "array of sample indices")


def test_confident_mistakes_with_fewer_mistakes_than_k():
    """With 2 mistakes and k = 5 the answer is both of them: the ✓ line lists them without "…",
    and an answer padded to k indices is told that fewer mistakes means fewer indices."""
    Y_hat = np.eye(4)[[0, 1, 2, 3, 0, 1]] * 0.9           # (6, 4): predictions 0 1 2 3 0 1
    y = np.array([0, 1, 2, 3, 2, 3])                       # samples 4 and 5 are wrong
    case = (Y_hat, y, 5)
    out = verdict(check_confident_mistakes, confident_mistakes, case, True, "✓", "(2 in all)")
    assert "samples 4, 5 (2 in all)" in out
    verdict(check_confident_mistakes, returning(np.array([4, 5, 0, 1, 2])), case, False, "✗",
            "it should hold 2 indices", "every mistake when there are fewer than k")


def test_confident_mistakes_explains_a_crash(outputs):
    assert_explains_a_crash(check_confident_mistakes, *outputs, 5,
                            name="most_confident_mistakes")
