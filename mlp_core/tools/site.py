"""A static site of the executed lessons, for reading without a kernel.

``python -m mlp_core.tools.site`` (``make html``) converts every stored lesson
``notebooks/NN_topic.ipynb`` (``mlp_core.tools.student.find_lessons``) with nbconvert's
``HTMLExporter`` into ``_site/NN_topic.html``, with an ``index.html`` listing them and a copy
of each notebook to download in ``_site/notebooks/``. Nothing is re-executed: the pages show
the outputs stored in the notebooks.

A widget cell's stored output carries a live-widget view, a static PNG of its figure and a line
of text (see ``widgets.base.FigureWidget``). Without a kernel the widget cannot move, so the page
shows the PNG: the widget views and the notebook's saved widget state are dropped before
conversion (they would otherwise load a widget renderer from a CDN and draw dead controls), and
widget outputs without a picture (a progress bar) are left out.
Links between lessons (``02_shapes.ipynb``) are pointed at their pages (``02_shapes.html``).

Two editions. The default, the student edition, shows each lesson as a learner gets it
(``mlp_core.tools.student.student_version``: solutions replaced by stubs, hidden tests removed, the
outputs of exercise and check cells cleared) and offers those student notebooks for download;
it is built in memory, nothing is written into ``student/`` or ``notebooks/``.
``--instructor`` shows the stored lessons as they are, solutions included.

The pages need no network. Formulas are typeset by MathJax 2, copied into ``_site/mathjax/``
from the Python package jupyter-server-mathjax (only the files the pages use) and loaded with a
relative URL; the CDN scripts nbconvert's lab template links (require.js, mermaid) are left out.
"""

import argparse
import copy
import html
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from mlp_core.tools.student import RegionError, find_lessons, notebook_bytes, student_version

EDITIONS = {"student": "solutions replaced by stubs, student notebooks to download",
            "instructor": "solutions shown, instructor notebooks to download"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# MathJax 2 from the Python package jupyter-server-mathjax, copied into _site/mathjax/. Its
# combined configuration holds the TeX input, the HTML-CSS output and the AMS extensions; the
# course's own configuration (MATHJAX_CONFIG) picks the STIX-Web web fonts the package ships.
MATHJAX_MODULE = "jupyter_server_mathjax"
MATHJAX_PACKAGE = "jupyter-server-mathjax"
MATHJAX_DIR = "mathjax"
MATHJAX_URL = f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe,course"
MATHJAX_FILES = (      # relative to the package's static/ folder; a folder is copied whole
    "LICENSE",
    "MathJax.js",
    "config/TeX-AMS-MML_HTMLorMML-full.js",
    "config/Safe.js",
    "extensions/Safe.js",
    "extensions/HelpDialog.js",      # the menu's "MathJax Help"
    "extensions/FontWarnings.js",    # said when a web font fails to load
    "extensions/TeX/boldsymbol.js",
    "jax/element/mml/optable",
    "jax/output/HTML-CSS",
    "fonts/HTML-CSS/STIX-Web/woff",
)
MATHJAX_CONFIG = """\
MathJax.Hub.Config({
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null},
  TeX: {extensions: ["AMSmath.js", "AMSsymbols.js", "noErrors.js", "noUndefined.js",
                     "boldsymbol.js"]},
  MathMenu: {showLocale: false, showFontMenu: false},
  // The hidden MathML for screen readers would ask for TeX fonts the package does not ship.
  styles: {".MJX_Assistive_MathML [mathvariant], .MJX_Assistive_MathML [class^='MJX-tex']":
           {"font-family": "inherit"}}
});
MathJax.Ajax.loadComplete("[MathJax]/config/course.js");
"""
# nbconvert's lab page without the scripts it would fetch from a CDN: require.js (only widget
# and JavaScript outputs use it; the pages have neither) and mermaid (no diagrams).
PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
NAV_STYLE = """<style>
.course-nav { font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 0 auto;
  padding: 10px 20px; display: flex; justify-content: space-between; gap: 1em;
  border-bottom: 1px solid #ddd; }
.course-nav.bottom { border-top: 1px solid #ddd; border-bottom: none; }
.course-nav a { color: #1f5fa8; text-decoration: none; }
</style>"""


class MissingPackageError(RuntimeError):
    """A package the site needs (MathJax's) is not installed."""


def mathjax_source():
    """The folder of MathJax 2 files the package jupyter-server-mathjax ships (its static/).
    Raises MissingPackageError, saying what to install, when the package is missing."""
    spec = importlib.util.find_spec(MATHJAX_MODULE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        if (Path(folder) / "static" / "MathJax.js").is_file():
            return Path(folder) / "static"
    raise MissingPackageError(
        f"the site's equations need MathJax from the Python package {MATHJAX_PACKAGE}, which "
        f"is {'installed without static/MathJax.js' if folders else 'not installed'}: "
        f"pip install {MATHJAX_PACKAGE} (or pip install -e '.[dev]')")


def check_mathjax(source):
    """``source`` as a Path once it holds every file of MATHJAX_FILES; raises
    MissingPackageError naming the missing ones (an older or newer layout of the package)."""
    source = Path(source)
    missing = [name for name in MATHJAX_FILES if not (source / name).exists()]
    if missing:
        raise MissingPackageError(
            f"{source} lacks {', '.join(missing)}: the site needs the MathJax 2.7 files of "
            f"{MATHJAX_PACKAGE} 0.2.6 or newer (pip install --upgrade {MATHJAX_PACKAGE})")
    return source


def bundle_mathjax(out, source=None):
    """Copy the MathJax files the pages use (MATHJAX_FILES) from ``source`` (default:
    mathjax_source()) into ``out/mathjax/``, replacing what was there, and write the course's
    configuration ``config/course.js``. Returns the number of bytes copied and written.
    Raises MissingPackageError when ``source`` lacks one of the files."""
    source = check_mathjax(source or mathjax_source())
    dest = Path(out) / MATHJAX_DIR
    shutil.rmtree(dest, ignore_errors=True)
    for name in MATHJAX_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, dest / name)
    (dest / "config" / "course.js").write_text(MATHJAX_CONFIG, encoding="utf-8")
    return sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())


