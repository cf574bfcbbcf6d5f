"""`tfcourse exam`: start a timed attempt, check a task's saved model on hidden data, show the time left.

An attempt is a folder of task folders (a starter ``solution.py``, the same as a notebook, the
training data) and an ``attempt.json`` naming the attempt. Its secret seed, the variants it draws and
the record of every check are in the exam store (:mod:`tfcourse.exam.store`); the clock is the start
entry of that signed record, not a file in the folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.errors import NotFound, UserError
from tfcourse.exam.store import ExamStore, default_store
from tfcourse.exam.tasks import TASKS, ExamTask, Variant, get_task
from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.models import MAX_MODEL_BYTES

ATTEMPT_FILE = "attempt.json"
MODEL_FILE = "model.keras"
HISTORY_FILE = "history.json"
DEFAULT_MINUTES = 300


class TimeIsUp(UserError):
    """The attempt's time has run out: checks are refused and its scores are final."""


def variant(seed: int, task: ExamTask) -> Variant:
    """The task's variant in the attempt with this secret seed."""
    return task.draw_variant(np.random.default_rng([seed, task.number, 0]))


def hidden_seed(seed: int, task: ExamTask) -> int:
    """The seed of the task's hidden data in the attempt with this secret seed."""
    return int(np.random.default_rng([seed, task.number, 1]).integers(1 << 62))


@functools.lru_cache(maxsize=len(TASKS))
def hidden_data(number: int, seed: int) -> EvaluationData:
    """Task ``number``'s hidden data in the attempt with this secret seed.

    Made in memory and never written; a process that checks again (a long-running server's) keeps the
    last attempt's, since drawing task 3's photos takes longer than scoring them.
    """
    task = get_task(number)
    return task.hidden(variant(seed, task), hidden_seed(seed, task))


STARTER = '''"""Task {number}: {title}.

{asks}.
Data: {data_files}.

Write solution_model() so that it returns your trained model, then run this file
(`python solution.py`): it saves model.keras next to it, which `tfcourse exam check {number}` scores.
"""

import csv
import json
from pathlib import Path

import keras
import numpy as np

HERE = Path(__file__).resolve().parent


def solution_model():
{body}

if __name__ == "__main__":
    model = solution_model()
    model.save(HERE / "{model_file}")
    history = getattr(model, "history", None)  # what fit() recorded, for the report's learning curves
    if history is not None and getattr(history, "history", None):
        (HERE / "{history_file}").write_text(json.dumps({{k: [float(v) for v in vs] for k, vs in history.history.items()}}))
    print("saved {model_file}; now run: tfcourse exam check {number}")
'''


def starter_source(task: ExamTask) -> str:
    """The task's starter file."""
    spec = task.spec
    return STARTER.format(number=task.number, title=spec.title, asks=task.asks[0].upper() + task.asks[1:],
                          data_files=task.data_files, body=task.starter_body, model_file=MODEL_FILE,
                          history_file=HISTORY_FILE)


def starter_notebook(task: ExamTask) -> str:
    """The same task as a notebook: the text, the starter's code, and a cell that saves the model."""
    import nbformat

    source = starter_source(task)
    docstring, code = source.split('"""', 2)[1], source.split('"""', 2)[2]
    script, saving = code.split('\nif __name__ == "__main__":\n')
    docstring = docstring.replace("then run this file\n(`python solution.py`): it saves",
                                  "then run the cells below: the last saves")
    saving = "\n".join(line.removeprefix("    ") for line in saving.strip().splitlines())
    notebook = nbformat.v4.new_notebook()
    # Named, so JupyterLab opens it with Python at once instead of asking which kernel to start.
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {docstring.strip()}"),
                      nbformat.v4.new_code_cell(script.replace("Path(__file__).resolve().parent", "Path.cwd()").strip()),
                      nbformat.v4.new_code_cell(saving)]
    return nbformat.writes(notebook)


