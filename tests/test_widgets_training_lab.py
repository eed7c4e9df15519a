"""Lesson 07: the training lab (pressing Train), the batch-size comparison, and the check of the
training-loop exercise: each usual mistake gets its own hint."""

import matplotlib
import numpy as np
import pytest
from checking import assert_explains_a_crash, outcome
from matplotlib.figure import Figure
from test_widgets_blit import pixels
from test_widgets_gradcheck_lab import assert_full_picture

from mlp_core import MLP, TrainingDiverged, train
from mlp_core.course.checks.training_loop import (
    LOOP_SETTINGS,
    MISTAKES,
    check_training_loop,
    loop_data,
    loop_net,
    mistaken_loop,
)
from mlp_core.course.widgets import training_lab
from mlp_core.course.widgets.training_lab import (
    TrainingLab,
    compare_batch_sizes,
    lab_data,
    lab_sizes,
    plot_batch_sizes,
    plot_history,
)
from mlp_core.datasets import make_moons
from mlp_core.train import History

matplotlib.use("Agg")


def tiny_lab(**kwargs):
    """A lab whose training takes a few milliseconds."""
    settings = {"epochs": 5, "batch_size": 16, "lr": 1.0}
    settings.update(kwargs)
    return TrainingLab(**settings)


def test_lab_data_and_sizes():
    X, X_test, y, y_test = lab_data("moons", 0.2)
    assert X.shape == (150, 2) and X_test.shape == (50, 2) and y.shape == (150,)
    assert lab_sizes(3, 2, 8) == [2, 8, 8, 3]


def test_pressing_train_moves_the_progress_bar_and_the_pictures():
    lab = tiny_lab()
    assert lab.summary().endswith("not trained yet") and lab.progress.value == 0
    png = lab.image.value
    shading = lab.boundary.image.get_array().copy()
    assert len(lab.lines["train"].get_xdata()) == 0
    seen = []
    lab.progress.observe(lambda change: seen.append(change["new"]), names="value")
    lab.button.click()
    assert lab.progress.value == lab.progress.max == 5
    assert seen == [1, 2, 3, 4, 5]                               # moved once per epoch
    assert lab.progress.bar_style == "success"
    assert list(lab.lines["train"].get_xdata()) == [1, 2, 3, 4, 5]
    assert list(lab.lines["train"].get_ydata()) == lab.history.loss
    assert list(lab.lines["test"].get_ydata()) == lab.history.val_loss
    assert not np.array_equal(lab.boundary.image.get_array(), shading)
    assert lab.image.value != png
    assert "train loss" in lab.summary() and "s wall" in lab.status.value


def test_the_lab_trains_what_train_trains():
    lab = tiny_lab(hidden_layers=2, units=4, activation="relu")
    lab.button.click()
    X, X_test, y, y_test = lab_data("moons", 0.2)
    net = MLP([2, 4, 4, 2], activation="relu", output_activation="sigmoid", init="xavier", seed=0)
    h = train(net, X, y, epochs=5, batch_size=16, lr=1.0, X_val=X_test, Y_val=y_test, seed=0,
              progress=False)
    assert lab.history.loss == h.loss and lab.history.val_accuracy == h.val_accuracy
    assert lab.summary() == (
        f"TrainingLab: moons, noise 0.20, sizes [2, 4, 4, 2], relu, lr 1, batch 16, 5 epochs: "
        f"train loss {h.loss[-1]:.3f}, acc {h.accuracy[-1]:.2f}; "
        f"test loss {h.val_loss[-1]:.3f}, acc {h.val_accuracy[-1]:.2f}")


def test_changing_a_control_resets_and_new_data_redraws():
    lab = tiny_lab()
    lab.button.click()
    png = lab.image.value
    lab.units.value = 3
    assert lab.summary().endswith("not trained yet") and lab.progress.value == 0
    assert len(lab.lines["train"].get_xdata()) == 0 and lab.sizes == [2, 3, 2]
    assert "new settings" in lab.status.value and lab.image.value != png
    lab.epochs.value = 10
    assert lab.progress.max == 10
    png = lab.image.value
    lab.dataset.value = "blobs"                                  # three classes
    assert lab.n_classes == 3 and lab.sizes == [2, 3, 3]
    assert lab.image.value != png and "new data" in lab.status.value
    lab.button.click()
    assert lab.progress.value == 10 and lab.history.epochs == 10
    lab.noise.value = 0.4
    assert lab.summary().startswith("TrainingLab: blobs, noise 0.40")


