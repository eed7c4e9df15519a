"""A ``FigureWidget`` that redraws only what changed (blitting).

A full redraw lays out and renders every tick label and title again, which costs 40-60 ms for a
small figure. Here the figure is drawn once without its *animated* artists (the bars, images and
texts a callback changes); each redraw pastes that background back and draws only those artists
over it, in about a quarter of the time. The notebook's static PNG is that last full frame.
"""

import io

import numpy as np
from PIL import Image

from mlp_core.course.widgets.base import FigureWidget


class BlitFigureWidget(FigureWidget):
    """Controls above a figure whose redraws paint only ``animated`` artists on a background.

    Subclasses pass the artists their callbacks change as ``animated``; anything else in the
    figure must stay as it was when the widget was built. The frames (spines) of the axes that
    hold animated artists are drawn with them, on top, as a full draw would.
    """

    def __init__(self, controls, fig, animated, footer=()):
        self._animated = list(animated)
        for artist in self._animated:
            artist.set_animated(True)     # left out of canvas.draw(), so of the background
        axes = list(dict.fromkeys(a.axes for a in self._animated if a.axes is not None))
        self._frames = [spine for ax in axes if ax.axison for spine in ax.spines.values()]
        for spine in self._frames:
            spine.set_animated(True)      # drawn once per frame, over the images and bars
        self._background = None
        super().__init__(controls, fig, footer)

    def invalidate(self):
        """Draw the background afresh at the next redraw, after a change to anything but the
        animated artists (axis limits, a new title)."""
        self._background = None

    def redraw(self):
        """Paste the background (drawn on the first call), draw the animated artists over it
        and show the result as a PNG."""
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        canvas.restore_region(self._background)
        for artist in self._animated + self._frames:
            self.fig.draw_artist(artist)
        png = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(png, "png", compress_level=1)
        self.image.value = png.getvalue()
