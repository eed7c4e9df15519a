"""Lesson 08's digit explorer, driven without a browser."""

import base64

import numpy as np
import pytest

from mlp_core import MLP, train
from mlp_core.course.widgets.digits import DigitExplorer, shift_image
from mlp_core.datasets import load_digits, train_test_split


@pytest.fixture(scope="module")
def data():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.2, seed=0)
    net = MLP([64, 30, 10], seed=0)
    train(net, X_train, y_train, epochs=5, batch_size=10, lr=3.0, seed=0, progress=False)
    return net, X_test, y_test


@pytest.fixture
def explorer(data):
    return DigitExplorer(*data)


def heights(explorer):
    return np.array([bar.get_height() for bar in explorer.bars])


def test_shift_image_moves_pixels_and_blanks_the_rest():
    x = np.arange(64, dtype=float)
    img = x.reshape(8, 8)
    right = shift_image(x, right=1).reshape(8, 8)
    assert np.array_equal(right[:, 1:], img[:, :-1]) and not right[:, 0].any()
    up = shift_image(x, down=-2).reshape(8, 8)
    assert np.array_equal(up[:-2], img[2:]) and not up[-2:].any()
    both = shift_image(x, right=-1, down=1).reshape(8, 8)
    assert np.array_equal(both[1:, :-1], img[:-1, 1:])
    assert np.array_equal(shift_image(x), x)
    assert not shift_image(x, right=8).any()
    assert shift_image(np.ones(784), right=3).reshape(28, 28)[:, :3].sum() == 0


def test_shift_image_refuses_a_non_square_row():
    with pytest.raises(ValueError, match="square"):
        shift_image(np.ones(63))


def test_every_control_redraws(explorer):
    image, label, bars = explorer.image.value, explorer.label.value, heights(explorer)
    explorer.sample.value = 7
    assert explorer.label.value.startswith("test digit 7:") and explorer.label.value != label
    assert explorer.image.value != image and not np.array_equal(heights(explorer), bars)
    for control in (explorer.right, explorer.down):
        image, bars = explorer.image.value, heights(explorer)
        before = explorer.picture.get_array().copy()
        control.value = 1
        assert explorer.image.value != image
        assert not np.array_equal(explorer.picture.get_array(), before)
        assert not np.array_equal(heights(explorer), bars)
    assert "shifted 1 right and 1 down" in explorer.label.value


def test_the_picture_is_the_shifted_digit_and_the_bars_its_outputs(explorer, data):
    net, X, y = data
    explorer.sample.value, explorer.right.value = 12, -2
    x = shift_image(X[12], right=-2)
    assert np.array_equal(explorer.picture.get_array().ravel(), x)
    assert np.allclose(heights(explorer), net.forward(x)[0])
    hidden = np.asarray(explorer.hidden.get_array()).ravel()
    assert np.allclose(hidden, net.layers[1].a[:, 0])          # a[1], the hidden layer


def test_bar_colours_mark_the_true_and_the_wrong_class(explorer, data):
    net, X, y = data
    explorer.only_mistakes.value = True
    i = explorer.index()
    predicted = int(np.argmax(net.forward(X[i])))
    assert predicted != y[i]
    colours = [bar.get_facecolor() for bar in explorer.bars]
    assert colours[y[i]] != colours[predicted]
    others = [c for k, c in enumerate(colours) if k not in (y[i], predicted)]
    assert all(c == others[0] for c in others)
    assert "wrong (red bar)" in explorer.label.value


def test_the_true_class_is_framed_even_when_its_output_is_near_0(explorer, data):
    net, X, y = data
    explorer.only_mistakes.value = True
    for k in range(len(explorer.mistakes)):
        explorer.sample.value = k
        i = explorer.index()
        frame = explorer.true_frame
        assert frame.get_x() + frame.get_width() / 2 == pytest.approx(y[i])
        assert frame.get_height() >= 1 and frame.get_fill() is False
    assert explorer.true_frame in explorer._animated          # redrawn with the bars
    assert "(blue frame)" in explorer.label.value


def test_the_input_title_is_short_enough_not_to_be_clipped(explorer):
    title = explorer.picture.axes.get_title()
    assert title == "input a[0] (8×8)"
    fig = explorer.picture.axes.figure
    renderer = fig.canvas.get_renderer()
    box = explorer.picture.axes.title.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width


def test_mistakes_only_walks_the_misclassified_digits(explorer, data):
    net, X, y = data
    wrong = np.flatnonzero(net.predict(X) != y)
    explorer.sample.value = 100
    image = explorer.image.value
    explorer.only_mistakes.value = True
    assert explorer.sample.max == len(wrong) - 1 and explorer.sample.value == 0
    assert explorer.index() == wrong[0] and explorer.image.value != image
    explorer.sample.value = explorer.sample.max
    assert explorer.index() == wrong[-1]
    explorer.only_mistakes.value = False
    assert explorer.sample.max == len(X) - 1 and explorer.index() == 0


def test_saved_output_has_the_full_picture_and_a_stable_line(explorer, data):
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == DigitExplorer(*data).summary()
    assert "misclassified" in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == explorer.image.value
