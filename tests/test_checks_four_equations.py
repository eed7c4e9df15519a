"""Lesson 05's check (mlp_core.course.checks.four_equations): the backward pass of a network
with tanh hidden layers and a softmax output with cross-entropy, each usual mistake
(``MISTAKES``) named by its own hint, with the one index (dW[l], db[l] for l = 1 .. L); and the
post's code, whose flaws the lesson shows."""

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome, returning

from mlp_core import MLP
from mlp_core.activations import sigmoid_prime, tanh_prime
from mlp_core.course import post
from mlp_core.course.bugs import CATALOGUE
from mlp_core.course.checks.four_equations import (
    MISTAKES,
    answer_with,
    backward_case,
    check_backward,
    numerical_delta,
)
from mlp_core.datasets import make_moons, one_hot
from mlp_core.gradcheck import relative_error


def tanh_softmax(sizes, seed=0):
    """An MLP like the exercise's: tanh hidden layers, a softmax output, cross-entropy."""
    return MLP(sizes, activation="tanh", output_activation="softmax", loss="cross_entropy",
               init="normal", seed=seed)


def verdict(check, answer, *args):
    """(ok, printed line) of ``check`` given a learner's function that returns ``answer``."""
    ok, out = outcome(check, returning(answer), *args)
    return ok, out.strip()


def backward_pass(net, X, Y):
    """Lesson 05's solution, as a learner writes it: tanh hidden layers, softmax output."""
    L, N = net.L, X.shape[0]
    dW, db = {}, {}
    delta = net.layers[L].a - Y.T                                      # BP1: a - y
    for l in range(L, 0, -1):
        db[l] = delta.mean(axis=1, keepdims=True)                      # BP3
        dW[l] = delta @ net.layers[l - 1].a.T / N                      # BP4
        if l > 1:
            a = net.layers[l - 1].a
            delta = (net.layers[l].W.T @ delta) * (1 - a ** 2)         # BP2: tanh'
    return dW, db


def test_numerical_delta_matches_bp1_and_bp2():
    X, y = make_moons(6, noise=0.1, seed=3)
    net = MLP([2, 4, 3, 2], init="normal", seed=3)
    Y2 = one_hot(y, 2)
    net.forward(X)
    net.backward(Y2)
    deltas = {l: net.layers[l].delta.copy() for l in range(1, 4)}
    for l in range(1, 4):
        assert relative_error(deltas[l], numerical_delta(net, X, Y2, l)) < 1e-7
    assert net.layers[1].z.shape == (4, 6)            # the batch's forward pass is left cached
    with pytest.raises(ValueError, match="layer 0, the input, has no z"):
        numerical_delta(net, X, Y2, 0)


def test_the_case_is_tanh_with_a_softmax_and_cross_entropy():
    net, X, Y3 = backward_case()
    assert [net.layers[l].activation.name for l in (1, 2, 3)] == ["tanh", "tanh", "softmax"]
    assert net.loss_name == "cross_entropy"
    assert np.allclose(net.layers[3].a.sum(axis=0), 1)
    net.backward(Y3)
    assert np.array_equal(net.layers[3].delta, net.layers[3].a - Y3.T)      # BP1: a - y


def test_the_reference_answer_is_the_engines():
    net, X, Y3 = backward_case()
    dW, db = answer_with(net, X, Y3)
    assert sorted(dW) == sorted(db) == [1, 2, 3]
    net.backward(Y3)
    for l in range(1, 4):
        assert np.array_equal(dW[l], net.layers[l].dW)
        assert np.array_equal(db[l], net.layers[l].db)


def test_check_backward_passes_a_right_answer():
    net, X, Y3 = backward_case()
    ok, out = verdict(check_backward, answer_with(net, X, Y3), net, X, Y3)
    assert ok and out.startswith("✓ backward_pass: dW and db of all 3 layers match mlp_core")
    assert "finite differences" in out


def test_check_backward_runs_the_learners_function():
    net, X, Y3 = backward_case()
    ok, out = outcome(check_backward, backward_pass, net, X, Y3)
    assert ok is True and out.startswith("✓ backward_pass: dW and db of all 3 layers match")


def test_check_backward_explains_a_crash():
    net, X, Y3 = backward_case()
    assert_explains_a_crash(check_backward, net, X, Y3, name="backward_pass")


def test_check_backward_says_not_done_yet():
    net, X, Y3 = backward_case()
    ok, out = outcome(check_backward, not_done, net, X, Y3)
    assert not ok and "not done yet" in out


def test_a_loop_over_every_layer_is_told_that_layer_0_is_the_input():
    def over_all_layers(net, X, Y):
        return {l: layer.dW for l, layer in enumerate(net.layers)}, {}

    net, X, Y3 = backward_case()
    ok, out = outcome(check_backward, over_all_layers, net, X, Y3)
    assert not ok and "'InputLayer' object has no attribute 'dW'" in out
    assert "net.layers[0] is the input layer" in out and "net.layers[1:]" in out


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_check_backward_names_each_usual_mistake(mistake):
    net, X, Y3 = backward_case()
    ok, out = verdict(check_backward, answer_with(net, X, Y3, mistake), net, X, Y3)
    assert not ok and out == f"✗ backward_pass: {MISTAKES[mistake]}"


