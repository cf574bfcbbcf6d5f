"""`tfcourse grade`: vet -> collect -> execute (sandboxed) -> score -> gradebook -> feedback.

Two phases per submission. **Execute**: nbgrader autograde runs the notebook in a sandboxed kernel
that sees its own folder and the public dataset splits, nothing else; the notebook's test cells
only save artifacts and print a self-check. **Score**: once that kernel has exited, the scorer
judges the artifacts left in autograded/<student>/<folder>/ on held-out data and writes the points
into nbgrader's gradebook. With ``models=True`` (the certificate exam's way) the execute phase is
skipped and the submitted ``.keras`` files are scored as they are.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from tfcourse.course import Course
from tfcourse.errors import UserError
from tfcourse.grading import (
    AssignmentSpec,
    CheckResult,
    GradeResult,
    HeldoutError,
    HeldoutStore,
    get_assignment,
    open_heldout,
)
from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.policies import export_notebook_splits
from tfcourse.grading.scorer import Scorer
from tfcourse.instructor import exchange, feedback, gradebook, nbgrader_steps
from tfcourse.instructor.archives import vet_archives
from tfcourse.instructor.gradebook import GradebookRow, shorten
from tfcourse.sandbox.process import UNSANDBOXED
from tfcourse.sandbox.worker import WorkerFailed

log = logging.getLogger(__name__)

GRADEBOOK_CSV = "gradebook.csv"
VETTED = "vetted"  # downloaded/<folder>/vetted: the accepted zips that zip_collect extracts


class GradingSetupError(UserError, RuntimeError):
    """The course itself is not ready to grade (not the submissions' fault); nothing was graded."""


def students_of(course: Course, folder: str) -> list[str]:
    """Students with a submitted/<student>/<folder> directory, sorted."""
    if not course.submitted.is_dir():
        return []
    return sorted(p.name for p in course.submitted.iterdir() if (p / folder).is_dir())


def released_test_ids(course: Course, spec: AssignmentSpec) -> list[str]:
    """grade_ids of the graded test cells in the released notebook."""
    import nbformat

    cells = nbformat.read(course.release / spec.folder / spec.notebook, as_version=4).cells
    return [cell.metadata["nbgrader"]["grade_id"] for cell in cells if gradebook.is_test_cell(cell)]


def zero_result(spec: AssignmentSpec, data: EvaluationData, reason: str, notes: tuple[str, ...] = ()) -> GradeResult:
    """Every part of an assignment at 0, for a submission that could not be scored at all."""
    checks = [CheckResult("model", 0.0, spec.model_cell_points, reason, cell=spec.model_cell)] if spec.has_model else []
    checks += [CheckResult(part.exercise.title, 0.0, part.points, reason, cell=part.test_cell)
               for part in spec.exercises]
    return GradeResult(spec.assignment_id, spec.title, data.label, tuple(checks), spec.possible, notes)


def kernel_context(report: dict) -> tuple[list[str], tuple[str, ...]]:
    """(reasons, notes) from the sandboxed kernel's report: limits hit, timeouts, crashes, missing sandbox."""
    reasons = [f"your notebook's kernel was {event}" if event.startswith("killed") else f"your notebook {event}"
               for event in report.get("events", [])]
    failure = report.get("failure") or ""
    timeouts = report.get("timeouts", [])
    if timeouts and "IOPub" in failure:
        reasons.append(timeouts[0].replace("was interrupted", "ignored the interrupt, so the run was stopped"))
    elif timeouts:
        reasons.append(timeouts[0])
    elif "DeadKernelError" in failure:
        reasons.append("the notebook's kernel died before the notebook finished")
    reasons += [f"your notebook's {refusal}" for refusal in report.get("refused_artifacts", [])]
    if report.get("output_truncated"):
        reasons.append("the notebook printed more than the output limit; the rest was dropped")
    notes = ()
    if report and not report.get("sandboxed"):
        notes = (f"{UNSANDBOXED} ({report.get('unsandboxed_because') or 'unknown reason'})",)
    return reasons, notes


def _read_report(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _row(student: str, spec: AssignmentSpec, result: GradeResult, context: list[str]) -> GradebookRow:
    reasons = [shorten(reason) for reason in result.lost_points()]
    if result.score < result.possible:
        reasons += [shorten(reason) for reason in context if shorten(reason) not in reasons]
    reasons += list(result.notes)
    return GradebookRow(student, spec.folder, result.score, result.possible, tuple(reasons))


def grade_notebook(course: Course, spec: AssignmentSpec, student: str, *, data: EvaluationData, scorer: Scorer,
                   data_view: Path, work: Path, cell_timeout_s: int | None) -> tuple[GradebookRow, bool]:
    """Execute one submitted notebook in the sandbox, then score its artifacts. Returns (row, has notebook)."""
    if not (course.submitted / student / spec.folder / spec.notebook).is_file():
        return _no_notebook(course, spec, student, data), False
    report_path = work / f"{student}.{spec.folder}.kernel.json"
    step = nbgrader_steps.autograde(course.root, spec.folder, student, data_view=data_view, report=report_path,
                                    cell_timeout_s=cell_timeout_s)
    return score_autograded(course, spec, student, step, _read_report(report_path), data=data, scorer=scorer)


def _no_notebook(course: Course, spec: AssignmentSpec, student: str, data: EvaluationData) -> GradebookRow:
    result = zero_result(spec, data, f"no notebook named {spec.notebook} was submitted")
    return _record_without_notebook(course, spec, student, result, [])


def score_autograded(course: Course, spec: AssignmentSpec, student: str, step: nbgrader_steps.StepResult,
                     report: dict, *, data: EvaluationData, scorer: Scorer) -> tuple[GradebookRow, bool]:
    """Score what autograde left in autograded/<student>/<folder>/ (wherever the notebook was executed) and
    record it. Returns (row, has notebook)."""
    context, notes = kernel_context(report)
    autograded = course.autograded / student / spec.folder
    if not step.ok or not (autograded / spec.notebook).is_file():
        result = zero_result(spec, data, f"could not be autograded: {step.reason()}", notes)
        return _record_without_notebook(course, spec, student, result, context), False
    scored = scorer.score(spec, autograded, data)
    result = GradeResult(scored.assignment, scored.title, scored.data_label, scored.checks, scored.possible,
                         tuple(dict.fromkeys([*notes, *scored.notes])))
    context += gradebook.notebook_context(autograded / spec.notebook, released_test_ids(course, spec))
    gradebook.record_scores(course.root, spec.folder, student, result)
    row = _row(student, spec, result, context)
    feedback.annotate_notebook(autograded / spec.notebook, result, _context_only(row, result))
    return row, True


def grade_notebooks_on(cluster, course: Course, batch: list[tuple[AssignmentSpec, list[str], EvaluationData]], *,
                       scorer: Scorer, work: Path, cell_timeout_s: int | None, progress: bool,
                       keep: Callable[[GradebookRow], None], unrendered: set[str]) -> None:
    """Execute submitted notebooks on a Dask cluster (:class:`tfcourse.instructor.parallel.Cluster`), each in a
    throwaway course on a worker; score and record each here as it comes back (``keep``, the one writer).

    ``batch`` holds (assignment, students, held-out data) of every assignment: all their units are queued at
    once, under one progress bar. Each assignment's feedback pages are written (a background nbgrader step)
    as soon as its last unit is recorded, while the cluster runs the others'; ``unrendered`` names the
    assignments that need them even if no notebook of theirs runs now.
    """
    from concurrent.futures import ThreadPoolExecutor

    from dask.distributed import KilledWorker, as_completed

    from tfcourse.instructor.remote_autograde import SubmissionTooLarge, make_kit, submitted_files

    futures: dict = {}
    pending = {spec.folder: len(students) for spec, students, _ in batch}
    to_render = set(unrendered)
    pages = ThreadPoolExecutor(max_workers=1)

    def finished(folder: str, has_notebook: bool) -> None:
        """One unit of ``folder`` recorded; the folder's feedback pages once it has no unit left."""
        pending[folder] -= 1
        if has_notebook:
            to_render.add(folder)
        if pending[folder] == 0 and folder in to_render:
            pages.submit(_feedback_pages, course, folder)

    tally = _UnitTally(sum(len(students) for _, students, _ in batch), f"notebooks on {cluster.slots} workers",
                       progress)
    try:
        kit = cluster.share(make_kit(course.root, [spec.folder for spec, _, _ in batch], work))
        for spec, students, data in batch:
            for student in students:
                folder = course.submitted / student / spec.folder
                if not (folder / spec.notebook).is_file():
                    keep(_no_notebook(course, spec, student, data))
                    tally.done(failed=True, ran=False)
                    finished(spec.folder, False)
                    continue
                try:
                    files = submitted_files(folder)
                except (SubmissionTooLarge, OSError) as error:
                    keep(_record_without_notebook(course, spec, student,
                                                  zero_result(spec, data, f"could not be autograded: {error}"), []))
                    tally.done(failed=True, ran=False)
                    finished(spec.folder, False)
                    continue
                futures[cluster.autograde(kit, spec.folder, student, files, cell_timeout_s)] = (spec, student, data)
                tally.started()
        for future in as_completed(list(futures)):
            spec, student, data = futures.pop(future)
            try:
                unit = future.result()
            except KilledWorker:
                step = nbgrader_steps.StepResult(("nbgrader", "autograde"), 137,
                                                 "[ERROR] the grading workers died running this notebook, each "
                                                 "time it was tried")
                row, has_notebook = score_autograded(course, spec, student, step, {}, data=data, scorer=scorer)
                seconds = None
            else:
                _place_autograded(course.autograded / student / spec.folder, unit.files)
                row, has_notebook = score_autograded(course, spec, student, unit.step(), unit.report, data=data,
                                                     scorer=scorer)
                seconds = unit.seconds
            keep(row)
            tally.done(failed=not has_notebook, seconds=seconds)
            finished(spec.folder, has_notebook)
        for folder in sorted(to_render):  # assignments with nothing to run now, but pages to write
            if folder not in pending:
                pages.submit(_feedback_pages, course, folder)
        pages.shutdown(wait=True)
    finally:  # Ctrl-C: start nothing more; the cluster's close stops what runs
        for future in futures:
            future.cancel()
        pages.shutdown(wait=False, cancel_futures=True)
        tally.close()


class _UnitTally:
    """One progress bar over a batch's units: done, running, failed, and the mean time a unit took on a worker."""

    def __init__(self, total: int, description: str, progress: bool):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=description, unit="submission", disable=not progress)
        self.running = self.failed = 0
        self.seconds: list[float] = []

    def started(self) -> None:
        self.running += 1
        self._show()

    def done(self, *, failed: bool, seconds: float | None = None, ran: bool = True) -> None:
        """One unit finished (``ran``: it had been started on a worker)."""
        self.running -= ran
        self.failed += failed
        if seconds is not None:
            self.seconds.append(seconds)
        self.bar.update()
        self._show()

    def _show(self) -> None:
        mean = f"{sum(self.seconds) / len(self.seconds):.0f} s" if self.seconds else "-"
        self.bar.set_postfix_str(f"running {self.running}, failed {self.failed}, per unit {mean}", refresh=False)

    def close(self) -> None:
        self.bar.close()


def _place_autograded(folder: Path, files: dict[str, bytes]) -> None:
    """autograded/<student>/<folder>/ as the unit left it: exactly the files it returned."""
    import shutil

    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / Path(name).name).write_bytes(content)


