"""The MLP against numbers worked out here by plain loops, its shapes, saving and loading."""

import json
import math
import warnings

import numpy as np
import pytest

from mlp_core import MLP, sigmoid, softmax
from mlp_core.activations import ACTIVATIONS
from mlp_core.network import labels_from


def tiny_net():
    """[2, 2, 1] sigmoid network with hand-picked weights."""
    net = MLP([2, 2, 1])
    net.layers[1].W = [[0.1, -0.2], [0.4, 0.3]]
    net.layers[1].b = [[0.05], [-0.1]]
    net.layers[2].W = [[0.7, -0.5]]
    net.layers[2].b = [[0.2]]
    return net


def loop_forward_backward(x, y):
    """The same network computed one scalar at a time, Nielsen's equations written out."""
    s = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    W0, b0 = [[0.1, -0.2], [0.4, 0.3]], [0.05, -0.1]
    W1, b1 = [0.7, -0.5], 0.2
    z0 = [W0[j][0] * x[0] + W0[j][1] * x[1] + b0[j] for j in range(2)]
    a0 = [s(t) for t in z0]
    z1 = W1[0] * a0[0] + W1[1] * a0[1] + b1
    a1 = s(z1)
    cost = 0.5 * (a1 - y) ** 2
    d1 = (a1 - y) * a1 * (1 - a1)                                  # BP1
    d0 = [W1[j] * d1 * a0[j] * (1 - a0[j]) for j in range(2)]      # BP2
    dW1 = [d1 * a0[0], d1 * a0[1]]                                 # BP4
    dW0 = [[d0[j] * x[k] for k in range(2)] for j in range(2)]
    return a1, cost, dW0, d0, dW1, d1


def test_forward_and_backward_match_a_plain_loop():
    X = np.array([[1.0, 2.0], [-0.5, 0.25], [0.0, 3.0]])
    Y = np.array([[1.0], [0.0], [1.0]])
    net = tiny_net()
    Y_hat = net.forward(X)
    cost = net.backward(Y)
    ref = [loop_forward_backward(x, y[0]) for x, y in zip(X, Y)]
    np.testing.assert_allclose(Y_hat[:, 0], [r[0] for r in ref], rtol=1e-14)
    assert cost == pytest.approx(np.mean([r[1] for r in ref]), rel=1e-14)
    np.testing.assert_allclose(net.layers[1].dW, np.mean([r[2] for r in ref], axis=0), rtol=1e-13)
    np.testing.assert_allclose(net.layers[1].db[:, 0], np.mean([r[3] for r in ref], axis=0),
                               rtol=1e-13)
    np.testing.assert_allclose(net.layers[2].dW[0], np.mean([r[4] for r in ref], axis=0),
                               rtol=1e-13)
    assert net.layers[2].db[0, 0] == pytest.approx(np.mean([r[5] for r in ref]), rel=1e-13)
    # by hand for x = (1, 2): z0 = (0.1 − 0.4 + 0.05, 0.4 + 0.6 − 0.1) = (−0.25, 0.9),
    # a0 = (0.437823, 0.710950), z1 = 0.7·0.437823 − 0.5·0.710950 + 0.2 = 0.151001
    assert Y_hat[0, 0] == pytest.approx(1 / (1 + math.exp(-0.151001)), abs=1e-6)
    assert Y_hat[0, 0] == pytest.approx(0.537679, abs=1e-6)


def test_shapes_follow_the_course_convention():
    net = MLP([64, 30, 10], seed=0)
    X = np.zeros((7, 64))
    assert net.forward(X).shape == (7, 10)
    net.backward(np.zeros((7, 10)))
    for layer, (n_in, n_out) in zip(net.layers[1:], [(64, 30), (30, 10)]):
        assert layer.W.shape == layer.dW.shape == (n_out, n_in)
        assert layer.b.shape == layer.db.shape == (n_out, 1)
        assert layer.z.shape == layer.a.shape == layer.delta.shape == (n_out, 7)
    assert net.forward(np.zeros(64)).shape == (1, 10)
    assert net.n_params == 64 * 30 + 30 + 30 * 10 + 10


