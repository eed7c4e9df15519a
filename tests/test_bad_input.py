"""Every documented call refuses bad input with a ValueError or TypeError a student can act on."""

import re

import numpy as np
import pytest

from mlp_core import MLP, TrainingDiverged, gradcheck, train
from mlp_core.datasets import make_dataset, one_hot, train_test_split


@pytest.fixture
def net():
    return MLP([2, 3, 2], seed=0)


@pytest.mark.parametrize("sizes,message", [
    ([2], "at least two entries"),
    ([2, 0, 1], r"sizes\[1\] = 0: every layer size must be a positive integer"),
    ([2, 3.5, 1], r"sizes\[1\] = 3.5"),
    ([2, -1], r"sizes\[1\] = -1"),
    ([2, True], r"sizes\[1\] = True"),
])
def test_sizes_must_be_positive_integers(sizes, message):
    with pytest.raises(ValueError, match=message):
        MLP(sizes)


def test_sizes_must_be_a_list():
    with pytest.raises(TypeError, match="list of layer sizes"):
        MLP(5)


@pytest.mark.parametrize("kwargs,message", [
    ({"activation": "sigmoidd"}, "unknown activation 'sigmoidd': choose one of"),
    ({"output_activation": "softplus"}, "unknown activation 'softplus'"),
    ({"activation": "softmax"}, "meant for the output only"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"loss": "cross_entropy", "output_activation": "tanh"}, "needs output_activation='sigmoid'"),
    ({"init": "zeros"}, "unknown init 'zeros'"),
])
def test_unknown_names(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP([2, 3, 2], **kwargs)


def test_wrong_feature_count_names_n_in(net):
    with pytest.raises(ValueError, match=r"X must have shape \(N, n_in\) = \(N, 2\).*got \(5, 3\)"):
        net.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"looks transposed: pass X.T"):
        net.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"got \(3,\)"):
        net.forward(np.zeros(3))


def test_empty_batch_and_non_finite_inputs(net):
    with pytest.raises(ValueError, match="empty batch"):
        net.forward(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="1 NaN or infinite"):
        net.forward([[0.0, np.nan]])
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.forward([[np.inf, 1.0]])
    with pytest.raises(TypeError, match="array of numbers"):
        net.forward([["a", "b"]])


def test_wrong_labels(net):
    X = np.zeros((4, 2))
    net.forward(X)
    with pytest.raises(ValueError, match=r"Y must have shape \(N, n_out\) = \(4, 2\)"):
        net.backward(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="class labels must be integers 0 .. 1"):
        net.backward([0, 1, 2, 1])
    with pytest.raises(ValueError, match="class labels must be integers"):
        net.backward([0, 0.5, 1, 1])
    ce = MLP([2, 2], output_activation="softmax", loss="cross_entropy")
    ce.forward(X)
    with pytest.raises(ValueError, match=r"cross-entropy targets must lie in \[0, 1\]"):
        ce.backward(np.full((4, 2), 2.0))


def test_backward_needs_a_matching_forward(net):
    with pytest.raises(ValueError, match="needs a forward pass first"):
        net.backward(np.zeros((4, 2)))
    net.forward(np.zeros((4, 2)))
    net.backward(np.zeros((4, 2)))
    net.step(0.1)
    with pytest.raises(ValueError, match="weights changed since the last forward"):
        net.backward(np.zeros((4, 2)))


def test_step_needs_gradients_and_a_positive_rate(net):
    with pytest.raises(ValueError, match="step needs gradients"):
        net.step(0.1)
    net.forward(np.zeros((1, 2)))
    net.backward([[0.0, 1.0]])
    for lr in (0, -1, np.nan, "big"):
        with pytest.raises(ValueError, match="lr .the learning rate. must be a positive number"):
            net.step(lr)


def test_step_refuses_gradients_set_by_hand_in_the_wrong_shape(net):
    net.forward(np.zeros((5, 2)))
    net.backward(np.zeros((5, 2)))
    W_before = [layer.W.copy() for layer in net.layers[1:]]
    net.layers[2].dW = net.layers[2].dW[:, :2]           # too few entries: must not half-update
    with pytest.raises(ValueError, match=r"layer 2: dW must have shape \(n_out, n_in\) = "
                                         r"\(2, 3\) to update W, got \(2, 2\)"):
        net.step(0.1)
    net.layers[2].dW = np.zeros((2, 3))
    net.layers[1].db = np.zeros((3, 5))                  # the post's per-sample d_b on a batch
    with pytest.raises(ValueError, match=r"layer 1: db must have shape \(n_out, 1\) = "
                                         r"\(3, 1\) to update b, got \(3, 5\)"):
        net.step(0.1)
    assert all(np.array_equal(layer.W, W) for layer, W in zip(net.layers[1:], W_before))


