"""The static site in a real browser with no network: Debian's Chromium (headless, driven by
Playwright) opens every page of the student edition from file:// while a route handler aborts,
and records, every request that is not for a file:// URL. On each lesson page MathJax, bundled
in ``_site/mathjax/``, must typeset every formula: no raw TeX left in the text, no undefined
macro or TeX error, at least one typeset formula; and no solution is shown.

A control builds lesson 05's page with MathJax pointed at a folder that does not exist and shows
that these checks then fail. Without Chromium or Playwright the tests are skipped on a laptop and
fail in CI (``CI=true``). Every browser started here is closed, also when a test fails. A
screenshot of lesson 05 goes to the test's temporary folder.
"""

import re
import time
from pathlib import Path

import nbformat
import pytest
from processes import CHROMIUM, CHROMIUM_ARGS, need
from test_site import solution_lines

from mlp_core.tools.site import build_site, page_exporter, render_lesson
from mlp_core.tools.student import find_lessons, student_version

ROOT = Path(__file__).resolve().parents[1]
LESSONS = find_lessons(ROOT / "notebooks")
TYPESET_TIMEOUT = 90     # s for MathJax to typeset a page (generous: CI, 11 pages at once)
SCREENSHOT = "05_"       # the lesson whose page is photographed
# TeX as the lessons' markdown writes it; on a typeset page none of it is text any more.
RAW_TEX = ("$$", "$\\", "\\frac", "\\delta", "\\sigma", "\\partial", "\\eta", "\\text{",
           "\\lVert", "\\odot", "\\mathbf", "\\begin{")
# A failed request that is harmless: MathJax's HTML-CSS output declares a blank web font
# (@font-face MathJax_Blank, src url('about:blank')) as a fallback while it measures its
# fonts; Chromium refuses to load a font from about:blank. It is not a network request.
HARMLESS_FAILURES = ("about:blank",)

# Resolves once MathJax has started up and finished everything queued (the first typeset and
# the one nbconvert's page configuration queues): sets window.__typeset = true.
TYPESET_HOOK_JS = """() => {
    window.__typeset = false;
    MathJax.Hub.Register.StartupHook("End", () => {
        MathJax.Hub.Queue(() => { window.__typeset = true; });
    });
}"""
# What the page shows: its text, the typeset formulas (count, their visible text without the
# hidden MathML for screen readers, TeX errors), the markdown cells' text outside code and math.
PAGE_JS = """() => {
    const strip = (element, selector) => {
        const copy = element.cloneNode(true);
        copy.querySelectorAll(selector).forEach(e => e.remove());
        return copy.textContent;
    };
    const math = [...document.querySelectorAll('span.MathJax, div.MathJax_Display')];
    return {
        text: document.body.innerText,
        typeset: document.querySelectorAll('span.MathJax').length,
        mathText: math.map(e => strip(e, '.MJX_Assistive_MathML')).join(' '),
        errors: document.querySelectorAll('.MathJax .merror, .MathJax [mathcolor="red"], '
                                          + '.MathJax .noError').length,
        markdown: [...document.querySelectorAll('.jp-RenderedMarkdown')].map(e => strip(e,
            'code, pre, script, .MathJax, .MathJax_Display, .MathJax_Preview')).join('\\n'),
    };
}"""


def read(path):
    return nbformat.read(path, as_version=4)


