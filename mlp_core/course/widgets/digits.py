"""Lesson 08's widget: one test digit through the trained network, and what a shift does to it.

A slider picks a test digit (all of them, or only the mistakes); two more move it a pixel or two
right or down. The figure shows the input image, the hidden layer's activations and the ten
outputs. An MLP sees 64 unrelated numbers, not a picture: nothing in it knows that a digit moved
one pixel is the same digit, and the outputs show it.
"""

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.patches import Rectangle

from mlp_core.course.digits_viz import OKABE_ITO, PIXEL_CMAP, side
from mlp_core.course.widgets.base import new_figure
from mlp_core.course.widgets.blit import BlitFigureWidget

HIDDEN_COLS = 10    # hidden activations are drawn as rows of 10 squares


def shift_image(x, right=0, down=0):
    """A square image given as a pixel row x (n,) moved ``right`` columns and ``down`` rows
    (negative: left, up); pixels moved in from outside are blank (0). Returns (n,)."""
    s = side(np.size(x))
    img = np.asarray(x, dtype=float).reshape(s, s)
    out = np.zeros_like(img)
    if abs(right) < s and abs(down) < s:
        rows_to, rows_from = _span(down, s)
        cols_to, cols_from = _span(right, s)
        out[rows_to, cols_to] = img[rows_from, cols_from]
    return out.ravel()


def _span(offset, s):
    """Slices (to, from) that move s pixels by ``offset`` along one axis."""
    if offset >= 0:
        return slice(offset, s), slice(0, s - offset)
    return slice(0, s + offset), slice(-offset, s)


def _grid(values, n_cols=HIDDEN_COLS):
    """values (n,) as rows of n_cols, NaN-padded: (⌈n / n_cols⌉, n_cols)."""
    n_rows = -(-len(values) // n_cols)
    grid = np.full(n_rows * n_cols, np.nan)
    grid[:len(values)] = values
    return grid.reshape(n_rows, n_cols)


class DigitExplorer(BlitFigureWidget):
    """Explore a trained digit classifier one test digit at a time.

    net: a trained ``MLP`` with one hidden layer, e.g. [64, 30, 10]; X: (N, 64) test pixel
    rows; y: (N,) their labels. Controls: ``sample`` (which digit), ``right`` and ``down``
    (shift it, in pixels) and ``only_mistakes``. The true class's bar is blue and framed (the
    frame shows even when its output is near 0), a wrong prediction's bar red; the label names
    the true and predicted class.
    Redraws blit: only the two images and the bars are drawn again.
    """

    def __init__(self, net, X, y, max_shift=2):
        self.net, self.X, self.y = net, np.asarray(X, dtype=float), np.asarray(y)
        self.mistakes = np.flatnonzero(net.predict(self.X) != self.y)
        s, n_hidden, n_out = side(self.X.shape[1]), net.sizes[1], net.sizes[-1]

        fig = new_figure(9.0, 2.6)
        ax_in, ax_hidden, ax_out = fig.subplots(1, 3, width_ratios=[1, 1.5, 1.8])
        self.picture = ax_in.imshow(np.zeros((s, s)), cmap=PIXEL_CMAP, vmin=0, vmax=1)
        self.hidden = ax_hidden.imshow(_grid(np.zeros(n_hidden)), vmin=0, vmax=1,
                                       cmap=mpl.colormaps["viridis"].with_extremes(bad="white"))
        self.bars = ax_out.bar(range(n_out), np.zeros(n_out), color="0.7")
        # the true class is framed, whatever its output: a bar near 0 would not show it
        self.true_frame = ax_out.add_patch(Rectangle((-0.5, 0), 1, 1.05, fill=False,
                                                     edgecolor=OKABE_ITO[0], lw=2.5))
        ax_out.set_ylim(0, 1.05)
        ax_out.set_xticks(range(n_out))
        ax_out.set_yticks([0, 0.5, 1])
        ax_out.set_xlabel("class")
        ax_out.set_ylabel("output a")
        titles = {ax_in: f"input a[0] ({s}×{s})",
                  ax_hidden: f"hidden a[1] ({n_hidden},): 0 dark, 1 yellow",
                  ax_out: f"outputs a[{net.L}] ({n_out},)"}
        for ax, title in titles.items():
            ax.set_title(title, y=1.0, fontsize=12)     # fixed place: no layout pass per redraw
        for ax in (ax_in, ax_hidden):
            ax.set_xticks([])
            ax.set_yticks([])

        self.sample = widgets.IntSlider(value=0, min=0, max=len(self.X) - 1,
                                        description="test digit")
        self.right = widgets.IntSlider(value=0, min=-max_shift, max=max_shift,
                                       description="shift →")
        self.down = widgets.IntSlider(value=0, min=-max_shift, max=max_shift,
                                      description="shift ↓")
        self.only_mistakes = widgets.Checkbox(value=False, description="mistakes only",
                                              disabled=len(self.mistakes) == 0)
        self.label = widgets.HTML()
        self.show(redraw=False)
        controls = [widgets.HBox([self.sample, self.only_mistakes]),
                    widgets.HBox([self.right, self.down]), self.label]
        super().__init__(controls, fig, animated=[self.picture, self.hidden, *self.bars,
                                                   self.true_frame])
        for control in (self.sample, self.right, self.down):
            control.observe(lambda change: self.show(), names="value")
        self.only_mistakes.observe(self._switch_pool, names="value")

    def index(self):
        """The row of X shown now: the slider's value, counted among the mistakes if chosen."""
        if self.only_mistakes.value:
            return int(self.mistakes[min(self.sample.value, len(self.mistakes) - 1)])
        return int(self.sample.value)

    def _switch_pool(self, change):
        """Point the slider at all digits or at the mistakes only, starting from the first."""
        pool = len(self.mistakes) if change["new"] else len(self.X)
        moved = self.sample.value != 0          # then the slider's own observer redraws
        with self.sample.hold_trait_notifications():
            self.sample.value = 0
            self.sample.max = max(pool - 1, 0)
        if not moved:
            self.show()

    def show(self, redraw=True):
        """Run the chosen digit, shifted, through the network and update the three panels."""
        i = self.index()
        x = shift_image(self.X[i], self.right.value, self.down.value)
        a_out = self.net.forward(x)[0]                    # (n_L,)
        a_hidden = self.net.layers[1].a[:, 0]              # a[1] (n_1,)
        predicted = int(np.argmax(a_out))
        self.picture.set_data(x.reshape(self.picture.get_array().shape))
        self.hidden.set_data(_grid(a_hidden))
        for k, bar in enumerate(self.bars):
            bar.set_height(a_out[k])
            colour = OKABE_ITO[0] if k == self.y[i] else OKABE_ITO[3] if k == predicted else "0.7"
            bar.set_color(colour)
        self.true_frame.set_x(self.y[i] - 0.5)
        verdict = "right" if predicted == self.y[i] else "wrong"
        shift = (f", shifted {self.right.value} right and {self.down.value} down"
                 if self.right.value or self.down.value else "")
        self.label.value = (f"test digit {i}{shift}: true class <b>{self.y[i]}</b> (blue frame), "
                            f"predicted <b>{predicted}</b> with a = {a_out[predicted]:.2f}: "
                            f"{verdict}" + ("" if verdict == "right" else " (red bar)"))
        if redraw:
            self.redraw()

    def summary(self):
        """Stable one-line description (the saved cell's text)."""
        return (f"DigitExplorer: {len(self.X)} test digits, {len(self.mistakes)} misclassified; "
                f"move the sliders to run one through the network")
