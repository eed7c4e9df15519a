"""Lesson 00's widget: a preview of where the course ends up.

A small network is trained on the two moons once, keeping a snapshot of its decision regions
after every few epochs; an epoch slider then replays training: the boundary bending into shape
on the left, the loss falling on the right.
"""

import ipywidgets as widgets
import numpy as np

from mlp_core.course.viz import DecisionBoundary
from mlp_core.course.widgets.base import new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget
from mlp_core.datasets import make_moons
from mlp_core.network import MLP
from mlp_core.train import train


def training_snapshots(epochs=60, every=5, seed=0):
    """Train [2, 8, 2] (tanh, softmax, cross-entropy) on 200 noisy moons.

    Returns X (200, 2), y (200,), the training cost per epoch (epochs,), and a list of
    (epoch, copy of the network) pairs taken every ``every`` epochs, epoch 0 included."""
    X, y = make_moons(200, noise=0.15, seed=seed)
    net = MLP([2, 8, 2], activation="tanh", output_activation="softmax", loss="cross_entropy",
              init="xavier", seed=seed)
    snapshots = [(0, _copy(net))]

    def keep(epoch, history):
        if epoch % every == 0:
            snapshots.append((epoch, _copy(net)))

    history = train(net, X, y, epochs=epochs, batch_size=20, lr=0.3, seed=seed,
                    callback=keep, progress=False)
    return X, y, np.array(history.loss), snapshots


def _copy(net):
    twin = MLP(net.sizes, net.activation, net.output_activation, net.loss_name)
    for mine, theirs in zip(twin.layers[1:], net.layers[1:]):
        mine.W, mine.b = theirs.W, theirs.b
    return twin


class TrainingPreview(BlitFigureWidget):
    """An epoch slider replaying a network learning the two moons.

    Left: decision regions after that epoch with the 200 training points. Right: the training
    loss per epoch with a marker at the chosen epoch. The label reports the accuracy.
    """

    def __init__(self, epochs=60, every=5, seed=0):
        self.X, self.y, self.losses, self.snapshots = training_snapshots(epochs, every, seed)
        fig = new_figure(9, 3.6)
        ax_map, ax_loss = fig.subplots(1, 2)
        self.boundary = DecisionBoundary(ax_map, self.snapshots[0][1], self.X, self.y, steps=60,
                                         title="what the network predicts")
        ax_loss.plot(np.arange(1, epochs + 1), self.losses, color="tab:blue")
        self.marker, = ax_loss.plot([], [], "o", color="tab:red", markersize=9)
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("training cost C")
        ax_loss.set_title("cost falls as it learns")
        self.slider = widgets.IntSlider(value=0, min=0, max=epochs, step=every,
                                        description="epoch", continuous_update=True)
        self.label = widgets.HTML()
        # redrawn each frame: the shading, the points and legend on top of it, the marker
        animated = [self.boundary.image, *ax_map.collections, ax_map.get_legend(), self.marker]
        super().__init__([self.slider, self.label], fig, animated)
        self.slider.observe(lambda change: self.show(change["new"]), names="value")
        self.show(0)

    def show(self, epoch):
        """Show the snapshot taken at ``epoch`` (a multiple of ``every``)."""
        net = dict(self.snapshots)[epoch]
        self.boundary.update(net)
        if epoch == 0:
            self.marker.set_data([], [])
        else:
            self.marker.set_data([epoch], [self.losses[epoch - 1]])
        accuracy = np.mean(np.argmax(net.forward(self.X), axis=1) == self.y)
        self.label.value = f"after epoch {epoch}: training accuracy {accuracy:.0%}"
        self.redraw()

    def summary(self):
        """Stable one-line description (the saved cell's text)."""
        return (f"TrainingPreview: epochs 0-{self.slider.max} on the two moons; "
                f"final training accuracy {np.mean(self._final_predictions() == self.y):.0%}")

    def _final_predictions(self):
        return np.argmax(self.snapshots[-1][1].forward(self.X), axis=1)