def markdown_tex(nb):
    """The RAW_TEX patterns the notebook's markdown writes and no code cell or output
    contains: text that only untypeset formulas can put on its page."""
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source + "".join(str(o) for o in c.get("outputs", []))
                     for c in nb.cells if c.cell_type != "markdown")
    return [tex for tex in RAW_TEX if tex in markdown and tex not in code]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The student edition of the repository's lessons, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    build_site(ROOT / "notebooks", out)
    return out


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium from Debian's package, driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Python Playwright is not installed (pip install playwright)")
    need(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def offline(browser):
    """A fresh browser context in which every request for anything but a file:// URL is
    aborted. Yields (context, blocked URLs, failed requests as (url, reason))."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked, failed = [], []

    def only_files(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    context.on("requestfailed", lambda request: failed.append((request.url, request.failure)))
    try:
        yield context, blocked, failed
    finally:
        context.close()


def open_page(context, path):
    """Load ``path`` from file:// and, when MathJax is there, ask to be told when it is done.
    Returns (page, whether MathJax loaded, JavaScript errors)."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri(), wait_until="load", timeout=TYPESET_TIMEOUT * 1000)
    has_mathjax = page.evaluate("() => Boolean(window.MathJax && window.MathJax.Hub)")
    if has_mathjax:
        page.evaluate(TYPESET_HOOK_JS)
    return page, has_mathjax, errors


def typeset(page, path):
    """What the page shows (PAGE_JS) once MathJax has finished typesetting it."""
    try:
        page.wait_for_function("() => window.__typeset === true",
                               timeout=TYPESET_TIMEOUT * 1000)
    except Exception as error:     # Playwright's TimeoutError: say how far MathJax got
        posted = page.evaluate("() => MathJax.Hub.Startup.signal.posted.slice(-5).map(String)")
        pytest.fail(f"{path.name}: MathJax did not finish within {TYPESET_TIMEOUT} s "
                    f"({error}); its last signals: {posted}")
    return page.evaluate(PAGE_JS)


def problems(shown, nb):
    """What is wrong with a page that shows ``shown`` (PAGE_JS) for the stored lesson ``nb``."""
    found = []
    raw = [tex for tex in markdown_tex(nb) if tex in shown["text"]]
    if raw:
        found.append(f"raw TeX in the text: {raw}")
    if re.search(r"\\[A-Za-z]{2,}|\$\$|\$\\", shown["markdown"]):
        found.append("TeX in the markdown text: "
                     + repr(re.findall(r".{0,30}(?:\\[A-Za-z]{2,}|\$\$|\$\\).{0,30}",
                                       shown["markdown"])[:3]))
    if "$" in "".join(c.source for c in nb.cells if c.cell_type == "markdown") \
            and not shown["typeset"]:
        found.append("no typeset formula")
    if "\\" in shown["mathText"] or shown["errors"]:
        found.append(f"{shown['errors']} TeX errors or undefined macros in the formulas: "
                     + repr(re.findall(r".{0,20}\\.{0,20}", shown["mathText"])[:3]))
    leaked = [line for line in solution_lines(nb) if line in shown["text"]]
    if leaked:
        found.append(f"solution lines: {leaked[:3]}")
    return found


def test_every_lesson_page_typesets_its_formulas_offline(site, offline, tmp_path):
    context, blocked, failed = offline
    started = time.monotonic()
    checked = {}
    for path in LESSONS:       # all pages load at once: MathJax typesets them side by side
        checked[path] = open_page(context, site / f"{path.stem}.html")
    report, patterns = {}, set()
    for path, (page, has_mathjax, errors) in checked.items():
        assert has_mathjax, f"{path.name}: MathJax did not load (blocked: {blocked}, " \
            f"failed: {failed})"
        shown = typeset(page, path)
        nb = read(path)
        patterns.update(markdown_tex(nb))
        found = problems(shown, nb) + ([f"JavaScript errors {errors}"] if errors else [])
        if found:
            report[path.name] = found
        if path.name.startswith(SCREENSHOT):
            page.screenshot(path=tmp_path / f"{path.stem}.png")
        print(f"{path.name}: {shown['typeset']} formulas typeset")
        page.close()
    index, _, errors = open_page(context, site / "index.html")
    assert index.locator("ul.lessons li").count() == len(LESSONS) and not errors
    index.close()
    assert len(patterns) >= 5, f"the lessons' markdown shows too few TeX patterns: {patterns}"
    assert not report, "\n".join(f"{name}: {'; '.join(p)}" for name, p in report.items())
    assert not blocked, f"the pages asked the network for {blocked}"
    harmful = [(url, why) for url, why in failed if not url.startswith(HARMLESS_FAILURES)]
    assert not harmful, f"requests that failed: {harmful}"
    print(f"{len(LESSONS)} pages typeset in {time.monotonic() - started:.1f} s; "
          f"checked for {sorted(patterns)}; screenshot in {tmp_path}")


def test_the_checks_fail_when_mathjax_is_not_bundled(offline, tmp_path):
    """The control: the same page with MathJax pointed at a folder that does not exist."""
    context, blocked, failed = offline
    path = next(p for p in LESSONS if p.name.startswith(SCREENSHOT))
    nb = student_version(read(path))[0]
    exporter = page_exporter(mathjax_url="no-mathjax-here/MathJax.js")
    page_file = tmp_path / f"{path.stem}.html"
    page_file.write_text(render_lesson(nb, path, exporter), encoding="utf-8")
    page, has_mathjax, _ = open_page(context, page_file)
    shown = page.evaluate(PAGE_JS)
    page.close()
    assert not has_mathjax and not shown["typeset"]
    found = problems(shown, read(path))
    assert any(p.startswith("raw TeX in the text") for p in found), found
    assert any(p.startswith("TeX in the markdown text") for p in found), found
    assert "no typeset formula" in found
    assert any(url.endswith("no-mathjax-here/MathJax.js") for url, _ in failed), failed
    assert not blocked
