"""Student versions of the lessons: solutions out, a stub in, and no learner's work lost.

``python -m mlp_core.student`` (``make student``) reads every lesson ``notebooks/NN_*.ipynb`` and
writes ``student/NN_*.ipynb``, following nbgrader's conventions so nbgrader users can take the
files as they are:

- each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region of a code cell becomes
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the indentation of the region
  (``YOUR ANSWER HERE`` in a markdown cell);
- each ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region is removed;
- the stored outputs of exercise cells, and of the check cells that grade them (those calling
  ``checks.attempt`` or a variant of it), are cleared: they would show the instructor's answer.

A learner's edits are never overwritten. ``student/.written.json`` records the SHA-256 of every
file the tool wrote; a student file that no longer matches its record (or that the tool never
wrote) is kept, and the new version is written beside it as ``NN_topic.new.ipynb``.
"""

import argparse
import copy
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

LESSON_GLOB = "[0-9][0-9]_*.ipynb"
MANIFEST = ".written.json"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)
CHECK_CALL = re.compile(r"\battempt\w*\(")   # checks.attempt(...), attempt_watched(...)


def _delimiter(word, kind):
    return re.compile(rf"^(?P<indent>[ \t]*)#+[ \t]*{word}[ \t]+{kind}[ \t]*$")


BEGIN = {"solution": _delimiter("BEGIN", "SOLUTION"),
         "hidden": _delimiter("BEGIN", "HIDDEN TESTS")}
END = {"solution": _delimiter("END", "SOLUTION"),
       "hidden": _delimiter("END", "HIDDEN TESTS")}


class RegionError(ValueError):
    """A BEGIN/END delimiter without its partner, or one region inside another."""


def strip_regions(source, stub=CODE_STUB, keep_solutions=False):
    """Rewrite one cell's source: solution regions become ``stub`` (indented like the region's
    BEGIN line), hidden-test regions disappear.

    keep_solutions: keep the solution regions as they are (the instructor's answer filled into
    a student version; hidden tests are still removed).
    Returns (new source, number of solution regions, number of hidden-test regions).
    Raises RegionError for an unterminated, unmatched or nested region.
    """
    out, inside, counts = [], None, {"solution": 0, "hidden": 0}
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        text = line.rstrip("\r\n")
        begin = next(((k, m) for k, r in BEGIN.items() if (m := r.match(text))), None)
        end = next((k for k, r in END.items() if r.match(text)), None)
        if begin:
            if inside:
                raise RegionError(f"line {number}: BEGIN {begin[0]} inside a {inside} region")
            inside = begin[0]
            counts[inside] += 1
            if inside == "solution":
                if keep_solutions:
                    out.append(line)
                else:
                    out.extend(begin[1]["indent"] + s + "\n" for s in stub)
            continue
        if end:
            if end != inside:
                raise RegionError(f"line {number}: END {end} without its BEGIN")
            if inside == "solution" and keep_solutions:
                out.append(line)
            inside = None
            continue
        if inside == "hidden" or (inside == "solution" and not keep_solutions):
            continue
        out.append(line)
    if inside:
        raise RegionError(f"a {inside} region is not closed by its END line")
    new = "".join(out)
    if not source.endswith("\n"):
        new = new.removesuffix("\n")
    return new, counts["solution"], counts["hidden"]


def is_check_cell(cell):
    """A code cell that grades an exercise through ``checks.attempt`` (or a variant)."""
    return cell.cell_type == "code" and bool(CHECK_CALL.search(cell.source))


def student_version(nb, keep_solutions=False):
    """A student copy of the notebook ``nb`` (an nbformat NotebookNode; left unchanged).

    Exercise cells get their stubs; hidden tests go; outputs and execution counts of exercise,
    hidden-test and check cells are cleared. keep_solutions: keep the instructor's solutions
    (what a learner's notebook looks like once every exercise is solved).
    Returns (the new notebook, list of the indices of the exercise cells).
    Raises RegionError naming the cell whose delimiters do not pair up.
    """
    nb = copy.deepcopy(nb)
    exercises = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type not in ("code", "markdown"):
            continue
        stub = CODE_STUB if cell.cell_type == "code" else MARKDOWN_STUB
        try:
            source, solutions, hidden = strip_regions(cell.source, stub, keep_solutions)
        except RegionError as error:
            raise RegionError(f"cell {index}: {error}") from None
        cell.source = source
        if solutions:
            exercises.append(index)
        if cell.cell_type == "code" and (solutions or hidden or is_check_cell(cell)):
            cell.outputs = []
            cell.execution_count = None
    return nb, exercises


