"""The static site: one page per stored lesson with every figure it stores (widgets' static
PNGs included), an index linking them, links between lessons pointing at pages; the student
edition by default (no solution on a page or in a notebook to download), the instructor edition
on request; only true lesson files; MathJax bundled from jupyter-server-mathjax.

The repository's lessons are built once (student edition) for the module; the other tests build
small sites of their own."""

import html
import importlib.machinery
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlp_core.tools import site as site_module
from mlp_core.tools.site import (
    MATHJAX_DIR,
    MATHJAX_PACKAGE,
    WIDGET_VIEW,
    MissingPackageError,
    build_site,
    lesson_title,
    main,
    mathjax_source,
    static_copy,
)
from mlp_core.tools.student import find_lessons, notebook_bytes, student_version

ROOT = Path(__file__).resolve().parents[1]
LESSONS = find_lessons(ROOT / "notebooks")
PNG = re.compile(r'<img[^>]*src="data:image/png;base64,([^"]+)"')
BEGIN_SOLUTION = re.compile(r"^\s*#+\s*BEGIN SOLUTION\s*$")
END_SOLUTION = re.compile(r"^\s*#+\s*END SOLUTION\s*$")
STUB = "raise NotImplementedError()"


def stored_pngs(nb):
    """The base64 PNGs a notebook stores in its outputs, widget cells' static PNGs included."""
    return [out.data["image/png"].replace("\n", "")
            for cell in nb.cells for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})]


def notebook_text(nb):
    """Every cell's source and every stored output's text, one string."""
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(value) for value in out.get("data", {}).values())
    return "\n".join(parts)


def page_text(page):
    """An HTML page's text: tags removed (code highlighting splits lines into spans), entities
    decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def solution_lines(nb):
    """The lines of the notebook's ``### BEGIN SOLUTION`` regions (stripped, 12 characters or
    more) that its student version does not contain elsewhere: what only a solution shows."""
    lines, inside = set(), False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if BEGIN_SOLUTION.match(line) or END_SOLUTION.match(line):
                inside = bool(BEGIN_SOLUTION.match(line))
            elif inside and len(line.strip()) >= 12:
                lines.add(line.strip())
        inside = False
    student = notebook_text(student_version(nb)[0])
    return sorted(line for line in lines if line not in student)


def read(path):
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site of the repository's lessons (the default, student edition), built once into a
    temporary folder."""
    out = tmp_path_factory.mktemp("site")
    build_site(ROOT / "notebooks", out)
    return out


def test_index_links_every_lesson(site):
    index = (site / "index.html").read_text()
    for path in LESSONS:
        title = lesson_title(read(path), path)
        assert f'<a href="{path.stem}.html">' in index
        assert title.split(" · ")[-1] in index
    assert len(re.findall(r'<li><a href="[0-9][0-9]_', index)) == len(LESSONS)
    assert "student versions" in index


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_page_shows_its_figures_without_a_kernel(site, path):
    nb = read(path)
    student = student_version(nb)[0]
    page = (site / f"{path.stem}.html").read_text()
    assert f"<title>{lesson_title(nb, path)}</title>" in page
    shown = PNG.findall(page)
    expected = stored_pngs(student)
    assert expected, f"{path.name} stores no figure outside its exercises"
    assert len(shown) >= len(expected)
    for i, png in enumerate(expected):
        assert png in shown, f"figure {i} of {path.name} is missing from its page"
    assert WIDGET_VIEW not in page and "html-manager" not in page
    for stem in re.findall(r"\]\(([0-9][0-9]_[\w-]+)\.ipynb", "".join(
            c.source for c in nb.cells if c.cell_type == "markdown")):
        if (ROOT / "notebooks" / f"{stem}.ipynb").exists():
            assert f'href="{stem}.html"' in page and f'href="{stem}.ipynb"' not in page
    assert (site / "notebooks" / path.name).read_bytes() == notebook_bytes(student)


def test_the_lessons_have_solutions_to_hide():
    """The premise of the student-edition tests below: the lessons hold solution regions with
    lines that only a solution shows."""
    with_solutions = [p for p in LESSONS if solution_lines(read(p))]
    assert len(with_solutions) >= len(LESSONS) // 2, with_solutions
    assert sum(len(solution_lines(read(p))) for p in with_solutions) >= 20


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_student_edition_shows_no_solution(site, path):
    secret = solution_lines(read(path))
    text = page_text((site / f"{path.stem}.html").read_text())
    download = (site / "notebooks" / path.name).read_bytes()
    downloaded = notebook_text(nbformat.reads(download.decode(), as_version=4))
    for where, shown in (("page", text), ("download", downloaded)):
        assert "BEGIN SOLUTION" not in shown and "BEGIN HIDDEN TESTS" not in shown, where
        leaked = [line for line in secret if line in shown]
        assert not leaked, f"{path.name}: the {where} shows solution lines {leaked[:3]}"
    if secret:
        assert STUB in text and STUB in downloaded, "the exercises show their stubs"


