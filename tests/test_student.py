"""Student versions: solutions replaced by nbgrader's stub, hidden tests gone, a learner's edits
never overwritten (compared by what they wrote, not by bytes), hand-outs that refuse to
overwrite a changed file, and every exercise of every lesson an nbgrader solution cell with its
check after it (tests/test_nbgrader.py runs them, blank, wrong and right, through nbgrader)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from mlp_core.tools.student import (
    BACKUP_DIR,
    CODE_STUB,
    HANDOUT_MANIFEST,
    MANIFEST,
    MARKDOWN_STUB,
    HandoutError,
    RegionError,
    StudentWriter,
    backup_path,
    find_lessons,
    fingerprint,
    hand_out,
    is_check_cell,
    is_lesson_file,
    is_solution_cell,
    main,
    notebook_bytes,
    strip_regions,
    student_version,
    write_student_versions,
)

ROOT = Path(__file__).resolve().parents[1]
LESSONS = find_lessons(ROOT / "notebooks")
KEEP_VENV = ["-o", ".venv/.installed"]   # make: never reinstall the venv from a test
MAKE_ENV = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


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

def small_lesson(check="checks.check_close('double(3)', checks.call('double', double, 3.0), 6.0)"):
    """A lesson in miniature, stored executed: an exercise, its check, a hidden test."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    cells = [
        nbformat.v4.new_markdown_cell("# 99 · Doubling\n**Goals** ... **Prerequisites** ..."),
        nbformat.v4.new_code_cell("import numpy as np\nfrom mlp_core.course import checks"),
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



SOLUTION_META = {"grade": False, "grade_id": "99-double", "locked": False, "schema_version": 3,
                 "solution": True, "task": False}
CHECK_META = {"grade": True, "grade_id": "99-check-double", "locked": True, "points": 1,
              "schema_version": 3, "solution": False, "task": False}


def graded(nb):
    """``small_lesson`` with nbgrader's metadata: cell 2 a solution cell, cell 3 its check."""
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    nb.cells[2].metadata.nbgrader = dict(SOLUTION_META)
    nb.cells[3].metadata.nbgrader = dict(CHECK_META)
    return nb


def test_student_version_clears_exercise_and_check_outputs_only():
    instructor = graded(small_lesson())
    student, exercises = student_version(instructor)
    assert exercises == [2]
    assert student.cells[2].source.endswith("    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert [c.get("outputs") for c in student.cells[2:5]] == [[], [], []]
    assert [c.get("execution_count") for c in student.cells[2:5]] == [None, None, None]
    assert student.cells[4].source == ""
    assert student.cells[5].outputs[0].text == "figure cell\n"   # teaching outputs stay
    assert student.cells[5].execution_count == 5
    text = notebook_bytes(student).decode()
    for secret in ("2 * x", "solution ran", "✓", "double(21)", "SOLUTION", "HIDDEN"):
        assert secret not in text
    assert instructor.cells[2].outputs, "the instructor's notebook is left as it was"


def test_cell_metadata_is_kept_as_nbgrader_release_keeps_it():
    instructor = graded(small_lesson())
    instructor.cells[5].metadata.tags = ["nbval-ignore-output"]
    student, _ = student_version(instructor)
    assert [c.metadata for c in student.cells] == [c.metadata for c in instructor.cells]


def test_check_cells_are_the_cells_nbgrader_grades():
    cell = nbformat.v4.new_code_cell
    check = cell("check_sigmoid(sigmoid)", metadata={"nbgrader": CHECK_META})
    assert is_check_cell(check) and not is_solution_cell(check)
    assert not is_check_cell(cell("checks.check_close('a', checks.attempt(f, 1), 2)"))
    assert not is_check_cell(cell("x = 1", metadata={"nbgrader": SOLUTION_META}))
    assert not is_check_cell(nbformat.v4.new_markdown_cell("x", metadata={"nbgrader": CHECK_META}))
    assert is_solution_cell(cell("x = 1", metadata={"nbgrader": SOLUTION_META}))


def test_a_check_cell_loses_its_outputs_without_any_attempt_call():
    nb = graded(small_lesson(check="check_double(double)"))
    student, _ = student_version(nb)
    assert student.cells[3].outputs == [] and student.cells[3].execution_count is None


def test_a_solution_cell_without_a_region_becomes_the_stub_as_nbgrader_does():
    nb = small_lesson()
    nb.cells[5].source = "print('the answer is 42')"
    nb.cells[5].metadata.nbgrader = dict(SOLUTION_META)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "Because σ' ≤ 1/4.", metadata={"nbgrader": dict(SOLUTION_META, grade_id="99-why")}))
    student, exercises = student_version(nb)
    assert exercises == [2, 5, 6]
    assert student.cells[5].source == "\n".join(CODE_STUB)
    assert student.cells[5].outputs == [] and student.cells[5].execution_count is None
    assert student.cells[6].source == MARKDOWN_STUB[0]
    filled, _ = student_version(nb, keep_solutions=True)
    assert filled.cells[5].source == "print('the answer is 42')"


