"""Student versions: solutions replaced by nbgrader's stub, hidden tests gone, a learner's edits
never overwritten, and every exercise of every lesson rehearsed in a real kernel, first left
empty (its check says "not done yet") and then filled with the instructor's answer (✓)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from mlp_core.student import (
    CODE_STUB,
    LESSON_GLOB,
    MANIFEST,
    MARKDOWN_STUB,
    RegionError,
    StudentWriter,
    is_check_cell,
    notebook_bytes,
    strip_regions,
    student_version,
    write_student_versions,
)

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob(LESSON_GLOB))
CELL_TIMEOUT = 120   # seconds; a lesson runs in under 15 s
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# --- one cell ----------------------------------------------------------------------------------

SOLVED = '''def sigmoid(z):
    """σ(z), elementwise; z any shape."""
    ### BEGIN SOLUTION
    z = np.clip(z, -500, 500)
    return 1 / (1 + np.exp(-z))
    ### END SOLUTION
'''


def test_solution_region_becomes_the_nbgrader_stub_at_its_indentation():
    source, solutions, hidden = strip_regions(SOLVED)
    assert source == ('def sigmoid(z):\n    """σ(z), elementwise; z any shape."""\n'
                      "    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    assert (solutions, hidden) == (1, 0)
    compile(source, "<cell>", "exec")          # the cell still runs: the stub is in the body


def test_every_region_of_a_cell_is_replaced_and_nothing_else_changes():
    source = ("import numpy as np\n\n"
              "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\n"
              "class A:\n    def g(self):\n        ### BEGIN SOLUTION\n        return 3\n"
              "        ### END SOLUTION\n\nprint('kept')")
    new, solutions, _ = strip_regions(source)
    assert solutions == 2
    assert new == ("import numpy as np\n\n"
                   "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n"
                   "class A:\n    def g(self):\n        # YOUR CODE HERE\n"
                   "        raise NotImplementedError()\n\nprint('kept')")
    assert "return" not in new


def test_hidden_tests_are_removed_with_their_delimiters():
    source = "x = 1\n### BEGIN HIDDEN TESTS\nassert secret() == 42\n### END HIDDEN TESTS\ny = 2\n"
    assert strip_regions(source) == ("x = 1\ny = 2\n", 0, 1)
    assert strip_regions(source, keep_solutions=True)[0] == "x = 1\ny = 2\n"


def test_keep_solutions_leaves_the_answer_in_place():
    assert strip_regions(SOLVED, keep_solutions=True) == (SOLVED, 1, 0)


def test_markdown_answers_get_nbgrader_markdown_stub():
    source = "Why?\n### BEGIN SOLUTION\nBecause σ' ≤ 1/4.\n### END SOLUTION"
    assert strip_regions(source, MARKDOWN_STUB)[0] == "Why?\nYOUR ANSWER HERE"


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1\n", "not closed"),
    ("x = 1\n### END SOLUTION\n", "without its BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION\n",
     "inside"),
    ("### BEGIN HIDDEN TESTS\nx = 1\n### END SOLUTION\n", "without its BEGIN"),
])
def test_unpaired_delimiters_are_an_error_not_a_leak(source, problem):
    with pytest.raises(RegionError, match=problem):
        strip_regions(source)


# --- one notebook ------------------------------------------------------------------------------

def small_lesson(check="checks.check_close('double(3)', checks.attempt(double, 3.0), 6.0)"):
    """A lesson in miniature, stored executed: an exercise, its check, a hidden test."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    cells = [
        nbformat.v4.new_markdown_cell("# 99 · Doubling\n**Goals** ... **Prerequisites** ..."),
        nbformat.v4.new_code_cell("import numpy as np\nfrom mlp_core import checks"),
        nbformat.v4.new_code_cell('def double(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n'
                                  "    answer = 2 * x\n    print('solution ran')\n"
                                  "    return answer\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell(check),
        nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert double(21) == 42\n"
                                  "### END HIDDEN TESTS"),
        nbformat.v4.new_code_cell("print('figure cell')"),
    ]
    stored = {2: "solution ran\n", 3: "✓ double(3) is right (relative error < 1e-15)\n",
              5: "figure cell\n"}
    for i, text in stored.items():
        cells[i].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    for n, cell in enumerate(c for c in cells if c.cell_type == "code"):
        cell.execution_count = n + 1
    nb.cells = cells
    return nb


