"""Lesson 10's playground: TensorFlow Playground's controls and live views around an ``MLP``.

Two classes, one job each, and a third from ``layers``:

- ``Experiment`` holds the data, the network and the training state for one ``Settings``.
  ``run_epoch()`` is one epoch of mini-batch SGD through the engine's fast paths
  (``net._forward``, ``net._backward``, ``net._step(lr, weight_decay)``) with a seeded shuffle;
  it records the train and test loss and, instead of raising, notices when training diverges.
- ``Playground`` is the widget: the controls, Play, Pause, Step and Reset, and one figure with
  the decision boundary, a small activation map for every hidden neuron, the network with its
  weights as coloured lines, and the train and test loss curves. ``step()`` is a plain method
  (one epoch, then one redraw); Play runs it in an asyncio task on the kernel's event loop, so
  the kernel stays free to hear Pause between two epochs. A control that moves makes a new
  experiment and shows it with the same artists, updated in place (the decision boundary's
  frame holds every data set at every noise level, so a data move leaves the axes as they were).
- ``layers.Blitter`` makes a frame fast: it draws the figure's still parts once, each group of
  artists that changes now and then (an axes' ticks, the network drawing) again only when it
  changes, and each frame only the artists that move. A step plus its redraw stays well under
  100 ms, and a new data set, noise or split under 50 ms.

The output layer is one sigmoid neuron for two classes and a softmax over the classes for the
blobs, both with the cross-entropy cost (Nielsen, chapter 3): the error sent back is a − y, so
training does not stall when the output saturates. Inputs are the points' two coordinates.
"""

import asyncio
import base64
import html
from dataclasses import dataclass, replace

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.ticker import MultipleLocator

from mlp_core.datasets import DATASETS, make_dataset, noise_box, one_hot, train_test_split
from mlp_core.network import MLP
from mlp_core.viz import DecisionBoundary, NetworkDrawing
from mlp_core.widgets.base import FigureWidget, new_figure
from mlp_core.widgets.layers import Blitter
from mlp_core.workspace import Workspace

N_POINTS = 300                       # points per dataset, split into train and test
GRID = 80                            # the decision boundary's grid: GRID × GRID points
TILE = 4                             # activation maps keep every TILE-th grid point: 20 × 20
BLOWUP = 10.0                        # a train loss this many times its start counts as diverged
PLAY_PAUSE = 0.02                    # seconds Play yields to the kernel between two epochs

ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity")
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 8
MAX_BATCH = 30
LOSS_COLOURS = {"train": "#0072B2", "test": "#D55E00"}   # Okabe-Ito: colour-blind safe
LOSS_STEP = 0.5                      # the loss axis' top is a multiple of this
NOISE_RANGE = (0.0, 0.5)             # the noise slider's ends
# activations with a fixed range are shown on it; the others are scaled per neuron
_BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class Settings:
    """Everything the playground's controls set. The defaults are close to TensorFlow
    Playground's: two hidden layers of tanh neurons, batches of 10, half the points to train on.

    dataset: one of ``DATASETS``; noise: the spread added to the points (0 to 0.5);
    train_percent: the share of the ``N_POINTS`` points used for training (10 to 90, the rest
    is the test set); hidden_layers (0 to 4) of ``neurons`` each (1 to 8); activation: the
    hidden layers' (one of ``ACTIVATIONS``); lr: the learning rate η (one of
    ``LEARNING_RATES``); batch_size: samples per update (1 to 30); l2: the L2 strength λ, the
    engine's ``weight_decay`` (one of ``L2_RATES``). Out-of-range values raise ValueError.
    """

    dataset: str = "moons"
    noise: float = 0.05
    train_percent: int = 50
    hidden_layers: int = 2
    neurons: int = 4
    activation: str = "tanh"
    lr: float = 0.3
    batch_size: int = 10
    l2: float = 0.0

    def __post_init__(self):
        def refuse(name, allowed):
            raise ValueError(f"{name} = {getattr(self, name)!r} is not a playground setting: "
                             f"choose {allowed}")

        def integer_in(name, lo, hi, step=1):
            value = getattr(self, name)
            if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                    or not lo <= value <= hi or (value - lo) % step):
                refuse(name, f"an integer from {lo} to {hi}" + (f" in steps of {step}"
                                                                 if step > 1 else ""))

        if self.dataset not in DATASETS:
            refuse("dataset", "one of " + ", ".join(DATASETS))
        if (isinstance(self.noise, bool) or not isinstance(self.noise, (int, float))
                or not NOISE_RANGE[0] <= self.noise <= NOISE_RANGE[1]):
            refuse("noise", "a number from {} to {}".format(*NOISE_RANGE))
        integer_in("train_percent", 10, 90, step=10)
        integer_in("hidden_layers", 0, MAX_HIDDEN_LAYERS)
        integer_in("neurons", 1, MAX_NEURONS)
        integer_in("batch_size", 1, MAX_BATCH)
        if self.activation not in ACTIVATIONS:
            refuse("activation", "one of " + ", ".join(ACTIVATIONS))
        if self.lr not in LEARNING_RATES:
            refuse("lr", "one of " + ", ".join(f"{v:g}" for v in LEARNING_RATES))
        if self.l2 not in L2_RATES:
            refuse("l2", "one of " + ", ".join(f"{v:g}" for v in L2_RATES))