# --- which files are lessons -------------------------------------------------------------------

@pytest.mark.parametrize("name, lesson", [
    ("01_neuron.ipynb", True), ("10_playground.ipynb", True), ("05_four_equations.ipynb", True),
    ("01_neuron.new.ipynb", False), ("01_neuron.new2.ipynb", False),
    ("01_neuron.20261202T181500Z.ipynb", False), (".01_neuron.ipynb.tmp", False),
    ("1_neuron.ipynb", False), ("001_neuron.ipynb", False), ("01-neuron.ipynb", False),
    ("01_.ipynb", False), ("01_neuron.ipynb.bak", False), ("01_my neuron.ipynb", False),
    ("scratch.ipynb", False),
])
def test_lesson_file_rule(name, lesson):
    assert is_lesson_file(name) is lesson
    assert is_lesson_file(Path("some/folder") / name) is lesson


def test_backups_and_new_copies_never_match_the_lesson_rule(tmp_path):
    lesson = tmp_path / "01_neuron.ipynb"
    assert not is_lesson_file(lesson.with_suffix(".new.ipynb"))
    assert not is_lesson_file(backup_path(lesson))
    assert not is_lesson_file(backup_path(lesson, stamp="20261202T181500Z"))
    assert backup_path(lesson).parent == tmp_path / BACKUP_DIR


NAMES = ["01_a.ipynb", "01_a.new.ipynb", "02_b.new2.ipynb", "03_c.ipynb", "scratch.ipynb",
         "1_x.ipynb", "04_d-e.ipynb", "05_f.ipynb.bak"]


def test_find_lessons_uses_the_rule(tmp_path):
    for name in NAMES:
        (tmp_path / name).write_text("{}")
    (tmp_path / "06_folder.ipynb").mkdir()
    assert [p.name for p in find_lessons(tmp_path)] == ["01_a.ipynb", "03_c.ipynb"]
    assert find_lessons(tmp_path / "missing") == []


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_makefile_lessons_follow_the_same_rule(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "notebooks").mkdir()
    for name in NAMES:
        (tmp_path / "notebooks" / name).write_text("{}")
    done = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(tmp_path),
                           "--eval", "print-lessons: ; @echo $(LESSONS)", "print-lessons"],
                          capture_output=True, text=True, check=True, env=MAKE_ENV)
    expected = [f"notebooks/{p.name}" for p in find_lessons(tmp_path / "notebooks")]
    assert done.stdout.split() == expected == ["notebooks/01_a.ipynb", "notebooks/03_c.ipynb"]


# --- fingerprints: what a learner wrote --------------------------------------------------------

def test_fingerprint_is_what_a_learner_wrote_not_what_ran():
    nb = small_lesson()
    base = fingerprint(nb)
    ran = nbformat.reads(nbformat.writes(nb), as_version=4)
    for n, cell in enumerate(c for c in ran.cells if c.cell_type == "code"):
        cell.execution_count = 40 + n
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"run {n}\n")]
        cell.metadata.execution = {"iopub.status.idle": "2026-12-02T18:15:00Z"}
    ran.metadata.language_info = {"name": "python", "version": "3.11.7"}
    assert fingerprint(ran) == base
    edited = nbformat.reads(nbformat.writes(nb), as_version=4)
    edited.cells[2].source += "\n# mine"
    assert fingerprint(edited) != base
    swapped = nbformat.reads(nbformat.writes(nb), as_version=4)
    swapped.cells[4], swapped.cells[5] = swapped.cells[5], swapped.cells[4]
    assert fingerprint(swapped) != base
    retyped = nbformat.reads(nbformat.writes(nb), as_version=4)
    retyped.cells[5] = nbformat.v4.new_markdown_cell(retyped.cells[5].source)
    assert fingerprint(retyped) != base
    assert len(base) == 64 and int(base, 16) >= 0