def test_instructor_edition_shows_the_solutions(tmp_path, capsys):
    lesson = min((p for p in LESSONS if solution_lines(read(p))), key=lambda p: p.stat().st_size)
    src, out = tmp_path / "notebooks", tmp_path / "_site"
    src.mkdir()
    shutil.copyfile(lesson, src / lesson.name)
    assert main(["--instructor", "--source", str(src), "--out", str(out)]) == 0
    assert "the instructor edition" in capsys.readouterr().out
    text = page_text((out / f"{lesson.stem}.html").read_text())
    assert "### BEGIN SOLUTION" in text
    for line in solution_lines(read(lesson)):
        assert line in text
    assert (out / "notebooks" / lesson.name).read_bytes() == lesson.read_bytes()
    assert "Instructor edition" in (out / "index.html").read_text()


def test_unpaired_solution_delimiters_are_named(tmp_path, capsys):
    src = tmp_path / "notebooks"
    src.mkdir()
    nb = tiny_lesson("01", "One")
    nb.cells.append(nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42"))
    nbformat.write(nb, src / "01_one.ipynb")
    assert main(["--source", str(src), "--out", str(tmp_path / "_site")]) == 1
    assert "01_one.ipynb: cell 2:" in capsys.readouterr().err
    assert main(["--instructor", "--source", str(src), "--out", str(tmp_path / "_site")]) == 0


def test_kept_copies_and_backups_are_never_rendered_or_copied(tmp_path, capsys):
    src, out = tmp_path / "student", tmp_path / "_site"     # as with --source student
    src.mkdir()
    nbformat.write(tiny_lesson("01", "One"), src / "01_one.ipynb")
    for extra in ["01_one.new.ipynb", "01_one.new2.ipynb",
                  "01_one.backup-20261202T101500.ipynb"]:
        nbformat.write(tiny_lesson("01", "One changed"), src / extra)
    (src / "02_folder.ipynb").mkdir()
    assert main(["--source", str(src), "--out", str(out)]) == 0
    assert "wrote 1 lesson pages" in capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.html")) == ["01_one.html", "index.html"]
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["01_one.ipynb"]
    index = (out / "index.html").read_text()
    assert index.count('<li><a href="01_one.html">') == 1 and "One changed" not in index


def test_pages_load_the_bundled_mathjax_and_nothing_from_a_cdn(site):
    assert (site / MATHJAX_DIR / "MathJax.js").is_file()
    assert (site / MATHJAX_DIR / "config" / "course.js").is_file()
    size = sum(p.stat().st_size for p in (site / MATHJAX_DIR).rglob("*") if p.is_file())
    assert size < 3_000_000, f"the bundled MathJax takes {size} bytes"
    for path in LESSONS:
        page = (site / f"{path.stem}.html").read_text()
        urls = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]+)"', page)
        assert urls, f"{path.name} loads no script"
        for url in urls:
            if url.startswith("data:"):
                continue
            assert "://" not in url and not url.startswith("//"), f"{path.name} loads {url}"
            assert (site / url.split("?")[0]).is_file(), f"{path.name}: {url} is missing"
        assert f'src="{MATHJAX_DIR}/MathJax.js?config=' in page
        assert "cdnjs" not in page and "require.js" not in page and "mermaid" not in page


