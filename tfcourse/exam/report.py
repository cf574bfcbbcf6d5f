"""`tfcourse exam report`: one HTML page with each task's best score against the pass rule, the learning
curves the candidate saved, and for every task below 5 the course notebooks that teach what it needs.

The pass rule (the real exam never published one): at least 4 on every task. A 4 means the model clears
all but the highest level, so passing asks for a working model of every skill area, not a total that a
few strong tasks could make up.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from tfcourse.exam.attempt import HISTORY_FILE, find_attempt, format_duration
from tfcourse.exam.tasks import TASKS
from tfcourse.skills import describe

PASS_LEVEL = 4.0
REPORT_FILE = "exam_report.html"


def passed(best: dict[int, float]) -> bool:
    """The pass rule: at least PASS_LEVEL on every task."""
    return all(score >= PASS_LEVEL for score in best.values())


def _curves_image(history_file: Path) -> str:
    """The saved learning curves as an inline PNG ('' when there are none or they are unreadable)."""
    try:
        history = json.loads(history_file.read_text())
        series = {name: [float(v) for v in values] for name, values in history.items() if isinstance(values, list)}
    except (OSError, ValueError, TypeError):
        return ""
    if not series:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 3))
    for name, values in sorted(series.items())[:6]:
        axis.plot(range(1, len(values) + 1), values, label=name)
    axis.set_xlabel("epoch")
    axis.legend(fontsize=8)
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return f'<img alt="learning curves" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def write_report(directory: Path | None = None) -> Path:
    """Write the attempt's report page into its folder; its path."""
    attempt = find_attempt(directory)
    best = attempt.best_scores()
    checks = [entry for entry in attempt.entries if entry.get("event") == "check"]
    left = attempt.seconds_left()
    verdict = "passed" if passed(best) else "not passed"
    rows, sections = [], []
    for task in TASKS:
        score = best[task.number]
        rows.append(f"<tr><td>{task.number}</td><td>{html.escape(task.spec.title)}</td><td>{score:g} / 5</td>"
                    f"<td>{'yes' if score >= PASS_LEVEL else 'no'}</td></tr>")
        last = [entry for entry in checks if entry["task"] == task.number][-1:]
        detail = html.escape(last[0]["detail"]) if last else "never checked"
        study = ""
        if score < 5:
            study = "<p>What teaches it: " + "; ".join(html.escape(describe(name)) for name in task.teaches) + "</p>"
        curves = _curves_image(attempt.folder / task.folder / HISTORY_FILE)
        sections.append(f"<h2>Task {task.number}: {html.escape(task.spec.title)}</h2><p>Skill: "
                        f"{html.escape(task.skill)}</p><p>Last check: {detail}</p>{study}{curves}")
    clock = f"{format_duration(left)} left" if left > 0 else "time is up: final"
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Exam attempt {attempt.attempt_id}</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto}}td,th{{padding:.2em .8em;text-align:left}}</style>
</head><body>
<h1>Mock certificate exam: {verdict}</h1>
<p>Attempt {attempt.attempt_id}, {clock}; {len(checks)} checks. Pass rule: at least {PASS_LEVEL:g} of 5 on every
task. The record behind these scores verified (signed entries, none edited or removed).</p>
<table><tr><th>task</th><th>what</th><th>best score</th><th>at the pass level</th></tr>
{''.join(rows)}</table>
{''.join(sections)}
</body></html>
"""
    path = attempt.folder / REPORT_FILE
    path.write_text(page)
    return path