def page_exporter(mathjax_url=None):
    """nbconvert's HTMLExporter with the lab template, images embedded, MathJax loaded from
    ``mathjax_url`` (default MATHJAX_URL, relative: the site's own copy) and no script fetched
    from a CDN."""
    mathjax_url = mathjax_url or MATHJAX_URL
    return HTMLExporter(template_name="lab", template_file="course.html.j2",
                        extra_loaders=[DictLoader({"course.html.j2": PAGE_TEMPLATE})],
                        embed_images=True, mathjax_url=mathjax_url)


def edition_copy(nb, path, edition):
    """What the ``edition`` shows of the stored lesson ``nb`` read from ``path``:
    (the notebook to render, the bytes of the notebook to download). Raises RegionError, naming
    the lesson, when its solution delimiters do not pair up (student edition)."""
    if edition == "instructor":
        return nb, Path(path).read_bytes()
    try:
        student, _ = student_version(nb)
    except RegionError as error:
        raise RegionError(f"{path}: {error}") from None
    return student, notebook_bytes(student)


def static_copy(nb):
    """A copy of ``nb`` for a page without a kernel, with the saved widget state dropped. An
    output that shows a widget keeps its picture (a FigureWidget's static PNG) without the
    widget view; one that has no picture, only a widget's text repr (a progress bar's
    "0/30", a bare control), is left out: it would only describe a control that cannot move."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "outputs" not in cell:
            continue
        kept = []
        for out in cell.outputs:
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                if set(data) <= {"text/plain"}:
                    continue
            kept.append(out)
        cell.outputs = kept
    return nb


def _plain(markdown):
    """Markdown inline text as plain text: links, emphasis and code marks removed."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[*_`]", "", text).strip()


def lesson_title(nb, path):
    """The lesson's title from its first ``# `` heading (``00 · Welcome``), else its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return _plain(line[2:])
            break
    return Path(path).stem.replace("_", " ")


def lesson_blurb(nb, limit=220):
    """The first paragraph under the lesson's title, as plain text of at most ``limit``
    characters (for the index page)."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ""
    for paragraph in re.split(r"\n\s*\n", nb.cells[0].source):
        paragraph = paragraph.strip()
        if paragraph and not paragraph.startswith(("#", "|", "-", "*", "$", ">")):
            text = _plain(" ".join(paragraph.split()))
            return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
    return ""


def unexecuted(nb):
    """True when the notebook has code but no stored outputs (it was saved unexecuted)."""
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    return bool(code) and not any(c.get("outputs") for c in code)


def _link_lessons(page, names):
    """Point links to lesson notebooks in ``names`` (stems) at their pages."""
    def repl(match):
        stem, anchor = match.group(1), match.group(2) or ""
        return f'href="{stem}.html{anchor}"' if stem in names else match.group(0)
    return re.sub(r'href="(?:\./)?([0-9][0-9]_[^"/#]+)\.ipynb(#[^"]*)?"', repl, page)


def _nav(prev, nxt, notebook, where):
    """The bar of links above and below a lesson page. prev, nxt: (stem, title) or None."""
    left = (f'<a href="{prev[0]}.html">← {html.escape(prev[1])}</a>' if prev else "<span></span>")
    right = (f'<a href="{nxt[0]}.html">{html.escape(nxt[1])} →</a>' if nxt else "<span></span>")
    middle = (f'<span><a href="index.html">All lessons</a> · '
              f'<a href="notebooks/{notebook}" download>download the notebook</a></span>')
    return f'<nav class="course-nav {where}">{left}{middle}{right}</nav>'