def test_a_missing_mathjax_package_says_what_to_install(tmp_path, monkeypatch, capsys):
    src, out = tmp_path / "notebooks", tmp_path / "_site"
    src.mkdir()
    nbformat.write(tiny_lesson("01", "One"), src / "01_one.ipynb")
    monkeypatch.setitem(sys.modules, site_module.MATHJAX_MODULE, None)   # import fails
    with pytest.raises(MissingPackageError, match=f"pip install {MATHJAX_PACKAGE}"):
        mathjax_source()
    assert main(["--source", str(src), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert f"Python package {MATHJAX_PACKAGE}, which is not installed" in error
    assert not out.exists(), "nothing is written without MathJax"


def test_a_mathjax_package_without_its_files_is_named(tmp_path, monkeypatch):
    empty = tmp_path / "jupyter_server_mathjax"
    (empty / "static").mkdir(parents=True)
    spec = importlib.machinery.ModuleSpec(site_module.MATHJAX_MODULE, None, is_package=True)
    spec.submodule_search_locations = [str(empty)]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(MissingPackageError, match="without static/MathJax.js"):
        mathjax_source()
    (empty / "static" / "MathJax.js").write_text("")
    with pytest.raises(MissingPackageError, match="lacks .*config/TeX-AMS-MML_HTMLorMML-full"):
        build_site(ROOT / "notebooks", tmp_path / "_site")
    assert not (tmp_path / "_site").exists()


def tiny_lesson(number, title, executed=True, link_to=None):
    """A stored lesson in miniature whose one output is a widget's (view, PNG, text)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {
        "state": {"abc": {"model_name": "VBoxModel"}}, "version_major": 2, "version_minor": 0}}
    text = f"# {number} · {title}\n\nWhat *this* lesson is about.\n"
    if link_to:
        text += f"\n[Next: {link_to}]({link_to}.ipynb) and [the same](./{link_to}.ipynb#top)"
    cell = nbformat.v4.new_code_cell("Slider()", execution_count=1)
    if executed:
        cell.outputs = [nbformat.v4.new_output(
            "execute_result", execution_count=1,
            data={WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                  "image/png": f"iVBORw0KGgo{number}AAAA", "text/plain": "Slider: w = 1.0"})]
    nb.cells = [nbformat.v4.new_markdown_cell(text), cell]
    return nb


def test_static_copy_keeps_the_png_and_drops_the_live_widget():
    nb = tiny_lesson("01", "One")
    progress_bar = nbformat.v4.new_output("display_data", data={
        WIDGET_VIEW: {"model_id": "def", "version_major": 2, "version_minor": 0},
        "text/plain": "training:   0%|          | 0/30"})
    printed = nbformat.v4.new_output("stream", name="stdout", text="test accuracy 97.5%\n")
    nb.cells[1].outputs += [progress_bar, printed]
    copy = static_copy(nb)
    assert "widgets" not in copy.metadata
    assert [set(out.get("data", {})) for out in copy.cells[1].outputs] == [
        {"image/png", "text/plain"}, set()]
    assert copy.cells[1].outputs[1].text == "test accuracy 97.5%\n"
    assert WIDGET_VIEW in nb.cells[1].outputs[0].data, "the stored lesson is left as it was"
    assert len(nb.cells[1].outputs) == 3


def test_pages_link_to_each_other_and_stale_pages_go(tmp_path, capsys):
    src, out = tmp_path / "notebooks", tmp_path / "_site"
    src.mkdir()
    nbformat.write(tiny_lesson("01", "One", link_to="02_two"), src / "01_one.ipynb")
    nbformat.write(tiny_lesson("02", "Two", executed=False, link_to="03_missing"),
                   src / "02_two.ipynb")
    nbformat.write(tiny_lesson("03", "Three"), src / "03_three.ipynb")
    build_site(src, out)
    assert "02_two.ipynb has no stored outputs" in capsys.readouterr().err
    one, two = (out / "01_one.html").read_text(), (out / "02_two.html").read_text()
    assert 'href="02_two.html"' in one and 'href="02_two.html#top"' in one
    assert 'href="03_missing.ipynb"' in two, "a link to a lesson that does not exist stays"
    assert 'src="data:image/png;base64,iVBORw0KGgo01AAAA"' in one
    assert 'src="data:image/png;base64,' not in two
    assert "All lessons" in one and "Two →" in one and "← 01 · One" in two
    (src / "03_three.ipynb").unlink()
    build_site(src, out)
    assert not (out / "03_three.html").exists()
    assert not (out / "notebooks" / "03_three.ipynb").exists()
    assert '"03_three.html"' not in (out / "index.html").read_text()


def test_command_line(tmp_path, capsys):
    (tmp_path / "notebooks").mkdir()
    nbformat.write(tiny_lesson("00", "Hello"), tmp_path / "notebooks" / "00_hello.ipynb")
    done = subprocess.run([sys.executable, "-m", "mlp_core.tools.site"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "wrote 1 lesson pages" in done.stdout and "the student edition" in done.stdout
    assert (tmp_path / "_site" / "00_hello.html").exists()
    assert (tmp_path / "_site" / MATHJAX_DIR / "MathJax.js").exists()
    assert main(["--source", str(tmp_path / "empty"), "--out", str(tmp_path / "x")]) == 1
    assert "no lessons in" in capsys.readouterr().err
