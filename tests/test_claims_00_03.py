"""Claims in the text of lessons 00-03 that no cell beside them prints, asserted here.

Each test names the lesson and the sentence it backs; each fails if the claim stops being true.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import linprog

from mlp_core import MLP
from mlp_core.activations import ACTIVATIONS, sigmoid
from mlp_core.datasets import make_moons
from mlp_core.train import train


def test_lesson_00_a_straight_line_gets_most_moons_right_but_not_all():
    """Lesson 00, cell 8: "A straight line gets most points right ..., but no straight line
    gets them all: the moons interlock." On lesson 00's data, make_moons(200, noise=0.15,
    seed=0): no (w, b) satisfies y_i (w·x_i + b) ≥ 1 for every point (a linear programme with
    no solution), and a least-squares line still classifies more than 80 % right."""
    X, y = make_moons(200, noise=0.15, seed=0)
    s = np.where(y == 1, 1.0, -1.0)                                   # labels ±1
    # variables (w1, w2, b): -s_i (w·x_i + b) ≤ -1 for every i
    A_ub = -s[:, None] * np.c_[X, np.ones(len(X))]
    result = linprog(np.zeros(3), A_ub=A_ub, b_ub=-np.ones(len(X)), bounds=[(None, None)] * 3)
    assert result.status == 2, "a line separates the moons: the lesson's claim is wrong"
    A = np.c_[X, np.ones(len(X))]
    coef = np.linalg.lstsq(A, s, rcond=None)[0]
    accuracy = np.mean(np.sign(A @ coef) == s)
    assert 0.8 < accuracy < 1.0


def test_lesson_01_train_runs_the_lessons_sigmoid_on_every_layer_of_every_mini_batch(
        monkeypatch):
    """Lesson 01, cell 15: a sigmoid layer calls mlp_core.activations.sigmoid "on every layer
    of every mini-batch, in `train` too" (the fused step and the plain loop alike)."""
    calls = []

    def counted(z):
        calls.append(np.shape(z))
        return sigmoid(z)

    monkeypatch.setattr(ACTIVATIONS["sigmoid"], "f", counted)
    X, y = make_moons(50, noise=0.1, seed=0)
    for fused in (True, False):
        calls.clear()
        net = MLP([2, 4, 3, 2], seed=0)                       # L = 3 sigmoid layers
        train(net, X, y, epochs=2, batch_size=16, lr=0.5, seed=0, progress=False, fused=fused)
        batches = 2 * math.ceil(50 / 16)
        assert len(calls) == batches * net.L
        assert sorted({shape[0] for shape in calls}) == [2, 3, 4]     # every layer


def test_lesson_01_scipy_stats_loads_scipy_special_and_hundreds_of_modules_more():
    """Lesson 01, cell 15: "`scipy.stats` is slower to import, since it loads `scipy.special`
    and hundreds of modules more" (why the lesson calls `expit` directly). The modules each
    import adds in a fresh interpreter (what it loads, not how long it takes: speed is for
    benchmarks/, never a test)."""
    def imported(module):
        code = (f"import sys; before = set(sys.modules); import {module}; "
                "print(' '.join(sorted(set(sys.modules) - before)))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout
        return set(out.split())

    special, stats = imported("scipy.special"), imported("scipy.stats")
    assert "scipy.special" in stats and special < stats
    assert len(stats - special) >= 200


@pytest.mark.parametrize("z", [21.0, 30.0, 100.0])
def test_lesson_01_sigmoid_prime_beyond_20_is_below_the_hints_bound(z):
    """The hint of check_sigmoid_prime at the extremes: "σ'(z) is about e^(-|z|) there, under
    1e-8 for |z| > 20"."""
    for v in (z, -z):
        s = sigmoid(v)
        assert s * (1 - s) < 1e-8
        assert np.exp(-z) / 2 < sigmoid(v) * sigmoid(-v) <= np.exp(-z)
