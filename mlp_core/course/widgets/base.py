"""The plumbing every lesson widget shares.

A ``FigureWidget`` owns one matplotlib ``Figure`` (made without pyplot, so nothing is shown
twice) and an ``ipywidgets.Image`` that displays it as a PNG. Subclasses build their controls,
draw the figure once, and call ``redraw()`` after updating artists in place.

When a notebook is saved, the widget's cell output also carries a static PNG of its figure and a
short, stable ``text/plain`` line, so the picture shows on GitHub or nbviewer without a kernel and
nbval compares a line that does not change from run to run.
"""

import base64
import io

import ipywidgets as widgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_figure(width=7.0, height=3.2, dpi=80):
    """A matplotlib Figure with an Agg canvas, not registered with pyplot (no auto display)."""
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig):
    """The figure rendered to PNG bytes: one Agg draw, then a light PNG compression (redraws
    are what must be fast; ``savefig`` would lay the figure out a second time)."""
    fig.canvas.draw()
    buf = io.BytesIO()
    PIL.Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).save(buf, format="png",
                                                                  compress_level=1)
    return buf.getvalue()


def freeze_layout(fig):
    """Lay the figure out once (constrained layout), then keep those positions: re-solving the
    layout on every redraw would cost more than drawing."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


class FigureWidget(widgets.VBox):
    """Controls above a figure shown as an image.

    Subclasses set ``self.fig`` (from ``new_figure``), build ``controls`` (a list of widgets),
    call ``super().__init__(controls)`` and implement ``summary()`` (one stable line of text).
    """

    def __init__(self, controls, fig, footer=()):
        self.fig = fig
        freeze_layout(fig)
        width = round(fig.get_figwidth() * fig.dpi)
        # shown at its own pixel size (sharp on a projector), narrower only on a narrow screen
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px",
                                                                       max_width="100%"))
        super().__init__(list(controls) + [self.image] + list(footer))
        self.redraw()

    def redraw(self):
        """Render the figure into the image widget (after artists were updated in place)."""
        self.image.value = figure_png(self.fig)

    def summary(self):
        """One line of plain text describing the widget, the same on every run."""
        return type(self).__name__

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = self.summary()
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")  # last frame
        return bundle
