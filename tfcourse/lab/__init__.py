"""tfcourse in the learner's JupyterLab: a Jupyter server extension and a prebuilt lab extension.

The lab extension (TypeScript in frontend/, built into labextensions/ by `make labextension`) puts
"Check" and "Submit" on every notebook's toolbar and in the command palette. Each saves the notebook and
asks this server extension (handlers.py) to run `tfcourse check` or `tfcourse submit` on it. `tfcourse lab`
starts JupyterLab with both, and with nbgrader's Assignments panel.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

LABEXTENSIONS = Path(__file__).parent / "labextensions"
FRONTEND = Path(__file__).parent / "frontend"
# What the built lab extension was made from; `make labextension` writes it beside the build.
SOURCE_DIGEST = LABEXTENSIONS / "tfcourse-lab" / "source.sha256"
FRONTEND_SOURCES = ("package.json", "package-lock.json", "tsconfig.json", "src/index.ts", "style/index.css")
SERVER_EXTENSIONS = {"nbgrader.server_extensions.assignment_list": True, "tfcourse.lab": True}


def jupyter_lab_arguments(root_dir: Path) -> list[str]:
    """`jupyter lab` options for a learner's work folder: its root, and the extensions tfcourse needs."""
    return [f"--ServerApp.root_dir={Path(root_dir).resolve()}",
            f"--ServerApp.jpserver_extensions={SERVER_EXTENSIONS!r}",
            f"--LabApp.extra_labextensions_path={LABEXTENSIONS}"]


def frontend_digest() -> str:
    """sha256 over the lab extension's sources: compared with SOURCE_DIGEST, it tells a stale build."""
    digest = hashlib.sha256()
    for name in FRONTEND_SOURCES:
        digest.update(name.encode() + b"\0" + (FRONTEND / name).read_bytes() + b"\0")
    return digest.hexdigest()


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "tfcourse.lab"}]


def _load_jupyter_server_extension(server_app) -> None:
    from tfcourse.lab.handlers import add_handlers

    add_handlers(server_app.web_app, Path(server_app.root_dir))