def test_inits_and_seeds():
    a, b = MLP([5, 4, 3], seed=1), MLP([5, 4, 3], seed=1)
    assert all(np.array_equal(x.W, y.W) for x, y in zip(a.layers[1:], b.layers[1:]))
    assert not np.array_equal(a.layers[1].W, MLP([5, 4, 3], seed=2).layers[1].W)
    big = np.random.default_rng(0).standard_normal((400, 300))
    stds = {init: MLP([400, 300], init=init, seed=0).layers[1].W.std()
            for init in ("small", "normal", "xavier", "he")}
    assert stds["small"] == pytest.approx(0.1, rel=0.05)
    assert stds["normal"] == pytest.approx(big.std(), rel=0.05)
    assert stds["xavier"] == pytest.approx(math.sqrt(2 / 700), rel=0.05)
    assert stds["he"] == pytest.approx(math.sqrt(2 / 400), rel=0.05)
    assert np.all(MLP([3, 2], init="small").layers[1].b == 0)


def test_step_moves_against_the_gradient():
    net = tiny_net()
    X, Y = np.array([[1.0, 2.0]]), np.array([[1.0]])
    net.forward(X)
    before = net.backward(Y)
    W_old, dW = net.layers[1].W.copy(), net.layers[1].dW.copy()
    net.step(0.5)
    np.testing.assert_array_equal(net.layers[1].W, W_old - 0.5 * dW)
    assert net.loss(X, Y) < before


def test_step_is_w_minus_lr_dw_to_the_last_bit_or_one_rounding_closer():
    # step updates W in place with BLAS's axpy, which may fuse the multiply and the add
    net = MLP([5, 7, 3], seed=1)
    X, Y = np.random.default_rng(0).normal(size=(4, 5)), np.eye(3)[[0, 1, 2, 1]]
    net.forward(X)
    net.backward(Y)
    old = [(layer.W.copy(), layer.b.copy(), layer.dW.copy(), layer.db.copy())
           for layer in net.layers[1:]]
    net.step(0.3)
    for layer, (W, b, dW, db) in zip(net.layers[1:], old):
        np.testing.assert_array_max_ulp(layer.W, W - 0.3 * dW, maxulp=1)
        np.testing.assert_array_equal(layer.b, b - 0.3 * db)
        assert layer.W.flags.c_contiguous and not np.array_equal(layer.W, W)


def test_sigmoid_layers_run_the_lessons_sigmoid_without_overflow():
    """One sigmoid: the engine's sigmoid layers call lesson 01's ``mlp_core.sigmoid``, which
    stays within 2 ulp of scipy's ``expit`` (the post's σ) and never overflows."""
    from scipy.special import expit

    assert ACTIVATIONS["sigmoid"].f is sigmoid
    assert MLP([3, 2]).layers[1].activation.f is sigmoid
    z = np.concatenate([np.linspace(-700, 700, 20001), [-1e-300, 0.0, 1e-300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # stable: no overflow anywhere
        plain = sigmoid(z)
    np.testing.assert_array_max_ulp(plain, expit(z), maxulp=3)
    assert sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]


def test_predict_and_accuracy():
    net = MLP([2, 3], output_activation="identity", activation="identity")
    net.layers[1].W = np.eye(3, 2)
    net.layers[1].b = np.zeros((3, 1))
    X = np.array([[2.0, 1.0], [0.0, 5.0], [1.0, 1.0]])   # last row: a tie, goes to class 0
    assert list(net.predict(X)) == [0, 1, 0]
    assert net.accuracy(X, [0, 1, 1]) == pytest.approx(2 / 3)
    assert net.accuracy(X, np.eye(3)[[0, 1, 0]]) == 1.0
    single = MLP([1, 1], activation="sigmoid")
    single.layers[1].W, single.layers[1].b = [[10.0]], [[0.0]]
    assert list(single.predict([[-1.0], [1.0]])) == [0, 1]
    assert single.accuracy([[-1.0], [1.0]], [0, 1]) == 1.0


def test_sigmoid_is_stable_and_softmax_sums_to_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]))
        p = softmax(np.array([[1000.0, -1000.0], [999.0, 0.0]]))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert s[1] == pytest.approx(math.exp(-40), rel=1e-12)     # no 1 − (1 − ε) cancellation
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    for name, act in ACTIVATIONS.items():
        if name != "softmax":
            z = np.linspace(-3, 3, 13) + 0.01
            numeric = (act.f(z + 1e-6) - act.f(z - 1e-6)) / 2e-6
            np.testing.assert_allclose(act.prime(z), numeric, atol=1e-8)