def _context_only(row: GradebookRow, result: GradeResult) -> list[str]:
    """The row's reasons that the result's own check lines do not already say."""
    said = {shorten(reason) for reason in result.lost_points()} | set(result.notes)
    return [reason for reason in row.reasons if reason not in said]


def _record_without_notebook(course: Course, spec: AssignmentSpec, student: str, result: GradeResult,
                             context: list[str]) -> GradebookRow:
    """Record a result that has no autograded notebook to render: gradebook plus an HTML report."""
    gradebook.record_scores(course.root, spec.folder, student, result)
    row = _row(student, spec, result, context)
    feedback.write_report(course.feedback / student / spec.folder / f"{spec.folder}.html", student, spec.folder,
                          result, _context_only(row, result))
    return row


def grade_model_file(course: Course, spec: AssignmentSpec, student: str, *, data: EvaluationData,
                     scorer: Scorer) -> GradebookRow:
    """Score a submitted model file as it is (and exercises from the submitted notebook, when there is one)."""
    result = scorer.score(spec, course.submitted / student / spec.folder, data)
    return _record_without_notebook(course, spec, student, result, [])


def grade_model_files_on(cluster, course: Course, spec: AssignmentSpec, students: list[str], *,
                         data: EvaluationData, scorer: Scorer, progress: bool,
                         keep: Callable[[GradebookRow], None]) -> None:
    """Score submitted model files on a Dask cluster (:class:`tfcourse.instructor.parallel.Cluster`): the
    workers make the predictions, this process judges them and records each result as it arrives (``keep``)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from tqdm.auto import tqdm

    from tfcourse.grading.model_part import judge_model_part

    def judged(student: str) -> tuple[list[CheckResult], tuple[str, ...]]:
        notes: list[str] = []
        model = course.submitted / student / spec.folder / spec.model_filename
        return judge_model_part(spec, cluster.evaluate(spec, model, notes), data, scorer.published_base), tuple(notes)

    pool = ThreadPoolExecutor(max_workers=2 * cluster.slots)
    try:
        pending = {pool.submit(judged, student): student for student in students}
        bar = tqdm(as_completed(pending), total=len(pending), desc=f"{spec.assignment_id} models on {cluster.slots} "
                   f"workers", unit="model", disable=not progress)
        for done in bar:
            student = pending[done]
            checks, notes = done.result()
            folder = course.submitted / student / spec.folder
            checks += [scorer.score_exercise(spec, part, folder / spec.notebook) for part in spec.exercises]
            result = GradeResult(spec.assignment_id, spec.title, data.label, tuple(checks), spec.possible, notes)
            keep(_record_without_notebook(course, spec, student, result, []))  # the one writer
    finally:  # Ctrl-C or a setup error: start no further submission (what is recorded stays, for a resume)
        pool.shutdown(wait=False, cancel_futures=True)


def _feedback_pages(course: Course, folder: str) -> None:
    step = nbgrader_steps.generate_feedback(course.root, folder)
    if not step.ok:
        log.warning("generate_feedback %s: %s", folder, step.reason())


def collect(course: Course, folder: str) -> dict[str, str]:
    """Vet the zips in downloaded/<folder>/archive and collect the accepted ones; student -> reason for refused."""
    archive = course.archive(folder)
    if not archive.is_dir() or not any(archive.iterdir()):
        return {}
    checks = vet_archives(archive, course.downloaded / folder / VETTED, folder)
    for check in checks:
        if check.student is None:
            log.warning("ignored %s: %s", check.path.name, check.reason())
    refused = {check.student: check.reason() for check in checks if not check.accepted and check.student}
    if any(check.accepted for check in checks):
        step = nbgrader_steps.zip_collect(course.root, folder, VETTED)
        if not step.ok:
            log.warning("zip_collect %s failed: %s", folder, step.reason())
    return refused


def grade(folders: list[str] | None = None, *, course: Course, students: list[str] | None = None,
          cell_timeout_s: int | None = None, models: bool = False, progress: bool = True,
          workers: int | None = None, scheduler: str | None = None, db: str | None = None,
          again: bool = False, kernel_threads: int | None = None) -> list[GradebookRow]:
    """Grade every collected submission of ``folders`` (default: all assignments) on held-out data.

    Zips waiting in downloaded/<folder>/archive are vetted and collected first. With ``models``,
    the submitted ``.keras`` files are scored without running any notebook. Every submission that
    cannot be graded scores 0 with a reason and the batch goes on; a problem with the course itself
    (missing or changed held-out data) raises :class:`GradingSetupError` before anyone is graded.
    Updates gradebook.csv in the course directory (this run's rows replace earlier ones of the same
    student and assignment) and returns this run's rows.

    With ``workers`` (a ``LocalCluster`` of that many processes) or ``scheduler`` (an existing Dask cluster's
    address), submissions are graded in parallel on Dask (:mod:`tfcourse.instructor.parallel`): notebooks are
    executed on the workers, models predict there; this process scores and records. ``kernel_threads`` is each
    notebook kernel's CPU thread budget (default for a local cluster: the cores shared among the workers).
    ``db`` is the gradebook's SQLAlchemy URL for this run (a Postgres server:
    ``postgresql://user@host:5432/gradebook``); by default nbgrader_config.py's, or SQLite in the course.

    A submission graded before from the same files, release, held-out data, database, mode and grading code
    keeps its row (:mod:`tfcourse.instructor.ledger`), so a batch run again after an interruption resumes;
    ``again`` grades every submission anew.
    """
    if db:
        previous = os.environ.get(gradebook.DB_URL_ENV)
        os.environ[gradebook.DB_URL_ENV] = db  # for this process and the nbgrader steps it starts
        try:
            return grade(folders, course=course, students=students, cell_timeout_s=cell_timeout_s, models=models,
                         progress=progress, workers=workers, scheduler=scheduler, again=again,
                         kernel_threads=kernel_threads)
        finally:
            if previous is None:
                os.environ.pop(gradebook.DB_URL_ENV, None)
            else:
                os.environ[gradebook.DB_URL_ENV] = previous
    folders = [get_assignment(name).folder for name in folders] if folders else course.assignment_folders()
    try:
        store = open_heldout(course.heldout, course.heldout_pin)
    except HeldoutError as error:
        raise GradingSetupError(str(error)) from None
    try:
        if workers or scheduler:
            from tfcourse.instructor.parallel import Cluster

            with Cluster(workers=workers, scheduler=scheduler, kernel_threads=kernel_threads) as cluster:
                if progress and cluster.dashboard:
                    print(f"Dask dashboard: {cluster.dashboard}")
                return _grade_batch(folders, course=course, store=store, students=students,
                                    cell_timeout_s=cell_timeout_s, models=models, progress=progress, cluster=cluster,
                                    again=again)
        return _grade_batch(folders, course=course, store=store, students=students, cell_timeout_s=cell_timeout_s,
                            models=models, progress=progress, again=again)
    except WorkerFailed as error:  # the sandbox itself cannot start: a setup problem, not a submission's
        raise GradingSetupError(str(error)) from None


def _grade_batch(folders: list[str], *, course: Course, store: HeldoutStore, students: list[str] | None,
                 cell_timeout_s: int | None, models: bool, progress: bool, cluster=None,
                 again: bool = False) -> list[GradebookRow]:
    from tqdm.auto import tqdm

    from tfcourse.instructor.ledger import Ledger

    rows: list[GradebookRow] = []
    ledger = Ledger(course, mode="models" if models else "notebooks")

    def keep(row: GradebookRow) -> None:
        """A graded row: into this run's rows, and into the ledger at once."""
        rows.append(row)
        ledger.record(row)
    queued: list[tuple[AssignmentSpec, list[str], EvaluationData]] = []  # notebooks for the cluster
    unrendered_folders: set[str] = set()
    with Scorer(exercise_seed=store.seed) as scorer, tempfile.TemporaryDirectory(prefix="tfcourse-grade-") as work:
        for folder in folders:
            spec = get_assignment(folder)
            # Recorded already, unless this is a fresh clone (no gradebook.db) or release/ changed since.
            if not gradebook.records_release(course.root, folder):
                step = nbgrader_steps.generate_assignment(course.root, folder)
                if not step.ok:
                    raise GradingSetupError(f"nbgrader generate_assignment {folder} failed: {step.reason()}")
            exchange.pack_submissions(course, folder)  # the Assignments panel's submissions, as zips to vet
            refused = collect(course, folder)
            wanted = lambda student: not students or student in students  # noqa: E731
            data = store.data(spec)
            for student, reason in sorted(refused.items()):
                if wanted(student):
                    rows.append(_record_without_notebook(course, spec, student, zero_result(spec, data, reason), []))
            todo = [s for s in students_of(course, folder) if wanted(s) and s not in refused]
            recorded = {} if again else {s: ledger.recorded(folder, s) for s in todo}
            rows += [row for row in recorded.values() if row is not None]
            todo = [s for s in todo if recorded.get(s) is None]
            # A batch stopped between a notebook's grades and its feedback page: render the page now.
            unrendered = not models and any(row is not None and (course.autograded / s / folder / spec.notebook).is_file()
                                            and not (course.feedback / s / folder / f"{folder}.html").is_file()
                                            for s, row in recorded.items())
            if not todo:
                if unrendered:
                    nbgrader_steps.generate_feedback(course.root, folder)
                continue
            scorer.warm_up(spec, models=cluster is None or not models)
            description = f"{spec.assignment_id} {'models' if models else 'notebooks'}"
            if models and cluster is not None:
                grade_model_files_on(cluster, course, spec, todo, data=data, scorer=scorer, progress=progress, keep=keep)
                continue
            if models:
                for student in tqdm(todo, desc=description, unit="model", disable=not progress):
                    keep(grade_model_file(course, spec, student, data=data, scorer=scorer))
                continue
            if cluster is not None:  # queued: every assignment's notebooks go to the cluster at once
                queued.append((spec, todo, data))
                unrendered_folders.update([folder] if unrendered else [])
                continue
            rendered = []
            view = export_notebook_splits(spec, Path(work) / "splits" / spec.assignment_id)
            for student in tqdm(todo, desc=description, unit="submission", disable=not progress):
                row, has_notebook = grade_notebook(course, spec, student, data=data, scorer=scorer, data_view=view,
                                                   work=Path(work), cell_timeout_s=cell_timeout_s)
                keep(row)
                rendered += [student] if has_notebook else []
            if rendered or unrendered:
                _feedback_pages(course, folder)
        if queued:
            grade_notebooks_on(cluster, course, queued, scorer=scorer, work=Path(work), cell_timeout_s=cell_timeout_s,
                               progress=progress, keep=keep, unrendered=unrendered_folders)
    for folder in folders:  # learners who submitted from JupyterLab fetch their feedback there
        exchange.release_feedback(course, folder)
    rows.sort(key=lambda row: (row.student, row.assignment))
    gradebook.update_csv(rows, course.root / GRADEBOOK_CSV)
    return rows
