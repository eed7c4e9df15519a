"""The lessons in a real browser: Voila serves them on 127.0.0.1 with a token, Debian's
Chromium (headless, driven by Playwright) moves a slider of lesson 01 and presses Train in the
training lab of lesson 07 (or Step in the playground of lesson 10), and the test checks that the
text the widget prints and its plot image both changed.

Every process started here (Voila, its kernels, Chromium) is stopped at the end, also when the
test fails. Without Chromium or Playwright the test is skipped on a laptop and fails in CI
(``CI=true``). Screenshots of each widget go to the test's temporary folder.
"""

import re
import secrets
import shutil
import time
from pathlib import Path

import processes
import pytest
from processes import CHROMIUM, CHROMIUM_ARGS, free_port, need, start_voila, stop

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RENDER_TIMEOUT = 90    # s for a lesson to execute and its widget to appear (generous: CI)
CHANGE_TIMEOUT = 20    # s for a widget to redraw after a slider move or a click
TRAIN_BUTTON = re.compile(r"^\s*(Train|Step)\b")   # lesson 07's lab, lesson 10's playground

# A stand-in for a lesson that does not exist yet: a slider widget and a Train widget built on
# the course's FigureWidget and engine, as a lesson builds them.
STAND_IN = '''import ipywidgets as widgets
import numpy as np
from mlp_core import MLP, train
from mlp_core.datasets import make_moons
from mlp_core.course.widgets.base import FigureWidget, new_figure


class Wave(FigureWidget):
    def __init__(self):
        self.w = widgets.FloatSlider(value=1.0, min=0.5, max=3.0, step=0.1, description="w")
        self.label = widgets.HTML()
        self.x = np.linspace(-6, 6, 200)
        fig = new_figure(6, 2.5)
        ax = fig.add_subplot()
        (self.line,) = ax.plot(self.x, np.tanh(self.x))
        ax.set_title("a = tanh(w x)")
        self.w.observe(lambda change: self.show(), names="value")
        super().__init__([self.w, self.label], fig)
        self.show()

    def show(self):
        self.line.set_ydata(np.tanh(self.w.value * self.x))
        self.label.value = f"w = {self.w.value:.1f}: slope at 0 is {self.w.value:.1f}"
        self.redraw()


class Lab(FigureWidget):
    def __init__(self):
        self.X, self.y = make_moons(100, noise=0.1, seed=0)
        self.net = MLP([2, 8, 2], activation="tanh", output_activation="softmax",
                       loss="cross_entropy", init="xavier", seed=0)
        self.button = widgets.Button(description="Train 10 epochs")
        self.label = widgets.HTML("not trained yet")
        self.losses = []
        fig = new_figure(6, 2.5)
        ax = fig.add_subplot()
        (self.curve,) = ax.plot([], [])
        ax.set_xlim(0, 50)
        ax.set_ylim(0, 1)
        ax.set_title("training cost")
        self.button.on_click(lambda _: self.train())
        super().__init__([self.button, self.label], fig)

    def train(self):
        history = train(self.net, self.X, self.y, epochs=10, batch_size=10, lr=0.5,
                        seed=len(self.losses), progress=False)
        self.losses += list(history.loss)
        self.curve.set_data(np.arange(1, len(self.losses) + 1), self.losses)
        self.label.value = f"epoch {len(self.losses)}: cost {self.losses[-1]:.3f}"
        self.redraw()
'''

# The text a widget prints, one " | "-separated part per HTML or Label widget (progress bars'
# descriptions included), without the controls: a slider's read-out changes when it moves,
# which would prove nothing.
WIDGET_TEXT_JS = """box => {
    const copy = box.cloneNode(true);
    copy.querySelectorAll('.widget-slider, .widget-readout, .widget-dropdown, button, input, '
                          + 'select').forEach(e => e.remove());
    const parts = '.widget-html-content, .widget-label';
    return [...copy.querySelectorAll(parts)].filter(e => !e.querySelector(parts))
        .map(e => e.textContent.replace(/\\s+/g, ' ').trim()).filter(Boolean).join(' | ');
}"""
# [image src, text] as soon as both differ from the ones given, else false.
CHANGED_JS = """([box, src, text]) => {
    const img = box.querySelector(':scope > .widget-image');
    const now = (TEXT)(box);
    return img && img.src !== src && now !== text && [img.src, now];
}""".replace("TEXT", WIDGET_TEXT_JS)


