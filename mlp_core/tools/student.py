"""Student versions of the lessons: solutions out, a stub in, no learner's work lost, and
hand-outs that survive a term.

``python -m mlp_core.tools.student`` (``make student``) reads every lesson
``notebooks/NN_topic.ipynb`` and writes ``student/NN_topic.ipynb``, following nbgrader's
conventions so nbgrader users can take the files as they are:

- each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region of a cell becomes
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the indentation of the region
  (``YOUR ANSWER HERE`` in a markdown cell); a solution cell (nbgrader metadata
  ``solution: true``) without a region becomes the stub as a whole, as nbgrader's release does;
- each ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region is removed;
- the stored outputs and execution counts of exercise cells (a solution region, or nbgrader's
  ``solution: true``), of hidden-test cells and of check cells (code cells with nbgrader's
  ``grade: true``) are cleared: they would show the instructor's answer. Cell metadata is kept
  as it is, nbgrader's included.

A lesson is a file whose name matches ``LESSON_RE`` (``NN_topic.ipynb``: two digits, an
underscore, letters, digits and underscores), so ``NN_topic.new.ipynb`` never is one.

**A learner's work is never overwritten.** ``student/.written.json`` maps each file name the tool
wrote to the *fingerprint* of its cells (see ``fingerprint``: what a learner writes, not
outputs). On the next run a student file is

- ``unchanged`` (not touched) when its cells already are the new version's, however often it was
  executed since;
- ``updated`` when its cells are still what the tool wrote but the course changed: nothing the
  learner wrote is lost;
- ``kept`` when the learner changed it and the course has a newer version: the learner's file
  stays as it is and the new version is written beside it as ``NN_topic.new.ipynb``;
- ``yours`` when the learner changed it and the course has nothing newer (the tool last wrote
  this very version there): it stays as it is and nothing is written beside it.

**Hand-outs.** ``python -m mlp_core.tools.student --handout DIR`` (``make handout DIR=...``) writes
the student version of every lesson into ``DIR`` (for example a clone of the student repository an
nbgitpuller link pulls from): exactly the lessons, generated afresh from ``notebooks/``, so no
``.new`` file and no edit made in ``student/`` is ever handed out. ``DIR/.handout.json`` records
the fingerprints handed out. A file in ``DIR`` whose cells were changed since stops the hand-out,
naming the file, before anything is written; ``--force`` replaces it after moving a backup to
``DIR/.backup/NN_topic.<UTC time>.ipynb`` (a name that is never a lesson).
"""

import argparse
import copy
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

LESSON_RE = re.compile(r"^[0-9][0-9]_[A-Za-z0-9_]+\.ipynb$")
MANIFEST = ".written.json"
HANDOUT_MANIFEST = ".handout.json"
BACKUP_DIR = ".backup"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)


def _delimiter(word, kind):
    return re.compile(rf"^(?P<indent>[ \t]*)#+[ \t]*{word}[ \t]+{kind}[ \t]*$")


BEGIN = {"solution": _delimiter("BEGIN", "SOLUTION"),
         "hidden": _delimiter("BEGIN", "HIDDEN TESTS")}
END = {"solution": _delimiter("END", "SOLUTION"),
       "hidden": _delimiter("END", "HIDDEN TESTS")}


class RegionError(ValueError):
    """A BEGIN/END delimiter without its partner, or one region inside another."""


class HandoutError(RuntimeError):
    """A hand-out that would overwrite a file changed since it was handed out."""


# --- lessons -----------------------------------------------------------------------------------

def is_lesson_file(name):
    """True when the file name ``name`` (a str or Path; only its last part counts) is a lesson:
    ``NN_topic.ipynb``, never ``NN_topic.new.ipynb`` or a backup."""
    return bool(LESSON_RE.match(Path(name).name))


def find_lessons(source):
    """The lesson notebooks in the folder ``source`` (see ``is_lesson_file``), in teaching
    order."""
    folder = Path(source)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and is_lesson_file(p.name))



# --- one cell ----------------------------------------------------------------------------------

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


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_check_cell(cell):
    """A check cell: a code cell nbgrader grades (its metadata has ``nbgrader.grade: true``)."""
    return cell.cell_type == "code" and bool(_nbgrader(cell).get("grade", False))


