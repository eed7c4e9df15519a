"""Lesson 07's pictures: batch sizes compared, and the training lab on the 2-D datasets.

- ``compare_batch_sizes`` trains one network per batch size from the same start and
  ``plot_batch_sizes`` draws their validation loss against samples seen and against wall time.
- ``TrainingLab`` is a small TensorFlow-Playground: pick a dataset, its noise, the hidden
  layers, the activation, the learning rate, the batch size and the epochs, press Train, and
  watch the progress bar, the decision boundary (train points as circles, test points as
  triangles) and the loss curves. The data's axes hold the dataset at every noise level, so
  moving the noise slider repaints only the shading, the points and the curves over a
  background drawn once (blitting); the background is drawn afresh only when axis limits change.
"""

import html
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MultipleLocator

from mlp_core.course.viz import DecisionBoundary
from mlp_core.course.widgets.base import freeze_layout, new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget
from mlp_core.datasets import DATASETS, make_dataset, noise_box, train_test_split
from mlp_core.network import MLP
from mlp_core.train import TrainingDiverged, train

# ----- batch sizes compared -----------------------------------------------------------------

BATCH_COLOURS = ("#0072B2", "#009E73", "#D55E00", "#CC79A7")   # Okabe-Ito, colour-blind safe
LOSS_COLOURS = {"train": "#0072B2", "test": "#D55E00"}


def compare_batch_sizes(make_net, X, y, X_val, y_val, batch_sizes, epochs, lr, seed=0):
    """Train a fresh ``make_net()`` for each batch size, all from the same weights and seed.

    X: (N, n_0), y: (N,) labels; X_val, y_val likewise. batch_sizes: e.g. {"full batch": N,
    "mini-batch (16)": 16, "per sample (1)": 1}. Returns {label: History}."""
    return {label: train(make_net(), X, y, epochs=epochs, batch_size=B, lr=lr, X_val=X_val,
                         Y_val=y_val, seed=seed, progress=False)
            for label, B in batch_sizes.items()}


def plot_batch_sizes(ax_samples, ax_time, histories):
    """Validation loss per epoch against samples seen (left) and wall time (right), one line
    per batch size. histories: {label: History}. Wall time varies from run to run: read it
    for its shape, not its digits."""
    for (label, h), colour in zip(histories.items(), BATCH_COLOURS):
        ax_samples.plot(h.samples_seen, h.val_loss, "-", color=colour, lw=2, label=label)
        ax_time.plot(h.seconds, h.val_loss, "-", color=colour, lw=2, label=label)
    ax_samples.set_xlabel("training samples seen")
    ax_time.set_xlabel("wall time (s, this machine, log scale)")
    ax_time.set_xscale("log")
    for ax in (ax_samples, ax_time):
        ax.set_ylabel("validation loss C")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    ax_samples.set_title("per sample seen")
    ax_time.set_title("per second")
    ax_samples.legend(fontsize=9)
    return ax_samples, ax_time


