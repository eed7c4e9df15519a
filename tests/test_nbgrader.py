"""nbgrader itself grades the lessons, as a teacher following docs/teaching.md would.

``python -m mlp_core.tools.grading course`` lays out the course, ``nbgrader generate_assignment``
releases every lesson with exercises, and ``nbgrader autograde`` grades, for each lesson, a
blank hand-in, the instructor's answers, a hand-in whose every exercise raises a numpy shape
error, and one hand-in per typical mistake of each exercise (``mlp_core.course.mistakes``),
that mistake in its exercise and the other answers right. Every check cell of every graded
notebook is then read: no traceback anywhere, only the checks' one-line ``CheckFailed``.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from mlp_core.course.mistakes import EXERCISES, SHAPE_SLIP, exercises_of
from mlp_core.tools.grading import assignment_name, write_course
from mlp_core.tools.student import find_lessons, student_version

REPO = Path(__file__).resolve().parent.parent
LESSONS = [p for p in find_lessons(REPO / "notebooks") if exercises_of(p.stem)]
STUB = re.compile(r"^(?P<indent>[ \t]*)# YOUR CODE HERE\n(?P=indent)raise NotImplementedError\(\)$",
                  re.M)


def nbgrader(*args, cwd):
    """Start the nbgrader command line of this environment in the course folder ``cwd``;
    returns the process (``finish`` waits for it)."""
    bin_dir = str(Path(sys.executable).parent)   # nbgrader runs `alembic` from the PATH
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(*processes):
    """Wait for nbgrader processes; each must succeed without an ERROR line."""
    for process in processes:
        output, _ = process.communicate(timeout=1200)
        assert process.returncode == 0, output[-3000:]
        assert "| ERROR]" not in output, output[-3000:]


def solution_body(cell):
    """The instructor's solution region of a source cell, unindented."""
    lines = cell.source.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if "BEGIN SOLUTION" in line)
    end = next(i for i, line in enumerate(lines) if "END SOLUTION" in line)
    return textwrap.dedent("".join(lines[begin + 1:end]))


def fill(cell, body):
    """Put ``body`` (unindented code) in place of the stub of a released solution cell."""
    match = STUB.search(cell.source)
    assert match, f"no stub in {cell.metadata.nbgrader.grade_id}"
    code = textwrap.indent(body, match["indent"]).rstrip("\n")
    cell.source = cell.source[:match.start()] + code + cell.source[match.end():]