def notebook_bytes(nb):
    """The notebook serialised as Jupyter saves it (the bytes the manifest hashes)."""
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


@dataclass
class Written:
    """What happened to one lesson: ``status`` is "new", "updated", "unchanged" or "kept"
    (the learner's file was kept and ``path`` is the new version beside it)."""

    lesson: Path
    path: Path
    status: str
    kept: Path | None = None

    def message(self):
        """One line for the terminal."""
        if self.status == "kept":
            return (f"kept {self.kept}: it differs from what this tool wrote, so it holds your "
                    f"work. The new version is {self.path}; copy from it what you need.")
        return f"{self.status:9} {self.path}"


class StudentWriter:
    """Writes student files into ``dest`` without overwriting a learner's changes.

    The manifest ``dest/.written.json`` maps each file name to the SHA-256 of the bytes this
    tool last wrote there.
    """

    def __init__(self, dest):
        self.dest = Path(dest)
        self.manifest_path = self.dest / MANIFEST
        try:
            self.manifest = json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            self.manifest = {}

    def ours(self, path):
        """True when ``path`` is missing or still holds exactly what this tool wrote."""
        if not path.exists():
            return True
        return self.manifest.get(path.name) == _sha256(path.read_bytes())

    def write(self, lesson, data):
        """Write ``data`` (bytes) as the student version of ``lesson``; return a Written."""
        target = self.dest / lesson.name
        if target.exists() and target.read_bytes() == data:
            self._record(target, data)
            return Written(lesson, target, "unchanged")
        if self.ours(target):
            status = "updated" if target.exists() else "new"
            self._store(target, data)
            return Written(lesson, target, status)
        for n in range(1, 1000):
            beside = target.with_suffix(f".new{n if n > 1 else ''}.ipynb")
            if beside.exists() and beside.read_bytes() == data:
                self._record(beside, data)
                return Written(lesson, beside, "kept", kept=target)
            if self.ours(beside):
                self._store(beside, data)
                return Written(lesson, beside, "kept", kept=target)
        raise RuntimeError(f"too many changed copies of {target} to write a new one beside")

    def _store(self, path, data):
        self.dest.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)
        self._record(path, data)

    def _record(self, path, data):
        self.manifest[path.name] = _sha256(data)
        self.dest.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.manifest, indent=1, sort_keys=True) + "\n"
        _atomic_write(self.manifest_path, text.encode("utf-8"))


def _atomic_write(path, data):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def find_lessons(source):
    """The lesson notebooks ``source/NN_*.ipynb``, in teaching order."""
    return sorted(Path(source).glob(LESSON_GLOB))


def write_student_versions(source="notebooks", dest="student", names=None):
    """Write the student version of every lesson in ``source`` (or of those whose file names
    are in ``names``) into ``dest``. Returns a list of Written, one per lesson."""
    lessons = find_lessons(source)
    if names:
        wanted = {Path(n).name for n in names}
        missing = wanted - {p.name for p in lessons}
        if missing:
            raise FileNotFoundError(f"no such lesson in {source}: {', '.join(sorted(missing))}")
        lessons = [p for p in lessons if p.name in wanted]
    writer = StudentWriter(dest)
    results = []
    for lesson in lessons:
        nb = nbformat.read(lesson, as_version=4)
        try:
            student, _ = student_version(nb)
        except RegionError as error:
            raise RegionError(f"{lesson}: {error}") from None
        results.append(writer.write(lesson, notebook_bytes(student)))
    return results


def main(argv=None):
    """Command line: ``python -m mlp_core.student [--source DIR] [--dest DIR] [LESSON ...]``."""
    parser = argparse.ArgumentParser(prog="python -m mlp_core.student",
                                     description="Write student versions of the lessons.")
    parser.add_argument("lessons", nargs="*", help="lesson file names (default: all)")
    parser.add_argument("--source", default="notebooks", help="instructor lessons (notebooks)")
    parser.add_argument("--dest", default="student", help="where to write (student)")
    args = parser.parse_args(argv)
    try:
        results = write_student_versions(args.source, args.dest, args.lessons)
    except (RegionError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not results:
        print(f"no lessons found in {args.source}/ (expected {LESSON_GLOB})", file=sys.stderr)
        return 1
    for result in results:
        print(result.message())
    kept = sum(r.status == "kept" for r in results)
    print(f"{len(results)} student notebooks in {args.dest}/"
          + (f"; {kept} of yours kept, see the lines above" if kept else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