# the settings the figure is laid out for: the widest maps (four layers of one neuron), so
# every other mosaic fits in their place with room for its labels
LAID_OUT_FOR = Settings(hidden_layers=MAX_HIDDEN_LAYERS, neurons=1)


def playground_data(settings, seed=0):
    """The points for ``settings``: ``N_POINTS`` of the dataset, split by ``train_percent``.
    Returns X_train (n_train, 2), X_test (n_test, 2), y_train (n_train,), y_test (n_test,)."""
    X, y = make_dataset(settings.dataset, n=N_POINTS, noise=settings.noise, seed=seed)
    return train_test_split(X, y, test_size=(100 - settings.train_percent) / 100, seed=seed)


def playground_net(settings, n_classes, seed=0):
    """The network for ``settings``: sizes [2, neurons × hidden_layers, n_out] with one sigmoid
    output for two classes (else a softmax over ``n_classes``), cross-entropy, and Xavier
    initial weights (He for ReLU)."""
    two = n_classes == 2
    sizes = [2] + [settings.neurons] * settings.hidden_layers + [1 if two else n_classes]
    return MLP(sizes, activation=settings.activation,
               output_activation="sigmoid" if two else "softmax", loss="cross_entropy",
               init="he" if settings.activation == "relu" else "xavier", seed=seed)


