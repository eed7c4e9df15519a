"""A static site of the executed lessons, for reading without a kernel.

``python -m mlp_core.site`` (``make html``) converts every stored lesson
``notebooks/NN_*.ipynb`` with nbconvert's ``HTMLExporter`` into ``_site/NN_*.html``, with an
``index.html`` listing them and a copy of each notebook to download. Nothing is re-executed: the
pages show the outputs stored in the notebooks.

A widget cell's stored output carries a live-widget view, a static PNG of its figure and a line
of text (see ``widgets.base.FigureWidget``). Without a kernel the widget cannot move, so the page
shows the PNG: the widget views and the notebook's saved widget state are dropped before
conversion (they would otherwise load a widget renderer from a CDN and draw dead controls), and
widget outputs without a picture (a progress bar) are left out.
Links between lessons (``02_shapes.ipynb``) are pointed at their pages (``02_shapes.html``).
"""

import argparse
import copy
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from mlp_core.student import LESSON_GLOB, find_lessons

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NAV_STYLE = """<style>
.course-nav { font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 0 auto;
  padding: 10px 20px; display: flex; justify-content: space-between; gap: 1em;
  border-bottom: 1px solid #ddd; }
.course-nav.bottom { border-top: 1px solid #ddd; border-bottom: none; }
.course-nav a { color: #1f5fa8; text-decoration: none; }
</style>"""


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


def render_index(lessons):
    """The index page; lessons: list of (stem, title, blurb)."""
    items = "\n".join(
        f'<li><a href="{stem}.html">{html.escape(title)}</a>'
        + (f"<p>{html.escape(blurb)}</p>" if blurb else "") + "</li>"
        for stem, title, blurb in lessons)
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
These pages show the lessons as stored, with their figures; to move the sliders and run
the exercises, open the notebooks in Jupyter (see the course's README).</p>
<ul class="lessons">
{items}
</ul>
</body>
</html>
"""


def build_site(source="notebooks", out="_site"):
    """Write ``out/index.html``, ``out/NN_topic.html`` per lesson and ``out/notebooks/`` from
    the stored lessons in ``source``. Returns the list of pages written (index first)."""
    lessons = find_lessons(source)
    if not lessons:
        raise FileNotFoundError(f"no lessons in {source}/ (expected {LESSON_GLOB})")
    out = Path(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("[0-9][0-9]_*.html"), *(out / "notebooks").glob(LESSON_GLOB)]:
        stale.unlink()
    notebooks = [nbformat.read(p, as_version=4) for p in lessons]
    titles = [lesson_title(nb, p) for nb, p in zip(notebooks, lessons)]
    stems = [p.stem for p in lessons]
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    pages = [out / "index.html"]
    for i, (nb, path) in enumerate(zip(notebooks, lessons)):
        if unexecuted(nb):
            print(f"warning: {path} has no stored outputs; run `make notebooks` first",
                  file=sys.stderr)
        prev = (stems[i - 1], titles[i - 1]) if i > 0 else None
        nxt = (stems[i + 1], titles[i + 1]) if i + 1 < len(lessons) else None
        page = out / f"{path.stem}.html"
        page.write_text(render_lesson(nb, path, exporter, prev, nxt, stems), encoding="utf-8")
        shutil.copyfile(path, out / "notebooks" / path.name)
        pages.append(page)
    index = [(s, t, lesson_blurb(nb)) for s, t, nb in zip(stems, titles, notebooks)]
    pages[0].write_text(render_index(index), encoding="utf-8")
    (out / ".nojekyll").touch()   # GitHub Pages: serve the files as they are
    return pages


def main(argv=None):
    """Command line: ``python -m mlp_core.site [--source DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m mlp_core.site",
                                     description="Build a static site of the stored lessons.")
    parser.add_argument("--source", default="notebooks", help="stored lessons (notebooks)")
    parser.add_argument("--out", default="_site", help="where to write the site (_site)")
    args = parser.parse_args(argv)
    try:
        pages = build_site(args.source, args.out)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(pages) - 1} lesson pages and {pages[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
