"""Do the ungraded labs run top to bottom, offline, without errors?"""

from __future__ import annotations

import nbformat
import pytest
from conftest import REPO
from nbclient import NotebookClient

LABS = sorted((REPO / "notebooks").rglob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_lab_runs_without_errors(path, tmp_path):
    """Does the lab execute without an error in any cell (plots render headless)?"""
    lab = nbformat.read(path, as_version=4)
    NotebookClient(lab, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [output for cell in lab.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors
