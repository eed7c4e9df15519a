"""Blitting redraws only the animated artists, and the frame equals a full draw."""

import base64
import io

import numpy as np
from PIL import Image

from mlp_core.course.widgets.base import new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget


class Bars(BlitFigureWidget):
    def __init__(self):
        fig = new_figure(4, 3)
        ax = fig.subplots()
        self.bars = ax.bar(range(3), [1, 2, 3])
        self.title = ax.set_title("start")
        ax.set_ylim(0, 4)
        ax.set_xlabel("bar")
        super().__init__([], fig, animated=[*self.bars, self.title])

    def set(self, heights, title):
        for bar, h in zip(self.bars, heights):
            bar.set_height(h)
        self.title.set_text(title)
        self.redraw()


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def full_draw(widget):
    """The figure drawn the ordinary way, every artist included."""
    for artist in widget._animated + widget._frames:
        artist.set_animated(False)
    widget.fig.canvas.draw()
    frame = np.asarray(widget.fig.canvas.buffer_rgba())[..., :3].astype(int)
    for artist in widget._animated + widget._frames:
        artist.set_animated(True)
    return frame


def test_a_blitted_frame_is_the_full_picture():
    widget = Bars()
    first = widget.image.value
    widget.set([3, 0.5, 2], "changed")
    assert widget.image.value != first
    blitted = pixels(widget.image.value)
    assert blitted.shape == full_draw(widget).shape
    assert np.array_equal(blitted, full_draw(widget))            # pixel for pixel
    widget.set([1, 2, 3], "start")
    assert np.array_equal(pixels(widget.image.value), pixels(first))


def test_the_saved_png_is_the_last_frame_with_the_animated_artists():
    widget = Bars()
    widget.set([0.2, 3.5, 1], "saved")
    bundle = widget._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == widget.image.value
    widget.fig.canvas.draw()                     # a plain draw leaves the animated artists out
    background_only = np.asarray(widget.fig.canvas.buffer_rgba())[..., :3].astype(int)
    assert np.abs(pixels(widget.image.value) - background_only).max() > 100   # bars are in it


def test_invalidate_redraws_the_background_after_a_change_outside_the_animated_artists():
    widget = Bars()
    widget.bars[0].axes.set_ylim(0, 8)          # a background change: the ticks move
    widget.set([3, 0.5, 2], "stale")
    assert not np.array_equal(pixels(widget.image.value), full_draw(widget))
    widget.invalidate()
    widget.redraw()
    assert np.array_equal(pixels(widget.image.value), full_draw(widget))
