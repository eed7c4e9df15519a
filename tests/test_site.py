"""The static site: one page per stored lesson with every figure it stores (widgets' static
PNGs included), an index linking them, links between lessons pointing at pages."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlp_core.site import LESSON_GLOB, WIDGET_VIEW, build_site, lesson_title, static_copy

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob(LESSON_GLOB))
PNG = re.compile(r'<img[^>]*src="data:image/png;base64,([^"]+)"')


def stored_pngs(nb):
    """The base64 PNGs a notebook stores in its outputs, widget cells' static PNGs included."""
    return [out.data["image/png"].replace("\n", "")
            for cell in nb.cells for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site of the repository's lessons, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    build_site(ROOT / "notebooks", out)
    return out


def test_index_links_every_lesson(site):
    index = (site / "index.html").read_text()
    for path in LESSONS:
        title = lesson_title(nbformat.read(path, as_version=4), path)
        assert f'<a href="{path.stem}.html">' in index
        assert title.split(" · ")[-1] in index
    assert len(re.findall(r'<li><a href="[0-9][0-9]_', index)) == len(LESSONS)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_page_shows_its_figures_without_a_kernel(site, path):
    nb = nbformat.read(path, as_version=4)
    page = (site / f"{path.stem}.html").read_text()
    assert f"<title>{lesson_title(nb, path)}</title>" in page
    shown = PNG.findall(page)
    expected = stored_pngs(nb)
    assert expected, f"{path.name} stores no figure"
    assert len(shown) >= len(expected)
    for i, png in enumerate(expected):
        assert png in shown, f"figure {i} of {path.name} is missing from its page"
    assert WIDGET_VIEW not in page and "html-manager" not in page
    for stem in re.findall(r"\]\(([0-9][0-9]_[\w-]+)\.ipynb", "".join(
            c.source for c in nb.cells if c.cell_type == "markdown")):
        if (ROOT / "notebooks" / f"{stem}.ipynb").exists():
            assert f'href="{stem}.html"' in page and f'href="{stem}.ipynb"' not in page
    assert (site / "notebooks" / path.name).read_bytes() == path.read_bytes()


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
    from mlp_core.site import main
    (tmp_path / "notebooks").mkdir()
    nbformat.write(tiny_lesson("00", "Hello"), tmp_path / "notebooks" / "00_hello.ipynb")
    done = subprocess.run([sys.executable, "-m", "mlp_core.site"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "wrote 1 lesson pages" in done.stdout
    assert (tmp_path / "_site" / "00_hello.html").exists()
    assert main(["--source", str(tmp_path / "empty"), "--out", str(tmp_path / "x")]) == 1
    assert "no lessons in" in capsys.readouterr().err
