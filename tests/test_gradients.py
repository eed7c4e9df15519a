"""Back-propagation against finite differences, in float64, to a relative error of 1e-7."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlp_core import MLP, gradcheck
from mlp_core.datasets import one_hot

HIDDEN = ["sigmoid", "tanh", "relu", "identity"]
OUTPUTS = [("mse", o) for o in ["sigmoid", "tanh", "relu", "identity", "softmax"]] + [
    ("cross_entropy", "sigmoid"), ("cross_entropy", "softmax")]
ARCHITECTURES = {"one hidden layer": [3, 5, 2], "three hidden layers": [4, 6, 5, 3, 3],
                 "single output": [3, 4, 1]}
TOLERANCE = 1e-7


def make_case(sizes, hidden, loss, output, N, seed):
    """A network with small random biases (so ReLU units sit away from their kink) and a batch
    of N inputs with targets that suit the loss."""
    rng = np.random.default_rng(seed)
    net = MLP(sizes, hidden, output, loss, init="xavier", seed=seed)
    for layer in net.layers[1:]:
        layer.b = 0.3 * rng.standard_normal(layer.b.shape)
    X = rng.standard_normal((N, sizes[0]))
    if output == "softmax":
        Y = one_hot(rng.integers(0, sizes[-1], N), sizes[-1])
    else:
        Y = rng.uniform(0, 1, (N, sizes[-1]))
    return net, X, Y


def away_from_kinks(net, X):
    """True when no ReLU input z lies within 1e-4 of 0 (where the derivative jumps)."""
    net.forward(X)
    return all(layer.activation.name != "relu" or np.abs(layer.z).min() > 1e-4
               for layer in net.layers[1:])


def worst(errors):
    """The largest relative error of gradcheck's {l: {"W": ..., "b": ...}}, l = 1 .. L."""
    return max(max(e.values()) for e in errors.values())


def reference_check(net, X, Y):
    """gradcheck against the five-point stencil (error O(eps⁴)), so eps can be large enough
    that rounding stays far below 1e-7 even for gradients 1e-5 the size of the cost. A ReLU
    net is piecewise linear, so a small eps (which stays clear of its kinks) costs nothing."""
    has_relu = any(layer.activation.name == "relu" for layer in net.layers[1:])
    return worst(gradcheck(net, X, Y, eps=1e-5 if has_relu else 1e-3, order=4))


# every architecture with every output, except softmax over one neuron (the constant 1)
CASES = [(arch, loss, output) for arch, (loss, output) in itertools.product(ARCHITECTURES, OUTPUTS)
         if not (output == "softmax" and ARCHITECTURES[arch][-1] == 1)]


@pytest.mark.parametrize("N", [1, 7, 64])
@pytest.mark.parametrize("arch,loss,output", CASES)
def test_every_loss_activation_output_matches_finite_differences(arch, loss, output, N):
    sizes = ARCHITECTURES[arch]
    for hidden in HIDDEN:
        for seed in itertools.count():
            net, X, Y = make_case(sizes, hidden, loss, output, N, seed)
            if away_from_kinks(net, X):
                break
        err = reference_check(net, X, Y)
        assert err <= TOLERANCE, f"{hidden}/{output}/{loss} on {sizes}, N={N}: {err:.2e}"


@settings(max_examples=200, deadline=None, derandomize=True)  # the same cases in CI
@given(
    hidden_sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    n_in=st.integers(1, 5),
    n_out=st.integers(1, 4),
    hidden=st.sampled_from(HIDDEN),
    loss_output=st.sampled_from(OUTPUTS),
    N=st.sampled_from([1, 7, 64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_architectures_match_finite_differences(hidden_sizes, n_in, n_out, hidden,
                                                       loss_output, N, seed):
    loss, output = loss_output
    assume(not (output == "softmax" and n_out == 1))
    sizes = [n_in, *hidden_sizes, n_out]
    net, X, Y = make_case(sizes, hidden, loss, output, N, seed)
    assume(away_from_kinks(net, X))
    assert reference_check(net, X, Y) <= TOLERANCE


@pytest.mark.parametrize("loss,output", [("mse", "sigmoid"), ("cross_entropy", "softmax")])
def test_batch_gradient_is_the_mean_of_the_per_sample_gradients(loss, output):
    net, X, Y = make_case([3, 5, 4, 3], "tanh", loss, output, 9, seed=3)
    per_sample = []
    for x, y in zip(X, Y):
        net.forward(x)
        net.backward(y[None, :])
        per_sample.append([(l.dW.copy(), l.db.copy()) for l in net.layers[1:]])
    net.forward(X)
    net.backward(Y)
    for i, layer in enumerate(net.layers[1:]):
        np.testing.assert_allclose(layer.dW, np.mean([g[i][0] for g in per_sample], axis=0),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.db, np.mean([g[i][1] for g in per_sample], axis=0),
                                   rtol=1e-12, atol=1e-15)
        assert layer.db.shape == (layer.n_out, 1)       # not N rows, as the post's d_b has


def test_gradcheck_flags_a_wrong_gradient():
    """The check must be able to fail: a gradient scaled by 1/n_L (the post's loss) is caught.
    The plain centred difference with its default eps passes on a well-scaled net."""
    net, X, Y = make_case([3, 4, 2], "sigmoid", "mse", "sigmoid", 5, seed=0)
    errors = gradcheck(net, X, Y)
    assert list(errors) == [1, 2]                      # layer l of the equations, l = 1 .. L
    assert worst(errors) <= TOLERANCE
    from mlp_core.gradcheck import numerical_gradient, relative_error
    numeric = numerical_gradient(net, X, Y, 2, "W")
    net.forward(X)
    net.backward(Y)
    assert relative_error(net.layers[2].dW / 2, numeric) > 0.3
