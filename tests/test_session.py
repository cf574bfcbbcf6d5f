"""A notebook's setup (tfcourse.session): one line about the session, none of TensorFlow's start-up noise."""

from __future__ import annotations

import os

import nbformat
from nbclient import NotebookClient

from tfcourse.session import STARTUP_NOISE, native_stderr_filtered


def test_the_native_start_up_noise_is_dropped_and_real_messages_kept(capfd):
    with native_stderr_filtered():
        os.write(2, b"I0000 00:00:1.0  1 port.cc:153] oneDNN custom operations are on. You may see...\n"
                    b"E0000 00:00:1.0  1 loader.cc:9] could not open libexample.so: disk full\n"
                    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
    err = capfd.readouterr().err
    assert "could not open libexample.so: disk full" in err
    assert "oneDNN" not in err and "absl::InitializeLog" not in err


def test_a_notebook_setup_cell_shows_one_line_and_no_start_up_noise():
    """Jupyter shows a kernel's native stderr in the cell: TensorFlow's loading used to print its noise twice."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("from tfcourse import session\nsession.start()"),
                      nbformat.v4.new_code_cell("import tensorflow as tf\nprint(float(tf.constant(1.0) + 1))")]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    setup, first_use = (cell.outputs for cell in notebook.cells)
    assert [output.get("name") for output in setup] == ["stdout"], setup
    assert setup[0]["text"].startswith("TensorFlow ") and "seed 42" in setup[0]["text"]
    assert [output.get("text") for output in first_use] == ["2.0\n"]
    shown = "".join(output.get("text", "") for cell in notebook.cells for output in cell.outputs)
    assert not [noise for noise in STARTUP_NOISE if noise in shown]
