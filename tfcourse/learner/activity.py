"""The learner's activity log: every self-check and submission, one JSON line each, for `tfcourse progress`.

`tfcourse check` and `tfcourse submit` (and so JupyterLab's Check and Submit buttons, which run them)
append to it. It lives in the user's state folder, ``$XDG_STATE_HOME/tfcourse/activity.jsonl``
(``~/.local/state/tfcourse/activity.jsonl`` by default), so a check counts wherever the notebook was
checked from. Nothing is graded from it: it is the learner's own notebook of what they did.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

CHECK = "check"
SUBMIT = "submit"


def log_path() -> Path:
    """Where the activity log is: ``$XDG_STATE_HOME/tfcourse/activity.jsonl``."""
    state_home = Path(os.environ.get("XDG_STATE_HOME") or "~/.local/state").expanduser()
    return state_home / "tfcourse" / "activity.jsonl"


def record(event: str, assignment: str, **fields) -> str | None:
    """Append one event to the log; None when written, else why not (the caller's work goes on)."""
    entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, "assignment": assignment,
             **fields}
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as log:
            log.write(json.dumps(entry) + "\n")
    except OSError as error:
        return f"could not record this {event} for `tfcourse progress` in {path}: {error.strerror or error}"
    return None


def read_log(path: Path | None = None) -> list[dict]:
    """Every readable entry of the log, oldest first (an unreadable line, or no log, is skipped)."""
    path = path or log_path()
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("event"), str) and isinstance(entry.get("assignment"), str):
            entries.append(entry)
    return entries