def rules_text(minutes: int, attempt_id: str) -> str:
    """The attempt's README: the rules and the tasks."""
    tasks = "\n".join(f"- **Task {task.number}** (`{task.folder}/`): {task.spec.title}. {task.asks[0].upper()}"
                      f"{task.asks[1:]}. Data: {task.data_files}. Levels: {levels_text(task)}."
                      for task in TASKS)
    return f"""# Mock certificate exam (attempt {attempt_id})

You have {minutes} minutes from the start. Each task asks for one trained Keras model, saved as
`{MODEL_FILE}` in the task's folder: edit `solution.py` (or `solution.ipynb`) and run it.

`tfcourse exam check N` scores task N's model at once, 0 to 5, on hidden data that exists only on the
grading side (made from this attempt's secret seed, which is not in this folder). Check as often as you
like until the time is up; your best score per task counts. `tfcourse exam status` shows the time left,
`tfcourse exam report` writes the report page.

Models are loaded in safe mode (no Lambda layers, no custom Python objects), at most
{MAX_MODEL_BYTES // 2**20} MB, and must take and return the shapes each task states.

{tasks}
"""


def _needs(spec, rung) -> str:
    """What reaching ``rung`` takes: ``mean absolute error <= 0.05``."""
    relation = ">=" if spec.higher_is_better else "<="
    return f"{spec.measure.name} {relation} {spec.measure.shown(rung.threshold)}"


def levels_text(task: ExamTask) -> str:
    """The task's five levels in words."""
    return ", ".join(f"{rung.points:g} for {_needs(task.spec, rung)}" for rung in task.spec.ladder)


