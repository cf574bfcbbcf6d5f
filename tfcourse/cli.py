"""The `tfcourse` command: thin wrappers over the package's learner and instructor functions."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tfcourse.errors import UserError

EXAMPLES = """\
examples:
  learners
    tfcourse doctor                          is this machine ready? one line per check, with the fix
    tfcourse workspace                       copy the released assignments into my_work/
    tfcourse check C1W3                      self-check my_work/C1W3_convolutions before submitting
    tfcourse submit C1W3 --student alice     pack notebook + model into submissions/alice__...zip
    tfcourse lab                             JupyterLab on my_work/: Assignments, Validate, Check, Submit
    tfcourse progress                        the skills checklist with my labs, self-checks, submissions, feedback
  instructors
    tfcourse release                         regenerate release/ from source/ with nbgrader
    tfcourse heldout export                  write held-out test data where nbgrader_config.py says (adds only
                                             what is missing; the secret seed is kept)
    tfcourse heldout info                    which store this course uses, whether it verifies, what it holds
    tfcourse heldout backup ~/heldout.json   what rebuilds the store (secret!); `heldout restore FILE` rebuilds it
    tfcourse exchange publish                put released assignments in the exchange (JupyterLab's panel)
    tfcourse grade C1W3                      vet, collect, run (sandboxed), score, feedback, gradebook.csv
    tfcourse grade C1W3 --models             score the submitted .keras files only, as the exam did
    tfcourse demo                            grade the demo students (honest, weak, broken, cheating)
  exam
    tfcourse exam start --minutes 300 my_exam  a timed mock certificate exam: fresh task variants
    tfcourse exam check 1                    score task 1's model.keras on hidden data, 0 to 5
    tfcourse exam status                     time left, best score per task
    tfcourse exam report                     the attempt's report page
  data
    tfcourse data list                       registered datasets, offline or not, provenance
    tfcourse data build [NAME ...]           train and cache the pre-trained base and word vectors (once, ~2 min)
"""


def _print_rows(rows) -> None:
    from tfcourse.instructor.gradebook import format_table

    print(format_table(rows) if rows else "no submissions found")


def cmd_doctor(args) -> int:
    from tfcourse.learner.doctor import FAIL, report, run_checks

    print("Checking this machine for the course (about 20 s) ...", flush=True)
    checks, estimates = run_checks(args.benchmark_seconds)
    print(report(checks, estimates))
    return 1 if any(check.status == FAIL for check in checks) else 0


def cmd_check(args) -> int:
    from tfcourse.learner.check import check_assignment

    report = check_assignment(args.assignment, directory=args.dir)
    print(report.summary())
    return 0 if report.ready_to_submit else 1


def cmd_submit(args) -> int:
    from tfcourse.learner.submit import SubmissionRefused, submit

    try:
        path, report = submit(args.assignment, args.student, directory=args.dir, out_dir=args.out)
    except SubmissionRefused as refusal:
        print(f"Submission refused.\n{refusal}", file=sys.stderr)
        return 1
    print(report.summary())
    print(f"Submission written to {path}\nHand this zip to your instructor.")
    return 0


def cmd_progress(args) -> int:
    from tfcourse.course import Course
    from tfcourse.learner.check import WORKSPACE
    from tfcourse.learner.progress import CHART_FILE, gather, table, write_chart
    from tfcourse.learner.workspace import locate_work

    if args.course:
        course, found = Course.at(args.course), None
    else:
        course, found = locate_work(args.dir or Path.cwd())
    work = args.dir or found or course.root / WORKSPACE
    progress = gather(course, work)
    print(table(progress))
    print(f"\nChart written to {write_chart(progress, args.chart or work / CHART_FILE)}")
    return 0


def cmd_grade(args) -> int:
    from tfcourse.course import Course
    from tfcourse.errors import UnknownName
    from tfcourse.instructor.grade import GRADEBOOK_CSV, grade, students_of

    course = Course.at(args.course)
    rows = grade(args.assignments, course=course, students=args.student, cell_timeout_s=args.cell_timeout,
                 models=args.models, workers=args.workers, scheduler=args.scheduler, db=args.db, again=args.again,
                 kernel_threads=args.kernel_threads)
    _print_rows(rows)
    print(f"\ngradebook written to {course.root / GRADEBOOK_CSV}; feedback in {course.feedback}")
    missing = sorted(set(args.student or ()) - {row.student for row in rows})
    if missing:
        known = sorted({student for folder in course.assignment_folders() for student in students_of(course, folder)})
        raise UnknownName(f"no submission from {', '.join(missing)} for {' '.join(args.assignments) or 'any assignment'}; "
                          f"students with submissions: {', '.join(known) or 'none yet'}")
    return 0


def cmd_release(args) -> int:
    from tfcourse.course import Course
    from tfcourse.instructor.release import release

    course = Course.at(args.course)
    for folder in release(course, publish=True):
        print(f"released {folder}")
    print(f"published to the exchange in {course.exchange} (learners fetch them in JupyterLab's Assignments panel)")
    return 0


def cmd_heldout(args) -> int:
    from tfcourse.course import Course

    course = Course.at(args.course)
    if (args.new_seed and args.action != "export") or (args.force and args.action != "restore"):
        raise UserError("--new-seed goes with `heldout export` only, --force with `heldout restore` only")
    if args.action in ("backup", "restore") and args.path is None:
        raise UserError(f"`tfcourse heldout {args.action}` needs the backup FILE, e.g. "
                        f"tfcourse heldout {args.action} ~/{course.course_id}-heldout.json")
    if args.action == "info" and args.path is not None:
        raise UserError("`tfcourse heldout info` takes no path: it reports the store nbgrader_config.py names")
    return {"export": _heldout_export, "info": _heldout_info, "backup": _heldout_backup,
            "restore": _heldout_restore}[args.action](args, course)


def _heldout_export(args, course) -> int:
    from tfcourse.grading import export_heldout

    store = export_heldout(args.path or course.heldout, course.heldout_pin, new_seed=args.new_seed)
    if store.redrawn:
        print(f"warning: a new secret seed redrew the held-out data of {', '.join(store.redrawn)}: grades made "
              f"before cannot be reproduced, and backups made before restore the old seed (make a new one)",
              file=sys.stderr)
    written = store.redrawn + store.added
    if written:
        print(f"held-out data of {', '.join(written)} written to {store.directory} "
              f"({'new ' if args.new_seed else ''}seed {store.fingerprint})")
    if store.kept:
        print(f"kept the {len(store.kept)} assignments exported before, unchanged: {', '.join(store.kept)}")
    if not written:
        print("nothing to add: every assignment is exported; nothing was rewritten")
    else:
        print(f"its checksum is pinned in {course.heldout_pin}; back it up with `tfcourse heldout backup FILE`")
    if args.path:
        print(f"set c.TfCourse.heldout_dir = {str(store.directory)!r} in nbgrader_config.py to grade with it")
    return 0


def _heldout_info(args, course) -> int:
    from tfcourse.grading.store import store_status

    status = store_status(course.heldout, course.heldout_pin)
    origin = (f"configured: c.TfCourse.heldout_dir = {course.heldout_configured!r}" if course.heldout_configured
              else "the default for this course folder")
    print(f"held-out store: {status.directory} ({origin})")
    print(status.summary())
    return 0 if status.verified else 1


def _heldout_backup(args, course) -> int:
    from tfcourse.grading.store_backup import backup_heldout

    target = args.path.expanduser().resolve()
    if course.root == target or course.root in target.parents:
        raise UserError(f"{target} is inside the course folder, which learners may get a copy of; write the backup "
                        f"elsewhere, e.g. tfcourse heldout backup ~/{course.course_id}-heldout.json")
    store = backup_heldout(course.heldout, course.heldout_pin, target, course_id=course.course_id)
    print(f"backup of {store.directory} ({len(store.examples)} assignments, seed {store.fingerprint}) written to "
          f"{target}, readable by you only (0600)")
    print(f"warning: {target} is SECRET: with it anyone can draw every held-out example; keep it off the course "
          f"folder, out of git and away from learners", file=sys.stderr)
    return 0


def _heldout_restore(args, course) -> int:
    from tfcourse.grading.store_backup import restore_heldout

    source = args.path.expanduser()
    if source.is_file() and source.stat().st_mode & 0o077:
        print(f"warning: other users can read the secret backup {source}; `chmod 600 {source}`", file=sys.stderr)
    store = restore_heldout(source, course.heldout, course.heldout_pin, course_id=course.course_id, force=args.force)
    if not store.added:
        print(f"{store.directory} already holds this backup's data and verifies; nothing was rewritten")
        return 0
    print(f"restored {len(store.added)} assignments into {store.directory} (seed {store.fingerprint}); every file "
          f"matches the backup; its checksum is pinned in {course.heldout_pin}")
    if store.rewritten:
        print(f"{', '.join(store.rewritten)}: the same examples as the backup's in other file bytes (an older store, "
              f"or another zlib), so the pin changed; grades are unaffected")
    return 0


def cmd_exchange(args) -> int:
    from tfcourse.course import Course
    from tfcourse.instructor.exchange import publish, published_folders

    course = Course.at(args.course)
    missing = [folder for folder in course.released_folders() if folder not in published_folders(course)]
    for folder in publish(course, missing):
        print(f"published {folder}")
    print(f"the exchange in {course.exchange} holds {len(published_folders(course))} assignments")
    return 0


def cmd_demo(args) -> int:
    from tfcourse.course import Course
    from tfcourse.instructor.demo import demo_folders, run_demo
    from tfcourse.instructor.grade import GRADEBOOK_CSV

    course = Course.at(args.course)
    rows = run_demo(course, folders=demo_folders(course, args.only))
    print("\nDemo gradebook (held-out data; reference, weak, broken and cheating students)\n")
    _print_rows(rows)
    print(f"\ngradebook written to {course.root / GRADEBOOK_CSV}; feedback in {course.feedback}")
    return 0


def cmd_workspace(args) -> int:
    from tfcourse.course import Course
    from tfcourse.learner.workspace import create_workspace

    for path in create_workspace(Course.at(args.course), args.dir):
        print(f"copied {path}")
    return 0


def cmd_lab(args) -> int:
    from tfcourse.course import Course
    from tfcourse.lab import jupyter_lab_arguments
    from tfcourse.learner.check import WORKSPACE
    from tfcourse.learner.workspace import create_workspace

    course = Course.at(args.course)
    work = args.dir or course.root / WORKSPACE
    for path in create_workspace(course, work):
        print(f"copied {path}")
    command = [sys.executable, "-m", "jupyter", "lab", *jupyter_lab_arguments(work), *args.jupyter_options]
    os.execv(sys.executable, command)  # JupyterLab takes over this process (and its Ctrl-C)


FOLDERS_UP_TO = 5_000  # `data fetch` writes image folders of the small sets; Fashion-MNIST's 70,000 on demand only


def cmd_data(args) -> int:
    from tfcourse import data

    if args.action == "list":
        for row in data.describe_datasets():
            print(f"{row['name']:<17} offline: {row['offline']:<15} {row['description']}")
            print(f"{'':<17} source: {row['provenance']}; license: {row['license']}")
    elif args.action == "build":
        from tfcourse.built import ARTIFACTS, get_artifact

        for name in args.names or list(ARTIFACTS):
            artifact = get_artifact(name)
            print(f"{name}: {artifact.cached()} ({artifact.summary()})")
    elif args.action == "fetch":
        for name in args.names or [n for n in data.dataset_names() if data.get_spec(n).offline]:
            spec = data.get_spec(name)
            sizes = {split: len(data.load(name, split)[1]) for split in spec.splits}
            if spec.is_image and max(sizes.values()) <= FOLDERS_UP_TO:
                for split in spec.splits:  # written once now, not by the first notebooks (or tests) to ask at once
                    data.image_directory(name, split)
            print(f"{name}: verified; " + ", ".join(f"{split} {size:,}" for split, size in sizes.items()))
    else:
        print(f"Fashion-MNIST placed in {data.install_keras_cache()}")
    return 0


def cmd_exam(args) -> int:
    from tfcourse.exam import attempt

    if args.action == "start":
        folder = attempt.start(args.folder, args.minutes)
        print(f"Exam started: {args.minutes} minutes. The tasks are in {folder} (read README.md there first).")
        print(attempt.status(folder))
        return 0
    if args.action == "check":
        print(attempt.check(args.task, args.dir).summary())
        return 0
    if args.action == "status":
        print(attempt.status(args.folder))
        return 0
    from tfcourse.exam.report import write_report

    print(f"Report written to {write_report(args.folder)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `tfcourse` command."""
    parser = argparse.ArgumentParser(prog="tfcourse", description="Local, autograded TensorFlow course.",
                                     epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    doctor = sub.add_parser("doctor", help="check this machine's setup for the course: versions, GPU, data, JupyterLab "
                                           "(learners)",
                            epilog="example: tfcourse doctor   (exit status 1 when a check fails)")
    doctor.add_argument("--benchmark-seconds", type=float, default=10.0,
                        help="length of the micro-benchmark behind the time estimates (default: 10; 0 skips it)")
    doctor.set_defaults(func=cmd_doctor)

    check = sub.add_parser("check", help="self-check a notebook and its saved model (learners)",
                           epilog="example: tfcourse check C1W3")
    check.add_argument("assignment", help="assignment id, e.g. C1W3")
    check.add_argument("--dir", type=Path, help="where the notebook is (default: here, ./<folder>, ./my_work/<folder>)")
    check.set_defaults(func=cmd_check)

    submit = sub.add_parser("submit", help="check, then pack a submission zip (learners)",
                            epilog="example: tfcourse submit C1W3 --student alice")
    submit.add_argument("assignment")
    submit.add_argument("--student", required=True, help="your student id (letters, digits, '.', '-')")
    submit.add_argument("--dir", type=Path)
    submit.add_argument("--out", type=Path, help="folder for the zip (default: ./submissions)")
    submit.set_defaults(func=cmd_submit)

    progress = sub.add_parser("progress", help="the skills checklist with your labs run, self-checks, submissions "
                                               "and feedback, as a table and a chart (learners)",
                              epilog="example: tfcourse progress   (the chart goes to my_work/progress.png)")
    progress.add_argument("--dir", type=Path, help="your work folder (default: my_work)")
    progress.add_argument("--chart", type=Path, help="where the PNG chart goes (default: <work folder>/progress.png)")
    progress.set_defaults(func=cmd_progress)

    grade = sub.add_parser("grade", help="batch-grade collected submissions on held-out data (instructors)",
                           epilog="examples: tfcourse grade C1W3 --student alice\n"
                                  "          tfcourse grade C1W3 --models   (score submitted .keras files only)\n"
                                  "          tfcourse grade C1W3 --workers 2   (two notebooks at once, local Dask workers)\n"
                                  "          tfcourse grade C1W3 --scheduler tcp://10.0.0.5:8786   (an existing cluster)\n"
                                  "          tfcourse grade C1W3 --models --workers 2\n"
                                  "          tfcourse grade C1W3 --db postgresql://grader@db.example:5432/gradebook",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument("--cell-timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    grade.add_argument("--workers", type=int, metavar="N",
                       help="grade N submissions at once on a local Dask cluster of N worker processes")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on an existing Dask cluster (tcp://host:8786), whose workers run "
                            "`dask worker ADDRESS` with tfcourse and its data installed (make setup)")
    grade.add_argument("--kernel-threads", type=int, metavar="T",
                       help="CPU threads each notebook kernel's TensorFlow may use (default with --workers: the "
                            "cores shared among the workers)")
    grade.add_argument("--db", metavar="URL",
                       help="the gradebook's database for this run, e.g. postgresql://user@host:5432/gradebook "
                            "(default: nbgrader_config.py's, else gradebook.db here)")
    grade.add_argument("--again", action="store_true",
                       help="grade every submission anew (default: keep the rows of submissions graded before from "
                            "the same files, release, held-out data and grading code, so a stopped batch resumes)")
    grade.add_argument("--models", action="store_true",
                       help="score the submitted model files without running notebooks (the exam's mode)")
    grade.set_defaults(func=cmd_grade)

    release = sub.add_parser("release", help="regenerate release/ from source/ (instructors)")
    release.set_defaults(func=cmd_release)

    heldout = sub.add_parser(
        "heldout", help="export, inspect, back up and restore the held-out test data and secret seed (instructors)",
        epilog="examples: tfcourse heldout export              (adds assignments not exported yet; keeps the seed)\n"
               "          tfcourse heldout export --new-seed   (starts over: every exported assignment is redrawn)\n"
               "          tfcourse heldout info                (store path, verified or not, assignments, seed "
               "fingerprint)\n"
               "          tfcourse heldout backup ~/course-heldout.json    (secret: the seed and the manifest)\n"
               "          tfcourse heldout restore ~/course-heldout.json   (on another machine, or after a move)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    heldout.add_argument("action", choices=["export", "info", "backup", "restore"])
    heldout.add_argument("path", nargs="?", type=Path,
                         help="export: the store's folder (default: c.TfCourse.heldout_dir, else "
                              "~/.local/share/tfcourse/heldout/<course_id>-<folder key>); backup, restore: the backup file")
    heldout.add_argument("--new-seed", action="store_true",
                         help="export: draw a new secret seed and redraw every exported assignment (grades made "
                              "before cannot be reproduced)")
    heldout.add_argument("--force", action="store_true",
                         help="restore: replace a store that holds other held-out data, or restore another course's")
    heldout.set_defaults(func=cmd_heldout)

    exchange = sub.add_parser("exchange", help="publish released assignments to nbgrader's exchange (instructors)",
                              epilog="example: tfcourse exchange publish   (those not there yet; `tfcourse release` "
                                     "republishes all)")
    exchange.add_argument("action", choices=["publish"])
    exchange.set_defaults(func=cmd_exchange)

    demo = sub.add_parser("demo", help="grade the demo students (honest, weak, broken, cheating)",
                          epilog="examples: tfcourse demo        (a showcase: C1W2, C1W4, C2W3, C3W3, C4W2)\n"
                                 "          tfcourse demo C2     (Course 2's four assignments)\n"
                                 "          tfcourse demo all    (every assignment, about 20 minutes on 2 cores)",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    demo.add_argument("only", nargs="*",
                      help="courses or assignments to demo, e.g. C2 or C1W4, or all (default: C1W2 C1W4 C2W3 C3W3 C4W2)")
    demo.set_defaults(func=cmd_demo)

    workspace = sub.add_parser("workspace", help="copy released assignments into a work folder (learners)")
    workspace.add_argument("dir", nargs="?", type=Path, help="default: my_work")
    workspace.set_defaults(func=cmd_workspace)

    lab = sub.add_parser("lab", help="JupyterLab on your work folder, with Assignments, Validate, Check and Submit "
                                     "(learners)")
    lab.add_argument("dir", nargs="?", type=Path, help="default: my_work (made with `tfcourse workspace` if missing)")
    lab.add_argument("jupyter_options", nargs=argparse.REMAINDER, help="passed on to `jupyter lab`, e.g. --port=8899")
    lab.set_defaults(func=cmd_lab)

    data = sub.add_parser("data", help="list, fetch and verify datasets; build the pre-trained base and word vectors",
                          epilog="examples: tfcourse data fetch sneakers_or_boots\n"
                                 "          tfcourse data build   (train and cache Course 2's pre-trained base and "
                                 "Course 3's word vectors, ~2 min)",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    data.add_argument("action", choices=["list", "fetch", "keras-cache", "build"])
    data.add_argument("names", nargs="*")
    data.set_defaults(func=cmd_data)

    exam = sub.add_parser("exam", help="a timed mock certificate exam, each task's model scored at once on hidden "
                                       "data (learners)",
                          epilog="examples: tfcourse exam start --minutes 300 my_exam   (five hours, as the real exam)\n"
                                 "          tfcourse exam check 1     (in the attempt's folder: task 1's model.keras)\n"
                                 "          tfcourse exam status      (time left, best scores)\n"
                                 "          tfcourse exam report      (exam_report.html in the attempt's folder)",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = exam.add_subparsers(dest="action", required=True, metavar="{start,check,status,report}")
    start = actions.add_parser("start", help="write a new attempt's task folders and start its clock")
    start.add_argument("folder", nargs="?", type=Path, default=Path("exam_attempt"),
                       help="the new attempt's folder (default: exam_attempt)")
    start.add_argument("--minutes", type=int, default=300, help="the attempt's length (default: 300)")
    check = actions.add_parser("check", help="score a task's model.keras on hidden data, 0 to 5")
    check.add_argument("task", type=int, help="the task's number, 1 to 5")
    check.add_argument("--dir", type=Path, help="a folder inside the attempt (default: here)")
    for action, what in (("status", "time left and each task's best score"), ("report", "write the report page")):
        actions.add_parser(action, help=what).add_argument(
            "folder", nargs="?", type=Path, help="a folder inside the attempt (default: here)")
    exam.set_defaults(func=cmd_exam)

    for command in (grade, release, heldout, exchange, demo, workspace, lab, progress):
        command.add_argument("--course", type=Path, help="course directory (default: found from here)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tfcourse` command."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ start-up chatter says nothing useful here
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as error:  # the user's to fix: one line that says how, no traceback
        print(f"tfcourse {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