def is_solution_cell(cell):
    """A cell nbgrader marks as a learner's answer (metadata ``nbgrader.solution: true``)."""
    return bool(_nbgrader(cell).get("solution", False))


def _student_cell(cell, keep_solutions):
    """Rewrite ``cell`` in place; return (is an exercise, has hidden tests)."""
    stub = CODE_STUB if cell.cell_type == "code" else MARKDOWN_STUB
    source, solutions, hidden = strip_regions(cell.source, stub, keep_solutions)
    exercise = bool(solutions) or is_solution_cell(cell)
    if exercise and not solutions and not keep_solutions:
        source = "\n".join(stub)         # nbgrader: a solution cell without a region
    cell.source = source
    return exercise, bool(hidden)


def student_version(nb, keep_solutions=False):
    """A student copy of the notebook ``nb`` (an nbformat NotebookNode; left unchanged).

    Exercise cells get their stubs; hidden tests go; outputs and execution counts of exercise,
    hidden-test and check cells are cleared; metadata stays. keep_solutions: keep the
    instructor's solutions (what a learner's notebook looks like once every exercise is solved).
    Returns (the new notebook, list of the indices of the exercise cells).
    Raises RegionError naming the cell whose delimiters do not pair up.
    """
    nb = copy.deepcopy(nb)
    exercises = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type not in ("code", "markdown"):
            continue
        try:
            exercise, hidden = _student_cell(cell, keep_solutions)
        except RegionError as error:
            raise RegionError(f"cell {index}: {error}") from None
        if exercise:
            exercises.append(index)
        if cell.cell_type == "code" and (exercise or hidden or is_check_cell(cell)):
            cell.outputs = []
            cell.execution_count = None
    return nb, exercises


# --- fingerprints and the manifest -------------------------------------------------------------

def notebook_bytes(nb):
    """The notebook serialised as Jupyter saves it (the bytes the tool writes)."""
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def fingerprint(nb):
    """What a learner wrote in ``nb``: the SHA-256 of the JSON list ``[[cell_type, source], ...]``
    of its cells, in order. Outputs, execution counts and metadata are left out, so executing a
    notebook does not change its fingerprint; editing, adding or moving a cell does."""
    cells = [[cell.cell_type, "".join(cell.source)] for cell in nb.cells]
    return _sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8"))


def file_fingerprint(path):
    """The fingerprint of the notebook file at ``path``; None when it is missing or is not a
    readable notebook (then it is treated as someone's work)."""
    try:
        return fingerprint(nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4))
    except Exception:    # missing, not UTF-8, not JSON, not a notebook: nothing the tool wrote
        return None


class Manifest:
    """A JSON file mapping file names to the fingerprint this tool last wrote under each. A
    missing or unreadable manifest records nothing: every existing file then counts as someone's
    work, which is the safe side."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.records = dict(json.loads(self.path.read_text()))
        except (OSError, ValueError, TypeError):
            self.records = {}

    def wrote(self, path, current):
        """True when the file ``path``, whose fingerprint is ``current``, still holds what the
        tool wrote. A record made by version 0.1 (the SHA-256 of the file's bytes) counts too."""
        record = self.records.get(Path(path).name)
        if record is None:
            return False
        return record == current or record == _sha256(Path(path).read_bytes())

    def record(self, path, value):
        """Remember ``value`` as the fingerprint written to ``path``, and save."""
        self.records[Path(path).name] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.records, indent=1, sort_keys=True) + "\n"
        _atomic_write(self.path, text.encode("utf-8"))


def _atomic_write(path, data):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- student/: never overwrite a learner -------------------------------------------------------

@dataclass
class Written:
    """What happened to one lesson: ``status`` is "new", "updated", "unchanged", "yours" (the
    learner's changed file, and the course has nothing newer) or "kept" (the learner's file
    ``kept`` was kept and ``path`` is the new version beside it)."""

    lesson: Path
    path: Path
    status: str
    kept: Path | None = None

    def message(self):
        """One line for the terminal."""
        if self.status == "kept":
            return (f"kept {self.kept}: it differs from what this tool wrote, so it holds your "
                    f"work. The new version is {self.path}; copy from it what you need.")
        if self.status == "yours":
            return f"yours     {self.path} (changed by you; the course has nothing newer)"
        return f"{self.status:9} {self.path}"