def test_live_pictures_during_a_long_run(monkeypatch):
    monkeypatch.setattr(training_lab, "LIVE_SECONDS", 0.0)      # every epoch counts as long
    lab = tiny_lab()
    pictures = []
    lab.image.observe(lambda change: pictures.append(len(lab.lines["train"].get_xdata())),
                      names="value")
    lab.button.click()
    assert pictures == [1, 2, 3, 4, 5]                           # 4 live, then the final one


def test_a_diverged_run_says_so(monkeypatch):
    def diverging(*args, **kwargs):
        raise TrainingDiverged("epoch 1: the cost became nan on step 1 of 4 (the mini-batch "
                               "at positions 0-9 of this epoch's shuffled order) with lr = 10.")

    lab = tiny_lab()
    lab.button.click()                                           # a good run first
    monkeypatch.setattr(training_lab, "train", diverging)
    lab.button.click()
    assert lab.summary().endswith("diverged (the learning rate is too big)")
    assert lab.history is None and len(lab.lines["train"].get_xdata()) == 0
    assert lab.progress.bar_style == "danger" and "cost became nan" in lab.status.value


def test_the_noise_slider_moves_the_points_in_a_fixed_frame():
    lab = tiny_lab()
    limits = lab.ax_data.get_xlim(), lab.ax_data.get_ylim(), lab.ax_loss.get_ylim()
    background, png = lab._background, lab.image.value
    shading = lab.boundary.image.get_array().copy()
    lab.noise.value = 0.25
    assert lab.image.value != png
    assert (lab.ax_data.get_xlim(), lab.ax_data.get_ylim(), lab.ax_loss.get_ylim()) == limits
    assert lab._background is background                      # only the moving parts redrawn
    assert np.array_equal(lab.boundary.train_points.get_offsets(), lab.X)
    assert np.array_equal(lab.boundary.test_points.get_offsets(), lab.X_test)
    assert np.array_equal(lab.boundary.image.get_array(), shading)    # the same untrained net
    assert_full_picture(lab)
    fresh = tiny_lab(noise=0.25)
    assert np.array_equal(pixels(lab.image.value), pixels(fresh.image.value))
    assert lab.summary() == fresh.summary()


def test_every_frame_after_training_and_new_data_is_the_full_picture(monkeypatch):
    monkeypatch.setattr(training_lab, "LIVE_SECONDS", 0.0)
    lab = tiny_lab()
    frames = []

    def check(change):                                         # every frame as it is shown
        assert_full_picture(lab)
        frames.append(change["new"])

    lab.image.observe(check, names="value")
    lab.button.click()                                         # live frames, the loss axes grow
    assert len(frames) == 5 and lab.ax_loss.get_ylim()[1] > 0.05
    lab.noise.value = 0.3                                      # curves gone, limits kept
    assert len(lab.lines["train"].get_xdata()) == 0
    frame = lab.ax_data.get_xlim(), lab.ax_data.get_ylim()
    lab.dataset.value = "blobs"                                # new points, 3 classes, same axes
    assert (lab.ax_data.get_xlim(), lab.ax_data.get_ylim()) == frame
    assert lab.boundary.image.get_cmap().name == "viridis"
    lab.noise.value = 0.35
    lab.units.value = 3
    lab.epochs.value = 10                                      # the empty loss axes stay ...
    assert lab.ax_loss.get_xlim() == (0, 5)
    lab.button.click()
    assert lab.ax_loss.get_xlim() == (0, 10)                   # ... until the run draws
    assert len(frames) == 5 + 4 + 10             # (the epochs move showed the same picture)


def test_lab_saves_a_picture_and_its_summary():
    lab = tiny_lab()
    bundle = lab._repr_mimebundle_()
    assert bundle["text/plain"] == lab.summary() and len(bundle["image/png"]) > 1000


# ----- batch sizes compared, history plot ------------------------------------------------------