def test_student_version_clears_exercise_and_check_outputs_only():
    instructor = small_lesson()
    student, exercises = student_version(instructor)
    assert exercises == [2]
    assert student.cells[2].source.endswith("    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert [c.get("outputs") for c in student.cells[2:5]] == [[], [], []]
    assert [c.get("execution_count") for c in student.cells[2:5]] == [None, None, None]
    assert student.cells[4].source == ""
    assert student.cells[5].outputs[0].text == "figure cell\n"   # teaching outputs stay
    text = notebook_bytes(student).decode()
    for secret in ("2 * x", "solution ran", "✓", "double(21)", "SOLUTION", "HIDDEN"):
        assert secret not in text
    assert instructor.cells[2].outputs, "the instructor's notebook is left as it was"


def test_check_cells_are_found_by_their_attempt_call():
    cell = nbformat.v4.new_code_cell
    assert is_check_cell(cell("check_sigmoid(attempt_watched(sigmoid, z), z)"))
    assert is_check_cell(cell("checks.check_close('a', checks.attempt(f, 1), 2)"))
    assert not is_check_cell(cell("net = MLP([2, 3, 1], seed=0)"))
    assert not is_check_cell(nbformat.v4.new_markdown_cell("checks.attempt(f)"))


# --- writing without overwriting a learner's work ----------------------------------------------

@pytest.fixture
def course(tmp_path):
    """A course folder with two small lessons in notebooks/ and no student/ yet."""
    (tmp_path / "notebooks").mkdir()
    for name in ("01_double.ipynb", "02_again.ipynb"):
        nbformat.write(small_lesson(), tmp_path / "notebooks" / name)
    nbformat.write(small_lesson(), tmp_path / "notebooks" / "scratch.ipynb")   # not a lesson
    return tmp_path


def write(course):
    return write_student_versions(course / "notebooks", course / "student")


def test_writes_every_lesson_and_records_what_it_wrote(course):
    results = write(course)
    assert [(r.path.name, r.status) for r in results] == [("01_double.ipynb", "new"),
                                                          ("02_again.ipynb", "new")]
    manifest = json.loads((course / "student" / MANIFEST).read_text())
    assert set(manifest) == {"01_double.ipynb", "02_again.ipynb"}
    assert not (course / "student" / "scratch.ipynb").exists()
    assert [r.status for r in write(course)] == ["unchanged", "unchanged"]


def test_a_new_lesson_appears_on_the_next_run(course):
    write(course)
    nbformat.write(small_lesson(), course / "notebooks" / "03_more.ipynb")
    assert [r.status for r in write(course)] == ["unchanged", "unchanged", "new"]


def test_an_untouched_student_file_is_updated(course):
    write(course)
    lesson = nbformat.read(course / "notebooks" / "01_double.ipynb", as_version=4)
    lesson.cells[5].source = "print('a better figure')"
    nbformat.write(lesson, course / "notebooks" / "01_double.ipynb")
    results = write(course)
    assert [r.status for r in results] == ["updated", "unchanged"]
    assert "a better figure" in (course / "student" / "01_double.ipynb").read_text()


def test_a_learners_changes_are_kept_and_the_new_version_goes_beside(course, capsys):
    from mlp_core.student import main
    write(course)
    mine = course / "student" / "01_double.ipynb"
    work = nbformat.read(mine, as_version=4)
    work.cells[2].source = work.cells[2].source.replace("raise NotImplementedError()",
                                                        "return x + x  # my answer")
    nbformat.write(work, mine)
    before = mine.read_bytes()
    lesson = nbformat.read(course / "notebooks" / "01_double.ipynb", as_version=4)
    lesson.cells[0].source += "\nA clearer introduction."
    nbformat.write(lesson, course / "notebooks" / "01_double.ipynb")

    assert main(["--source", str(course / "notebooks"), "--dest", str(course / "student")]) == 0
    out = capsys.readouterr().out
    assert mine.read_bytes() == before, "the learner's file must not change"
    beside = course / "student" / "01_double.new.ipynb"
    assert "A clearer introduction." in beside.read_text()
    assert f"kept {mine}" in out and str(beside) in out and "1 of yours kept" in out

    # Run again: the learner's file is still kept; the copy beside it is ours to refresh.
    lesson.cells[0].source += " Even clearer."
    nbformat.write(lesson, course / "notebooks" / "01_double.ipynb")
    results = write(course)
    assert (results[0].status, results[0].path) == ("kept", beside)
    assert "Even clearer." in beside.read_text() and mine.read_bytes() == before


def test_a_file_the_tool_never_wrote_is_kept(tmp_path):
    (tmp_path / "student").mkdir()
    theirs = tmp_path / "student" / "01_double.ipynb"
    theirs.write_text("{}")
    writer = StudentWriter(tmp_path / "student")
    result = writer.write(Path("01_double.ipynb"), notebook_bytes(small_lesson()))
    assert result.status == "kept" and theirs.read_text() == "{}"


def test_command_line_runs_as_a_module(course):
    done = subprocess.run([sys.executable, "-m", "mlp_core.student", "--source", "notebooks",
                           "--dest", "student"], cwd=course, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "new       student/01_double.ipynb" in done.stdout
    assert "2 student notebooks in student/" in done.stdout
    student = nbformat.read(course / "student" / "02_again.ipynb", as_version=4)
    nbformat.validate(student)


def test_command_line_names_a_broken_lesson(course):
    bad = small_lesson()
    bad.cells[2].source = bad.cells[2].source.replace("    ### END SOLUTION", "")
    nbformat.write(bad, course / "notebooks" / "02_again.ipynb")
    done = subprocess.run([sys.executable, "-m", "mlp_core.student", "--source", "notebooks",
                           "--dest", "student"], cwd=course, capture_output=True, text=True)
    assert done.returncode == 1
    assert "02_again.ipynb: cell 2: a solution region is not closed" in done.stderr


# --- rehearsing exercises in a kernel ----------------------------------------------------------

def cell_text(cell):
    """What a cell printed: its streams and the plain text of its results."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)


def checks_of(nb, exercises):
    """{exercise cell index: indices of the check cells that grade it} — the check cells from
    the exercise up to the next exercise."""
    bounds = exercises + [len(nb.cells)]
    return {e: [i for i in range(e, bounds[k + 1]) if is_check_cell(nb.cells[i])]
            for k, e in enumerate(exercises)}


def run(client, nb, stop):
    """Execute nb's code cells [0, stop) in the client's kernel. A cell marked
    NBVAL_RAISES_EXCEPTION may raise; any other error is returned as (index, message)."""
    for index, cell in enumerate(nb.cells[:stop]):
        if cell.cell_type != "code":
            continue
        if "NBVAL_RAISES_EXCEPTION" in cell.source:
            cell.metadata.setdefault("tags", []).append("raises-exception")
        try:
            client.execute_cell(cell, index)
        except CellExecutionError as error:
            return index, ANSI.sub("", str(error)).strip().splitlines()[-1]
    return None


def rehearse(instructor, workdir):
    """Run a lesson's student version top to bottom, then (same kernel, namespace reset) the
    version with the instructor's answers filled in, up to its last check cell.

    Returns a list of problems, empty when every exercise behaves."""
    student, exercises = student_version(instructor)
    filled, _ = student_version(instructor, keep_solutions=True)
    graded = checks_of(student, [e for e in exercises if student.cells[e].cell_type == "code"])
    problems = [f"exercise in cell {e} has no check cell calling checks.attempt after it"
                for e, found in graded.items() if not found]
    last_check = max((i for found in graded.values() for i in found), default=-1)
    client = NotebookClient(student, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    with client.setup_kernel():
        failed = run(client, student, len(student.cells))
        if failed:
            return problems + [f"student version, exercises empty: cell {failed[0]} raised "
                               f"{failed[1]}"]
        client.execute_cell(nbformat.v4.new_code_cell("%reset -f"), 0, store_history=False)
        client.nb = filled          # nbclient files outputs under client.nb's cells
        failed = run(client, filled, last_check + 1)
        if failed:
            return problems + [f"instructor's answers filled in: cell {failed[0]} raised "
                               f"{failed[1]}"]
    for exercise, found in graded.items():
        for i in found:
            empty, solved = cell_text(student.cells[i]), cell_text(filled.cells[i])
            if "not done yet" not in empty or "✓" in empty:
                problems.append(f"check cell {i} (exercise in cell {exercise}) with the "
                                f"exercise empty printed {empty!r}, not 'not done yet'")
            if "✓" not in solved or "✗" in solved or "not done yet" in solved:
                problems.append(f"check cell {i} (exercise in cell {exercise}) with the "
                                f"instructor's answer printed {solved!r}, not ✓")
    return problems


@pytest.fixture
def kernel_env(monkeypatch):
    """Kernels draw inline as in Jupyter, not with the Agg backend the unit tests set."""
    monkeypatch.delenv("MPLBACKEND", raising=False)


def test_rehearsal_passes_a_well_made_exercise(kernel_env, tmp_path):
    lesson = small_lesson()
    lesson.cells.append(nbformat.v4.new_markdown_cell(
        "Why twice?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"))   # needs no check
    assert rehearse(lesson, tmp_path) == []


def test_rehearsal_catches_a_check_that_calls_the_exercise_directly(kernel_env, tmp_path):
    lesson = small_lesson(check="checks.check_close('double(3)', double(3.0), 6.0)")
    problems = rehearse(lesson, tmp_path)
    assert problems[0] == ("exercise in cell 2 has no check cell calling checks.attempt after it")
    assert problems[1] == ("student version, exercises empty: cell 3 raised "
                           "NotImplementedError:")


def test_rehearsal_catches_a_check_that_passes_without_an_answer(kernel_env, tmp_path):
    lesson = small_lesson(check="checks.attempt(double, 3.0)\n"
                                "checks.check_close('six', 6.0, 6.0)")
    problems = rehearse(lesson, tmp_path)
    assert len(problems) == 1 and "with the exercise empty printed '✓ six" in problems[0]


def lesson_id(path):
    return path.name


def solution_bodies(source):
    """The text between each BEGIN SOLUTION and END SOLUTION line of a cell."""
    return re.findall(r"BEGIN SOLUTION[^\n]*\n(.*?)\n[ \t]*#+[ \t]*END SOLUTION", source,
                      flags=re.S)


@pytest.mark.parametrize("path", LESSONS, ids=lesson_id)
def test_student_version_of_lesson_leaks_no_solution(path):
    instructor = nbformat.read(path, as_version=4)
    student, exercises = student_version(instructor)
    text = notebook_bytes(student).decode()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    sources = "\n".join(cell.source for cell in student.cells)
    for index in exercises:
        if student.cells[index].cell_type == "markdown":
            assert MARKDOWN_STUB[0] in student.cells[index].source
            continue
        assert student.cells[index].get("outputs", []) == []
        assert CODE_STUB[1] in student.cells[index].source
        compile(student.cells[index].source, f"{path.name} cell {index}", "exec")
        for body in solution_bodies(instructor.cells[index].source):
            if body.count("\n") >= 1:      # a one-line answer may also be taught in the text
                assert body not in sources, f"cell {index}'s solution is in the student file"


EXERCISED = [p for p in LESSONS if student_version(nbformat.read(p, as_version=4))[1]]


@pytest.mark.parametrize("path", EXERCISED, ids=lesson_id)
def test_every_exercise_of_lesson_says_not_done_yet_then_passes(path, kernel_env, tmp_path):
    problems = rehearse(nbformat.read(path, as_version=4), tmp_path)
    assert not problems, "\n".join(problems)