def lessons_to_serve(folder):
    """Copy the lessons the test drives into ``folder``; return {role: notebook name}.
    Lesson 01 gives the slider; lesson 07 (or 10) the Train (or Step) button; a stand-in notebook
    written here replaces a lesson that does not exist yet."""
    import nbformat
    chosen = {"slider": next((n for n in ["01_neuron.ipynb"] if (NOTEBOOKS / n).exists()), None),
              "train": next((n for n in ["07_training_loop.ipynb", "10_playground.ipynb"]
                             if (NOTEBOOKS / n).exists()), None)}
    for role, name in chosen.items():
        if name:
            shutil.copyfile(NOTEBOOKS / name, folder / name)
            continue
        nb = nbformat.v4.new_notebook()
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(STAND_IN),
                    nbformat.v4.new_code_cell("Wave()" if role == "slider" else "Lab()")]
        chosen[role] = f"stand_in_{role}.ipynb"
        nbformat.write(nb, folder / chosen[role])
    return chosen


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """Voila serving the chosen lessons from a temporary folder on 127.0.0.1 with a token.
    Yields (base URL, token, {role: notebook name}, log path)."""
    folder = tmp_path_factory.mktemp("served")
    lessons = lessons_to_serve(folder)
    port, token = free_port(), secrets.token_hex(16)
    log = folder / "voila.log"
    try:
        process = start_voila(folder, port, token, log)     # kernels draw as in Jupyter
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield f"http://127.0.0.1:{port}", token, lessons, log
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium from Debian's package with a fresh profile, driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Python Playwright is not installed (pip install playwright)")
    need(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()


def open_lesson(context, base, token, name):
    """Start loading a lesson (Voila executes it while the page streams in); return the page
    and the list its JavaScript errors are collected into."""
    page = context.new_page()
    page.set_default_timeout(RENDER_TIMEOUT * 1000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/voila/render/{name}?token={token}", wait_until="commit")
    return page, errors


def figure_widget(page, control, errors, log):
    """The first FigureWidget (a box whose own child is the figure image) holding the locator
    ``control``, once Voila has executed the whole lesson (it streams the page while the kernel
    runs the cells; a click before the end would wait behind them). On a timeout, fails with
    what the page shows, its JavaScript errors and the end of Voila's log."""
    try:
        page.wait_for_load_state("load")
        boxes = page.locator(".widget-vbox").filter(has=page.locator(":scope > .widget-image"))
        box = boxes.filter(has=control).first
        box.wait_for()
    except Exception as error:     # Playwright's TimeoutError: say what the page shows
        shown = page.evaluate("() => document.body ? document.body.innerText : ''")
        pytest.fail(f"{page.url}: no figure widget within {RENDER_TIMEOUT} s ({error}).\n"
                    f"JavaScript errors: {errors}\npage text: {shown[-2000:]!r}\n"
                    f"Voila log: {log.read_text()[-3000:]}")
    box.scroll_into_view_if_needed()
    return box


WATCH_JS = """box => {
    box.__changes = [];
    const img = box.querySelector(':scope > .widget-image');
    new MutationObserver(records => box.__changes.push(
        `${Math.round(performance.now())} ms: ${records.length} src change(s)`))
        .observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def state(box):
    """(image src, printed text) of a widget box."""
    return box.locator(":scope > .widget-image").get_attribute("src"), box.evaluate(
        WIDGET_TEXT_JS)


def wait_for_change(page, box, before, what, log):
    """The widget's (image src, text) the moment both differ from ``before``."""
    try:
        changed = page.wait_for_function(CHANGED_JS, arg=[box.element_handle(), *before],
                                         timeout=CHANGE_TIMEOUT * 1000)
    except Exception as error:     # Playwright's TimeoutError: say what did not change
        changes = box.evaluate("box => box.__changes || []")
        pytest.fail(f"{what}: the widget did not redraw within {CHANGE_TIMEOUT} s "
                    f"(before: {before}, now: {state(box)}, image changes seen: {changes}); "
                    f"{error}\n{log.read_text()[-3000:]}")
    return tuple(changed.json_value())


def settle(box, timeout=CHANGE_TIMEOUT, quiet=1.5):
    """Wait until the widget's image and text stay the same for ``quiet`` seconds (a training
    run redraws several times); return its state."""
    last, since, deadline = state(box), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = state(box)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def assert_rendered_without_errors(page, errors, name):
    text = page.locator("body").inner_text()
    assert "There was an error when executing cell" not in text, f"{name}: {text[-2000:]}"
    assert not errors, f"{name}: JavaScript errors {errors}"


def move_slider(page, box, what, log):
    """Press an arrow key on the widget's first slider (left if it is at its maximum); return
    the widget's (image src, text) before and once it has redrawn."""
    before = state(box)
    handle = box.locator(".noUi-handle").first
    value = handle.get_attribute("aria-valuenow")
    handle.focus()
    handle.press("ArrowRight")
    if handle.get_attribute("aria-valuenow") == value:    # already at its maximum
        handle.press("ArrowLeft")
    return before, wait_for_change(page, box, before, what, log)


def test_slider_and_train_button_redraw_the_lessons(voila, browser, tmp_path):
    base, token, lessons, log = voila
    started = time.monotonic()
    pages = {role: open_lesson(browser, base, token, name) for role, name in lessons.items()}

    page, errors = pages["slider"]
    box = figure_widget(page, page.locator(".noUi-handle"), errors, log)
    box.evaluate(WATCH_JS)
    before, after = move_slider(page, box, f"{lessons['slider']} slider", log)
    assert before[0].startswith("blob:") and before[1], f"no figure or text: {before}"
    assert after[0].startswith("blob:") and after[1] != before[1]
    box.screenshot(path=tmp_path / "slider.png")
    assert_rendered_without_errors(page, errors, lessons["slider"])
    print(f"\n{lessons['slider']}: {before[1]!r} -> {after[1]!r}")

    # The lab: move its first slider (new data or settings: the network starts afresh), then
    # train. Training from the same seed again would redraw the very same final picture.
    page, errors = pages["train"]
    box = figure_widget(page, page.locator("button", has_text=TRAIN_BUTTON), errors, log)
    box.evaluate(WATCH_JS)
    _, before = move_slider(page, box, f"{lessons['train']} slider", log)
    before = settle(box)
    box.locator("button", has_text=TRAIN_BUTTON).first.click()
    during = wait_for_change(page, box, before, f"{lessons['train']} Train button", log)
    after = settle(box)
    assert during[0].startswith("blob:") and during[1] != before[1]
    assert after[0] != before[0] and after[1] != before[1]
    box.screenshot(path=tmp_path / "train.png")
    assert_rendered_without_errors(page, errors, lessons["train"])
    print(f"{lessons['train']}: {before[1]!r} -> {during[1]!r} -> {after[1]!r}")
    print(f"browser part took {time.monotonic() - started:.1f} s; screenshots in {tmp_path}")


def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(processes, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true: required"):
        need(False, "no chromium")
    monkeypatch.setattr(processes, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        need(False, "no chromium")
    need(True, "present")