def render_lesson(nb, path, exporter, prev=None, nxt=None, names=()):
    """The HTML page of one stored lesson ``nb`` read from ``path``; prev, nxt: the
    neighbouring lessons as (stem, title) or None; names: the stems of all lesson pages."""
    title = lesson_title(nb, path)
    resources = {"metadata": {"name": title, "path": str(Path(path).parent)}}
    page, _ = exporter.from_notebook_node(static_copy(nb), resources=resources)
    page = _link_lessons(page, set(names))
    top = NAV_STYLE + _nav(prev, nxt, Path(path).name, "top")
    bottom = _nav(prev, nxt, Path(path).name, "bottom")
    page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, page, count=1)
    return page.replace("</body>", bottom + "</body>", 1)


def render_index(lessons, edition="student"):
    """The index page; lessons: list of (stem, title, blurb); edition: "student" or
    "instructor" (said in a line under the introduction)."""
    items = "\n".join(
        f'<li><a href="{stem}.html">{html.escape(title)}</a>'
        + (f"<p>{html.escape(blurb)}</p>" if blurb else "") + "</li>"
        for stem, title, blurb in lessons)
    which = ("<p class=\"edition\">Instructor edition: the solutions are shown.</p>"
             if edition == "instructor" else
             "<p class=\"edition\">The exercises are left for you to solve; the notebooks to "
             "download are the student versions.</p>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backprop from Scratch: the lessons</title>
<style>
body {{ font: 17px/1.55 system-ui, sans-serif; max-width: 760px; margin: 2em auto;
  padding: 0 1em; color: #222; }}
ul {{ list-style: none; padding: 0; }} li {{ margin: 0.9em 0; }}
li p {{ margin: 0.2em 0; color: #555; font-size: 15px; }}
a {{ color: #1f5fa8; }}
</style>
</head>
<body>
<h1>Backprop from Scratch</h1>
<p>How back-propagation trains a multi-layer perceptron, in numpy, one lesson at a time.
These pages show the lessons with the outputs stored in them, figures included; to move the
sliders and run the exercises, open the notebooks in Jupyter (see the course's README).</p>
{which}
<ul class="lessons">
{items}
</ul>
</body>
</html>
"""


def _remove_stale(out):
    """Remove the lesson pages and notebooks of an earlier build from ``out``."""
    for stale in [*out.glob("[0-9][0-9]_*.html"), *(out / "notebooks").glob("[0-9][0-9]_*")]:
        stale.unlink()


def build_site(source="notebooks", out="_site", edition="student", mathjax=None):
    """Write ``out/index.html``, ``out/NN_topic.html`` per lesson, ``out/notebooks/`` and
    ``out/mathjax/`` from the stored lessons in ``source``. edition: "student" (solutions
    replaced by stubs, student notebooks to download) or "instructor" (the lessons as stored);
    mathjax: the folder of MathJax files (default: the package's, see mathjax_source()).
    Returns the list of pages written (index first). Raises FileNotFoundError without lessons,
    MissingPackageError without MathJax, RegionError for unpaired solution delimiters."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}, not {edition!r}")
    lessons = find_lessons(source)
    if not lessons:
        raise FileNotFoundError(f"no lessons in {source}/ (expected NN_topic.ipynb)")
    mathjax = check_mathjax(mathjax or mathjax_source())
    stored = [nbformat.read(p, as_version=4) for p in lessons]
    shown = [edition_copy(nb, p, edition) for nb, p in zip(stored, lessons)]
    out = Path(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    bundle_mathjax(out, mathjax)
    titles = [lesson_title(nb, p) for (nb, _), p in zip(shown, lessons)]
    stems = [p.stem for p in lessons]
    exporter = page_exporter()
    pages = [out / "index.html"]
    for i, ((nb, download), path) in enumerate(zip(shown, lessons)):
        if unexecuted(stored[i]):
            print(f"warning: {path} has no stored outputs; run `make notebooks` first",
                  file=sys.stderr)
        prev = (stems[i - 1], titles[i - 1]) if i > 0 else None
        nxt = (stems[i + 1], titles[i + 1]) if i + 1 < len(lessons) else None
        page = out / f"{path.stem}.html"
        page.write_text(render_lesson(nb, path, exporter, prev, nxt, stems), encoding="utf-8")
        (out / "notebooks" / path.name).write_bytes(download)
        pages.append(page)
    index = [(s, t, lesson_blurb(nb)) for s, t, (nb, _) in zip(stems, titles, shown)]
    pages[0].write_text(render_index(index, edition), encoding="utf-8")
    (out / ".nojekyll").touch()   # GitHub Pages: serve the files as they are
    return pages


def main(argv=None):
    """Command line: ``python -m mlp_core.tools.site [--instructor] [--source DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m mlp_core.tools.site",
                                     description="Build a static site of the stored lessons.")
    parser.add_argument("--source", default="notebooks", help="stored lessons (notebooks)")
    parser.add_argument("--out", default="_site", help="where to write the site (_site)")
    parser.add_argument("--instructor", action="store_true",
                        help="the instructor edition: solutions shown (default: student edition)")
    args = parser.parse_args(argv)
    edition = "instructor" if args.instructor else "student"
    try:
        pages = build_site(args.source, args.out, edition)
    except (FileNotFoundError, MissingPackageError, RegionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(pages) - 1} lesson pages and {pages[0]}: the {edition} edition "
          f"({EDITIONS[edition]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