class Experiment:
    """The data, the network and the training state for one ``Settings`` and seed.

    X_train (n_train, 2), y_train (n_train,), X_test, y_test: the points; Y_train, Y_test:
    the targets the cost compares with, (n, 1) for two classes or one-hot (n, n_classes);
    net: the ``MLP``; epoch: epochs finished; train_loss, test_loss: the cost on each set
    before training and after every epoch (``epoch + 1`` values each); diverged: None, or the
    message that says why training stopped. The same settings and seed give the same numbers.

    ``settings`` may be replaced between epochs: ``run_epoch`` reads lr, batch_size and l2
    afresh each time, as TensorFlow Playground does when those controls move.
    """

    def __init__(self, settings=None, seed=0):
        self.settings = settings or Settings()
        self.seed = seed
        self.X_train, self.X_test, self.y_train, self.y_test = playground_data(self.settings,
                                                                               seed)
        self.n_classes = int(max(self.y_train.max(), self.y_test.max())) + 1
        self.net = playground_net(self.settings, self.n_classes, seed)
        self.workspace = Workspace(self.net)
        self.Y_train, self.Y_test = self._targets(self.y_train), self._targets(self.y_test)
        self.rng = np.random.default_rng(seed)
        self.epoch = 0
        self.diverged = None
        self.train_loss, self.test_loss = [], []
        self._record(*self.losses())

    def _targets(self, y):
        if self.n_classes == 2:
            return y[:, None].astype(float)
        return one_hot(y, self.n_classes)

    def cost(self, X, Y):
        """The network's batch-mean cost on X (N, 2) with targets Y (N, n_L), by the fast path."""
        with np.errstate(all="ignore"):
            self.net._forward(X)
            out = self.net.layers[-1]
            return self.net.loss_fn.cost(out.z, out.a, Y.T)

    def losses(self):
        """(train loss, test loss) of the current network."""
        return self.cost(self.X_train, self.Y_train), self.cost(self.X_test, self.Y_test)

    def accuracy(self, which="test"):
        """The fraction of the "test" or "train" points the network classifies right."""
        X, y = (self.X_test, self.y_test) if which == "test" else (self.X_train, self.y_train)
        with np.errstate(all="ignore"):
            return self.net.accuracy(X, y)

    def _record(self, train, test):
        self.train_loss.append(train)
        self.test_loss.append(test)

    def run_epoch(self):
        """One epoch of mini-batch SGD: shuffle the training points with the seeded generator,
        then for each batch of ``batch_size`` rows run the forward pass, BP1-BP4 and the
        update with weight decay l2, by ``train``'s fused step. Returns True when the epoch
        finished with finite losses below ``BLOWUP`` times the starting train loss.

        A cost that stops being finite puts the weights back as they were before the epoch
        (the picture stays readable); a train loss that blows up keeps the epoch so its curve
        shows the jump. Either way ``diverged`` says what happened and the call returns False,
        as does every call after it until a new ``Experiment``.
        """
        if self.diverged:
            return False
        s, net = self.settings, self.net
        saved = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
        order = self.rng.permutation(len(self.X_train))
        with np.errstate(all="ignore"):
            for _, cost, _ in self.workspace.epoch(self.X_train, self.Y_train, order,
                                                   s.batch_size, s.lr, s.l2):
                if not np.isfinite(cost):
                    self._restore(saved)
                    return self._stop(self.epoch + 1, f"the loss became {cost}")
        train, test = self.losses()
        if not (np.isfinite(train) and np.isfinite(test)):
            self._restore(saved)
            bad = train if not np.isfinite(train) else test
            return self._stop(self.epoch + 1, f"the loss became {bad}")
        self.epoch += 1
        self._record(train, test)
        if train > BLOWUP * self.train_loss[0]:
            start = self.train_loss[0]
            return self._stop(self.epoch, f"the training loss rose from {start:.3g} to "
                                          f"{train:.3g}, more than {BLOWUP:g} times its start")
        return True

    def _restore(self, saved):
        """Put back the weights and biases saved as (W, b) pairs, one per layer."""
        for layer, (W, b) in zip(self.net.layers, saved):
            layer.W, layer.b = W, b

    def _stop(self, epoch, what):
        s = self.settings
        why = (f" With L2, each step also multiplies W by 1 − η·λ = {1 - s.lr * s.l2:g}: "
               "keep η·λ below 2." if s.lr * s.l2 >= 2 else "")
        self.diverged = (f"Diverged in epoch {epoch} (learning rate {s.lr:g}): {what}. The "
                         f"steps overshoot: lower the learning rate (try {s.lr / 10:g}) and "
                         f"press Reset.{why}")
        return False


def activation_maps(net, shape):
    """Every hidden neuron's activation over the input grid of the network's last forward pass.

    net: an ``MLP`` just run forward on the GRID × GRID points of a ``DecisionBoundary``;
    shape: (GRID, GRID). Returns one array (n_l, GRID // TILE, GRID // TILE) per hidden layer,
    scaled to [0, 1]: sigmoid and tanh on their fixed ranges, ReLU and identity per neuron
    from its smallest to its largest value over the plane.
    """
    maps = []
    for layer in net.layers[:-1]:
        a = layer.a.reshape(layer.n_out, *shape)[:, ::TILE, ::TILE]
        if layer.activation.name in _BOUNDED:
            lo, hi = _BOUNDED[layer.activation.name]
            maps.append((a - lo) / (hi - lo))
        else:
            lo = a.min(axis=(1, 2), keepdims=True)
            span = a.max(axis=(1, 2), keepdims=True) - lo
            maps.append((a - lo) / np.where(span > 0, span, 1.0))
    return maps


