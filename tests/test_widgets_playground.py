"""Lesson 10's playground, driven without a browser: every button pressed, every control moved
to both ends, Play and Pause on a real asyncio loop, and the exercise's checks."""

import asyncio
import base64
import io
import time

import numpy as np
import pytest
from checking import assert_explains_a_crash, not_done, outcome, returning
from PIL import Image

from mlp_core import train
from mlp_core.course.checks.playground import check_spiral, check_test_accuracy, spiral_result
from mlp_core.course.models import (
    L2_RATES,
    LEARNING_RATES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    N_POINTS,
    Experiment,
    Settings,
    playground_net,
)
from mlp_core.course.widgets.base import figure_png, freeze_layout, new_figure
from mlp_core.course.widgets.blitter import Blitter
from mlp_core.course.widgets.playground import (
    LOSS_STEP,
    Playground,
    activation_maps,
    loss_top,
    mosaic,
)


def pixels(png):
    """PNG bytes as an (H, W, 3) int array."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def weight_norm(net):
    return np.sqrt(sum(np.sum(layer.W ** 2) for layer in net.layers[1:]))


def assert_like_a_full_render(pg):
    """The widget's frame is a full draw of the figure, but for its 256 colours: a tick label
    left where it was shows as a few hundred pixels off by more than 64."""
    fast, full = pixels(pg.image.value), pixels(figure_png(pg.fig))
    off = np.abs(fast - full).max(axis=2)
    assert off.mean() < 4 and np.mean(off > 32) < 1e-3 and np.mean(off > 64) < 1e-4


@pytest.fixture
def pg():
    return Playground()


# ----- the experiment behind the widget -------------------------------------------------------

def test_an_epoch_is_minibatch_sgd_with_l2_exactly_like_train():
    """The oracle: ``mlp_core.train`` with the same seed, batch size, lr and weight decay."""
    s = Settings(dataset="circles", hidden_layers=2, neurons=5, lr=0.1, batch_size=7, l2=0.01)
    e = Experiment(s, seed=3)
    for _ in range(4):
        assert e.run_epoch()
    net = playground_net(s, e.n_classes, seed=3)
    train(net, e.X_train, e.Y_train, epochs=4, batch_size=7, lr=0.1, weight_decay=0.01, seed=3,
          progress=False)
    for mine, theirs in zip(e.net.layers[1:], net.layers[1:]):   # the same fused step: bit
        np.testing.assert_array_equal(mine.W, theirs.W)         # for bit
        np.testing.assert_array_equal(mine.b, theirs.b)
    assert e.epoch == 4 and len(e.train_loss) == len(e.test_loss) == 5
    assert e.train_loss[-1] == pytest.approx(net.loss(e.X_train, e.Y_train))


def test_an_epoch_is_lesson_07s_loop():
    """With fused=False an epoch is lesson 07's loop, bit for bit: one seeded permutation per
    epoch, then forward, backward and step per mini-batch. The default (fused) agrees with it
    to rounding."""
    s = Settings(lr=0.3, batch_size=10, l2=0.01)
    plain, fused = Experiment(s, fused=False), Experiment(s)
    net = playground_net(s, n_classes=2, seed=0)
    rng = np.random.default_rng(0)
    for _ in range(3):
        assert plain.run_epoch() and fused.run_epoch()
        order = rng.permutation(len(plain.X_train))
        for first in range(0, len(order), 10):
            batch = order[first:first + 10]
            net.forward(plain.X_train[batch])
            net.backward(plain.Y_train[batch])
            net.step(0.3, weight_decay=0.01)
    for l in range(1, net.L + 1):
        np.testing.assert_array_equal(plain.net.layers[l].W, net.layers[l].W)
        np.testing.assert_array_equal(plain.net.layers[l].b, net.layers[l].b)
        np.testing.assert_allclose(fused.net.layers[l].W, net.layers[l].W, rtol=0, atol=1e-12)
        np.testing.assert_allclose(fused.net.layers[l].b, net.layers[l].b, rtol=0, atol=1e-12)
    assert plain.train_loss == pytest.approx(fused.train_loss, abs=1e-12)


def test_the_plain_loop_notices_divergence_too():
    for fused in (True, False):
        e = Experiment(Settings(activation="identity", lr=10.0, batch_size=1), fused=fused)
        assert not e.run_epoch()
        assert "the loss became" in e.diverged and e.epoch == 0
        assert all(np.isfinite(layer.W).all() for layer in e.net.layers[1:])


def test_same_settings_same_numbers_and_blobs_get_a_softmax():
    a, b = Experiment(Settings(dataset="blobs")), Experiment(Settings(dataset="blobs"))
    for e in (a, b):
        for _ in range(3):
            e.run_epoch()
    assert a.train_loss == b.train_loss and a.test_loss == b.test_loss
    assert a.net.sizes == [2, 4, 4, 3] and a.net.output_activation == "softmax"
    assert a.Y_train.shape == (len(a.X_train), 3)


@pytest.mark.parametrize("bad", [dict(dataset="moon"), dict(noise=0.9), dict(train_percent=55),
                                 dict(hidden_layers=5), dict(neurons=0), dict(activation="elu"),
                                 dict(lr=0.5), dict(batch_size=31), dict(l2=-1.0),
                                 dict(neurons=2.0)])
def test_settings_refuse_what_the_controls_cannot_show(bad):
    with pytest.raises(ValueError, match="not a playground setting"):
        Settings(**bad)


def test_maps_are_scaled_to_0_1_and_tiled_neuron_0_on_top():
    e = Experiment(Settings(hidden_layers=2, neurons=3, activation="relu"))
    G = np.random.default_rng(0).uniform(-1, 1, (80 * 80, 2))
    e.net.forward(G)
    maps = activation_maps(e.net, (80, 80))
    assert [m.shape for m in maps] == [(3, 20, 20), (3, 20, 20)]
    assert all(m.min() >= 0 and m.max() <= 1 for m in maps)
    tiles = [np.full((2, 4, 4), v) for v in (0.0, 1.0)]
    tiles[0][0] = 0.5                                # layer 1, neuron 0
    image = mosaic(tiles, gap=1)
    assert image.shape == (2 * 5 - 1, 2 * 5 - 1)
    assert np.all(image[5:, :4] == 0.5)              # origin="lower": the top rows last
    assert np.all(image[:4, :4] == 0.0) and np.all(image[:, 5:][~np.isnan(image[:, 5:])] == 1)
    assert np.isnan(image[4]).all() and np.isnan(image[:, 4]).all()


def test_tanh_maps_use_the_fixed_range():
    e = Experiment(Settings(hidden_layers=1, neurons=2, activation="tanh"))
    e.net.forward(np.zeros((16, 2)))
    (m,) = activation_maps(e.net, (4, 4))
    expected = (np.tanh(e.net.layers[1].b[:, 0]) + 1) / 2
    np.testing.assert_allclose(m[:, 0, 0], expected)


# ----- the buttons ----------------------------------------------------------------------------

def test_the_widget_starts_reset(pg):
    e = pg.experiment
    assert e.epoch == 0 and len(e.train_loss) == 1
    assert pg.step_button.disabled is False and pg.play_button.disabled is False
    assert pg.pause_button.disabled is True
    assert "epoch 0:" in pg.status.value and bytes(pg.image.value).startswith(b"\x89PNG")
    assert pg.epoch_text.get_text() == "epoch 0"


def test_every_control_label_has_room_to_show_in_full(pg):
    """A projector shows "learning rate η" whole, not "learning rat…": labels of at most 15
    characters get 120 px (about 8 px a character at 13 px), and every control the same."""
    widths = {c.style.description_width for c in pg.controls.values()}
    assert widths == {"120px"}
    assert max(len(c.description) for c in pg.controls.values()) <= 15
    assert {c.layout.width for c in pg.controls.values()} == {"285px"}


def test_step_trains_one_epoch_and_redraws(pg):
    before, weights = pg.image.value, [layer.W.copy() for layer in pg.experiment.net.layers[1:]]
    pg.step_button.click()
    e = pg.experiment
    assert e.epoch == 1 and len(e.train_loss) == 2
    assert len(pg.lines["train"].get_xdata()) == 2 and len(pg.lines["test"].get_ydata()) == 2
    assert pg.image.value != before
    assert "epoch 1:" in pg.status.value and pg.epoch_text.get_text() == "epoch 1"
    assert not np.array_equal(weights[0], e.net.layers[1].W)
    np.testing.assert_array_equal(pg.drawing.edges.get_array()[0], e.net.layers[1].W[0, 0])


def test_steps_learn_the_moons(pg):
    assert pg.step(30)
    e = pg.experiment
    assert e.epoch == 30 and len(pg.lines["train"].get_xdata()) == 31
    assert e.train_loss[-1] < 0.2 * e.train_loss[0] and e.accuracy() >= 0.95
    assert pg.ax_loss.get_xlim()[1] >= 30                # the loss axis grew with the epochs


def test_reset_gives_the_same_picture_again(pg):
    first = pg.image.value
    pg.step(5)
    assert pg.image.value != first
    pg.reset_button.click()
    assert pg.experiment.epoch == 0 and len(pg.lines["train"].get_xdata()) == 1
    assert pg.image.value == first
    assert Playground().image.value == first             # a new widget, the same picture


def test_the_fast_frames_match_a_full_render(pg):
    pg.step(12)                                          # past a jump of the loss axis
    assert pixels(pg.image.value).shape == pixels(figure_png(pg.fig)).shape
    assert_like_a_full_render(pg)


def test_the_saved_picture_is_the_current_frame(pg):
    pg.step(2)
    saved = base64.b64decode(pg._repr_mimebundle_()["image/png"])
    assert np.array_equal(pixels(saved), pixels(pg.image.value))
    assert len(saved) < 80_000                          # small enough to store in a notebook


def test_saved_output_has_a_picture_and_a_stable_line(pg):
    pg.step(3)
    bundle = pg._repr_mimebundle_()
    assert bundle["image/png"] and "application/vnd.jupyter.widget-view+json" in bundle
    twin = Playground()
    twin.step(3)
    assert bundle["text/plain"] == twin.summary() == pg.summary()
    assert bundle["text/plain"].startswith("Playground: moons, noise 0.05, 50% train, "
                                           "sizes [2, 4, 4, 1], tanh, lr 0.3, batch 10, L2 0; "
                                           "epoch 3: train loss ")


# ----- a control moved: the picture a new playground would draw -------------------------------

def same_experiment(e, f):
    """The two experiments hold the same points and the same starting network."""
    for name in ("X_train", "y_train", "X_test", "y_test", "Y_train", "Y_test"):
        np.testing.assert_array_equal(getattr(e, name), getattr(f, name))
    assert e.net.sizes == f.net.sizes and e.settings == f.settings and e.epoch == f.epoch == 0
    for mine, theirs in zip(e.net.layers[1:], f.net.layers[1:]):
        np.testing.assert_array_equal(mine.W, theirs.W)
        np.testing.assert_array_equal(mine.b, theirs.b)


def assert_drawn_like_a_new_playground(pg, **settings):
    """The frame is the one a Playground built at these settings shows, pixel for pixel, and
    what a full draw of the figure as it is now gives (so no cached part is stale)."""
    fresh = Playground(**settings)
    same_experiment(pg.experiment, fresh.experiment)
    assert pg.summary() == fresh.summary()
    assert np.array_equal(pixels(pg.image.value), pixels(fresh.image.value))
    assert_like_a_full_render(pg)


@pytest.mark.parametrize("name, value", [("noise", 0.5), ("noise", 0.0), ("dataset", "spiral"),
                                         ("dataset", "blobs"), ("train_percent", 10),
                                         ("train_percent", 90)])
def test_a_data_move_shows_the_new_data_in_place_as_a_new_playground_would(pg, name, value):
    image, legend, drawing = pg.boundary.image, pg.boundary.legend, pg.drawing
    points = pg.boundary.train_points, pg.boundary.test_points
    pg.controls[name].value = value
    assert_drawn_like_a_new_playground(pg, **{name: value})
    e = pg.experiment
    assert getattr(e.settings, name) == value
    assert pg.boundary.image is image and pg.boundary.legend is legend   # updated, not rebuilt
    for shown, X in zip(points, (e.X_train, e.X_test)):
        np.testing.assert_array_equal(shown.get_offsets(), X)          # every point, any count
    assert (pg.drawing is drawing) == (e.net.sizes == [2, 4, 4, 1])    # blobs: three outputs
    np.testing.assert_array_equal(pg.drawing.edges.get_array()[0], e.net.layers[1].W[0, 0])


def test_a_data_move_after_training_starts_the_picture_over(pg):
    pg.step(12)                                          # the loss axis grew to 20 epochs
    pg.controls["noise"].value = 0.3
    assert pg.ax_loss.get_xlim() == (0, 10) and len(pg.lines["train"].get_xdata()) == 1
    assert_drawn_like_a_new_playground(pg, noise=0.3)


def test_the_legend_shows_the_first_points_colour_as_a_new_legend_would(pg):
    before = pg.boundary.legend_colours()
    pg.controls["train_percent"].value = 10              # the first training point: class 0
    assert pg.experiment.y_train[0] != 1 == Experiment().y_train[0]
    assert pg.boundary.legend_colours() != before
    assert_drawn_like_a_new_playground(pg, train_percent=10)


@pytest.mark.parametrize("moves", [{"hidden_layers": 0}, {"hidden_layers": MAX_HIDDEN_LAYERS},
                                   {"neurons": 1}, {"neurons": MAX_NEURONS},
                                   {"activation": "relu"},
                                   {"dataset": "blobs", "hidden_layers": 1, "neurons": 3}])
def test_a_network_move_draws_what_a_new_playground_draws(pg, moves):
    for name, value in moves.items():
        pg.controls[name].value = value
    assert_drawn_like_a_new_playground(pg, **moves)


def test_back_from_no_hidden_layer_the_maps_have_their_axes_again(pg):
    pg.controls["hidden_layers"].value = 0
    assert not pg.ax_maps.axison and pg.maps_image is None
    pg.step(2)
    pg.controls["hidden_layers"].value = 2
    assert pg.ax_maps.axison and pg.ax_maps.get_ylabel() == "neuron j"
    assert_drawn_like_a_new_playground(pg)               # the mosaic's box fitted again


def test_the_layout_does_not_depend_on_the_starting_settings(pg):
    other = Playground(seed=3, dataset="blobs", noise=0.5, hidden_layers=0)
    for ax, twin in zip(pg.fig.axes, other.fig.axes):
        np.testing.assert_allclose(ax.get_position(original=True).bounds,
                                   twin.get_position(original=True).bounds, rtol=0, atol=1e-12)


def test_going_back_to_earlier_settings_reuses_their_pictures(pg, monkeypatch):
    first = pg.image.value
    pg.controls["noise"].value = 0.5
    pg.controls["hidden_layers"].value = 3
    drawn = []
    sprite = pg.frames._sprite
    monkeypatch.setattr(pg.frames, "_sprite", lambda layer: drawn.append(layer) or sprite(layer))
    pg.controls["hidden_layers"].value = 2
    pg.controls["noise"].value = 0.05
    assert drawn == [] and pg.image.value == first


def test_the_loss_axis_top_is_a_round_number_above_the_first_loss(pg):
    for loss in (0.01, 0.69, 0.9, 0.91, 1.1, 7.3):
        top = loss_top(loss)
        assert top >= 1.1 * loss and top / LOSS_STEP == round(top / LOSS_STEP) and top > 0
        assert top - LOSS_STEP < 1.1 * loss or top == LOSS_STEP
    assert pg.ax_loss.get_ylim() == (0, 1.0)
    pg.controls["dataset"].value = "blobs"               # log 3 ≈ 1.1 to start with
    assert pg.ax_loss.get_ylim() == (0, 1.5)


def test_a_blitter_layer_is_drawn_again_only_for_a_new_key():
    fig = new_figure(3.0, 2.0)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    legend = ax.legend(["y = x"], loc="upper left")
    freeze_layout(fig)
    frames = Blitter(fig)
    frames.live = [line]
    frames.add_layer([ax.xaxis], key=ax.get_xlim)
    frames.add_layer([legend], key=lambda: "the same", on_top=True)
    drawn = []
    sprite = frames._sprite
    frames._sprite = lambda layer: drawn.append(layer.artists) or sprite(layer)
    first = frames.png()
    assert frames.png() == first and drawn == [[ax.xaxis], [legend]]
    ax.set_xlim(0, 2)
    line.set_ydata([1, 0])
    wide = frames.png()
    assert drawn[2:] == [[ax.xaxis]]
    off = np.abs(pixels(wide) - pixels(figure_png(fig))).max(axis=2)
    assert off.mean() < 3 and np.mean(off > 32) < 1e-3   # new ticks, the line, the legend on top
    ax.set_xlim(-0.05, 1.05)
    line.set_ydata([0, 1])
    assert frames.png() == first and len(drawn) == 3     # the first ticks' picture, kept


# ----- every control at both ends -------------------------------------------------------------

def test_dataset_control(pg):
    first = pg.image.value
    pg.controls["dataset"].value = "blobs"
    assert pg.experiment.net.sizes[-1] == 3 and pg.experiment.epoch == 0
    assert pg.image.value != first and "blobs" in pg.status.value
    pg.controls["dataset"].value = "moons"
    assert pg.experiment.net.sizes[-1] == 1 and pg.image.value == first


def test_noise_control(pg):
    pg.controls["noise"].value = 0.0
    X, y = pg.experiment.X_train, pg.experiment.y_train
    upper = X[y == 0]                                  # moons without noise: on the unit circle
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    quiet = pg.image.value
    pg.controls["noise"].value = 0.5
    X = pg.experiment.X_train[pg.experiment.y_train == 0]
    assert np.abs(np.hypot(X[:, 0], X[:, 1]) - 1).mean() > 0.2
    assert pg.image.value != quiet and "noise 0.50" in pg.status.value


def test_data_moves_keep_the_frame_which_holds_every_data_set_and_noise_level(pg):
    frame = (pg.ax_boundary.get_xlim(), pg.ax_boundary.get_ylim())
    for name, value in (("noise", 0.5), ("noise", 0.0), ("train_percent", 10), ("noise", 0.25)):
        pg.controls[name].value = value
        assert (pg.ax_boundary.get_xlim(), pg.ax_boundary.get_ylim()) == frame
        every = np.vstack([pg.experiment.X_train, pg.experiment.X_test])
        (left, right), (bottom, top) = frame
        assert left < every[:, 0].min() and every[:, 0].max() < right
        assert bottom < every[:, 1].min() and every[:, 1].max() < top
    pg.controls["dataset"].value = "spiral"                # another data set: the same frame
    assert (pg.ax_boundary.get_xlim(), pg.ax_boundary.get_ylim()) == frame


def test_train_percent_control(pg):
    pg.controls["train_percent"].value = 10
    assert len(pg.experiment.X_train) == N_POINTS // 10
    assert len(pg.experiment.X_test) == N_POINTS - N_POINTS // 10
    few = pg.image.value
    pg.controls["train_percent"].value = 90
    assert len(pg.experiment.X_train) == 9 * N_POINTS // 10
    assert pg.image.value != few


def test_hidden_layers_control(pg):
    pg.controls["hidden_layers"].value = 0
    assert pg.experiment.net.sizes == [2, 1] and pg.maps_image is None
    assert not pg.ax_maps.axison
    assert pg.step()                                    # a straight boundary still trains
    pg.controls["hidden_layers"].value = MAX_HIDDEN_LAYERS
    assert pg.experiment.net.sizes == [2] + [4] * MAX_HIDDEN_LAYERS + [1]
    assert pg.maps_image.get_array().shape == (4 * 22 - 2, MAX_HIDDEN_LAYERS * 22 - 2)
    assert pg.experiment.epoch == 0
    # the maps' columns are the hidden layers l = 1 .. L − 1, the drawing's columns 0 .. L
    assert [t.get_text() for t in pg.ax_maps.get_xticklabels()] == ["1", "2", "3", "4"]
    notes = [t.get_text().split("\n")[0] for t in pg.ax_network.texts]
    assert notes == ["layer 0 (input)", "layer 1", "layer 2", "layer 3", "layer 4", "layer 5"]


def test_neurons_control(pg):
    pg.controls["neurons"].value = 1
    assert pg.experiment.net.sizes == [2, 1, 1, 1]
    one = pg.image.value
    pg.controls["neurons"].value = MAX_NEURONS
    assert pg.experiment.net.sizes == [2, MAX_NEURONS, MAX_NEURONS, 1]
    assert pg.maps_image.get_array().shape == (MAX_NEURONS * 22 - 2, 2 * 22 - 2)
    assert pg.image.value != one


@pytest.mark.parametrize("name", ["tanh", "relu", "sigmoid", "identity"])
def test_activation_control(name):
    pg = Playground(activation="sigmoid" if name == "tanh" else "tanh")
    before = pg.image.value
    pg.controls["activation"].value = name
    assert all(layer.activation.name == name for layer in pg.experiment.net.layers[1:-1])
    assert pg.experiment.net.layers[-1].activation.name == "sigmoid"
    assert pg.step(2) and pg.image.value != before


def test_learning_rate_control_applies_from_the_next_epoch(pg):
    pg.step(2)
    pg.controls["lr"].value = LEARNING_RATES[0]
    assert pg.experiment.epoch == 2 and pg.experiment.settings.lr == LEARNING_RATES[0]
    W = pg.experiment.net.layers[1].W.copy()
    pg.step()
    assert np.abs(pg.experiment.net.layers[1].W - W).max() < 1e-3     # tiny steps
    pg.controls["lr"].value = LEARNING_RATES[-1]
    assert pg.experiment.settings.lr == LEARNING_RATES[-1] and "lr 10" in pg.status.value


@pytest.mark.parametrize("batch_size, updates", [(1, 150), (30, 5)])
def test_batch_size_control(pg, monkeypatch, batch_size, updates):
    pg.controls["batch_size"].value = batch_size
    assert pg.experiment.settings.batch_size == batch_size
    calls = []
    step = pg.experiment.fused_step
    monkeypatch.setattr(pg.experiment, "fused_step",
                        lambda X, Y, batch, *a: calls.append(len(batch)) or step(X, Y, batch, *a))
    pg.step()
    assert calls == [batch_size] * updates and f"batch {batch_size}" in pg.status.value


def test_l2_control_shrinks_the_weights():
    plain, decayed = Playground(), Playground()
    decayed.controls["l2"].value = L2_RATES[-1]
    decayed.controls["l2"].value = L2_RATES[0]
    assert decayed.experiment.settings.l2 == 0.0
    decayed.controls["l2"].value = L2_RATES[-1]
    plain.step(10)
    decayed.step(10)
    assert weight_norm(decayed.experiment.net) < 0.5 * weight_norm(plain.experiment.net)
    assert "L2 1;" in decayed.status.value


# ----- divergence -----------------------------------------------------------------------------

def test_a_huge_learning_rate_stops_with_a_message():
    pg = Playground(dataset="circles", lr=10.0)
    assert not pg.step(20)
    e = pg.experiment
    assert "lower the learning rate" in pg.status.value and "Reset" in pg.status.value
    assert "Diverged in epoch" in e.diverged and pg.summary().endswith("(diverged)")
    assert pg.step_button.disabled and pg.play_button.disabled
    epoch, image = e.epoch, pg.image.value
    assert not pg.step() and e.epoch == epoch                 # nothing more happens ...
    assert pg.image.value == image
    pg.controls["lr"].value = 0.3
    pg.reset_button.click()                                    # ... until Reset
    assert pg.experiment.diverged is None and not pg.step_button.disabled
    assert "lower the learning rate" not in pg.status.value and pg.step()


def test_a_linear_network_goes_to_inf_and_keeps_its_last_finite_weights():
    pg = Playground(activation="identity", lr=10.0, batch_size=1)
    assert not pg.step(5)
    e = pg.experiment
    assert "the loss became" in e.diverged and e.epoch == 0
    assert all(np.isfinite(layer.W).all() for layer in e.net.layers[1:])
    assert np.isfinite(e.train_loss).all() and len(e.train_loss) == 1


def test_too_much_l2_explains_the_eta_lambda_limit():
    e = Experiment(Settings(lr=3.0, l2=1.0))
    while e.run_epoch():
        pass
    assert "1 − η·λ = -2" in e.diverged and "below 2" in e.diverged


# ----- Play and Pause -------------------------------------------------------------------------

def run(coroutine, seconds=30):
    return asyncio.run(asyncio.wait_for(coroutine, seconds))


async def until(condition, seconds=10.0):
    """Wait on the event loop until ``condition()`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_play_trains_until_pause_stops_it(pg):
    async def scenario():
        pg.play_button.click()
        assert pg.playing and pg.play_button.disabled and pg.step_button.disabled
        assert not pg.pause_button.disabled
        await until(lambda: pg.experiment.epoch >= 3)
        image = pg.image.value
        pg.pause_button.click()
        stopped_at = time.monotonic()
        epoch = pg.experiment.epoch
        await asyncio.sleep(0.3)
        assert pg.experiment.epoch == epoch and pg.image.value == image   # really stopped
        assert not pg.playing and pg.pause_button.disabled and not pg.play_button.disabled
        return time.monotonic() - stopped_at
    assert run(scenario()) < 5


def test_play_stops_by_itself_when_training_diverges():
    pg = Playground(dataset="circles", lr=10.0)

    async def scenario():
        pg.play_button.click()
        await until(lambda: not pg.playing)
    run(scenario())
    assert pg.experiment.diverged and "lower the learning rate" in pg.status.value
    assert pg.play_button.disabled and pg.pause_button.disabled


def test_moving_a_control_while_playing_keeps_playing_the_new_network(pg):
    async def scenario():
        pg.play_button.click()
        await until(lambda: pg.experiment.epoch >= 2)
        pg.controls["dataset"].value = "xor"
        await until(lambda: pg.experiment.epoch >= 2)
        assert pg.experiment.settings.dataset == "xor" and pg.playing
        pg.reset_button.click()                          # Reset pauses
        assert not pg.playing and pg.experiment.epoch == 0
        await asyncio.sleep(0.2)
        assert pg.experiment.epoch == 0
    run(scenario())


def test_pause_then_play_again_leaves_one_task(pg):
    async def scenario():
        pg.play()
        await until(lambda: pg.experiment.epoch >= 1)
        pg.pause()
        pg.play()                                        # the old task ends after this one starts
        await asyncio.sleep(0.2)
        assert pg.playing
        pg.pause()
        epoch = pg.experiment.epoch
        await asyncio.sleep(0.2)
        assert pg.experiment.epoch == epoch and not pg.playing
    run(scenario())


def test_play_without_an_event_loop_says_to_use_step(pg):
    pg.play_button.click()
    assert not pg.playing and "use Step" in pg.status.value and pg.experiment.epoch == 0


# ----- the lesson's checks --------------------------------------------------------------------

def test_check_test_accuracy(pg):
    pg.step(30)
    ok, out = outcome(check_test_accuracy, pg.experiment, 0.95)
    assert ok is True and out.startswith("✓ test accuracy ")
    ok, out = outcome(check_test_accuracy, Experiment(), 0.95)
    assert ok is False and out.startswith("✗ ") and "train longer" in out


def spiral(settings):
    """(ok, printed) of check_spiral for a learner's spiral_settings() returning settings."""
    return outcome(check_spiral, returning(settings))


def test_check_spiral_not_done_and_bad_answers():
    ok, out = outcome(check_spiral, not_done)
    assert ok is False and "not done yet" in out
    for settings, words in ((None, "return a dict"), ([8, 8], "return a dict"),
                            ({"noise": 0.0}, "leave the data as it is (noise)"),
                            ({"neuron": 8}, "unknown setting(s) neuron"),
                            ({"lr": 0.5}, "lr = 0.5 is not a playground setting")):
        ok, out = spiral(settings)
        assert ok is False and out.startswith("✗ spiral_settings: ") and words in out, out


def test_check_spiral_explains_a_crash():
    assert_explains_a_crash(check_spiral, name="spiral_settings")


def test_check_spiral_hints():
    ok, out = spiral({})                                 # the default 2 × 4 tanh network
    assert ok is False and "does not even separate the training points" in out
    ok, out = spiral({"lr": 10.0})
    assert ok is False and "training diverged" in out
    ok, out = spiral({"neurons": 8, "activation": "relu", "lr": 0.3, "batch_size": 5,
                      "l2": 0.001})
    assert ok is False and "fits the training points but not the test points" in out


def test_check_spiral_accepts_a_solution():
    solution = {"hidden_layers": 3, "neurons": 8, "activation": "relu", "lr": 0.3, "batch_size": 15}
    ok, out = spiral(solution)
    assert ok is True
    assert out.startswith("✓ the spiral is separated") and "sizes [2, 8, 8, 8, 1]" in out
    assert spiral_result(solution).accuracy() >= 0.9
