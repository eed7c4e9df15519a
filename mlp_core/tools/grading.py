"""nbgrader for the course: lay out a course folder, and release lessons with their figures.

``python -m mlp_core.tools.grading course DIR`` writes an nbgrader course folder:

- ``DIR/nbgrader_config.py``, the course's configuration (below);
- ``DIR/source/lessonNN/NN_topic.ipynb``, the instructor version of every lesson that has
  exercises (lessons 01-10), one nbgrader assignment per lesson.

Then, in ``DIR``: ``nbgrader generate_assignment lesson05`` writes the student version to
``release/lesson05/``, and ``nbgrader autograde lesson05`` grades the hand-ins in
``submitted/<student>/lesson05/``. Each exercise's check cell is worth one point: the check
raises ``CheckFailed`` (an ``AssertionError``) unless the answer is right, so a blank or wrong
answer scores 0.

nbgrader clears every output of a released notebook by default; a lesson's figures and printed
shapes are half of its text, so ``release_preprocessors`` swaps nbgrader's ``ClearOutput`` for
``ClearExerciseOutput``, which clears only the exercise and check cells, as ``make student``
does. Needs nbgrader: ``pip install "backprop-from-scratch[teach]"``.
"""

import argparse
import sys
from pathlib import Path

try:
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearOutput
    from nbgrader.utils import is_grade, is_solution
except ImportError as error:  # the teach extra is not installed
    raise ImportError('mlp_core.tools.grading needs nbgrader: pip install '
                      '"backprop-from-scratch[teach]"') from error

import nbformat

from mlp_core.tools.student import find_lessons

COURSE_ID = "backprop-from-scratch"
CONFIG = '''\
# nbgrader configuration of the Backprop from Scratch course (python -m mlp_core.tools.grading).
from mlp_core.tools.grading import release_preprocessors

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "{course_id}"
# Released lessons keep their figures and printed shapes; the exercise and check cells lose
# their outputs (they would show the instructor's answers), exactly as `make student` does.
c.GenerateAssignment.preprocessors = release_preprocessors()
# A lesson runs in seconds; lesson 10's check trains a network for 300 epochs.
c.Execute.timeout = 120
'''


class ClearExerciseOutput(ClearOutput):
    """nbgrader's ``ClearOutput`` for the exercise (solution) and check (grade) cells only."""

    def preprocess_cell(self, cell, resources, index):
        """Clear the outputs of a solution or grade cell; leave every other cell as it is."""
        if cell.cell_type == "code" and (is_solution(cell) or is_grade(cell)):
            return super().preprocess_cell(cell, resources, index)
        return cell, resources


def release_preprocessors():
    """nbgrader's ``GenerateAssignment`` preprocessors, with ``ClearExerciseOutput`` in place
    of ``ClearOutput``."""
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [ClearExerciseOutput if p is ClearOutput else p for p in default]


def assignment_name(lesson):
    """The nbgrader assignment of a lesson file: ``05_four_equations.ipynb`` -> ``lesson05``."""
    return "lesson" + Path(lesson).name[:2]


def has_exercises(nb):
    """True when the notebook has at least one nbgrader solution cell."""
    return any(is_solution(cell) for cell in nb.cells)


def write_course(dest, source="notebooks", force=False):
    """Write the nbgrader course folder ``dest`` from the instructor lessons in ``source``.

    A file that exists with other contents (a teacher's edit) is kept, and FileExistsError
    names it, unless ``force``. Returns the list of paths written.
    """
    dest = Path(dest)
    files = {dest / "nbgrader_config.py": CONFIG.format(course_id=COURSE_ID).encode()}
    for lesson in find_lessons(source):
        if has_exercises(nbformat.read(lesson, as_version=4)):
            files[dest / "source" / assignment_name(lesson) / lesson.name] = lesson.read_bytes()
    if len(files) == 1:
        raise FileNotFoundError(f"no lessons with exercises in {source}/")
    changed = [p for p, data in files.items() if p.exists() and p.read_bytes() != data]
    if changed and not force:
        raise FileExistsError(f"{changed[0]} differs from the course's version; it is kept. "
                              "Run again with --force to replace it")
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(files)


def main(argv=None):
    """Command line: ``python -m mlp_core.tools.grading course DIR [--source DIR] [--force]``."""
    parser = argparse.ArgumentParser(prog="python -m mlp_core.tools.grading",
                                     description="Lay out an nbgrader course of the lessons.")
    sub = parser.add_subparsers(dest="command", required=True)
    course = sub.add_parser("course", help="write nbgrader_config.py and source/lessonNN/")
    course.add_argument("dest", help="the course folder (nbgrader's course directory)")
    course.add_argument("--source", default="notebooks", help="instructor lessons (notebooks)")
    course.add_argument("--force", action="store_true", help="replace files that differ")
    args = parser.parse_args(argv)
    try:
        written = write_course(args.dest, args.source, args.force)
    except (FileExistsError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    assignments = sorted({p.parent.name for p in written if p.suffix == ".ipynb"})
    print(f"wrote {args.dest}/nbgrader_config.py and {len(assignments)} assignments: "
          f"{', '.join(assignments)}")
    print(f"next: cd {args.dest} && nbgrader generate_assignment {assignments[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