# --- writing without overwriting a learner's work ----------------------------------------------

@pytest.fixture
def course(tmp_path):
    """A course folder with two small lessons in notebooks/ and no student/ yet."""
    (tmp_path / "notebooks").mkdir()
    for name in ("01_double.ipynb", "02_again.ipynb"):
        nbformat.write(graded(small_lesson()), tmp_path / "notebooks" / name)
    nbformat.write(small_lesson(), tmp_path / "notebooks" / "scratch.ipynb")   # not a lesson
    nbformat.write(small_lesson(), tmp_path / "notebooks" / "01_double.new.ipynb")   # nor this
    return tmp_path


def write(course):
    return write_student_versions(course / "notebooks", course / "student")


def change_lesson(course, name="01_double.ipynb", cell=5, text="print('a better figure')"):
    """The course changes: one cell of a lesson gets a new source."""
    lesson = nbformat.read(course / "notebooks" / name, as_version=4)
    lesson.cells[cell].source = text
    nbformat.write(lesson, course / "notebooks" / name)


def student_files(folder):
    """The notebook files in ``folder`` (hidden ones left out), by name."""
    return sorted(p.name for p in Path(folder).iterdir() if p.is_file()
                  and not p.name.startswith("."))


def test_writes_every_lesson_and_records_what_it_wrote(course):
    results = write(course)
    assert [(r.path.name, r.status) for r in results] == [("01_double.ipynb", "new"),
                                                          ("02_again.ipynb", "new")]
    manifest = json.loads((course / "student" / MANIFEST).read_text())
    assert manifest == {name: fingerprint(nbformat.read(course / "student" / name, 4))
                        for name in ("01_double.ipynb", "02_again.ipynb")}
    assert student_files(course / "student") == ["01_double.ipynb", "02_again.ipynb"]
    assert [r.status for r in write(course)] == ["unchanged", "unchanged"]


def test_a_new_lesson_appears_on_the_next_run(course):
    write(course)
    nbformat.write(small_lesson(), course / "notebooks" / "03_more.ipynb")
    assert [r.status for r in write(course)] == ["unchanged", "unchanged", "new"]


def test_an_untouched_student_file_is_updated(course):
    write(course)
    change_lesson(course)
    results = write(course)
    assert [r.status for r in results] == ["updated", "unchanged"]
    assert "a better figure" in (course / "student" / "01_double.ipynb").read_text()


def execute_like_a_learner(path):
    """Run the notebook at ``path`` in a real kernel and save it, as a learner's "Run All" and
    Ctrl+S do: outputs, execution counts and metadata change, sources do not."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)


def test_executing_the_lessons_changes_nothing_the_tool_cares_about(course):
    write(course)
    mine = course / "student" / "01_double.ipynb"
    execute_like_a_learner(mine)
    ran = mine.read_bytes()
    assert nbformat.reads(ran, 4).cells[5].outputs[0].text == "figure cell\n"
    os.utime(mine, (1_000_000_000, 1_000_000_000))
    results = write(course)
    assert [r.status for r in results] == ["unchanged", "unchanged"]
    assert mine.read_bytes() == ran and mine.stat().st_mtime == 1_000_000_000, "not touched"
    assert student_files(course / "student") == ["01_double.ipynb", "02_again.ipynb"], "no .new"


def test_an_executed_file_whose_sources_are_ours_is_updated_when_the_course_changes(course):
    write(course)
    execute_like_a_learner(course / "student" / "01_double.ipynb")
    change_lesson(course)
    assert [r.status for r in write(course)] == ["updated", "unchanged"]
    assert "a better figure" in (course / "student" / "01_double.ipynb").read_text()
    assert student_files(course / "student") == ["01_double.ipynb", "02_again.ipynb"]


def learner_answers(path, answer="return x + x  # my answer"):
    """The learner fills in exercise 1 of the student file at ``path`` and saves."""
    work = nbformat.read(path, as_version=4)
    work.cells[2].source = work.cells[2].source.replace("raise NotImplementedError()", answer)
    nbformat.write(work, path)


def test_a_learners_changes_are_kept_and_the_new_version_goes_beside(course, capsys):
    write(course)
    mine = course / "student" / "01_double.ipynb"
    learner_answers(mine)
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


def test_a_learners_edit_with_nothing_newer_is_left_alone(course):
    """`make lab` runs the writer every time: a lesson the learner works on, which the course
    has not changed since, gets no .new copy beside it."""
    write(course)
    mine = course / "student" / "01_double.ipynb"
    learner_answers(mine)
    before = mine.read_bytes()
    results = write(course)
    assert [r.status for r in results] == ["yours", "unchanged"]
    assert results[0].path == mine and mine.read_bytes() == before
    assert "yours" in results[0].message()
    assert student_files(course / "student") == ["01_double.ipynb", "02_again.ipynb"]


def test_a_file_the_tool_never_wrote_is_kept(tmp_path):
    (tmp_path / "student").mkdir()
    theirs = tmp_path / "student" / "01_double.ipynb"
    theirs.write_text("{}")
    writer = StudentWriter(tmp_path / "student")
    result = writer.write(Path("01_double.ipynb"), small_lesson())
    assert result.status == "kept" and theirs.read_text() == "{}"
    assert result.path.name == "01_double.new.ipynb"


def test_a_record_from_version_0_1_still_counts_as_ours(course):
    """0.1 recorded the SHA-256 of the file's bytes; such a file is still updated, not kept."""
    write(course)
    mine = course / "student" / "01_double.ipynb"
    manifest = course / "student" / MANIFEST
    records = json.loads(manifest.read_text())
    records["01_double.ipynb"] = hashlib.sha256(mine.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(records))
    change_lesson(course)
    assert write(course)[0].status == "updated"