def test_save_and_load_are_exact(tmp_path):
    net = MLP([4, 5, 3], activation="tanh", output_activation="softmax", loss="cross_entropy",
              init="he", seed=7)
    path = net.save(tmp_path / "net")
    assert path.endswith(".npz")
    back = MLP.load(path)
    assert (back.sizes, back.activation, back.output_activation, back.loss_name) == \
        ([4, 5, 3], "tanh", "softmax", "cross_entropy")
    for a, b in zip(net.layers[1:], back.layers[1:]):
        assert a.W.tobytes() == b.W.tobytes() and a.b.tobytes() == b.b.tobytes()
    X = np.random.default_rng(0).standard_normal((6, 4))
    assert net.forward(X).tobytes() == back.forward(X).tobytes()


def test_load_refuses_files_that_are_not_ours_without_unpickling(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    evil = tmp_path / "evil.npz"
    np.savez(evil, format=np.array([Boom()], dtype=object))
    with pytest.raises(ValueError, match="not a network saved by MLP.save"):
        MLP.load(evil)
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ValueError, match="not a network saved by MLP.save"):
        MLP.load(pickled)
    other = tmp_path / "other.npz"
    np.savez(other, W0=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="no mlp_core.MLP/2 marker"):
        MLP.load(other)
    single = tmp_path / "array.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match="not an .npz archive"):
        MLP.load(single)
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "missing.npz")


@pytest.mark.parametrize("Y, want", [
    (np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]]), [1, 0]),                  # rows
    (np.array([[0.1, 0.6], [0.7, 0.3], [0.2, 0.1]]).T, [1, 0]),    # a.T, a (n_L, N) in C order
    (np.array([[0.7], [0.2]]), [1, 0]),                                       # one output
    (np.array([2, 0]), [2, 0]),                                               # labels already
])
def test_labels_from_writes_into_out_or_a_new_array(Y, want):
    assert labels_from(Y).tolist() == want
    out = np.full(4, -1)
    assert labels_from(Y, out=out[1:3]) is not None and out.tolist() == [-1, *want, -1]


def test_a_file_saved_by_mlp_core_0_1_still_loads_into_the_one_index(tmp_path):
    """Version 1 stored the weight layers from 0, the post's way (W0 is layer 1's W)."""
    net = MLP([3, 4, 2], seed=5)
    config = {"sizes": [3, 4, 2], "activation": "sigmoid", "output_activation": "sigmoid",
              "loss": "mse", "init": "small"}
    old = tmp_path / "old.npz"
    np.savez(old, format=np.array("mlp_core.MLP/1"), config=np.array(json.dumps(config)),
             W0=net.layers[1].W, b0=net.layers[1].b, W1=net.layers[2].W, b1=net.layers[2].b)
    back = MLP.load(old)
    for l in (1, 2):
        assert np.array_equal(back.layers[l].W, net.layers[l].W)
        assert np.array_equal(back.layers[l].b, net.layers[l].b)
    saved = np.load(net.save(tmp_path / "new"))
    assert sorted(saved.files) == ["W1", "W2", "b1", "b2", "config", "format"]