def hand_in(released, source, bodies):
    """A copy of the released notebook with the solution cells in ``bodies`` (grade_id ->
    code, or "right" for the instructor's answer) filled in; the others left blank."""
    nb = nbformat.from_dict(released)
    answers = {c.metadata.nbgrader.grade_id: solution_body(c) for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in bodies:
            fill(cell, answers[grade_id] if bodies[grade_id] == "right" else bodies[grade_id])
    return nb


def wrong_student(grade_id, k):
    """The student who hands in mistake ``k`` (0 = the first) of the exercise ``grade_id``."""
    return f"wrong_{grade_id}" if k == 0 else f"wrong{k + 1}_{grade_id}"


#: (grade_id, k) of every typical mistake of the catalogue
MISTAKES = [(grade_id, k) for grade_id, ex in EXERCISES.items() for k in range(len(ex.mistakes))]


def submissions(lesson):
    """{student: {grade_id: body}} for one lesson: blank, right, raises, one per mistake."""
    ids = exercises_of(lesson.stem)
    students = {"blank": {}, "right": dict.fromkeys(ids, "right"),
                "raises": dict.fromkeys(ids, SHAPE_SLIP)}
    for grade_id in ids:
        for k, mistake in enumerate(EXERCISES[grade_id].mistakes):
            students[wrong_student(grade_id, k)] = {**dict.fromkeys(ids, "right"),
                                                    grade_id: mistake.wrong}
    return students


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """{lesson: its course folder} after generate_assignment and autograde of every hand-in.

    The lessons are graded in two course folders at once (this machine has two cores), each
    with its own gradebook, as two teachers would."""
    roots = [tmp_path_factory.mktemp("course") for _ in range(2)]
    for root in roots:
        write_course(root, REPO / "notebooks")
    finish(*[nbgrader("generate_assignment", "lesson*", cwd=root) for root in roots])
    where = {}
    for n, lesson in enumerate(LESSONS):
        root = where[lesson] = roots[n % 2]
        assignment = assignment_name(lesson)
        released = nbformat.read(root / "release" / assignment / lesson.name, as_version=4)
        source = nbformat.read(lesson, as_version=4)
        for student, bodies in submissions(lesson).items():
            folder = root / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(hand_in(released, source, bodies), folder / lesson.name)
    finish(*[nbgrader("autograde", "lesson*", cwd=root) for root in roots])
    return where


def scores(course, lesson, student):
    """{grade_id of each check cell: points} and the total, from nbgrader's gradebook."""
    with Gradebook(f"sqlite:///{course[lesson] / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(lesson.stem, assignment_name(lesson), student)
        return {g.name: g.score for g in nb.grades}, nb.score, nb.max_score


def graded(course, lesson, student):
    """The autograded notebook of one student."""
    return nbformat.read(course[lesson] / "autograded" / student / assignment_name(lesson)
                         / lesson.name, as_version=4)


def check_cells(nb):
    """{check grade_id: (printed text, error outputs)} of a graded notebook."""
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            found[meta["grade_id"]] = (text, [o for o in cell.outputs
                                              if o.output_type == "error"])
    return found


def test_every_exercise_has_a_typical_mistake():
    """The catalogue names every solution cell of the lessons, and nothing else."""
    solutions = {c.metadata.nbgrader.grade_id for p in LESSONS
                 for c in nbformat.read(p, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    assert solutions == set(EXERCISES)


def test_release_is_make_students_version(course):
    """nbgrader's release and `make student` give the same stubs, checks and cleared cells;
    the lesson's figures stay in the release."""
    for lesson in LESSONS:
        released = nbformat.read(course[lesson] / "release" / assignment_name(lesson)
                                 / lesson.name, as_version=4)
        ours, _ = student_version(nbformat.read(lesson, as_version=4))
        assert [c.source for c in released.cells] == [c.source for c in ours.cells]
        assert ([bool(c.get("outputs")) for c in released.cells]
                == [bool(c.get("outputs")) for c in ours.cells])
        assert "### BEGIN" not in "".join(c.source for c in released.cells)
        pictures = [o for c in released.cells for o in c.get("outputs", [])
                    if "image/png" in o.get("data", {})]
        assert pictures, f"{lesson.name}: the release lost its figures"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_blank_scores_zero_and_says_not_done(course, lesson):
    by_check, total, most = scores(course, lesson, "blank")
    assert total == 0 and most == len(exercises_of(lesson.stem))
    for grade_id, (text, _) in check_cells(graded(course, lesson, "blank")).items():
        assert "not done yet" in text, grade_id


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_instructor_answers_score_full_marks(course, lesson):
    by_check, total, most = scores(course, lesson, "right")
    assert total == most == len(exercises_of(lesson.stem)), by_check


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_a_shape_error_is_named_not_thrown(course, lesson):
    by_check, total, _ = scores(course, lesson, "raises")
    assert total == 0
    for grade_id, (text, _) in check_cells(graded(course, lesson, "raises")).items():
        assert "raised ValueError: operands could not be broadcast together with shapes " \
               "(3,5) (5,3)" in text, (grade_id, text)


@pytest.mark.parametrize("grade_id, k", MISTAKES, ids=[wrong_student(g, k) for g, k in MISTAKES])
def test_a_typical_mistake_scores_zero_for_its_exercise(course, grade_id, k):
    exercise = EXERCISES[grade_id]
    lesson = next(p for p in LESSONS if p.stem == exercise.lesson)
    student = wrong_student(grade_id, k)
    by_check, _, _ = scores(course, lesson, student)
    assert by_check[exercise.check_id] == 0
    for other in exercises_of(lesson.stem):
        if other != grade_id and grade_id not in EXERCISES[other].needs:
            assert by_check[EXERCISES[other].check_id] == 1, (other, by_check)
    text, _ = check_cells(graded(course, lesson, student))[exercise.check_id]
    assert "✗ " in text and exercise.mistakes[k].hint in text, text


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_no_cell_shows_a_traceback(course, lesson):
    """In every graded hand-in the only errors are the checks' one-line CheckFailed."""
    for student in submissions(lesson):
        nb = graded(course, lesson, student)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.output_type != "error":
                    continue
                where = (student, cell.metadata.get("nbgrader", {}).get("grade_id"))
                assert cell.metadata.get("nbgrader", {}).get("grade"), where
                assert out.ename == "CheckFailed", where
                assert len(out.traceback) == 1, (where, out.traceback)
                assert "Traceback" not in out.traceback[0] and "File " not in out.traceback[0]


def test_hidden_tests_are_hidden_then_graded(course):
    lesson = next(p for p in LESSONS if p.stem == "02_shapes")
    released = nbformat.read(course[lesson] / "release" / "lesson02" / lesson.name,
                             as_version=4)
    assert "[3, 1]" not in "".join(c.source for c in released.cells)
    text, _ = check_cells(graded(course, lesson, "right"))["02-check-predict_shapes"]
    assert "✓ predict_shapes([3, 1], N=7)" in text


def test_score_table(course):
    """The gradebook's totals per lesson, as the note of a release quotes them (printed with
    ``pytest -s``): blank 0, raises 0, each typical mistake loses its own exercise's point (and
    the points of the exercises that reuse it), the instructor's answers full marks."""
    rows = ["lesson                      blank  raises  wrong (one per exercise)   right"]
    for lesson in LESSONS:
        ids = exercises_of(lesson.stem)
        total = {student: scores(course, lesson, student)[1:]
                 for student in submissions(lesson)}
        n = len(ids)
        assert total["blank"] == total["raises"] == (0, n) and total["right"] == (n, n)
        for grade_id in ids:
            lost = 1 + sum(grade_id in EXERCISES[other].needs for other in ids)
            for k in range(len(EXERCISES[grade_id].mistakes)):
                assert total[wrong_student(grade_id, k)] == (n - lost, n), (grade_id, k)
        wrong = ", ".join(f"{g} {total[f'wrong_{g}'][0]:g}/{n}" for g in ids)
        rows.append(f"{lesson.stem:<27} {0:g}/{n}    {0:g}/{n}     {wrong:<26} {n}/{n}")
    print("\n" + "\n".join(rows))