def test_assigning_wrong_shapes_names_the_layer(net):
    with pytest.raises(ValueError, match=r"layer 2: W must have shape \(n_out, n_in\) = \(2, 3\)"
                                         r", got \(3, 2\). It looks transposed"):
        net.layers[2].W = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"layer 1: b must have shape \(n_out, 1\) = \(3, 1\), "
                                         r"got \(1, 3\). A row b \(the post's choice\)"):
        net.layers[1].b = np.zeros((1, 3))
    with pytest.raises(ValueError, match="layer 1: W contains 1 NaN"):
        net.layers[1].W = [[np.nan, 0], [0, 0], [0, 0]]


def test_train_arguments(net):
    X, y = make_dataset("moons", 20, seed=0)
    common = {"epochs": 1, "batch_size": 5, "lr": 0.1, "progress": False}
    for key, bad in [("epochs", 0), ("epochs", 1.5), ("batch_size", 0), ("lr", -0.1)]:
        with pytest.raises(ValueError, match=key):
            train(net, X, y, **{**common, key: bad})
    with pytest.raises(ValueError, match="pass both X_val and Y_val"):
        train(net, X, y, X_val=X, **common)
    with pytest.raises(ValueError, match=r"X_val must have shape \(N, n_in\)"):
        train(net, X, y, X_val=X[:, :1], Y_val=y, **common)
    with pytest.raises(TypeError, match="needs an MLP"):
        train("net", X, y, **common)
    with pytest.raises(TypeError, match="callback must be a function"):
        train(net, X, y, callback=3, **common)
    with pytest.raises(ValueError, match="weight_decay"):
        train(net, X, y, weight_decay=-1, **common)
    history = train(net, X, y, **{**common, "batch_size": 1000})     # clamped to N
    assert history.epochs == 1


def test_a_learning_rate_too_large_stops_with_advice():
    X, y = make_dataset("moons", 50, seed=0)
    net = MLP([2, 16, 2], activation="relu", output_activation="identity", init="he", seed=0)
    with pytest.raises(TrainingDiverged, match=r"epoch \d+: the cost became (nan|inf).*"
                                               r"try a smaller learning rate"):
        train(net, X, y, epochs=50, batch_size=10, lr=50.0, seed=0, progress=False)
    assert issubclass(TrainingDiverged, ValueError)
    assert all(np.isfinite(layer.W).all() for layer in net.layers[1:])   # the bad step not taken


@pytest.mark.parametrize("fused", [True, False])
def test_the_divergence_message_names_the_step_and_its_batch(fused):
    """The message says which step of the epoch failed and where its mini-batch lies in that
    epoch's shuffled order (a position, not a row of X): the last step reached is that one."""
    X, y = make_dataset("moons", 53, seed=0)
    net = MLP([2, 16, 2], activation="relu", output_activation="identity", init="he", seed=0)
    steps = []
    with pytest.raises(TrainingDiverged) as err:
        train(net, X, y, epochs=50, batch_size=10, lr=50.0, seed=0, progress=False,
              fused=fused, callback=lambda epoch, history: steps.append(epoch) and None)
    m = re.match(r"epoch (\d+): the cost became (nan|inf) on step (\d+) of 6 \(the mini-batch "
                 r"at positions (\d+)-(\d+) of this epoch's shuffled order\) with lr = 50\.",
                 str(err.value))
    assert m, str(err.value)
    epoch, step, first, last = int(m[1]), int(m[3]), int(m[4]), int(m[5])
    assert epoch == len(steps) + 1 and 1 <= step <= 6
    assert first == 10 * (step - 1) and last == min(first + 9, 52)


def test_gradcheck_and_datasets_check_their_input(net):
    with pytest.raises(ValueError, match=r"X must have shape"):
        gradcheck(net, np.zeros((3, 4)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="unknown dataset 'swirl'"):
        make_dataset("swirl")
    with pytest.raises(ValueError, match="noise must be a number"):
        make_dataset("moons", noise=-1)
    with pytest.raises(ValueError, match="n .the number of samples. must be a positive integer"):
        make_dataset("xor", n=0)
    with pytest.raises(ValueError, match="label 3 does not fit n_classes = 3"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        train_test_split(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(np.zeros((3, 2)), np.zeros(3), test_size=1.5)
