"""Write an image dataset as a directory tree (split/class/0001.png), verified by a manifest."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np

from tfcourse.data import cache

MANIFEST = "MANIFEST.sha256"


def _manifest_matches(root: Path) -> bool:
    manifest = root / MANIFEST
    if not manifest.is_file():
        return False
    expected = dict(line.split("  ", 1)[::-1] for line in manifest.read_text().splitlines() if line)
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*.png")}
    if on_disk != set(expected):
        return False
    return all(cache.sha256_of(root / name) == digest for name, digest in expected.items())


def write_image_folders(root: Path, images: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...]) -> Path:
    """Write ``images`` as PNG files under ``root/<class name>/``, unless a verified copy is there.

    A directory whose files do not match its manifest (edited, partial, corrupt) is rebuilt.
    """
    if _manifest_matches(root):
        return root
    from PIL import Image

    staging = root.with_name(root.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    lines = []
    for index, (image, label) in enumerate(zip(images, labels)):
        relative = Path(class_names[int(label)]) / f"{index:04d}.png"
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.squeeze(image)).save(path, format="PNG")
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {relative}")
    (staging / MANIFEST).write_text("\n".join(lines) + "\n")
    shutil.rmtree(root, ignore_errors=True)
    staging.rename(root)
    return root
