"""Lesson 10's playground: TensorFlow Playground's controls and live views around an ``MLP``.

The trainer is ``mlp_core.course.models.Experiment`` (with ``Settings``, the controls' values):
the data, the network and the training state, one epoch of lesson 07's loop per
``run_epoch()``. This module is the view around it:

- ``Playground`` is the widget: the controls, Play, Pause, Step and Reset, and one figure with
  the decision boundary, a small activation map for every hidden neuron, the network with its
  weights as coloured lines, and the train and test loss curves. ``step()`` is a plain method
  (one epoch, then one redraw); Play runs it in an asyncio task on the kernel's event loop, so
  the kernel stays free to hear Pause between two epochs. A control that moves makes a new
  experiment and shows it with the same artists, updated in place (the decision boundary's
  frame holds every data set at every noise level, so a data move leaves the axes as they were).
- ``blitter.Blitter`` makes a frame fast: it draws the figure's still parts once, each group of
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
from dataclasses import replace

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.ticker import MultipleLocator

from mlp_core.course.models import (
    ACTIVATIONS,
    L2_RATES,
    LEARNING_RATES,
    MAX_BATCH,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    N_POINTS,
    NOISE_RANGE,
    Experiment,
    Settings,
)
from mlp_core.course.viz import DecisionBoundary, NetworkDrawing, layer_weights
from mlp_core.course.widgets.base import FigureWidget, new_figure
from mlp_core.course.widgets.blitter import Blitter
from mlp_core.datasets import DATASETS, noise_box

GRID = 80                            # the decision boundary's grid: GRID × GRID points
TILE = 4                             # activation maps keep every TILE-th grid point: 20 × 20
PLAY_PAUSE = 0.02                    # seconds Play yields to the kernel between two epochs
LOSS_COLOURS = {"train": "#0072B2", "test": "#D55E00"}   # Okabe-Ito: colour-blind safe
LOSS_STEP = 0.5                      # the loss axis' top is a multiple of this
# activations with a fixed range are shown on it; the others are scaled per neuron
_BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


# the settings the figure is laid out for: the widest maps (four layers of one neuron), so
# every other mosaic fits in their place with room for its labels
LAID_OUT_FOR = Settings(hidden_layers=MAX_HIDDEN_LAYERS, neurons=1)


def activation_maps(net, shape):
    """Every hidden neuron's activation over the input grid of the network's last forward pass.

    net: an ``MLP`` just run forward on the GRID × GRID points of a ``DecisionBoundary``;
    shape: (GRID, GRID). Returns one array (n_l, GRID // TILE, GRID // TILE) per hidden layer
    l = 1 .. L − 1, in that order, scaled to [0, 1]: sigmoid and tanh on their fixed ranges,
    ReLU and identity per neuron from its smallest to its largest value over the plane.
    """
    maps = []
    for layer in net.layers[1:-1]:
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
    """Tile the maps of ``activation_maps`` into one image: a column per hidden layer (layer 1
    on the left), neuron 0 at the top, NaN in the gaps. maps: list of (n_l, t, t). Returns
    (rows, cols) with rows = max n_l · (t + gap) − gap and cols = len(maps) · (t + gap) − gap,
    for ``imshow(origin="lower")``."""
    t = maps[0].shape[1]
    tallest = max(m.shape[0] for m in maps)
    image = np.full((tallest * (t + gap) - gap, len(maps) * (t + gap) - gap), np.nan)
    for c, m in enumerate(maps):                         # column c shows layer c + 1
        for j, tile in enumerate(m):
            row = (tallest - 1 - j) * (t + gap)          # neuron 0 at the top
            image[row:row + t, c * (t + gap):c * (t + gap) + t] = tile
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
            control.style.description_width = "120px"   # "learning rate η" in full
            control.layout.width = "285px"
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
                                      weights=layer_weights(e.net),
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
            self.ax_maps.set_xticks([c * pitch + (t - 1) / 2 for c in range(len(hidden))],
                                    [str(c + 1) for c in range(len(hidden))], fontsize=9)
            self.ax_maps.set_yticks([(max(hidden) - 1 - j) * pitch + (t - 1) / 2
                                     for j in range(max(hidden))],
                                    [str(j) for j in range(max(hidden))], fontsize=9)
            self.ax_maps.set_xlabel("layer l", fontsize=10)   # (a narrow mosaic has no room
            self.ax_maps.set_ylabel("neuron j", fontsize=10)  # for "layer 1" under each map)
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
        self.drawing.update(weights=layer_weights(e.net))
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

