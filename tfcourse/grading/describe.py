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
    """A threshold as reports show it: a forecaster's share as a percentage, others with two decimals or more."""
    if spec.forecast is not None:
        return f"{value * 100:g}%"
    return f"{value:.2f}" if round(value, 2) == value else f"{value:g}"


def _comparison(spec: AssignmentSpec) -> str:
    return "at least" if spec.higher_is_better else "at most"


def measure_name(spec: AssignmentSpec) -> str:
    """What the ladder measures, in words."""
    if spec.forecast is not None:
        return "mean absolute error as a share of the naive forecast's on the same steps"
    return spec.metric_name


def rung_words(spec: AssignmentSpec, rung: Rung) -> str:
    return f"{rung.points:g} points for {_comparison(spec)} {number(spec, rung.threshold)}"


def rule_lines(spec: AssignmentSpec) -> list[str]:
    """One markdown bullet per part of the grade."""
    lines = []
    if spec.has_model:
        rungs = ", ".join(rung_words(spec, rung) for rung in spec.ladder)
        lines.append(f"- **{measure_name(spec)}** on held-out data your notebook never sees: {rungs}")
        lowest = number(spec, spec.ladder[-1].threshold)
        if spec.frozen_base is not None:
            lines.append(f"- **frozen base**: {spec.frozen_base.points:g} points when the layer "
                         f"`{spec.frozen_base.layer_name}` holds exactly the published pre-trained weights and feeds "
                         f"the predictions, once the {spec.metric_name} reaches {lowest}; without such a base the "
                         f"{spec.metric_name} earns nothing")
        if spec.gap is not None and spec.gap.on == "loss":
            lines.append(f"- **loss gap** (held-out cross-entropy minus cross-entropy on the training split): "
                         f"{spec.gap.points:g} points for at most {spec.gap.max_gap:g}, once the {spec.metric_name} "
                         f"reaches {lowest}")
        elif spec.gap is not None:
            floor = (f" and the model gets at least {spec.gap.min_training:.0%} of its training split right"
                     if spec.gap.min_training else "")
            lines.append(f"- **gap** (accuracy on the training split minus accuracy on held-out data): "
                         f"{spec.gap.points:g} points for at most {spec.gap.max_gap:g}, once the accuracy reaches "
                         f"{lowest}{floor}")
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
    before, rest = markdown.split(BEGIN, 1)
    if END not in rest:
        raise ValueError(f"{spec.folder}: a grading-rules block without its end marker {END!r}")
    after = rest.split(END, 1)[1]
    return before + rules_markdown(spec) + after


def table_cells(spec: AssignmentSpec) -> tuple[str, str]:
    """docs/grading.md's "full credit" and "partial credit" cells of a model assignment."""
    operator = ">=" if spec.higher_is_better else "<="
    cells = [f"{operator} {number(spec, rung.threshold)} → {rung.points:g}" for rung in spec.ladder]
    return cells[0], cells[1] if len(cells) > 1 else "—"