def start(directory: Path, minutes: int = DEFAULT_MINUTES, store: ExamStore | None = None, *,
          seed: int | None = None) -> Path:
    """Write a new attempt into ``directory`` (new or empty) and start its clock; the attempt's folder.

    ``seed`` pins the attempt's secret seed (the tests' calibrated variants); by default it is drawn.
    """
    store = store or ExamStore(default_store())
    directory = Path(directory).resolve()
    if directory.exists() and any(directory.iterdir()):
        raise UserError(f"{directory} is not empty; start an attempt in a new folder")
    if minutes < 1:
        raise UserError("an attempt lasts at least one minute")
    attempt_id, seed = store.new_attempt(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for task in TASKS:
        folder = directory / task.folder
        folder.mkdir()
        task.write_training(variant(seed, task), folder)
        (folder / "solution.py").write_text(starter_source(task))
        (folder / "solution.ipynb").write_text(starter_notebook(task))
    (directory / "README.md").write_text(rules_text(minutes, attempt_id))
    (directory / ATTEMPT_FILE).write_text(json.dumps({"attempt": attempt_id, "store": str(store.root)}, indent=1))
    store.append(attempt_id, {"event": "start", "at": time.time(), "minutes": minutes, "folder": str(directory),
                              "tasks": [task.number for task in TASKS]})
    return directory


@dataclass(frozen=True)
class Attempt:
    """An attempt found from a folder inside it, with its verified record."""

    folder: Path
    attempt_id: str
    store: ExamStore
    entries: list[dict]

    @property
    def started(self) -> float:
        return float(self.entries[0]["at"])

    @property
    def deadline(self) -> float:
        return self.started + 60 * float(self.entries[0]["minutes"])

    def seconds_left(self, now: float | None = None) -> float:
        return max(0.0, self.deadline - (time.time() if now is None else now))

    def best_scores(self) -> dict[int, float]:
        """Each task's best checked score (0 when never checked)."""
        best = {task.number: 0.0 for task in TASKS}
        for entry in self.entries:
            if entry.get("event") == "check" and entry.get("task") in best:
                best[entry["task"]] = max(best[entry["task"]], float(entry["score"]))
        return best


def task_of_notebook(notebook: Path) -> int | None:
    """The task whose starter notebook ``notebook`` is (``.../task3_real_world_images/solution.ipynb`` in an
    attempt's folder), or None."""
    notebook = Path(notebook)
    for task in TASKS:
        if (notebook.name == "solution.ipynb" and notebook.parent.name == task.folder
                and (notebook.parent.parent / ATTEMPT_FILE).is_file()):
            return task.number
    return None


def clock(directory: Path) -> dict:
    """What a status bar shows of the attempt holding ``directory``: its id, seconds left and best scores."""
    attempt = find_attempt(directory)
    return {"attempt": attempt.attempt_id, "seconds_left": attempt.seconds_left(),
            "best": {str(number): score for number, score in attempt.best_scores().items()}}


def find_attempt(directory: Path | None = None) -> Attempt:
    """The attempt whose folder holds ``directory`` (default: here), its record verified."""
    start_at = Path(directory or Path.cwd()).resolve()
    for folder in (start_at, *start_at.parents):
        path = folder / ATTEMPT_FILE
        if path.is_file():
            try:
                named = json.loads(path.read_text())
                attempt_id, root = str(named["attempt"]), Path(named["store"])
            except (ValueError, KeyError, TypeError):
                raise UserError(f"{path} is not an attempt file") from None
            store = ExamStore(root)
            entries = store.record(attempt_id)
            if not entries or entries[0].get("event") != "start":
                raise UserError(f"attempt {attempt_id}'s record has no start")
            return Attempt(folder, attempt_id, store, entries)
    raise NotFound(f"no exam attempt here ({start_at} or above holds no {ATTEMPT_FILE}); start one with "
                   f"`tfcourse exam start`")


@dataclass(frozen=True)
class CheckOutcome:
    """What one check found: the task's score, why, and what the next level needs."""

    task: int
    score: float
    detail: str
    next_level: str
    seconds_left: float

    def summary(self) -> str:
        lines = [f"Task {self.task}: {self.score:g} / 5", f"  {self.detail}"]
        if self.next_level:
            lines.append(f"  {self.next_level}")
        lines.append(f"  Time left: {format_duration(self.seconds_left)}")
        return "\n".join(lines)


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def next_level_text(task: ExamTask, score: float) -> str:
    """What the level above ``score`` needs ('' at 5)."""
    spec = task.spec
    above = [rung for rung in spec.ladder if rung.points > score]
    if not above:
        return ""
    return f"Level {above[-1].points:g} needs {_needs(spec, above[-1])}."


def refuse_if_over(attempt: Attempt) -> None:
    """Record the end once the time is up, and refuse the check."""
    if attempt.seconds_left() > 0:
        return
    if not any(entry.get("event") == "end" for entry in attempt.entries):
        attempt.store.append(attempt.attempt_id, {"event": "end", "at": time.time(),
                                                  "scores": {str(k): v for k, v in attempt.best_scores().items()}})
    scores = ", ".join(f"task {number}: {score:g}" for number, score in attempt.best_scores().items())
    raise TimeIsUp(f"time is up: checks are closed and the attempt is final ({scores}); "
                   f"`tfcourse exam report` writes its report")


def check(number: int, directory: Path | None = None, *, scorer=None) -> CheckOutcome:
    """Score task ``number``'s saved model on its hidden data in the sandboxed scorer, and record the check."""
    from tfcourse.grading.scorer import Scorer

    task = get_task(number)
    attempt = find_attempt(directory)
    refuse_if_over(attempt)
    data = hidden_data(number, attempt.store.seed(attempt.attempt_id))
    model = attempt.folder / task.folder / MODEL_FILE
    if scorer is None:
        with Scorer() as own:
            checks = own.score_model(task.spec, model, data)
    else:
        checks = scorer.score_model(task.spec, model, data)
    score = sum(check.score for check in checks)
    detail = "; ".join(f"{check.name}: {check.detail}" for check in checks)
    digest = hashlib.sha256(model.read_bytes()).hexdigest() if model.is_file() and not model.is_symlink() else ""
    attempt.store.append(attempt.attempt_id, {"event": "check", "at": time.time(), "task": number, "score": score,
                                              "detail": detail, "model_sha256": digest})
    return CheckOutcome(number, score, detail, next_level_text(task, score), attempt.seconds_left())


def status(directory: Path | None = None) -> str:
    """The time left and each task's best score."""
    attempt = find_attempt(directory)
    left = attempt.seconds_left()
    best = attempt.best_scores()
    lines = [f"Attempt {attempt.attempt_id} in {attempt.folder}",
             f"  Time left: {format_duration(left)}" if left > 0 else "  Time is up: the attempt is final."]
    lines += [f"  Task {task.number} ({task.spec.title}): best {best[task.number]:g} / 5" for task in TASKS]
    lines.append(f"  Total: {sum(best.values()):g} / {5 * len(TASKS)}")
    return "\n".join(lines)
