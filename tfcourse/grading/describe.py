"""An assignment's grading rules in words, written from its spec: the one place thresholds are declared.

`tfcourse release` writes :func:`rules_markdown` into each source notebook, between :data:`BEGIN` and
:data:`END` (the learner's "how you are graded"), before nbgrader makes the student version; a test
fails when a notebook's lines or docs/grading.md's threshold columns (:func:`table_cells`) disagree
with the specs.
"""

from __future__ import annotations

from tfcourse.grading.specs.base import AssignmentSpec, Rung

BEGIN = ("<!-- grading rules: written by `tfcourse release` from the assignment's spec "
         "(tfcourse/grading/specs/); edit the spec, not these lines -->")
END = "<!-- end of grading rules -->"


def number(spec: AssignmentSpec, value: float) -> str:
    """A threshold as the rules write it: a forecaster's share as a percentage, others with two decimals or more."""
    return spec.measure.written(value)


def _comparison(spec: AssignmentSpec) -> str:
    return "at least" if spec.higher_is_better else "at most"


def rung_words(spec: AssignmentSpec, rung: Rung) -> str:
    return f"{rung.points:g} points for {_comparison(spec)} {number(spec, rung.threshold)}"


def rule_lines(spec: AssignmentSpec) -> list[str]:
    """One markdown bullet per part of the grade."""
    lines = []
    if spec.has_model:
        rungs = ", ".join(rung_words(spec, rung) for rung in spec.ladder)
        lines.append(f"- **{spec.measure.described()}** on held-out data your notebook never sees: {rungs}")
        lines += [f"- {rule.described(spec)}" for rule in spec.rules]
    for part in spec.exercises:
        lines.append(f"- **{part.exercise.title}** (`{part.exercise.name}`, called by the grader on inputs of its own): "
                     f"{part.points:g} points")
    return lines


def rules_markdown(spec: AssignmentSpec) -> str:
    """The generated block of a notebook's grading cell, markers included."""
    heading = f"**How you are graded** ({spec.possible:g} points):"
    return "\n".join([BEGIN, heading, "", *rule_lines(spec), END])


def with_rules(markdown: str, spec: AssignmentSpec) -> str:
    """``markdown`` with its generated block replaced by the spec's (a cell without markers is returned as is)."""
    if BEGIN not in markdown:
        return markdown
    if END not in markdown.split(BEGIN, 1)[1]:
        raise ValueError(f"{spec.folder}: a grading-rules block without its end marker {END!r}")
    return replaced_block(markdown, BEGIN, END, rules_markdown(spec))


def replaced_block(text: str, begin: str, end: str, block: str) -> str:
    """``text`` with everything from its first ``begin`` to the ``end`` after it (markers included) replaced by
    ``block``; the caller has checked that both markers are there."""
    before, rest = text.split(begin, 1)
    return before + block + rest.split(end, 1)[1]


def table_cells(spec: AssignmentSpec) -> tuple[str, str]:
    """docs/grading.md's "full credit" and "partial credit" cells of a model assignment."""
    operator = ">=" if spec.higher_is_better else "<="
    cells = [f"{operator} {number(spec, rung.threshold)} → {rung.points:g}" for rung in spec.ladder]
    return cells[0], cells[1] if len(cells) > 1 else "—"


# --- the tables of README.md and docs/grading.md -------------------------------------------------------

TABLE_BEGIN = ("<!-- {name}: written by `tfcourse release` from the specs (tfcourse/grading/specs/) and the labs' "
               "titles; edit those, not these lines -->")
TABLE_END = "<!-- end of {name} -->"


def cell_text(text: str) -> str:
    """Text for a markdown table cell (a pipe would end the cell)."""
    return " ".join(text.replace("|", "\\|").split())


def other_checks(spec: AssignmentSpec) -> str:
    """docs/grading.md's "other checks" cell: each rule's, each exercise's, and what the model must take."""
    cells = [rule.table_cell(spec) for rule in spec.rules]
    cells += [f"`{part.exercise.name}` ({part.exercise.title}) → {part.points:g}" for part in spec.exercises]
    if spec.exercises:
        cells.append("each exercise all or nothing, on the grader's own inputs")
    if spec.has_model:
        cells.append(f"the grader feeds {spec.input_note}")
    return "; ".join(cells) or "—"


def thresholds_table(specs: list[AssignmentSpec]) -> str:
    """docs/grading.md's thresholds table, one row per assignment."""
    rows = ["| assignment | scored on | full credit | partial credit | other checks |", "|---|---|---|---|---|"]
    for spec in specs:
        full, partial = table_cells(spec) if spec.has_model else ("—", "—")
        rows.append(f"| {spec.assignment_id} {cell_text(spec.title)} | {cell_text(spec.graded_on)} | {full} | {partial} "
                    f"| {cell_text(other_checks(spec))} |")
    return "\n".join(rows)


def course_table(course_id: str, specs: list[AssignmentSpec], labs: dict[str, list[str]]) -> str:
    """README.md's table of one course: per week, its labs' titles (``labs``: week -> titles) and its graded
    assignments (a week with two assignments gets a row for each)."""
    rows = [f"| week | labs (`notebooks/{course_id}/`) | graded assignment (`release/`) | data (offline) |",
            "|---|---|---|---|"]
    for spec in specs:
        week = spec.assignment_id[2:4]
        rows.append(f"| {week} | {cell_text('; '.join(labs.get(week, [])) or '—')} | `{spec.folder}`: "
                    f"{cell_text(spec.summary)} | {cell_text(spec.data_note)} |")
    return "\n".join(rows)


def with_block(text: str, name: str, body: str) -> str:
    """``text`` with the block called ``name`` (between its markers) replaced by ``body``."""
    begin, end = TABLE_BEGIN.format(name=name), TABLE_END.format(name=name)
    if begin not in text or end not in text.split(begin, 1)[1]:
        raise ValueError(f"no block {name!r} between its markers {begin!r} and {end!r}")
    return replaced_block(text, begin, end, f"{begin}\n{body}\n{end}")
