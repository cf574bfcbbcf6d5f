"""Backing up and restoring the held-out store: its seed and manifest rebuild it byte for byte elsewhere.

A backup is one small JSON file (owner-only: it holds the secret seed). Restoring draws every listed
assignment's examples again from that seed and checks each against the backup's checksums, so a
machine whose NumPy or Pillow draws other examples is told so instead of grading on other data.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import numpy as np

from tfcourse.data.cache import sha256_of
from tfcourse.grading import untrusted
from tfcourse.grading.heldout import HeldoutError, heldout_examples
from tfcourse.grading.specs import ASSIGNMENTS
from tfcourse.grading.store import (
    HeldoutStore,
    examples_digest,
    manifest_text,
    open_heldout,
    open_store,
    plain_file_name,
    prepare_folder,
    readable_manifest,
    remove_unlisted,
    seed_fingerprint,
    verifies,
    write_examples,
    write_manifest,
    write_text_atomically,
)

BACKUP_FORMAT = "tfcourse held-out backup"
BACKUP_VERSION = 1
# Whose versions decide which examples a seed draws (and how they are written), named in a backup.
DRAWING_LIBRARIES = ("numpy", "pillow", "tensorflow", "keras")


# --- backup and restore --------------------------------------------------------------------------------

def library_versions() -> dict[str, str]:
    """Versions of what decides which examples a seed draws and how they are written, as a backup records them."""
    versions = {"python": sys.version.split()[0]}
    for name in DRAWING_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def backup_heldout(directory: Path, pin_file: Path, backup_file: Path, *, course_id: str) -> HeldoutStore:
    """Write what rebuilds the verified store in ``directory`` to ``backup_file``, readable by its owner only.

    The backup (JSON) holds ``course_id``, the manifest (the secret seed, every file's SHA-256 and
    example count), a digest of each file's examples and the versions of the libraries that drew
    them. It is as secret as the store: whoever holds it can draw every held-out example.
    """
    store = open_store(Path(directory), Path(pin_file), "nothing was backed up")
    contents = {}
    for assignment, entry in store.manifest["files"].items():
        with np.load(store.directory / entry["file"], allow_pickle=False) as arrays:
            contents[assignment] = examples_digest(arrays["x"], arrays["y"])
    backup = {"format": BACKUP_FORMAT, "version": BACKUP_VERSION,
              "secret": "this file draws every held-out example of the course: keep it where only the instructor "
                        "can read it, never in the course folder",
              "course_id": course_id, "drawn_with": library_versions(), "manifest": store.manifest,
              "examples_sha256": contents}
    write_text_atomically(Path(backup_file), json.dumps(backup, indent=2) + "\n", private=True)
    return store


def read_backup(backup_file: Path) -> dict:
    """A backup written by :func:`backup_heldout`, checked for everything a restore reads from it."""
    backup_file = Path(backup_file)
    try:
        backup = json.loads(backup_file.read_text())
    except FileNotFoundError:
        raise HeldoutError(f"no backup file at {backup_file}") from None
    except (OSError, ValueError) as error:
        raise HeldoutError(f"{backup_file} is not a tfcourse held-out backup ({error})") from None
    problem = _backup_problem(backup)
    if problem:
        raise HeldoutError(f"{backup_file} is not a tfcourse held-out backup ({problem}); nothing was restored")
    return backup


def _backup_problem(backup) -> str | None:
    if not isinstance(backup, dict) or backup.get("format") != BACKUP_FORMAT:
        return f"it does not say \"format\": \"{BACKUP_FORMAT}\""
    if backup.get("version") != BACKUP_VERSION:
        return f"format version {backup.get('version')!r}; this tfcourse reads version {BACKUP_VERSION}"
    manifest = backup.get("manifest")
    if untrusted.text(backup.get("course_id")) is None or untrusted.mapping(backup.get("examples_sha256")) is None:
        return "no course_id or examples_sha256"
    manifest = untrusted.mapping(manifest) or {}
    if untrusted.whole(manifest.get("seed")) is None or untrusted.mapping(manifest.get("files")) is None:
        return "its manifest has no seed or files"
    for assignment, entry in manifest["files"].items():
        if not (untrusted.mapping(entry) is not None and untrusted.text(entry.get("file")) and plain_file_name(entry["file"])
                and untrusted.text(entry.get("sha256")) and len(entry["sha256"]) == 64
                and untrusted.whole(entry.get("examples")) is not None):
            return f"its manifest entry for {assignment} is not a file name, SHA-256 and example count"
    return None


def restore_heldout(backup_file: Path, directory: Path, pin_file: Path, *, course_id: str,
                    force: bool = False) -> HeldoutStore:
    """Rebuild the store in ``directory`` from a backup: each file drawn again from the seed, checked, then pinned.

    Every regenerated file must have the SHA-256 the backup lists (then the manifest, and so the pin,
    come out as they were), or at least the same examples: a store written before its files had
    fixed bytes, or by another zlib, comes back ``rewritten``, with a new pin. Other examples mean
    this machine draws other data from the seed (other NumPy, Pillow or TensorFlow, or changed
    generators): nothing is changed. Without ``force``, a backup of another course is refused, and
    so is a store here that holds other data (another seed, or verified with other files).
    """
    directory, pin_file = Path(directory), Path(pin_file)
    backup = read_backup(backup_file)
    manifest = backup["manifest"]
    current = readable_manifest(directory)
    verified = current is not None and verifies(directory, pin_file)
    if verified and current == manifest:
        return replace(open_heldout(directory, pin_file), kept=tuple(manifest["files"]))  # already this store
    if not force:
        _refuse_restore_over_other_data(backup, backup_file, directory, pin_file, current, verified, course_id)
    seed, files, staged, rewritten = manifest["seed"], {}, {}, []
    created = not directory.exists()
    prepare_folder(directory)
    try:
        for assignment, entry in manifest["files"].items():
            spec = ASSIGNMENTS.get(assignment)
            if spec is None or not spec.has_model:
                raise HeldoutError(f"{backup_file} holds {assignment}, which this tfcourse does not grade on "
                                   f"held-out data; nothing was restored")
            x, y = heldout_examples(spec.dataset, seed)
            staged[assignment] = directory / f".{entry['file']}.restoring"
            write_examples(staged[assignment], x, y)
            digest = sha256_of(staged[assignment])
            if digest != entry["sha256"]:
                if examples_digest(x, y) != backup["examples_sha256"].get(assignment):
                    raise HeldoutError(f"{assignment}'s held-out examples drawn here differ from the backup's, so "
                                       f"nothing was restored: this machine draws other data from the same seed "
                                       f"({_version_differences(backup.get('drawn_with'))}); restore where those "
                                       f"versions are installed, or copy the store folder itself")
                rewritten.append(assignment)
            files[assignment] = {**entry, "sha256": digest}
    except BaseException:
        for part in staged.values():
            part.unlink(missing_ok=True)
        if created and not any(directory.iterdir()):
            directory.rmdir()
        raise
    for assignment, part in staged.items():
        os.replace(part, directory / manifest["files"][assignment]["file"])
    remove_unlisted(directory, current, files)
    write_manifest(directory, pin_file, {**manifest, "files": files})
    return replace(open_heldout(directory, pin_file), added=tuple(files), rewritten=tuple(rewritten))


def _refuse_restore_over_other_data(backup: dict, backup_file: Path, directory: Path, pin_file: Path,
                                    current: dict | None, verified: bool, course_id: str) -> None:
    """HeldoutError unless restoring ``backup`` loses nothing: same course, no pin of other data, no store here
    with other data."""
    if backup["course_id"] != course_id:
        raise HeldoutError(f"{backup_file} is a backup of course {backup['course_id']!r}, not of {course_id!r}; "
                           f"nothing was restored (pass --force to restore it anyway)")
    if current is None or (current.get("seed") == backup["manifest"]["seed"] and not verified):
        return _refuse_restore_over_another_pin(backup, backup_file, pin_file)  # nothing here, or a broken store
    try:
        theirs = f"seed {seed_fingerprint(current['seed'])}, {len(current['files'])} assignments"
    except (KeyError, TypeError, ValueError):
        theirs = "a manifest that cannot be read"
    ours = f"seed {seed_fingerprint(backup['manifest']['seed'])}, {len(backup['manifest']['files'])} assignments"
    raise HeldoutError(f"the store in {directory} ({theirs}{', verified' if verified else ''}) holds other held-out "
                       f"data than {backup_file} ({ours}); restoring would replace the data grades were made on, so "
                       f"nothing was restored (pass --force to replace it)")


def _refuse_restore_over_another_pin(backup: dict, backup_file: Path, pin_file: Path) -> None:
    """HeldoutError where the course's pin names other data than the backup (its store gone or broken)."""
    backed_up = hashlib.sha256(manifest_text(backup["manifest"]).encode()).hexdigest()
    if pin_file.is_file() and pin_file.read_text().strip() != backed_up:
        raise HeldoutError(f"{pin_file} pins other held-out data than {backup_file} holds (a later export, or "
                           f"another seed); restoring would replace the data grades were made on, so nothing was "
                           f"restored (pass --force to replace it)")


def _version_differences(theirs) -> str:
    """The drawing libraries whose versions differ from a backup's, in words."""
    ours, theirs = library_versions(), theirs if isinstance(theirs, dict) else {}
    differ = [f"{name} {ours[name]} here, {theirs.get(name, 'unknown')} in the backup"
              for name in ours if ours[name] != theirs.get(name)]
    return "; ".join(differ) if differ else ("the same library versions as the backup's, so tfcourse's own "
                                              "generators must have changed")