def learner(bp1=None, bp2=None):
    """A learner's backward_pass for the exercise, with BP1's and BP2's lines replaceable:
    ``bp1(out, Y)`` gives delta[L], ``bp2(W, delta, layer)`` gives delta[l]."""
    def backward(net, X, Y):
        L, N = net.L, X.shape[0]
        dW, db = {}, {}
        out = net.layers[L]
        delta = bp1(out, Y) if bp1 else out.a - Y.T
        for l in range(L, 0, -1):
            db[l] = delta.mean(axis=1, keepdims=True)
            dW[l] = delta @ net.layers[l - 1].a.T / N
            if l > 1:
                below = net.layers[l - 1]
                W = net.layers[l].W
                delta = bp2(W, delta, below) if bp2 else (W.T @ delta) * tanh_prime(below.z)
        return dW, db
    return backward


@pytest.mark.parametrize("mistake, function, words", [
    ("sigmoid_prime_bp2", learner(bp2=lambda W, d, b: (W.T @ d) * sigmoid_prime(b.z)),
     "BP2 uses sigmoid_prime, the sigmoid's σ′, but the hidden layers are tanh"),
    ("sigmoid_prime_of_a_bp2", learner(bp2=lambda W, d, b: (W.T @ d) * b.a * (1 - b.a)),
     "BP2 uses a(1 − a), the sigmoid's σ′"),
    ("tanh_prime_of_a", learner(bp2=lambda W, d, b: (W.T @ d) * tanh_prime(b.a)),
     "you computed 1 − tanh(a[l])², tanh′ at a"),
    ("one_minus_z_squared", learner(bp2=lambda W, d, b: (W.T @ d) * (1 - b.z ** 2)),
     "you computed 1 − z[l]²"),
    ("no_prime_bp2", learner(bp2=lambda W, d, b: W.T @ d), "BP2 lacks tanh′(z[l])"),
    ("sigmoid_factor_bp1", learner(bp1=lambda o, Y: (o.a - Y.T) * o.a * (1 - o.a)),
     "BP1 has an extra activation-derivative factor"),
    ("sigmoid_prime_bp1", learner(bp1=lambda o, Y: (o.a - Y.T) * sigmoid_prime(o.z)),
     "delta[L] = a[L] − y, nothing multiplied"),
    ("tanh_factor_bp1", learner(bp1=lambda o, Y: (o.a - Y.T) * (1 - o.a ** 2)),
     "lesson 04, section 4"),
    ("W_not_transposed", learner(bp2=lambda W, d, b: (W @ d) * (1 - b.a ** 2)),
     "W is not transposed in BP2"),
])
def test_a_learners_mistake_as_written_gets_its_hint(mistake, function, words):
    net, X, Y3 = backward_case()
    ok, out = outcome(check_backward, function, net, X, Y3)
    assert not ok and out.strip() == f"✗ backward_pass: {MISTAKES[mistake]}"
    assert words in out


def test_the_right_answer_as_written_passes():
    net, X, Y3 = backward_case()
    ok, out = outcome(check_backward, learner(), net, X, Y3)
    assert ok is True, out


def test_an_unknown_mistake_is_refused():
    net, X, Y3 = backward_case()
    with pytest.raises(ValueError, match="unknown mistake"):
        answer_with(net, X, Y3, "sigma_prime")


def test_the_posts_per_sample_db_is_named_as_a_shape_mistake():
    net, X, Y3 = backward_case()
    dW, db = answer_with(net, X, Y3)
    net.backward(Y3)
    per_sample = {l: net.layers[l].delta for l in range(1, 4)}       # the post's d_b = delta
    ok, out = verdict(check_backward, (dW, per_sample), net, X, Y3)
    assert not ok and out == ("✗ backward_pass: db[3] has shape (3, 4), expected (3, 1) (like "
                              f"b[3]): {CATALOGUE['post_db'].hint}")


def test_every_mistake_gives_a_different_answer():
    net, X, Y3 = backward_case()

    def flat(mistake):
        dW, db = answer_with(net, X, Y3, mistake)
        return np.concatenate([g[l].ravel() for g in (dW, db) for l in range(1, 4)])

    answers = [flat(m) for m in ["none", *MISTAKES]]
    for i in range(len(answers)):
        for j in range(i):
            assert relative_error(answers[i], answers[j]) > 1e-3


