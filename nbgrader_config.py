"""nbgrader configuration of the tfcourse course directory (instructor and learner side)."""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "tfcourse"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Trained models and histories are outputs, never part of an assignment: if one sits in
# source/, nbgrader would release it and copy it over the learner's file at autograde.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.keras", "*_history.json"]

# Seconds per cell. Reference solutions train in under 90 s on 2 CPU cores; nbgrader's
# default of 30 s would cut training cells off.
c.Execute.timeout = 300

# `tfcourse submit` names zips <student>__<assignment folder>__<UTC timestamp>.zip; nbgrader
# zip_collect extracts each into a folder of that name and reads student and file from it.
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.-]*)__(?P<assignment>C\dW\d_[a-z_]+)"
    r"__(?P<timestamp>\d{8}T\d{6}Z)/(?P<file_id>[^/]+)$"
)
c.FileNameCollectorPlugin.valid_ext = [".ipynb", ".keras", ".json"]

# tfcourse's own settings. Held-out data for instructor grading lives here, never in
# release/; `tfcourse heldout export` writes it and `tfcourse grade` points the evaluator at it.
c.TfCourse.heldout_dir = "heldout"