def test_an_unreadable_manifest_keeps_every_file(course):
    """With no trustworthy record, each existing file counts as the learner's: nothing lost."""
    write(course)
    (course / "student" / MANIFEST).write_text("not json")
    change_lesson(course)
    before = (course / "student" / "01_double.ipynb").read_bytes()
    assert [r.status for r in write(course)] == ["kept", "unchanged"]
    assert (course / "student" / "01_double.ipynb").read_bytes() == before


def test_command_line_runs_as_a_module(course):
    done = subprocess.run([sys.executable, "-m", "mlp_core.tools.student", "--source", "notebooks",
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
    done = subprocess.run([sys.executable, "-m", "mlp_core.tools.student", "--source", "notebooks",
                           "--dest", "student"], cwd=course, capture_output=True, text=True)
    assert done.returncode == 1
    assert "02_again.ipynb: cell 2: a solution region is not closed" in done.stderr


# --- hand-outs ---------------------------------------------------------------------------------

def fresh(course, name):
    """The bytes of the student version of lesson ``name``, as the tool makes it."""
    lesson = nbformat.read(course / "notebooks" / name, as_version=4)
    return notebook_bytes(student_version(lesson)[0])


def test_handout_writes_exactly_the_student_lessons(course):
    write(course)
    learner_answers(course / "student" / "01_double.ipynb")      # edits in student/ ...
    change_lesson(course)
    write(course)                                                # ... and a .new beside them
    assert (course / "student" / "01_double.new.ipynb").exists()
    out = course / "handout"
    results = hand_out(out, course / "notebooks")
    assert [(r.path.name, r.status) for r in results] == [("01_double.ipynb", "new"),
                                                          ("02_again.ipynb", "new")]
    assert student_files(out) == ["01_double.ipynb", "02_again.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == [HANDOUT_MANIFEST, "01_double.ipynb",
                                                     "02_again.ipynb"]
    for name in ("01_double.ipynb", "02_again.ipynb"):
        assert (out / name).read_bytes() == fresh(course, name)
    assert "my answer" not in (out / "01_double.ipynb").read_text()
    assert [r.status for r in hand_out(out, course / "notebooks")] == ["unchanged", "unchanged"]


def test_handout_of_some_lessons(course):
    results = hand_out(course / "out", course / "notebooks", names=["02_again"])
    assert [r.path.name for r in results] == ["02_again.ipynb"]
    with pytest.raises(FileNotFoundError, match="01_double.new.ipynb"):
        hand_out(course / "out", course / "notebooks", names=["01_double.new.ipynb"])


def test_handout_updates_what_it_handed_out_even_after_it_was_executed(course):
    out = course / "handout"
    hand_out(out, course / "notebooks")
    execute_like_a_learner(out / "02_again.ipynb")               # outputs only: no one's work
    change_lesson(course)
    assert [r.status for r in hand_out(out, course / "notebooks")] == ["updated", "updated"]
    for name in ("01_double.ipynb", "02_again.ipynb"):
        assert (out / name).read_bytes() == fresh(course, name)


def test_handout_refuses_to_overwrite_a_changed_file(course, capsys):
    out = course / "handout"
    hand_out(out, course / "notebooks")
    learner_answers(out / "02_again.ipynb", "return 2 * x  # the teacher's fix")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    change_lesson(course)
    change_lesson(course, "02_again.ipynb")
    with pytest.raises(HandoutError) as refused:
        hand_out(out, course / "notebooks")
    assert str(out / "02_again.ipynb") in str(refused.value)
    assert "--force" in str(refused.value) and "01_double" not in str(refused.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "nothing is written"

    args = ["--source", str(course / "notebooks"), "--handout", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{out / '02_again.ipynb'}" in err and "--force" in err and "FORCE=1" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_handout_refuses_a_file_it_never_wrote(course):
    out = course / "handout"
    out.mkdir()
    (out / "01_double.ipynb").write_text("{}")
    with pytest.raises(HandoutError, match="01_double.ipynb"):
        hand_out(out, course / "notebooks")
    assert (out / "01_double.ipynb").read_text() == "{}"
    assert not (out / "02_again.ipynb").exists()


def test_handout_force_backs_up_then_replaces(course, capsys):
    out = course / "handout"
    hand_out(out, course / "notebooks")
    learner_answers(out / "02_again.ipynb", "return 2 * x  # the teacher's fix")
    changed = (out / "02_again.ipynb").read_bytes()
    args = ["--source", str(course / "notebooks"), "--handout", str(out), "--force"]
    assert main(args) == 0
    text = capsys.readouterr().out
    backups = list((out / BACKUP_DIR).iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == changed
    assert re.fullmatch(r"02_again\.\d{8}T\d{6}Z\.ipynb", backups[0].name)
    assert not is_lesson_file(backups[0])
    assert f"replaced  {out / '02_again.ipynb'}" in text and str(backups[0]) in text
    assert (out / "02_again.ipynb").read_bytes() == fresh(course, "02_again.ipynb")
    assert student_files(out) == ["01_double.ipynb", "02_again.ipynb"]
    assert main(args[:-1]) == 0, "the replaced file is the hand-out's again"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_handout_passes_dir_force_and_only():
    def dry(*args):
        return subprocess.run(["make", "-n", "-s", "-C", str(ROOT), *KEEP_VENV, "handout",
                               *args], capture_output=True, text=True,
                              env=MAKE_ENV).stdout.splitlines()[-1]
    assert dry("DIR=/tmp/h", "FORCE=1", "ONLY=01_neuron").endswith(
        "mlp_core.tools.student --handout '/tmp/h' --force 01_neuron")
    assert "--force" not in dry("DIR=/tmp/h") and "--force" not in dry("DIR=/tmp/h", "FORCE=0")
    done = subprocess.run(["make", "-s", "-C", str(ROOT), *KEEP_VENV, "handout"],
                          capture_output=True, text=True, env=MAKE_ENV)
    assert done.returncode != 0 and "usage: make handout DIR=" in done.stdout


# --- the lessons' exercises as nbgrader cells --------------------------------------------------

def nbgrader_of(cell):
    return cell.metadata.get("nbgrader", {})


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_exercise_is_an_nbgrader_solution_with_a_check_after_it(path):
    """Each solution cell names the function it defines; the next graded cell, before the next
    exercise, is a locked one-point check of that function; the lesson text is read-only;
    every grade_id is unique and nbgrader-safe. (tests/test_nbgrader.py grades them.)"""
    nb = nbformat.read(path, as_version=4)
    ids = [nbgrader_of(c)["grade_id"] for c in nb.cells if nbgrader_of(c)]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_\-]+", i) for i in ids)
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_of(cell)
        if cell.cell_type == "markdown":
            assert meta.get("locked") and not meta.get("solution"), index
        if "BEGIN SOLUTION" in cell.source:
            assert meta.get("solution") and not meta.get("grade"), index
            function = re.search(r"^def (\w+)", cell.source, re.M).group(1)
            assert meta["grade_id"] == f"{path.name[:2]}-{function}"
            check = next(c for c in nb.cells[index + 1:] if nbgrader_of(c).get("grade")
                         or nbgrader_of(c).get("solution"))
            assert nbgrader_of(check) == {
                "grade": True, "grade_id": f"{path.name[:2]}-check-{function}", "locked": True,
                "points": 1, "schema_version": 3, "solution": False, "task": False}
            assert re.search(rf"\({function}\b", check.source), "the check runs the function"
            assert is_check_cell(check)


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