class StudentWriter:
    """Writes student files into ``dest`` without overwriting a learner's changes.

    The manifest ``dest/.written.json`` maps each file name to the fingerprint of the notebook
    this tool last wrote there.
    """

    def __init__(self, dest):
        self.dest = Path(dest)
        self.manifest = Manifest(self.dest / MANIFEST)

    def ours(self, path):
        """True when ``path`` is missing or its cells are still what this tool wrote."""
        path = Path(path)
        return not path.exists() or self.manifest.wrote(path, file_fingerprint(path))

    def write(self, lesson, nb):
        """Write the notebook ``nb`` as the student version of ``lesson``; return a Written."""
        target = self.dest / Path(lesson).name
        status = self._place(target, nb)
        if status != "taken":
            return Written(Path(lesson), target, status)
        if self.manifest.records.get(target.name) == fingerprint(nb):
            return Written(Path(lesson), target, "yours")
        for n in range(1, 1000):
            beside = target.with_suffix(f".new{n if n > 1 else ''}.ipynb")
            if self._place(beside, nb) != "taken":
                return Written(Path(lesson), beside, "kept", kept=target)
        raise RuntimeError(f"too many changed copies of {target} to write a new one beside")

    def _place(self, path, nb):
        """Put ``nb`` at ``path`` unless that would lose someone's work. Returns "unchanged"
        (the cells are already nb's: the file is not touched), "new", "updated" or "taken"."""
        new, current = fingerprint(nb), file_fingerprint(path)
        if current == new:
            self.manifest.record(path, new)
            return "unchanged"
        if path.exists() and not self.manifest.wrote(path, current):
            return "taken"
        status = "updated" if path.exists() else "new"
        self.dest.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, notebook_bytes(nb))
        self.manifest.record(path, new)
        return status


# --- reading the lessons -----------------------------------------------------------------------

def _select(lessons, names, source):
    """The lessons whose file names (with or without ``.ipynb``) are in ``names`` (all when
    empty). Raises FileNotFoundError naming the ones that are not lessons in ``source``."""
    if not names:
        return lessons
    wanted = {Path(n).name for n in names}
    wanted = {n if n.endswith(".ipynb") else f"{n}.ipynb" for n in wanted}
    missing = wanted - {p.name for p in lessons}
    if missing:
        raise FileNotFoundError(f"no such lesson in {source}: {', '.join(sorted(missing))}")
    return [p for p in lessons if p.name in wanted]


def student_versions(source="notebooks", names=None):
    """The student version of every lesson in ``source`` (or of those named in ``names``), as a
    list of (lesson path, notebook). Raises RegionError naming a lesson whose solution or
    hidden-test delimiters do not pair up."""
    result = []
    for lesson in _select(find_lessons(source), names, source):
        nb = nbformat.read(lesson, as_version=4)
        try:
            result.append((lesson, student_version(nb)[0]))
        except RegionError as error:
            raise RegionError(f"{lesson}: {error}") from None
    return result


def write_student_versions(source="notebooks", dest="student", names=None):
    """Write the student version of every lesson in ``source`` (or of those whose file names
    are in ``names``) into ``dest``. Returns a list of Written, one per lesson."""
    writer = StudentWriter(dest)
    return [writer.write(lesson, nb) for lesson, nb in student_versions(source, names)]


# --- hand-outs ---------------------------------------------------------------------------------

@dataclass
class HandedOut:
    """One lesson of a hand-out: ``status`` is "new", "updated", "unchanged" or "replaced"
    (forced over a changed file, which was first moved to ``backup``)."""

    path: Path
    status: str
    backup: Path | None = None

    def message(self):
        """One line for the terminal."""
        if self.status == "replaced":
            return f"replaced  {self.path} (your changed file is now {self.backup})"
        return f"{self.status:9} {self.path}"


def handout_status(path, nb, manifest):
    """What handing ``nb`` out to ``path`` would do: "new", "unchanged" (the same bytes),
    "updated" (its cells are what was handed out, or already nb's: only outputs would change)
    or "changed" (someone changed its cells since, or the hand-out never wrote it)."""
    path = Path(path)
    if not path.exists():
        return "new"
    if path.read_bytes() == notebook_bytes(nb):
        return "unchanged"
    current = file_fingerprint(path)
    if current is not None and (current == fingerprint(nb) or manifest.wrote(path, current)):
        return "updated"
    return "changed"


