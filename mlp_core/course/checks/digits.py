"""Checks for the exercises of lesson 08 (real handwritten digits).

Each ``check_*`` takes the learner's function and the test case, runs it through
``checks.call`` and prints one line (see ``mlp_core.course.checks``): ✓ and True, or ✗ with a
hint and ``CheckFailed``. A wrong answer is compared with the usual mistakes, each computed
exactly, and the line names the one it matches.
"""

import numpy as np

from mlp_core.course.checks import call, check_close, exercise, fail, passed
from mlp_core.course.digits_viz import confident_mistakes, confusion_counts


@exercise("confusion_matrix")
def check_confusion_matrix(confusion_matrix, y_true, y_pred, n_classes=10):
    """Check the learner's ``confusion_matrix(y_true, y_pred, n_classes)``: C (n_classes,
    n_classes), C[i, j] = the number of samples of true class i predicted as j.
    y_true, y_pred: (N,) labels."""
    name = "confusion_matrix"
    got = call(name, confusion_matrix, y_true, y_pred, n_classes)
    right = confusion_counts(y_true, y_pred, n_classes)
    rows = right.sum(axis=1, keepdims=True)
    return check_close(name, got, right, hints=[
        (lambda C: np.array_equal(C, right.T),
         "rows and columns are swapped: row i is the true class, column j the prediction"),
        (lambda C: np.allclose(C, right / np.maximum(rows, 1)),
         "each row is divided by its total: count samples, do not normalise"),
        (lambda C: np.allclose(C, right / right.sum()), "count samples, do not divide by N"),
        (lambda C: np.array_equal(np.diag(C), np.diag(right)),
         "the diagonal (right answers) is right; the mistakes go off the diagonal at "
         "C[true, predicted]"),
    ])


@exercise("most_confident_mistakes")
def check_confident_mistakes(most_confident_mistakes, Y_hat, y, k):
    """Check the learner's ``most_confident_mistakes(Y_hat, y, k)``: the indices (k,) of the
    k most confident mistakes, most confident first. Y_hat: (N, n_L) outputs; y: (N,) labels."""
    name = "most_confident_mistakes"
    got = call(name, most_confident_mistakes, Y_hat, y, k)
    Y_hat, y = np.asarray(Y_hat), np.asarray(y)
    right = confident_mistakes(Y_hat, y, k)
    try:
        got = np.asarray(got, dtype=int).ravel()
    except (TypeError, ValueError):
        fail(name, f"{name} should return an array of sample indices, got {type(got).__name__}")
    if np.array_equal(got, right):
        more = ", …" if len(right) > 4 else ""
        return passed(f"{name} is right: samples {', '.join(map(str, right[:4]))}{more} "
                      f"({len(right)} in all)")
    confidence = Y_hat.max(axis=1)
    wrong = np.flatnonzero(np.argmax(Y_hat, axis=1) != y)
    all_samples = np.argsort(-confidence, kind="stable")[:k]
    least = wrong[np.argsort(confidence[wrong], kind="stable")][:k]
    by_true = wrong[np.argsort(-Y_hat[wrong, y[wrong]], kind="stable")][:k]
    if len(got) != len(right):
        hint = (f"it should hold {len(right)} indices: the k = {k} most confident mistakes, or "
                "every mistake when there are fewer than k")
    elif np.array_equal(got, all_samples):
        hint = "these are the most confident digits, right ones included: keep argmax ≠ y only"
    elif set(got) == set(least):
        hint = "these are the least confident mistakes: sort by the largest output, descending"
    elif np.array_equal(got, by_true):
        hint = ("sorted by the true class's output; the confidence of a prediction is the "
                "largest output, the one argmax picks")
    elif set(got) == set(right):
        hint = "the right samples in the wrong order: most confident first"
    else:
        hint = ("take the samples where argmax(Y_hat) ≠ y, then sort them by max(Y_hat), "
                "largest first")
    fail(name, f"{name} is off: {hint}")


@exercise("per_class_accuracy")
def check_per_class_accuracy(per_class_accuracy, C):
    """Check the learner's ``per_class_accuracy(C)``: the accuracy per true class (n,) from a
    confusion matrix C (n, n), the diagonal divided by the row sums."""
    name = "per_class_accuracy"
    got = call(name, per_class_accuracy, np.array(C))
    C = np.asarray(C, dtype=float)
    right = np.diag(C) / C.sum(axis=1)
    return check_close(name, got, right, hints=[
        (lambda g: np.allclose(g, np.diag(C) / C.sum(axis=0)),
         "divided by the column sums: those count the predictions of each class; the accuracy "
         "of true class i divides by row i, the samples that really are i"),
        (lambda g: np.allclose(g, np.diag(C)), "these are counts: divide by the row sums"),
        (lambda g: np.allclose(g, np.diag(C) / C.sum()),
         "divided by all N samples; divide by the samples of each class (the row sums)"),
    ])
