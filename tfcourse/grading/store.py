"""The held-out store: the instructor's secret test data and grading seed, read only by the scorer.

Stops: a submission reading, training on or rewriting held-out data, and misgrading after tampering.
The store lives outside the course folder by default and is never visible inside a sandbox. Its
manifest lists every file's SHA-256 and the secret seed that draws held-out examples and exercise
inputs; ``export`` pins the manifest's own checksum in the course folder, and grading verifies the
manifest and every file against that pin before anyone is scored, stopping the batch with a setup
error rather than grading against changed data.

The seed is drawn once per store and kept: a later export only adds assignments not exported yet,
so earlier grades stay reproducible (backup and restore: :mod:`tfcourse.grading.store_backup`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shlex
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from tfcourse.data.cache import sha256_of
from tfcourse.data.exported import storable
from tfcourse.grading import untrusted
from tfcourse.grading.heldout import (
    EvaluationData,
    HeldoutError,
    heldout_examples,
    scored_examples,
)
from tfcourse.grading.specs import ASSIGNMENTS, AssignmentSpec

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class HeldoutStore:
    """An exported, verified held-out folder; returned by an export or restore, also what that wrote."""

    directory: Path
    manifest: dict
    added: tuple[str, ...] = ()  # assignments the export wrote that the store did not hold; a restore: all
    kept: tuple[str, ...] = ()  # assignments exported before and left exactly as they were
    redrawn: tuple[str, ...] = ()  # assignments exported before, drawn again from a new seed (earlier grades lost)
    rewritten: tuple[str, ...] = ()  # restored with the backup's examples in other file bytes (so a new pin)

    @property
    def seed(self) -> int:
        """The secret seed that draws the grader's inputs to function exercises."""
        return int(self.manifest["seed"])

    @property
    def fingerprint(self) -> str:
        """A short fingerprint of the seed: tells two stores apart without showing the seed."""
        return seed_fingerprint(self.seed)

    @property
    def examples(self) -> dict[str, int]:
        """Exported assignment -> number of held-out examples, in the manifest's order."""
        return {assignment: int(entry["examples"]) for assignment, entry in self.manifest["files"].items()}

    def data(self, spec: AssignmentSpec) -> EvaluationData:
        """The held-out examples of one assignment, checked against the manifest again as they are read."""
        if not spec.has_model:  # graded on exercises alone, with inputs drawn from the secret seed
            return EvaluationData(np.array([]), np.array([]), "the grader's own inputs, drawn at grading time", True)
        entry = self.manifest["files"].get(spec.assignment_id)
        if entry is None:
            raise HeldoutError(f"the held-out store has no data for {spec.assignment_id}; "
                               f"run `tfcourse heldout export` again")
        path = self.directory / entry["file"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise HeldoutError(f"held-out file {path} changed since it was exported (checksum mismatch)")
        with np.load(path, allow_pickle=False) as arrays:
            x, y = scored_examples(spec, arrays["x"], arrays["y"])
        return EvaluationData(x, y, f"held-out test data, {len(y):,} examples", True)


def manifest_digest(directory: Path) -> str:
    return hashlib.sha256((Path(directory) / MANIFEST).read_bytes()).hexdigest()


# --- export: the seed is drawn once and kept ----------------------------------------------------------

def export_heldout(directory: Path, pin_file: Path, assignments: Collection[str] | None = None, *,
                   new_seed: bool = False) -> HeldoutStore:
    """Add the held-out examples the store lacks, drawn from its kept secret seed; pin its manifest in ``pin_file``.

    The first export draws the secret seed; generated datasets draw their held-out examples from it,
    so they exist nowhere else. A later export writes only assignments not exported yet and rewrites
    nothing already there (``kept``), so earlier grades stay reproducible. ``assignments`` (ids such
    as ``"C4W2"``) limits the export to those, as a demo or a test of a few assignments needs; grading
    any other then asks for another export.

    A store that does not verify against ``pin_file``, or a pin whose store is missing, is refused
    with the reason instead of being overwritten. ``new_seed`` starts over: a new seed, and every
    assignment exported before drawn again (``redrawn``: grades made on them cannot be reproduced).

    The folder is written with owner-only permissions; ``pin_file`` belongs in the course folder.
    """
    directory, pin_file = Path(directory), Path(pin_file)
    wanted = [spec.assignment_id for spec in ASSIGNMENTS.values()
              if spec.has_model and (assignments is None or spec.assignment_id in assignments)]
    before = readable_manifest(directory) if new_seed else None
    if new_seed:
        listed = (before or {}).get("files") or {}
        seed, files, kept = secrets.randbits(62), {}, ()
        todo = _graded_ids(set(listed) | set(wanted))
        redrawn = tuple(assignment for assignment in todo if assignment in listed)
    else:
        store = _store_to_extend(directory, pin_file)
        if store is not None and all(assignment in store.manifest["files"] for assignment in wanted):
            return replace(store, kept=tuple(store.manifest["files"]))  # nothing to add: nothing is written
        seed = store.seed if store is not None else secrets.randbits(62)
        files = dict(store.manifest["files"]) if store is not None else {}
        todo = [assignment for assignment in wanted if assignment not in files]
        kept, redrawn = tuple(files), ()
    prepare_folder(directory)
    for assignment in todo:
        x, y = heldout_examples(ASSIGNMENTS[assignment].dataset, seed)
        path = directory / f"{assignment}.npz"
        _write_examples_atomically(path, x, y)
        files[assignment] = {"file": path.name, "sha256": sha256_of(path), "examples": int(len(y))}
    if before is not None:
        remove_unlisted(directory, before, files)
    write_manifest(directory, pin_file, {"seed": seed, "files": _in_course_order(files)})
    return replace(open_heldout(directory, pin_file), kept=kept, redrawn=redrawn,
                   added=tuple(assignment for assignment in todo if assignment not in redrawn))


def _store_to_extend(directory: Path, pin_file: Path) -> HeldoutStore | None:
    """The verified store an export adds to; None where none was exported; HeldoutError where it cannot be trusted."""
    if (directory / MANIFEST).is_file():
        try:
            return HeldoutStore(directory, verified_manifest(directory, pin_file))
        except HeldoutError as reason:
            raise HeldoutError(
                f"the held-out store in {directory} does not verify against {pin_file} ({reason}), so nothing "
                f"was exported: adding to it would pin data nobody checked; put back what changed "
                f"(`tfcourse heldout restore FILE` rebuilds store and pin from a backup), or start over with "
                f"`tfcourse heldout export --new-seed`, which redraws every exported assignment") from None
    if Path(pin_file).is_file():  # exported before, yet the store is gone: a new seed would orphan every grade
        raise HeldoutError(f"{missing_store(directory, pin_file)}; nothing was exported")
    return None


def write_examples(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    """Write ``x`` and ``y`` as a compressed .npz file whose bytes depend on the examples alone.

    numpy dates every member 1980-01-01 (zipfile's default), so the same examples always give the
    same file, and a restored file can be checked against its old SHA-256 (tests/grading/test_heldout.py
    checks that they still do).
    """
    with open(path, "wb") as stream:  # a file object: numpy would add ".npz" to a name without it
        np.savez_compressed(stream, x=storable(x), y=y)


def examples_digest(x: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of examples as a store holds them (dtype, shape, values), whatever the bytes of their file."""
    digest = hashlib.sha256()
    for array in (storable(np.asarray(x)), np.asarray(y)):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def seed_fingerprint(seed: int) -> str:
    """The first 8 hex digits of the seed's SHA-256: tells two stores apart, and draws nothing."""
    return hashlib.sha256(str(int(seed)).encode()).hexdigest()[:8]


def manifest_text(manifest: dict) -> str:
    """The manifest as the store writes it: the same manifest always gives the same bytes, and so the same pin."""
    return json.dumps(manifest, indent=2) + "\n"


def _graded_ids(ids: Iterable[str]) -> list[str]:
    """Of ``ids``, the assignments graded on held-out data, in the course's order."""
    ids = set(ids)
    return [assignment for assignment, spec in ASSIGNMENTS.items() if spec.has_model and assignment in ids]


def _in_course_order(files: dict[str, dict]) -> dict[str, dict]:
    """Manifest entries in the course's order of assignments (ids this version does not know last, as they were)."""
    order = {assignment: index for index, assignment in enumerate(ASSIGNMENTS)}
    return dict(sorted(files.items(), key=lambda item: order.get(item[0], len(order))))


def prepare_folder(directory: Path) -> None:
    """Make the store's folder, readable by its owner alone."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)


def _write_examples_atomically(path: Path, x: np.ndarray, y: np.ndarray) -> None:
    part = path.with_name(f".{path.name}.part")
    try:
        write_examples(part, x, y)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, *, private: bool = False) -> None:
    """Write ``text`` through a temporary file beside ``path`` (owner-only when ``private``), then rename it."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.unlink(missing_ok=True)
    try:
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(text)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def write_manifest(directory: Path, pin_file: Path, manifest: dict) -> None:
    """Write the manifest, then pin its checksum (the pin last: a store is trusted only once both are written)."""
    write_text_atomically(directory / MANIFEST, manifest_text(manifest))
    pin_file.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(pin_file, manifest_digest(directory) + "\n")


def remove_unlisted(directory: Path, old: dict, files: dict[str, dict]) -> None:
    """Delete files an old manifest listed that the new one does not (data of a seed that is gone)."""
    names = {entry["file"] for entry in files.values()}
    for entry in ((old or {}).get("files") or {}).values():
        name = entry.get("file") if isinstance(entry, dict) else None
        if untrusted.text(name) is not None and plain_file_name(name) and name not in names:
            (directory / name).unlink(missing_ok=True)


def plain_file_name(name: str) -> bool:
    """A held-out file's name: no folder, not hidden, ending in .npz (a manifest or backup can name no other)."""
    return Path(name).name == name and not name.startswith(".") and name.endswith(".npz")


# --- open: verify before anyone is graded ------------------------------------------------------------

def open_heldout(directory: Path, pin_file: Path) -> HeldoutStore:
    """Open the held-out store after checking the manifest against its pin and every file against the manifest."""
    return open_store(Path(directory), Path(pin_file), "nothing was graded")


def open_store(directory: Path, pin_file: Path, consequence: str) -> HeldoutStore:
    """The verified store, or HeldoutError saying what differs and ``consequence`` (what was not done)."""
    if not (directory / MANIFEST).is_file():
        raise HeldoutError(missing_store(directory, pin_file))
    try:
        return HeldoutStore(directory, verified_manifest(directory, pin_file))
    except HeldoutError as reason:
        raise HeldoutError(f"{reason}; {consequence}") from None


def verified_manifest(directory: Path, pin_file: Path) -> dict:
    """The manifest, once it matches the pin and every file matches it; else HeldoutError saying what differs."""
    if not pin_file.is_file():
        raise HeldoutError(f"no checksum pin at {pin_file} for the store in {directory}, which `tfcourse heldout "
                           f"restore FILE` rebuilds from a backup")
    if manifest_digest(directory) != pin_file.read_text().strip():
        raise HeldoutError(f"{directory / MANIFEST} changed since it was exported: its checksum no longer "
                           f"matches {pin_file}")
    manifest = json.loads((directory / MANIFEST).read_text())
    for assignment, entry in manifest["files"].items():
        path = directory / entry["file"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise HeldoutError(f"held-out file {path} ({assignment}) changed since it was exported")
    return manifest


def verifies(directory: Path, pin_file: Path) -> bool:
    """Whether the store in ``directory`` matches ``pin_file`` and every file matches its manifest."""
    try:
        verified_manifest(directory, pin_file)
    except (HeldoutError, OSError, ValueError, KeyError, TypeError):
        return False
    return True


def readable_manifest(directory: Path) -> dict | None:
    """The manifest in ``directory`` as it is, verified or not; None where there is none that parses."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("files"), dict) else None


def missing_store(directory: Path, pin_file: Path) -> str:
    """Why there is no store at ``directory``, and how to make one or get this course's back."""
    directory, pin_file = Path(directory), Path(pin_file)
    if not pin_file.is_file():
        return f"no held-out data in {directory}; run `tfcourse heldout export` first"
    pin = pin_file.read_text().strip()
    found = [store for store in _sibling_stores(directory) if _digest_or_none(store) == pin]
    found_one = ""
    if found:
        old, new = shlex.quote(str(found[0])), shlex.quote(str(directory))
        found_one = (f"the store {found[0]} matches that pin: move it there if the course folder was moved "
                     f"(`mv {old} {new}`), copy it if the folder was copied (`cp -a {old} {new}`); else ")
    return (f"no held-out store at {directory}, though {pin_file} pins one (the default store is named after the "
            f"course folder's path, so a moved or copied course looks in a new place); {found_one}get it back with "
            f"`tfcourse heldout restore FILE` (a file `tfcourse heldout backup` wrote), or set c.TfCourse.heldout_dir in "
            f"nbgrader_config.py to where it is; `tfcourse heldout export --new-seed` starts over, and grades made "
            f"before cannot then be reproduced")


def _digest_or_none(directory: Path) -> str | None:
    try:
        return manifest_digest(directory)
    except OSError:  # another user's store, say
        return None


def _sibling_stores(directory: Path) -> list[Path]:
    """Other stores beside ``directory`` (where a moved course folder's default store stays behind)."""
    try:
        return sorted(path for path in directory.parent.iterdir() if path != directory and (path / MANIFEST).is_file())
    except OSError:
        return []


# --- info ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoreStatus:
    """What `tfcourse heldout info` says about a store: never the seed itself, only its fingerprint."""

    directory: Path
    pin_file: Path
    problem: str | None  # why grading would refuse it (missing, or not verifying); None when it verifies
    fingerprint: str | None  # of the seed, where a manifest could be read
    examples: dict[str, int]  # exported assignment -> held-out examples, as its manifest lists them

    @property
    def verified(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        """Several lines: whether it verifies, the seed's fingerprint, what is exported and what is not."""
        lines = [f"verifies against {self.pin_file}: {'yes' if self.verified else 'NO: ' + str(self.problem)}"]
        if self.fingerprint is None:
            return "\n".join(lines)
        lines.append(f"seed fingerprint: {self.fingerprint} (the first 8 hex digits of the seed's SHA-256; "
                     f"the seed itself stays secret)")
        lines.append(f"exported assignments ({len(self.examples)}):")
        lines += [f"  {assignment:<6} {count:>7,} held-out examples" for assignment, count in self.examples.items()]
        missing = [assignment for assignment in _graded_ids(ASSIGNMENTS) if assignment not in self.examples]
        if missing:
            lines.append(f"not exported yet: {', '.join(missing)} (`tfcourse heldout export` adds them)")
        return "\n".join(lines)


def store_status(directory: Path, pin_file: Path) -> StoreStatus:
    """The state of the store in ``directory``: whether it verifies against ``pin_file``, and what it holds."""
    directory, pin_file = Path(directory), Path(pin_file)
    if not (directory / MANIFEST).is_file():
        return StoreStatus(directory, pin_file, missing_store(directory, pin_file), None, {})
    try:
        verified_manifest(directory, pin_file)
        problem = None
    except HeldoutError as reason:
        problem = str(reason)
    except (OSError, ValueError, KeyError, TypeError) as error:  # a pinned manifest that is not one
        problem = f"{directory / MANIFEST} cannot be read ({error})"
    manifest = readable_manifest(directory)
    try:
        fingerprint = seed_fingerprint(manifest["seed"])
        examples = {assignment: int(entry["examples"]) for assignment, entry in manifest["files"].items()}
    except (TypeError, KeyError, ValueError):
        return StoreStatus(directory, pin_file, problem or f"{directory / MANIFEST} cannot be read", None, {})
    return StoreStatus(directory, pin_file, problem, fingerprint, examples)