def test_check_backward_explains_shape_mistakes():
    net, X, Y3 = backward_case()
    dW, db = answer_with(net, X, Y3)
    cases = [
        ((dW, {l: d.ravel() for l, d in db.items()}), "keepdims=True"),
        (({l: w.T for l, w in dW.items()}, db), "looks transposed"),
        (({l: dW[l] for l in (2, 3)}, db), "dW[1] is missing: fill every layer, from the output"),
        (({0: None, **dW}, db), "dW[0] is there, but layer 0 is the input"),
        (({**dW, "4": dW[3]}, db), "dW has a key '4'"),
        (([None, dW[1], dW[2], dW[3]], db), "dW should be a dict keyed by layer"),
        (dW[1], "return two dicts"),
        (({**dW, 2: None}, db), "dW[2] is None"),
    ]
    for got, words in cases:
        ok, out = verdict(check_backward, got, net, X, Y3)
        assert not ok and words in out, out


def test_check_backward_reports_an_unnamed_error():
    net, X, Y3 = backward_case()
    dW, db = answer_with(net, X, Y3)
    dW = {**dW, 1: dW[1] * 1.01}
    ok, out = verdict(check_backward, (dW, db), net, X, Y3)
    assert not ok and out.startswith("✗ backward_pass: dW[1] is off (relative error 9.9e-03")


def test_backward_case_is_square_where_bp2_transposes():
    net, X, Y3 = backward_case()
    assert [net.layers[l].W.shape for l in (2, 3)] == [(3, 3), (3, 3)]
    assert X.shape == (4, 2) and net.layers[0].a.shape == (2, 4)


def test_a_net_with_no_square_W_still_gets_its_hints():
    net = tanh_softmax([2, 3, 2])
    X = np.random.default_rng(0).random((5, 2))
    Y2 = np.eye(2)[[0, 1, 0, 1, 0]]
    net.forward(X)
    ok, out = verdict(check_backward, answer_with(net, X, Y2, "sum_dW"), net, X, Y2)
    assert not ok and MISTAKES["sum_dW"] in out
    net.forward(X)
    ok, out = verdict(check_backward, answer_with(net, X, Y2, "tanh_prime_of_a"), net, X, Y2)
    assert not ok and MISTAKES["tanh_prime_of_a"] in out
    net.forward(X)
    ok, out = outcome(check_backward, backward_pass, net, X, Y2)
    assert ok is True, out


# ----- the post's code, as written ------------------------------------------------------------
def copy_into_post(net):
    """The post's MLP with net's weights: its layer[i] is our layer i + 1 (b as a row)."""
    p = post.MLP(net.sizes)
    for i, layer in enumerate(net.layers[1:]):
        p.layer[i].W, p.layer[i].b = layer.W.copy(), layer.b.T.copy()
    return p


def test_the_posts_loss_is_nielsens_cost_over_n_L():
    net = MLP([2, 4, 3], seed=0)
    X, y = make_moons(6, seed=1)
    Y3 = one_hot(y, 3)
    assert post.loss(net.forward(X), Y3) * 3 == pytest.approx(net.loss(X, Y3))


def test_the_posts_backpropagation_is_right_for_one_sample():
    net = MLP([2, 4, 3, 2], init="normal", seed=0)
    X, y = make_moons(5, noise=0.1, seed=0)
    Y2 = one_hot(y, 2)
    for i in range(5):
        p = copy_into_post(net)
        W_before = [p.layer[k].W.copy() for k in range(3)]
        p.backpropagation(X[i:i + 1], Y2[i:i + 1], p.forward(X[i:i + 1]), 0.5)
        net.forward(X[i:i + 1])
        net.backward(Y2[i:i + 1])
        for k in range(3):                       # the post's layer[k] is our layer k + 1
            layer = net.layers[k + 1]
            np.testing.assert_allclose(p.layer[k].d_W, layer.dW, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(p.layer[k].d_b, layer.db.T, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(p.layer[k].W, W_before[k] - 0.5 * layer.dW)


def test_the_posts_backpropagation_breaks_for_a_batch():
    X, y = make_moons(5, noise=0.1, seed=0)
    p = copy_into_post(MLP([2, 4, 3, 2], seed=0))
    with pytest.raises(ValueError, match="could not be broadcast"):
        p.backpropagation(X, one_hot(y, 2), p.forward(X), 0.1)
    small = MLP([2, 2, 2], init="normal", seed=1)
    p = copy_into_post(small)
    Y2 = one_hot(y[:2], 2)
    p.backpropagation(X[:2], Y2, p.forward(X[:2]), 0.1)          # runs silently ...
    small.forward(X[:2])
    small.backward(Y2)
    assert relative_error(p.layer[0].d_W, small.layers[1].dW) > 0.1   # ... and is wrong
    assert p.layer[0].d_b.shape == (2, 2) and p.layer[0].b.shape == (2, 2)


def test_the_posts_accuracy_takes_the_first_of_tied_outputs():
    assert post.accuracy(np.array([[0.7, 0.7]]), np.array([[1.0, 0.0]])) == 1.0
    assert post.accuracy(np.array([[0.7, 0.7]]), np.array([[0.0, 1.0]])) == 0.0