def mosaic(maps, gap=2):
    """Tile the maps of ``activation_maps`` into one image: a column per hidden layer, neuron 0
    at the top, NaN in the gaps. maps: list of (n_l, t, t). Returns (rows, cols) with
    rows = max n_l · (t + gap) − gap and cols = len(maps) · (t + gap) − gap, for
    ``imshow(origin="lower")``."""
    t = maps[0].shape[1]
    tallest = max(m.shape[0] for m in maps)
    image = np.full((tallest * (t + gap) - gap, len(maps) * (t + gap) - gap), np.nan)
    for l, m in enumerate(maps):
        for j, tile in enumerate(m):
            row = (tallest - 1 - j) * (t + gap)          # neuron 0 at the top
            image[row:row + t, l * (t + gap):l * (t + gap) + t] = tile
    return image


def loss_top(loss):
    """The top of the loss axis for a highest loss ``loss`` (a number > 0): 1.1 × it, rounded
    up to a multiple of ``LOSS_STEP``. Most data sets start near the same loss, so a new one
    usually keeps the axis (and its ticks) as they were."""
    return LOSS_STEP * max(1.0, np.ceil(1.1 * loss / LOSS_STEP))


class Playground(FigureWidget):
    """TensorFlow Playground in the notebook, on ``mlp_core``'s engine.

    Controls (``controls[name]`` for each field of ``Settings``): the dataset, its noise and
    train share, the hidden layers and their neurons, the activation (these rebuild the
    network: Reset), and the learning rate, batch size and L2 strength (these apply from the
    next epoch on). Buttons: Play (epochs until Pause), Pause, Step (one epoch), Reset (the
    network rebuilt from the controls with the fixed seed: the same settings give the same
    picture, however the controls got there). A diverging run stops and says to lower the
    learning rate.

    ``step(epochs=1)`` is the plain method behind Step and Play; ``experiment`` holds the data,
    the network and the loss history.
    """

    def __init__(self, seed=0, **settings):
        self.seed = seed
        start = Settings(**settings)
        slider = {"continuous_update": False}      # rebuild on release, not while dragging
        self.controls = {
            "dataset": widgets.Dropdown(options=DATASETS, description="data"),
            "noise": widgets.FloatSlider(min=NOISE_RANGE[0], max=NOISE_RANGE[1], step=0.05,
                                         description="noise", **slider),
            "train_percent": widgets.IntSlider(min=10, max=90, step=10, description="train %",
                                               **slider),
            "hidden_layers": widgets.IntSlider(min=0, max=MAX_HIDDEN_LAYERS,
                                               description="hidden layers", **slider),
            "neurons": widgets.IntSlider(min=1, max=MAX_NEURONS, description="neurons",
                                         **slider),
            "activation": widgets.Dropdown(options=ACTIVATIONS, description="activation"),
            "lr": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in LEARNING_RATES],
                                          description="learning rate η", **slider),
            "batch_size": widgets.IntSlider(min=1, max=MAX_BATCH, description="batch size",
                                            **slider),
            "l2": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in L2_RATES],
                                          description="L2 λ", **slider),
        }
        for name, control in self.controls.items():
            control.value = getattr(start, name)
            control.style.description_width = "95px"
            control.layout.width = "270px"
        self.play_button = widgets.Button(description="Play", icon="play", button_style="success")
        self.pause_button = widgets.Button(description="Pause", icon="pause")
        self.step_button = widgets.Button(description="Step", icon="step-forward")
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.status = widgets.HTML()
        self._task = None

        fig = new_figure(10.0, 5.2)
        grid = fig.add_gridspec(2, 3, width_ratios=[1.3, 0.75, 1.25])
        self.ax_boundary = fig.add_subplot(grid[:, 0])
        self.ax_network = fig.add_subplot(grid[0, 1:])
        self.ax_maps = fig.add_subplot(grid[1, 1])
        self.ax_loss = fig.add_subplot(grid[1, 2])
        self.lines = {k: self.ax_loss.plot([], [], "-", lw=2, color=c, label=k)[0]
                      for k, c in LOSS_COLOURS.items()}
        self.lines["test"].set_linestyle("--")
        self.ax_loss.set_xlabel("epoch")
        self.ax_loss.set_ylabel("cross-entropy C")
        self.ax_loss.set_title("train and test loss", fontsize=11)
        self.ax_loss.grid(alpha=0.3)
        self.loss_legend = self.ax_loss.legend(loc="upper right", fontsize=9)
        self.epoch_text = self.ax_loss.text(0.04, 0.93, "", transform=self.ax_loss.transAxes,
                                            va="top", fontsize=11, fontweight="bold")
        self.ax_maps.set_title("hidden neurons' a", fontsize=11)
        self.ax_maps.tick_params(length=0)          # once: every tick made later inherits it
        # lay the figure out once, for LAID_OUT_FOR, whatever the playground starts with: then
        # the same settings give the same picture, however the controls got there
        # one frame for every data set at every noise level, as in TensorFlow Playground: a
        # data control never moves the axes, so their tick labels are drawn once
        self._frame = noise_box(DATASETS, N_POINTS, NOISE_RANGE, seed)
        self.experiment = e = Experiment(LAID_OUT_FOR)
        with np.errstate(all="ignore"):
            self.boundary = DecisionBoundary(self.ax_boundary, e.net, e.X_train, e.y_train,
                                             e.X_test, e.y_test, steps=GRID,
                                             corners=self._frame)
        for axis in (self.ax_boundary.xaxis, self.ax_boundary.yaxis):
            axis.set_major_locator(MultipleLocator(1))    # whole units: few labels to draw
        self._draw_network()
        self._draw_maps()
        self._reset_loss_axis()
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")
        self.frames = self._blitter()
        self._build()

        for name in ("dataset", "noise", "train_percent", "hidden_layers", "neurons",
                     "activation"):
            self.controls[name].observe(self._rebuild, names="value")
        for name in ("lr", "batch_size", "l2"):
            self.controls[name].observe(self._retune, names="value")
        self.play_button.on_click(lambda _: self.play())
        self.pause_button.on_click(lambda _: self.pause())
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        c = self.controls
        rows = [widgets.HBox([c["dataset"], c["noise"], c["train_percent"]]),
                widgets.HBox([c["hidden_layers"], c["neurons"], c["activation"]]),
                widgets.HBox([c["lr"], c["batch_size"], c["l2"]]),
                widgets.HBox([self.play_button, self.pause_button, self.step_button,
                              self.reset_button])]
        super().__init__(rows, fig, footer=[self.status])
        self._show_state()

    # ----- the model behind the controls ------------------------------------------------
    def settings(self):
        """The ``Settings`` the controls show now."""
        return Settings(**{name: self.controls[name].value for name in self.controls})

    @property
    def playing(self):
        """True while Play's task is running."""
        return self._task is not None and not self._task.done()

    def _build(self):
        """A new ``Experiment`` from the controls, shown by the same artists: the points, the
        shading, the weights and the curves change in place; the network drawing and the maps
        are drawn anew only when the sizes they show changed."""
        before = self.experiment.net.sizes
        self.experiment = e = Experiment(self.settings(), self.seed)
        self.boundary.set_points(e.X_train, e.y_train, e.X_test, e.y_test, self._frame)
        if e.net.sizes != before:
            self._draw_network()
        if e.net.sizes[1:-1] != before[1:-1]:
            self._draw_maps()
        self._reset_loss_axis()
        self.frames.live = self._live()
        self._update_views()

    def _draw_network(self):
        """Draw the network of the current experiment's sizes, replacing the last drawing."""
        e = self.experiment
        for artist in (*self.ax_network.collections, *self.ax_network.patches,
                       *self.ax_network.texts):
            artist.remove()                         # the last drawing (quicker than clear())
        self.drawing = NetworkDrawing(self.ax_network, e.net.sizes,
                                      weights=[layer.W for layer in e.net.layers],
                                      title="weights (blue < 0 < red)")
        self.drawing.nodes.set_array(None)          # plain white neurons: no activations here
        self.drawing.nodes.set_facecolor("white")

    def _draw_maps(self):
        """Set up the activation maps' axes for the current hidden sizes: a blank mosaic with
        a tick per layer and per neuron, or a note when there is no hidden layer."""
        for artist in (*self.ax_maps.images, *self.ax_maps.texts):
            artist.remove()                         # the last mosaic or note
        hidden = self.experiment.net.sizes[1:-1]
        self.maps_image = None
        if hidden:
            self.ax_maps.set_axis_on()
            t = len(range(0, GRID, TILE))                # each map is t × t
            blank = mosaic([np.zeros((n, t, t)) for n in hidden])
            cmap = mpl.colormaps["viridis"].with_extremes(bad="white")
            self.maps_image = self.ax_maps.imshow(blank, origin="lower", cmap=cmap, vmin=0,
                                                  vmax=1, interpolation="nearest")
            pitch = t + 2                                 # a map and the gap after it
            self.ax_maps.set_xticks([l * pitch + (t - 1) / 2 for l in range(len(hidden))],
                                    [str(l) for l in range(len(hidden))], fontsize=9)
            self.ax_maps.set_yticks([(max(hidden) - 1 - j) * pitch + (t - 1) / 2
                                     for j in range(max(hidden))],
                                    [str(j) for j in range(max(hidden))], fontsize=9)
            self.ax_maps.set_xlabel("layer l", fontsize=10)   # (a narrow mosaic has no room
            self.ax_maps.set_ylabel("neuron j", fontsize=10)  # for "layer 0" under each map)
        else:
            self.ax_maps.text(0.5, 0.5, "no hidden layer:\na straight boundary",
                              ha="center", va="center", transform=self.ax_maps.transAxes)
            self.ax_maps.set_axis_off()
            self.ax_maps.set_aspect("auto")         # the whole box, whatever it showed before
        # fit the box to the mosaic now: a draw of the axes would, but when the Blitter has
        # their picture for these sizes it only draws the mosaic, in the box as it was
        self.ax_maps.apply_aspect()

    def _maps_labels(self):
        """The still artists of the maps' axes: the title (it moves with the box that fits the
        mosaic), the ticks and labels of layers and neurons, or the note shown when there is
        no hidden layer."""
        ax = self.ax_maps
        return [ax.title, *ax.texts, *((ax.xaxis, ax.yaxis) if ax.axison else ())]

    def _reset_loss_axis(self):
        """The loss axis of a new experiment: 10 epochs wide, its top above the first loss."""
        e = self.experiment
        self.ax_loss.set_xlim(0, 10)
        self.ax_loss.set_ylim(0, loss_top(max(e.train_loss[0], e.test_loss[0])))

    def _live(self):
        """The artists that change with every frame: those of ``_update_views`` and the frames
        (spines) of their axes, drawn over them as a full draw would."""
        live = [self.boundary.image, self.boundary.train_points,
                self.boundary.test_points, *self.ax_boundary.spines.values(),
                self.drawing.edges, self.drawing.nodes, *self.lines.values(),
                *self.ax_loss.spines.values(), self.epoch_text]
        if self.maps_image is not None:
            live += [self.maps_image, *self.ax_maps.spines.values()]
        return live

    def _blitter(self):
        """The frames: the ticks, the network drawing and the maps' axes as still layers
        redrawn when what they show changes, the legends pasted over the live artists."""
        frames = Blitter(self.ax_loss.figure)
        for ax in (self.ax_boundary, self.ax_loss):
            frames.add_layer([ax.xaxis], key=ax.get_xlim)
            frames.add_layer([ax.yaxis], key=ax.get_ylim)
        # what the still parts of the drawing and of the maps' axes show: the sizes. Only the
        # texts and ticks that change are drawn again (the titles and the white axes stay in
        # the rest): a new size costs a few labels, not a whole Axes
        frames.add_layer(lambda: self.ax_network.texts,
                         key=lambda: tuple(self.experiment.net.sizes))
        frames.add_layer(self._maps_labels, key=lambda: tuple(self.experiment.net.sizes[1:-1]))
        frames.add_layer([self.boundary.legend], key=self.boundary.legend_colours, on_top=True)
        frames.add_layer([self.loss_legend], key=lambda: "always the same", on_top=True)
        return frames

    def _update_views(self):
        """Update every artist in place from the current network and loss history."""
        e = self.experiment
        with np.errstate(all="ignore"):
            self.boundary.update(e.net)             # a forward pass over the grid ...
            if self.maps_image is not None:         # ... whose hidden a are the maps
                self.maps_image.set_data(mosaic(activation_maps(e.net, self.boundary.xx.shape)))
        self.drawing.update(weights=[layer.W for layer in e.net.layers])
        epochs = np.arange(e.epoch + 1)
        self.lines["train"].set_data(epochs, e.train_loss)
        self.lines["test"].set_data(epochs, e.test_loss)
        self.epoch_text.set_text(f"epoch {e.epoch}")
        # the axes grow in jumps (epochs doubling, loss past the top): new ticks, a new layer
        right = self.ax_loss.get_xlim()[1]
        if e.epoch > right:
            while right < e.epoch:
                right *= 2
            self.ax_loss.set_xlim(0, right)
        highest = max(max(e.train_loss), max(e.test_loss))
        if highest > self.ax_loss.get_ylim()[1]:
            self.ax_loss.set_ylim(0, loss_top(highest))

    def redraw(self):
        """Render the changed artists over the cached background into the image widget."""
        self.image.value = self.frames.png()

    def _repr_mimebundle_(self, **kwargs):
        """The saved output: the widget, its summary line, and the current frame as a static
        PNG (256 colours, so a stored notebook stays small)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.frames.png()).decode("ascii")
        return bundle

    def _show_state(self):
        """The status line and which buttons can be pressed."""
        e = self.experiment
        self.play_button.disabled = self.playing or bool(e.diverged)
        self.step_button.disabled = self.playing or bool(e.diverged)
        self.pause_button.disabled = not self.playing
        line = html.escape(self.summary())
        if e.diverged:
            line += ("<br><span style='color:#B00020;font-weight:bold'>"
                     f"{html.escape(e.diverged)}</span>")
        self.status.value = line

    def _say(self, message):
        self.status.value = f"{html.escape(self.summary())}<br><b>{html.escape(message)}</b>"

    # ----- what the buttons and controls do ---------------------------------------------
    def step(self, epochs=1):
        """Train ``epochs`` epochs (stopping early if training diverges), then redraw once.
        Returns True when every epoch finished normally."""
        ok = True
        for _ in range(epochs):
            ok = self.experiment.run_epoch()
            if not ok:
                break
        self._update_views()
        self.redraw()
        self._show_state()
        return ok

    def reset(self):
        """Pause, then rebuild the data and the network from the controls with the fixed seed."""
        self.pause()
        self._build()
        self.redraw()
        self._show_state()

    def play(self):
        """Start training epoch after epoch in an asyncio task on the running event loop (the
        kernel's); each epoch redraws, then yields to the kernel so Pause is heard."""
        if self.playing or self.experiment.diverged:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._say("Play needs a running event loop, as in Jupyter: use Step here.")
            return
        self._task = loop.create_task(self._play_loop())
        self._show_state()

    async def _play_loop(self):
        try:
            while self.step():
                await asyncio.sleep(PLAY_PAUSE)
        finally:
            if self._task is asyncio.current_task():   # not a newer Play's task
                self._task = None
            self._show_state()

    def pause(self):
        """Stop Play: cancel its task, which waits between epochs, so no epoch is cut short."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._show_state()

    def _rebuild(self, change=None):
        """A control of the data or the network moved: a new experiment (Play keeps going)."""
        self._build()
        self.redraw()
        self._show_state()

    def _retune(self, change=None):
        """The learning rate, batch size or L2 moved: used from the next epoch on."""
        e = self.experiment
        e.settings = replace(e.settings, **{name: self.controls[name].value
                                            for name in ("lr", "batch_size", "l2")})
        self._show_state()

    def summary(self):
        """One stable line: the settings, the epoch, the losses and the test accuracy."""
        e = self.experiment
        s = e.settings
        head = (f"Playground: {s.dataset}, noise {s.noise:.2f}, {s.train_percent}% train, "
                f"sizes {e.net.sizes}, {s.activation}, lr {s.lr:g}, batch {s.batch_size}, "
                f"L2 {s.l2:g}; epoch {e.epoch}")
        tail = (f": train loss {e.train_loss[-1]:.3f}, test loss {e.test_loss[-1]:.3f}, "
                f"test accuracy {100 * e.accuracy():.1f}%")
        return head + tail + (" (diverged)" if e.diverged else "")

