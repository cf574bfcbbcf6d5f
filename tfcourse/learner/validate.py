"""Structural checks of a learner's notebook: readable, test cells intact, run without errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Verdict:
    """One line of a self-check: which item, whether it is fine, and why."""

    item: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.item}: {self.message}"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_test_cell(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def inspect_notebook(path: Path, released: Path | None = None) -> list[Verdict]:
    """Check that a notebook can be graded: valid, test cells intact, run top to bottom without errors.

    ``released`` is the released notebook it came from; when given, deleted test cells are found too.
    """
    import nbformat
    from nbgrader.utils import compute_checksum

    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # JSON and schema errors alike make the notebook unreadable
        return [Verdict("notebook", False, f"{path.name} is not a valid notebook: {str(error).splitlines()[0]}")]
    verdicts = [Verdict("notebook", True, f"{path.name} is a valid notebook")]

    test_cells = {_nbgrader(cell)["grade_id"]: cell for cell in notebook.cells if _is_test_cell(cell)}
    problems = []
    if released is not None and released.is_file():
        expected = [_nbgrader(cell)["grade_id"] for cell in nbformat.read(released, as_version=4).cells
                    if _is_test_cell(cell)]
        problems += [f"test cell {grade_id} was deleted" for grade_id in expected if grade_id not in test_cells]
    for grade_id, cell in test_cells.items():
        stored = _nbgrader(cell).get("checksum")
        if stored and stored != compute_checksum(cell):
            problems.append(f"test cell {grade_id} was edited")
    verdicts.append(Verdict("test cells", not problems, "; ".join(problems) or "present and unchanged"))

    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]
    never_run = [index for index, cell in enumerate(code_cells, 1) if cell.get("execution_count") is None]
    if never_run:
        verdicts.append(Verdict("run", False, f"{len(never_run)} of {len(code_cells)} code cells were never run "
                                              "(restart the kernel and run all cells, then save)"))
    else:
        verdicts.append(Verdict("run", True, f"all {len(code_cells)} code cells were run"))

    failing = [f"{output.ename}: {output.evalue}"[:200]
               for cell in code_cells if not _is_test_cell(cell)
               for output in cell.get("outputs", []) if output.output_type == "error"]
    verdicts.append(Verdict("errors", not failing, "; ".join(failing) or "no cell raised an error"))
    return verdicts