def backup_path(path, stamp=None):
    """Where a changed hand-out file goes before ``--force`` replaces it:
    ``DIR/.backup/NN_topic.<UTC time>.ipynb`` (``.2``, ``.3`` ... if that exists), a name
    ``is_lesson_file`` never matches."""
    path = Path(path)
    stamp = stamp or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder = path.parent / BACKUP_DIR
    candidate = folder / f"{path.stem}.{stamp}.ipynb"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{path.stem}.{stamp}.{n}.ipynb"
    return candidate


def _refusal(changed):
    names = "\n".join(f"  {p}" for p in changed)
    one = len(changed) == 1
    these = ("this file was changed since it was" if one
             else f"these {len(changed)} files were changed since they were")
    return (f"nothing was handed out: {these} handed out:\n{names}\n"
            f"To replace {'it' if one else 'them'} anyway, run again with --force "
            f"(make handout DIR=... FORCE=1); a backup goes to {changed[0].parent / BACKUP_DIR}/ "
            f"first.")


def hand_out(dest, source="notebooks", names=None, force=False):
    """Write the student version of every lesson in ``source`` (or of those in ``names``) into
    the folder ``dest``, exactly the lessons and nothing else. Returns a list of HandedOut.

    Raises HandoutError, before writing anything, when a file in ``dest`` was changed since it
    was handed out; with ``force`` such a file is moved to ``dest/.backup/`` and replaced.
    """
    dest = Path(dest)
    manifest = Manifest(dest / HANDOUT_MANIFEST)
    plan = [(dest / lesson.name, nb) for lesson, nb in student_versions(source, names)]
    statuses = [handout_status(path, nb, manifest) for path, nb in plan]
    changed = [path for (path, _), s in zip(plan, statuses) if s == "changed"]
    if changed and not force:
        raise HandoutError(_refusal(changed))
    dest.mkdir(parents=True, exist_ok=True)
    return [_hand_out_one(path, nb, status, manifest) for (path, nb), status in zip(plan, statuses)]


def _hand_out_one(path, nb, status, manifest):
    backup = None
    if status == "changed":
        backup = backup_path(path)
        backup.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, backup)
        status = "replaced"
    if status != "unchanged":
        _atomic_write(path, notebook_bytes(nb))
    manifest.record(path, fingerprint(nb))
    return HandedOut(path, status, backup)


# --- command line ------------------------------------------------------------------------------

def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m mlp_core.tools.student",
        description="Write student versions of the lessons into student/ (a learner's changes "
                    "are kept), or hand them out into a folder with --handout.")
    parser.add_argument("lessons", nargs="*", help="lesson names, e.g. 01_neuron (default: all)")
    parser.add_argument("--source", default="notebooks", help="instructor lessons (notebooks)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--dest", default="student", help="where to write (student)")
    where.add_argument("--handout", metavar="DIR",
                       help="hand out exactly the student lessons into DIR instead")
    parser.add_argument("--force", action="store_true",
                        help="with --handout: replace files changed in DIR, after a backup "
                             f"in DIR/{BACKUP_DIR}/")
    return parser


def _report_student(args):
    results = write_student_versions(args.source, args.dest, args.lessons)
    for result in results:
        print(result.message())
    kept = sum(r.status == "kept" for r in results)
    print(f"{len(results)} student notebooks in {args.dest}/"
          + (f"; {kept} of yours kept, see the lines above" if kept else ""))


def _report_handout(args):
    results = hand_out(args.handout, args.source, args.lessons, args.force)
    for result in results:
        print(result.message())
    print(f"{len(results)} lessons handed out in {args.handout}/")


def main(argv=None):
    """Command line: ``python -m mlp_core.tools.student [--source DIR] [--dest DIR] [LESSON ...]``
    writes student versions; ``... --handout DIR [--force] [LESSON ...]`` hands them out."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.force and not args.handout:
        parser.error("--force goes with --handout")
    if not find_lessons(args.source):
        print(f"no lessons found in {args.source}/ (expected NN_topic.ipynb)", file=sys.stderr)
        return 1
    report = _report_handout if args.handout else _report_student
    try:
        report(args)
    except (RegionError, FileNotFoundError, HandoutError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
