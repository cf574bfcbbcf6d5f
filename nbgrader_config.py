"""nbgrader configuration of the tfcourse course directory (instructor and learner side)."""

import os
from pathlib import Path

from tfcourse.instructor.archives import ASSIGNMENT_FOLDER, STUDENT_ID, TIMESTAMP
from tfcourse.instructor.sandboxed_execute import configure as run_notebooks_in_the_sandbox
from tfcourse.instructor.sanitize import configure as render_submissions_without_scripts

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "tfcourse"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# nbgrader's exchange: learners fetch assignments, submit and fetch feedback through it in JupyterLab's
# Assignments panel. By default a folder in the course (`tfcourse release` fills it); a classroom points
# TFCOURSE_EXCHANGE, or this line, at a folder every learner can write to.
c.Exchange.root = os.environ.get("TFCOURSE_EXCHANGE") or str(Path(__file__).resolve().parent / "exchange")

# Trained models are outputs, never part of an assignment: if one sits in source/, nbgrader would
# release it; and at autograde a submitted model must not be copied next to the notebook, so the
# model the scorer reads is the one the sandboxed run saved.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.keras", "*_history.json"]

# Seconds per cell. Reference solutions train in under 90 s on 2 CPU cores; nbgrader's
# default of 30 s would cut training cells off.
c.Execute.timeout = 300

# Autograde runs every notebook in tfcourse's sandbox (bubblewrap, limits, no held-out data,
# no network); `tfcourse grade` then scores what the notebook saved. See docs/security.md.
run_notebooks_in_the_sandbox(c)

# Feedback pages and formgrader's view of a submission are nbconvert HTML made from the learner's
# notebook: its HTML outputs and markdown are sanitised there, so a submission's script never runs in
# a learner's browser or in the instructor's Jupyter server. See docs/security.md.
render_submissions_without_scripts(c)

# `tfcourse submit` names zips <student>__<assignment folder>__<UTC timestamp>.zip; nbgrader
# zip_collect extracts each into a folder of that name and reads student and file from it.
# `tfcourse grade` checks every zip first and hands zip_collect only the accepted ones.
c.FileNameCollectorPlugin.named_regexp = (
    rf".*/(?P<student_id>{STUDENT_ID})__(?P<assignment>{ASSIGNMENT_FOLDER})__(?P<timestamp>{TIMESTAMP})/(?P<file_id>[^/]+)$"
)
c.FileNameCollectorPlugin.valid_ext = [".ipynb", ".keras"]

# The gradebook: SQLite in this folder by default. `tfcourse grade --db postgresql://user@host/db` grades into
# another database (tfcourse sets TFCOURSE_DB_URL for the nbgrader steps it runs); to have formgrader and
# `nbgrader export` read it too, set c.CourseDirectory.db_url to that URL here.
if os.environ.get("TFCOURSE_DB_URL"):
    c.CourseDirectory.db_url = os.environ["TFCOURSE_DB_URL"]

# tfcourse's own settings. Held-out data lives outside the course folder, by default in
# ~/.local/share/tfcourse/heldout/<course_id>-<key of this folder's path> (`tfcourse heldout info`
# shows it); set c.TfCourse.heldout_dir to move it.
# `tfcourse heldout export` writes it and pins its checksum in heldout.pin here.