def plot_history(ax_loss, ax_acc, history):
    """Loss (left) and accuracy (right) per epoch of one ``History``: on the training data
    (the running mean over each epoch's mini-batches) and on the validation data (after the
    epoch)."""
    epochs = np.arange(1, history.epochs + 1)
    for ax, train_values, val_values, what in ((ax_loss, history.loss, history.val_loss, "cost C"),
                                               (ax_acc, history.accuracy, history.val_accuracy,
                                                "accuracy")):
        ax.plot(epochs, train_values, "-", lw=2, color=LOSS_COLOURS["train"], label="training")
        ax.plot(epochs, val_values, "--", lw=2, color=LOSS_COLOURS["test"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(what)
        ax.grid(alpha=0.3)
    ax_loss.set_title("loss")
    ax_acc.set_title("accuracy")
    ax_loss.legend(fontsize=9)
    return ax_loss, ax_acc


# ----- the training lab ---------------------------------------------------------------------

LAB_N = 200          # points per dataset: 150 to train on, 50 to test on
LAB_TEST = 0.25
LIVE_SECONDS = 0.5   # while training, redraw the pictures at most this often


def lab_data(dataset, noise, seed=0):
    """The lab's data: ``LAB_N`` points of a toy set split 3:1.
    Returns X_train (150, 2), X_test (50, 2), y_train (150,), y_test (50,)."""
    X, y = make_dataset(dataset, n=LAB_N, noise=noise, seed=seed)
    return train_test_split(X, y, test_size=LAB_TEST, seed=seed)


def lab_sizes(n_classes, hidden_layers, units):
    """Layer sizes [2, units, ..., units, n_classes] with ``hidden_layers`` hidden layers."""
    return [2] + [units] * hidden_layers + [n_classes]


class TrainingLab(BlitFigureWidget):
    """Train a small MLP on a 2-D toy set and watch it learn.

    Controls set the data (dataset, noise), the network (hidden layers, units, activation) and
    the training (learning rate on a log scale, batch size, epochs); Train runs
    ``mlp_core.train`` with a callback that moves the progress bar every epoch and, twice a
    second during a long run, the pictures. The output layer is sigmoid with the quadratic
    cost, one neuron per class.

    The data's axes fit the dataset at every noise level (``datasets.noise_box``), so the points
    spread out in a fixed frame as the noise grows. Redraws repaint the shading, the points,
    the loss curves and the legends over them; a new dataset or new loss-axis limits draw the
    whole figure again.
    """

    def __init__(self, dataset="moons", noise=0.2, hidden_layers=1, units=8, activation="tanh",
                 lr=1.0, batch_size=8, epochs=100, seed=0):
        self.seed = seed
        style = {"description_width": "90px"}
        self.dataset = widgets.Dropdown(options=DATASETS, value=dataset, description="dataset",
                                        style=style)
        self.noise = widgets.FloatSlider(value=noise, min=0.0, max=0.5, step=0.05,
                                         description="noise", style=style)
        self.hidden_layers = widgets.IntSlider(value=hidden_layers, min=1, max=3,
                                               description="hidden layers", style=style)
        self.units = widgets.IntSlider(value=units, min=1, max=16, description="units",
                                       style=style)
        self.activation = widgets.Dropdown(options=["sigmoid", "tanh", "relu"], value=activation,
                                           description="activation", style=style)
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.25,
                                         description="learning rate", style=style)
        n_train = LAB_N - int(np.ceil(LAB_TEST * LAB_N))
        self.batch_size = widgets.Dropdown(
            options=[("1 (per sample)", 1), ("4", 4), ("8", 8), ("16", 16), ("64", 64),
                     (f"{n_train} (full batch)", n_train)],
            value=batch_size, description="batch size", style=style)
        self.epochs = widgets.IntSlider(value=epochs, min=5, max=500, step=5,
                                        description="epochs", style=style)
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, description="epoch 0",
                                            style=style)
        self.status = widgets.HTML()
        self.history = None
        self.diverged = None

        fig = new_figure(8.4, 3.6)
        self.ax_data, self.ax_loss = fig.subplots(1, 2)
        self.lines = {k: self.ax_loss.plot([], [], "-", lw=2, color=c, label=f"{k} loss")[0]
                      for k, c in LOSS_COLOURS.items()}
        self.ax_loss.set_xlabel("epoch")
        self.ax_loss.set_ylabel("cost C (quadratic)")
        self.ax_loss.set_title("loss curves")
        self.ax_loss.legend(loc="upper right", fontsize=9)
        self.ax_loss.grid(alpha=0.3)
        self._load_data()
        # one frame for every data set at every noise level (as in TensorFlow Playground): a
        # data control moves the points, never the axes
        frame = noise_box(DATASETS, LAB_N, (self.noise.min, self.noise.max), self.seed)
        self.boundary = DecisionBoundary(self.ax_data, self.net, self.X, self.y, self.X_test,
                                         self.y_test, steps=60, title="decision boundary",
                                         corners=frame)
        self._frame = frame
        for axis in (self.ax_data.xaxis, self.ax_data.yaxis):   # labels as narrow as laid out
            axis.set_major_locator(MultipleLocator(1))
        # lay the figure out with room for the loss axes' widest tick labels ("500", "0.0025"),
        # then show an empty frame until the first run, over the epochs it will take
        self.ax_loss.set_xlim(0, self.epochs.max)
        self.ax_loss.set_ylim(0, 0.0175)
        freeze_layout(fig)
        self.ax_loss.set_xlim(0, self.epochs.value)
        self.ax_loss.set_ylim(0, 0.5)
        self._show_untrained(redraw=False)

        for control in (self.dataset, self.noise):
            control.observe(self._data_changed, names="value")
        for control in (self.hidden_layers, self.units, self.activation, self.lr,
                        self.batch_size, self.epochs):
            control.observe(self._settings_changed, names="value")
        self.button.on_click(self._train)
        column = widgets.Layout(width="48%")
        controls = widgets.HBox([
            widgets.VBox([self.dataset, self.noise, self.hidden_layers, self.units],
                         layout=column),
            widgets.VBox([self.activation, self.lr, self.batch_size, self.epochs],
                         layout=column)])
        super().__init__([controls, widgets.HBox([self.button, self.progress])], fig,
                         self._moving(), footer=[self.status])

    # ----- what the controls do ---------------------------------------------------------
    @property
    def sizes(self):
        """The network's layer sizes for the current controls."""
        return lab_sizes(self.n_classes, self.hidden_layers.value, self.units.value)

    def _new_net(self):
        return MLP(self.sizes, activation=self.activation.value, output_activation="sigmoid",
                   init="xavier", seed=self.seed)

    def _load_data(self):
        """Make the data for the chosen dataset and noise, and a network that fits it."""
        self.X, self.X_test, self.y, self.y_test = lab_data(self.dataset.value,
                                                             self.noise.value, self.seed)
        self.n_classes = int(max(self.y.max(), self.y_test.max())) + 1
        self.net = self._new_net()

    def _moving(self):
        """The artists a redraw repaints, in the order a full draw paints them (the legends
        too: they lie over the shading and, when a loss climbs high, over a curve)."""
        return [self.boundary.image, self.boundary.train_points, self.boundary.test_points,
                self.ax_data.get_legend(), *self.lines.values(), self.ax_loss.get_legend()]

    def _set_loss_limits(self, right, top=None):
        """The loss axes' x range (0, right) and y range (0, top) (top None: kept); a new
        background only when they really change."""
        xlim, ylim = (0, right), self.ax_loss.get_ylim() if top is None else (0, top)
        if self.ax_loss.get_xlim() != xlim or self.ax_loss.get_ylim() != ylim:
            self.ax_loss.set_xlim(xlim)
            self.ax_loss.set_ylim(ylim)
            self.invalidate()

    def _show_untrained(self, why="press Train", redraw=True):
        """Show the untrained ``self.net``: no loss curves (their axes keep their limits until
        the next run draws, so a control needs no full redraw), the progress bar at 0."""
        self.history, self.diverged = None, None
        self.boundary.update(self.net)
        for line in self.lines.values():
            line.set_data([], [])
        self.progress.value = 0
        self.progress.max = self.epochs.value
        self.progress.description = "epoch 0"
        self.progress.bar_style = ""
        self.status.value = f"{html.escape(self.summary())} ({why})"
        if redraw:
            self.redraw()

    def _data_changed(self, change=None):
        self._load_data()
        self.boundary.set_points(self.X, self.y, self.X_test, self.y_test, self._frame)
        self._show_untrained("new data: press Train")

    def _settings_changed(self, change=None):
        self.net = self._new_net()
        self._show_untrained("new settings: press Train")

    # ----- training ---------------------------------------------------------------------
    def _draw_history(self, history):
        epochs = np.arange(1, history.epochs + 1)
        self.lines["train"].set_data(epochs, history.loss)
        self.lines["test"].set_data(epochs, history.val_loss)
        top = max(max(history.loss), max(history.val_loss))
        self._set_loss_limits(max(self.epochs.value, 1), 1.05 * top if top > 0 else 1)
        self.boundary.update(self.net)

    def _on_epoch(self, epoch, history):
        """``train``'s callback: move the progress bar every epoch; redraw the pictures when
        ``LIVE_SECONDS`` have passed since the last picture (a short run draws once, at the
        end; a long one shows its progress)."""
        self.progress.value = epoch
        self.progress.description = f"epoch {epoch}"
        now = time.perf_counter()
        if now - self._last_picture >= LIVE_SECONDS and epoch < self.epochs.value:
            self._draw_history(history)
            self.redraw()
            self._last_picture = time.perf_counter()

    def _train(self, button=None):
        """Train a fresh network with the current controls (the Train button's handler)."""
        self.net = self._new_net()
        self.progress.max = self.epochs.value
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.history, self.diverged = None, None
        start = self._last_picture = time.perf_counter()
        try:
            self.history = train(self.net, self.X, self.y, epochs=self.epochs.value,
                                 batch_size=self.batch_size.value, lr=self.lr.value,
                                 X_val=self.X_test, Y_val=self.y_test, seed=self.seed,
                                 callback=self._on_epoch, progress=False)
        except TrainingDiverged as err:
            self.diverged = str(err)
            self.net = self._new_net()          # its weights are not finite any more: show none
            self.boundary.update(self.net)
            for line in self.lines.values():
                line.set_data([], [])
            self.redraw()
            self.progress.bar_style = "danger"
            self.status.value = f"<b>{html.escape(self.summary())}</b><br>{html.escape(str(err))}"
            return
        seconds = time.perf_counter() - start
        self.progress.bar_style = "success"
        self._draw_history(self.history)
        self.redraw()
        self.status.value = f"<b>{html.escape(self.summary())}</b> ({seconds:.2f} s wall)"

    def summary(self):
        """The settings and the result, e.g. "TrainingLab: moons, noise 0.20, sizes [2, 8, 2],
        tanh, lr 1, batch 16, 100 epochs: train loss 0.041, acc 0.97; test loss 0.052, acc
        0.96"."""
        head = (f"TrainingLab: {self.dataset.value}, noise {self.noise.value:.2f}, sizes "
                f"{self.sizes}, {self.activation.value}, lr {self.lr.value:.3g}, batch "
                f"{self.batch_size.value}, {self.epochs.value} epochs: ")
        if self.diverged is not None:
            return head + "diverged (the learning rate is too big)"
        h = self.history
        if h is None:
            return head + "not trained yet"
        return head + (f"train loss {h.loss[-1]:.3f}, acc {h.accuracy[-1]:.2f}; "
                       f"test loss {h.val_loss[-1]:.3f}, acc {h.val_accuracy[-1]:.2f}")
