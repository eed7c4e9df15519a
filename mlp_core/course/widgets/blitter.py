"""Frames of a figure cut into layers, each drawn again only when it changes (a widget's
redraw in a few tens of milliseconds where a full draw takes over a hundred).

``Blitter`` generalises ``blit.BlitFigureWidget``'s one background: besides the artists that
change every frame, it keeps groups of artists that change now and then (an axis' ticks after
its limits moved, a drawing of the network's sizes) as sprites, rendered alone and pasted, and
re-rendered only when what they depend on changes. Lesson 10's playground uses it.
"""

import io
from contextlib import contextmanager

import numpy as np
from PIL import Image

SPRITES_KEPT = 16                    # a layer keeps its last 16 pictures


_NOTHING_YET = object()                  # the key a layer shows before its first frame


class _Layer:
    """A group of artists drawn together into one sprite: see ``Blitter.add_layer``."""

    def __init__(self, artists, key, on_top):
        self._artists, self.key, self.on_top = artists, key, on_top
        self.sprites = {}                     # key -> (x, y, RGBA rows bottom first) or None
        self.shown = _NOTHING_YET             # the key of the sprite shown now

    @property
    def artists(self):
        """The artists of the layer now (a function given to ``add_layer`` is asked again)."""
        return list(self._artists() if callable(self._artists) else self._artists)

    def sprite(self):
        """The sprite shown now."""
        return self.sprites[self.shown]


class Blitter:
    """PNG frames of a figure in which few artists change from one frame to the next.

    A full draw renders every tick label and title again (over 100 ms for the playground).
    Here the figure is cut into layers, and each is drawn again only when it changes:

    - the rest: every artist not named below (the backgrounds, the titles), drawn once;
    - still layers (``add_layer``): groups of artists that change now and then, like the
      ticks of an axes whose limits moved or a drawing of the network's sizes. Each is
      rendered alone on a transparent canvas into a sprite, afresh whenever its ``key()``
      returns something new, and pasted over the rest; together they make the background;
    - ``live``: the artists that change every frame (a list the owner may replace), drawn
      over the background each frame;
    - still layers added ``on_top`` (legends over points and curves), pasted over those.

    fig: a Figure on an Agg canvas whose layout is fixed. Where the pixels of two layers
    overlap, the one added later is on top.
    """

    def __init__(self, fig):
        self.fig = fig
        self.live = []
        self.layers = []
        self._rest = self._background = None

    def add_layer(self, artists, key, on_top=False):
        """Draw ``artists`` (Axes, Axis, Legend, Text, ...) as one still layer: a list, or a
        function returning the list of the moment (for artists made anew, like the labels of
        a redrawn network). ``key()`` returns what their pixels depend on (a hashable value:
        an axis' limits, a network's sizes); the layer is drawn again when it returns a new
        key. The sprites of ``SPRITES_KEPT`` keys are kept (the oldest dropped first), so
        going back to one costs nothing."""
        self.layers.append(_Layer(artists if callable(artists) else list(artists), key, on_top))

    def png(self):
        """The current figure as PNG bytes, in 256 colours."""
        canvas = self.fig.canvas
        if self._rest is None:
            with self._left_out(self.live + [a for layer in self.layers for a in layer.artists]):
                canvas.draw()
            self._rest = canvas.copy_from_bbox(self.fig.bbox)
        for layer in self.layers:
            key = layer.key()
            if key != layer.shown:
                if key not in layer.sprites:
                    if len(layer.sprites) == SPRITES_KEPT:
                        del layer.sprites[next(iter(layer.sprites))]     # the oldest
                    layer.sprites[key] = self._sprite(layer)
                layer.shown = key
                if not layer.on_top:
                    self._background = None
        if self._background is None:
            canvas.restore_region(self._rest)
            self._paste(layer for layer in self.layers if not layer.on_top)
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        canvas.restore_region(self._background)
        for artist in sorted(self.live, key=lambda artist: artist.get_zorder()):
            self.fig.draw_artist(artist)
        self._paste(layer for layer in self.layers if layer.on_top)
        rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw",
                                "RGBA", 0, 1)
        # 256 colours (fast octree, no dithering): a quarter of the bytes of a full-colour PNG,
        # in half the time, and the difference is hard to see
        palette = rgba.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE,
                                               dither=Image.Dither.NONE)
        buf = io.BytesIO()
        palette.save(buf, format="png", compress_level=1)
        return buf.getvalue()

    @contextmanager
    def _left_out(self, artists):
        """Leave ``artists`` out of what is drawn inside the block (an animated artist is
        skipped by the Figure's and the Axes' draw)."""
        for artist in artists:
            artist.set_animated(True)
        try:
            yield
        finally:
            for artist in artists:
                artist.set_animated(False)

    def _sprite(self, layer):
        """Render ``layer`` alone on a cleared (transparent) canvas. Returns (x, y, rgba):
        rgba (h, w, 4) the smallest box around what it drew, bottom row first, with its lower
        left corner at pixel (x, y); or None when it drew nothing."""
        renderer = self.fig.canvas.get_renderer()
        others = self.live + [a for other in self.layers if other is not layer
                              for a in other.artists]
        with self._left_out(others):
            renderer.clear()
            for artist in layer.artists:
                self.fig.draw_artist(artist)
        rgba = np.asarray(renderer.buffer_rgba())
        drawn = rgba[..., 3] > 0
        rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
        if rows.size == 0:
            return None
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        return left, len(rgba) - bottom, rgba[top:bottom, left:right][::-1].copy()

    def _paste(self, layers):
        """Blend the sprites of ``layers`` onto the canvas."""
        renderer = self.fig.canvas.get_renderer()
        gc = renderer.new_gc()
        for layer in layers:
            if layer.sprite() is not None:
                renderer.draw_image(gc, *layer.sprite())
        gc.restore()