def test_compare_batch_sizes_from_the_same_start_and_its_plot():
    X, y = make_moons(40, noise=0.2, seed=0)

    def make_net():
        return MLP([2, 3, 2], activation="tanh", output_activation="sigmoid", seed=0)

    sizes = {"full": 40, "mini": 8, "one": 1}
    hs = compare_batch_sizes(make_net, X, y, X[:10], y[:10], sizes, epochs=3, lr=1.0)
    assert list(hs) == list(sizes)
    assert all(h.samples_seen == [40, 80, 120] and len(h.val_loss) == 3 for h in hs.values())
    direct = train(make_net(), X, y, epochs=3, batch_size=8, lr=1.0, X_val=X[:10],
                   Y_val=y[:10], seed=0, progress=False)
    assert hs["mini"].val_loss == direct.val_loss
    ax_s, ax_t = Figure().subplots(1, 2)
    plot_batch_sizes(ax_s, ax_t, hs)
    assert len(ax_s.get_lines()) == len(ax_t.get_lines()) == 3
    assert list(ax_t.get_lines()[0].get_xdata()) == hs["full"].seconds
    assert ax_t.get_xscale() == "log" and "wall time" in ax_t.get_xlabel()
    ax_l, ax_a = Figure().subplots(1, 2)
    plot_history(ax_l, ax_a, hs["one"])
    assert [list(line.get_ydata()) for line in ax_a.get_lines()] == \
        [hs["one"].accuracy, hs["one"].val_accuracy]


# ----- the exercise's check --------------------------------------------------------------------

def test_mistaken_loop_without_a_mistake_is_train_to_12_digits():
    X, y, _, _ = loop_data()
    reference = loop_net()
    train(reference, X, y, progress=False, **LOOP_SETTINGS)
    mine = mistaken_loop(loop_net(), X, y, mistake=None, **LOOP_SETTINGS)
    for a, b in zip(reference.layers[1:], mine.layers[1:]):
        for got, want in ((b.W, a.W), (b.b, a.b)):
            assert np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want))


def make_loop(mistake=None):
    """A learner's train_loop, right, with a usual mistake, or with a wrong record."""
    def train_loop(net, X, y, epochs, batch_size, lr, seed=None, X_val=None, y_val=None):
        if mistake == "unfinished":
            raise NotImplementedError()
        if mistake in MISTAKES:
            mistaken_loop(net, X, y, epochs, batch_size, lr, seed, mistake)
            return History()
        history, N = History(), len(X)
        rng = np.random.default_rng(seed)
        for _ in range(epochs):
            order, total, correct, costs = rng.permutation(N), 0.0, 0, []
            for first in range(0, N, batch_size):
                idx = order[first:first + batch_size]
                Y_hat = net.forward(X[idx])
                cost = net.backward(y[idx])
                costs.append(cost)
                total += cost * len(idx)
                correct += int(np.sum(np.argmax(Y_hat, axis=1) == y[idx]))
                net.step(lr)
            history.loss.append(float(np.mean(costs)) if mistake == "unweighted" else total / N)
            history.accuracy.append(correct / N)
            if mistake != "no_validation":
                history.val_loss.append(net.loss(X_val, y_val))
                history.val_accuracy.append(net.accuracy(X_val, y_val))
        return history
    return train_loop


@pytest.mark.parametrize("mistake, expected", [
    (None, "✓ train_loop is right"),
    ("unfinished", "not done yet"),
    ("no_shuffle", "unshuffled"),
    ("same_order", "every epoch uses the same shuffled order"),
    ("X_only", "X was shuffled but y was not"),
    ("drop_last", "the last, smaller batch is missing"),
    ("no_step", "call net.step(lr)"),
    ("unweighted", "weight each cost by its batch size"),
    ("no_validation", "history.val_loss should hold one number per epoch"),
])
def test_check_training_loop_names_the_mistake(mistake, expected):
    ok, out = outcome(check_training_loop, make_loop(mistake))
    assert expected in out and out.count("\n") == 1, out
    assert ok is (mistake is None)


def test_check_training_loop_explains_an_error_and_a_missing_return():
    def crashes(net, X, y, **kwargs):
        return net.forward(X.T)

    ok, out = outcome(check_training_loop, crashes)
    assert ok is False and out.startswith("✗ your train_loop raised ValueError") and \
        out.count("\n") == 1, out

    def forgets_return(net, X, y, **kwargs):
        make_loop()(net, X, y, **kwargs)

    ok, out = outcome(check_training_loop, forgets_return)
    assert ok is False and "history.loss should hold one number per epoch" in out


def test_check_training_loop_explains_a_crash():
    assert_explains_a_crash(check_training_loop, name="train_loop")
