"""Tests of the held-out store (tfcourse/grading/store.py, store_backup.py and `tfcourse heldout`): verification, the kept
seed, one default store per course folder, info, backup and restore.

Only cheap assignments are exported: C1W1 (five test examples) and C4W2/C4W3 (a generated year of a series).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from tfcourse.cli import main
from tfcourse.course import CONFIG_FILE, Course
from tfcourse.grading import HeldoutError, export_heldout, get_assignment, open_heldout
from tfcourse.grading.scorer import Scorer
from tfcourse.grading.store import MANIFEST, seed_fingerprint
from tfcourse.grading.store_backup import backup_heldout, restore_heldout


def snapshot(*paths: Path) -> dict[str, bytes]:
    """Every file under ``paths`` (folders or files) -> its bytes: what "changes nothing" compares."""
    files = {}
    for path in paths:
        for item in sorted(path.rglob("*")) if path.is_dir() else [path] if path.exists() else []:
            if item.is_file():
                files[str(item)] = item.read_bytes()
    return files


def make_course(root: Path, course_id: str = "shared") -> Course:
    """A bare course folder: an nbgrader_config.py naming ``course_id`` (no c.TfCourse.heldout_dir) and source/."""
    (root / "source").mkdir(parents=True)
    (root / CONFIG_FILE).write_text(f"c = get_config()  # noqa\nc.CourseDirectory.course_id = {course_id!r}\n")
    return Course.at(root)


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    """`tfcourse argv` in-process: (status, stdout, stderr)."""
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """An empty $XDG_DATA_HOME, where default stores go."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


# --- verification before grading ---------------------------------------------------------------------

def test_heldout_store_round_trip(tmp_path):
    """Does an exported store open against its pin and serve each assignment's test split?"""
    store = export_heldout(tmp_path / "heldout", tmp_path / "heldout.pin", ["C1W1"])
    reopened = open_heldout(tmp_path / "heldout", tmp_path / "heldout.pin")
    assert reopened.seed == store.seed
    data = reopened.data(get_assignment("C1W1"))
    assert data.is_heldout and list(data.x) == [0, 8, 9, 10, 12]
    with pytest.raises(HeldoutError, match="no data for C1W4; run `tfcourse heldout export` again"):
        reopened.data(get_assignment("C1W4"))  # not exported: only C1W1 was asked for


def test_tampered_heldout_file_stops_grading(tmp_path):
    """Is a changed held-out file refused before anyone is graded?"""
    export_heldout(tmp_path / "heldout", tmp_path / "heldout.pin", ["C1W1"])
    with open(tmp_path / "heldout" / "C1W1.npz", "ab") as stream:
        stream.write(b"tamper")
    with pytest.raises(HeldoutError, match="changed since it was exported; nothing was graded"):
        open_heldout(tmp_path / "heldout", tmp_path / "heldout.pin")


def test_tampered_manifest_with_fixed_checksum_stops_grading(tmp_path):
    """Is rewriting a file AND its checksum in the manifest caught by the pin kept in the course?"""
    directory = tmp_path / "heldout"
    export_heldout(directory, tmp_path / "heldout.pin", ["C1W1"])
    with np.load(directory / "C1W1.npz") as arrays:
        np.savez_compressed(directory / "C1W1.npz", x=arrays["x"], y=arrays["y"] + 1)
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest["files"]["C1W1"]["sha256"] = hashlib.sha256((directory / "C1W1.npz").read_bytes()).hexdigest()
    (directory / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(HeldoutError, match="changed since it was exported"):
        open_heldout(directory, tmp_path / "heldout.pin")


def test_missing_heldout_or_pin_is_a_setup_error(tmp_path):
    """Are missing held-out data and a missing pin reported with what to run?"""
    with pytest.raises(HeldoutError, match="tfcourse heldout export"):
        open_heldout(tmp_path / "nothing", tmp_path / "heldout.pin")
    export_heldout(tmp_path / "heldout", tmp_path / "heldout.pin", ["C1W1"])
    (tmp_path / "heldout.pin").unlink()
    with pytest.raises(HeldoutError, match="no checksum pin at .*tfcourse heldout restore"):
        open_heldout(tmp_path / "heldout", tmp_path / "heldout.pin")


# --- the seed is kept ----------------------------------------------------------------------------------

def test_reexport_keeps_the_seed_and_rewrites_nothing_exported(tmp_path):
    """Does a second export keep the seed, add only what is missing, and leave exported files byte for byte?"""
    directory, pin = tmp_path / "heldout", tmp_path / "heldout.pin"
    first = export_heldout(directory, pin, ["C4W2"])
    assert (first.added, first.kept, first.redrawn) == (("C4W2",), (), ())
    before = (directory / "C4W2.npz").read_bytes()
    second = export_heldout(directory, pin, ["C4W2", "C4W3"])
    assert second.seed == first.seed and (second.added, second.kept) == (("C4W3",), ("C4W2",))
    assert (directory / "C4W2.npz").read_bytes() == before
    unchanged = snapshot(directory, pin)
    third = export_heldout(directory, pin, ["C4W3"])  # nothing to add: nothing is written, the pin stays
    assert (third.added, third.kept) == ((), ("C4W2", "C4W3")) and snapshot(directory, pin) == unchanged


def moving_average_model(window: int):
    """A forecaster that averages its window: its held-out MAE depends on every value of the held-out year."""
    import keras

    model = keras.Sequential([keras.Input(shape=(window,)), keras.layers.Dense(1, use_bias=False)])
    model.set_weights([np.full((window, 1), 1 / window, dtype="float32")])
    return model


def test_regrading_after_a_reexport_gives_identical_points(tmp_path):
    """Graded again after an export that added an assignment, are a C4W2 model (scored on the seed's held-out
    year) and C4W1's exercises (inputs drawn from the seed) given exactly the same checks, from the same files?"""
    directory, pin = tmp_path / "heldout", tmp_path / "heldout.pin"
    c4w1, c4w2 = get_assignment("C4W1"), get_assignment("C4W2")
    submission = tmp_path / "submission"
    submission.mkdir()
    moving_average_model(30).save(submission / c4w2.model_filename)
    reference = REPO / "source" / c4w1.folder  # the source notebook's solution cells are the reference

    def regrade(store):
        with Scorer(exercise_seed=store.seed) as scorer:  # a fresh scorer: nothing cached from the first grading
            return scorer.score(c4w2, submission, store.data(c4w2)), scorer.score(c4w1, reference, store.data(c4w1))

    first = regrade(export_heldout(directory, pin, ["C4W2"]))
    files = snapshot(directory / "C4W2.npz")
    assert export_heldout(directory, pin, ["C4W2", "C4W3"]).added == ("C4W3",)
    second = regrade(open_heldout(directory, pin))
    assert second == first and snapshot(directory / "C4W2.npz") == files
    model_check = first[0].checks[0]
    assert first[0].data_label.startswith("held-out") and "naive" in model_check.detail, model_check
    assert first[1].score == first[1].possible, first[1].checks  # the exercises ran, on the seed's inputs


def test_new_seed_redraws_every_exported_assignment(tmp_path):
    """Does --new-seed draw another seed, redraw what was exported (and add what is asked), and say so?"""
    directory, pin = tmp_path / "heldout", tmp_path / "heldout.pin"
    old = export_heldout(directory, pin, ["C4W2"])
    old_file, old_pin = (directory / "C4W2.npz").read_bytes(), pin.read_bytes()
    new = export_heldout(directory, pin, ["C4W3"], new_seed=True)
    assert new.seed != old.seed and new.fingerprint != old.fingerprint
    assert (new.redrawn, new.added, new.kept) == (("C4W2",), ("C4W3",), ())
    assert (directory / "C4W2.npz").read_bytes() != old_file and pin.read_bytes() != old_pin
    assert open_heldout(directory, pin).examples == {"C4W2": 365, "C4W3": 365}


def test_export_command_says_what_it_added_kept_and_redrew(tmp_path, data_home, capsys, monkeypatch):
    """Does `tfcourse heldout export` say what it wrote and kept, and --new-seed warn what it invalidates?"""
    import tfcourse.grading

    monkeypatch.setattr(tfcourse.grading, "export_heldout", functools.partial(export_heldout, assignments=["C4W2"]))
    course = make_course(tmp_path / "course")
    status, out, _ = run(capsys, ["heldout", "export", "--course", str(course.root)])
    assert status == 0 and "held-out data of C4W2 written to" in out and "tfcourse heldout backup" in out
    status, out, _ = run(capsys, ["heldout", "export", "--course", str(course.root)])
    assert status == 0 and "kept the 1 assignments exported before, unchanged: C4W2" in out and "nothing to add" in out
    status, out, err = run(capsys, ["heldout", "export", "--new-seed", "--course", str(course.root)])
    assert status == 0 and "(new seed " in out
    assert "redrew the held-out data of C4W2: grades made before cannot be reproduced" in err


@pytest.mark.parametrize("break_it, reason", [
    (lambda directory, pin: pin.write_text("0" * 64 + "\n"), "does not verify against .*checksum no longer matches"),
    (lambda directory, pin: pin.unlink(), "does not verify against .*no checksum pin"),
    (lambda directory, pin: (directory / "C4W2.npz").write_bytes(b"tamper"), "C4W2.*changed since it was exported"),
    (lambda directory, pin: shutil.rmtree(directory), "no held-out store at .*, though .* pins one"),
])
def test_export_refuses_a_store_that_does_not_verify_and_changes_nothing(tmp_path, break_it, reason):
    """Is an export into a store (or for a pin) that does not verify refused, with the reason and --new-seed,
    leaving store and pin as they were?"""
    directory, pin = tmp_path / "heldout", tmp_path / "heldout.pin"
    export_heldout(directory, pin, ["C4W2"])
    break_it(directory, pin)
    broken, existed = snapshot(directory, pin), directory.exists()
    with pytest.raises(HeldoutError, match=reason) as refusal:
        export_heldout(directory, pin, ["C4W2", "C4W3"])
    assert "--new-seed" in str(refusal.value) and "nothing was exported" in str(refusal.value)
    assert snapshot(directory, pin) == broken and directory.exists() == existed


# --- one default store per course folder ---------------------------------------------------------------

def test_two_course_folders_with_one_course_id_keep_their_own_stores(tmp_path, data_home):
    """Do two course folders with the same course_id and no heldout_dir export into stores of their own,
    so that exporting in the second leaves the first's store and pin untouched?"""
    first, second = make_course(tmp_path / "a" / "course"), make_course(tmp_path / "b" / "course")
    assert first.heldout != second.heldout and first.heldout.parent == second.heldout.parent
    assert first.heldout.parent == data_home / "tfcourse" / "heldout" and first.heldout.name.startswith("shared-")
    one = export_heldout(first.heldout, first.heldout_pin, ["C4W2"])
    before = snapshot(first.heldout, first.heldout_pin)
    two = export_heldout(second.heldout, second.heldout_pin, ["C4W2", "C4W3"])
    assert snapshot(first.heldout, first.heldout_pin) == before and one.seed != two.seed
    assert open_heldout(first.heldout, first.heldout_pin).examples == {"C4W2": 365}
    assert open_heldout(second.heldout, second.heldout_pin).examples == {"C4W2": 365, "C4W3": 365}


def test_a_moved_course_folder_is_told_where_its_store_is(tmp_path, data_home, capsys):
    """After the course folder moves (so its default store's name changes), does grading name the store it
    expected, the old store that matches the pin, and how to get it back?"""
    course = make_course(tmp_path / "old")
    export_heldout(course.heldout, course.heldout_pin, ["C4W2"])
    old_store = course.heldout
    moved = Course.at(shutil.move(course.root, tmp_path / "new"))
    status = main(["grade", "--course", str(moved.root)])
    line = capsys.readouterr().err.strip()
    assert status == 2 and len(line.splitlines()) == 1, line
    for words in (f"no held-out store at {moved.heldout}", f"mv {old_store} {moved.heldout}",
                  "tfcourse heldout restore", "c.TfCourse.heldout_dir"):
        assert words in line, words
    shutil.move(old_store, moved.heldout)  # as the message says
    assert open_heldout(moved.heldout, moved.heldout_pin).examples == {"C4W2": 365}


# --- info, backup and restore --------------------------------------------------------------------------

def test_info_shows_the_store_and_a_fingerprint_never_the_seed(tmp_path, data_home, capsys):
    """Does `tfcourse heldout info` name the store and its origin, say it verifies, list what is exported with
    example counts, and show the seed's fingerprint but never the seed?"""
    course = make_course(tmp_path / "course")
    store = export_heldout(course.heldout, course.heldout_pin, ["C1W1", "C4W2"])
    status, out, _ = run(capsys, ["heldout", "info", "--course", str(course.root)])
    assert status == 0
    for words in (f"held-out store: {course.heldout} (the default for this course folder)",
                  f"verifies against {course.heldout_pin}: yes", f"seed fingerprint: {store.fingerprint}",
                  "not exported yet: C1W2"):
        assert words in out, words
    assert re.search(r"C1W1 +5 held-out examples\n +C4W2 +365 held-out examples", out), out
    assert str(store.seed) not in out and store.fingerprint == seed_fingerprint(store.seed)
    course.heldout_pin.write_text("0" * 64 + "\n")
    status, out, _ = run(capsys, ["heldout", "info", "--course", str(course.root)])
    assert status == 1 and f"verifies against {course.heldout_pin}: NO" in out


def test_backup_then_restore_rebuilds_the_store_byte_for_byte(tmp_path, data_home, capsys):
    """Does a backup (owner-only, flagged secret) rebuild a deleted store with byte-identical files and the
    same pin, so the course grades as before?"""
    course = make_course(tmp_path / "course")
    export_heldout(course.heldout, course.heldout_pin, ["C1W1", "C4W2"])
    before, pin = snapshot(course.heldout), course.heldout_pin.read_bytes()
    backup = tmp_path / "secret" / "heldout.json"
    backup.parent.mkdir()
    status, out, err = run(capsys, ["heldout", "backup", str(backup), "--course", str(course.root)])
    assert status == 0 and "readable by you only" in out and "SECRET" in err
    assert backup.stat().st_mode & 0o777 == 0o600
    assert json.loads(backup.read_text())["course_id"] == "shared"
    shutil.rmtree(course.heldout)
    status, out, _ = run(capsys, ["heldout", "restore", str(backup), "--course", str(course.root)])
    assert status == 0 and "restored 2 assignments" in out, out
    assert snapshot(course.heldout) == before and course.heldout_pin.read_bytes() == pin
    status, out, _ = run(capsys, ["heldout", "restore", str(backup), "--course", str(course.root)])
    assert status == 0 and "nothing was rewritten" in out  # restoring twice changes nothing


def test_restore_refuses_to_replace_other_data_unless_forced(tmp_path):
    """Is a restore over a verified store of another seed, for a pin of other data, or from another course's
    backup, refused without --force (changing nothing), and done with it?"""
    directory, pin, backup = tmp_path / "heldout", tmp_path / "heldout.pin", tmp_path / "backup.json"
    old = export_heldout(directory, pin, ["C4W2"])
    backup_heldout(directory, pin, backup, course_id="shared")
    export_heldout(directory, pin, new_seed=True, assignments=["C4W2"])
    current = snapshot(directory, pin)
    with pytest.raises(HeldoutError, match="holds other held-out data.*pass --force"):
        restore_heldout(backup, directory, pin, course_id="shared")
    with pytest.raises(HeldoutError, match="a backup of course 'shared', not of 'other'"):
        restore_heldout(backup, directory, pin, course_id="other")
    assert snapshot(directory, pin) == current
    shutil.rmtree(directory)  # the pin still names the new seed's data
    with pytest.raises(HeldoutError, match="heldout.pin pins other held-out data than .*pass --force"):
        restore_heldout(backup, directory, pin, course_id="shared")
    assert not directory.exists()
    assert restore_heldout(backup, directory, pin, course_id="shared", force=True).seed == old.seed
    assert open_heldout(directory, pin).seed == old.seed


def test_restore_stops_when_this_machine_draws_other_examples(tmp_path):
    """When the examples drawn from the backup's seed differ from the backup's (other NumPy, Pillow or
    TensorFlow), does restore say so and change nothing?"""
    directory, pin, backup = tmp_path / "heldout", tmp_path / "heldout.pin", tmp_path / "backup.json"
    export_heldout(directory, pin, ["C1W1", "C4W2"])
    backup_heldout(directory, pin, backup, course_id="shared")
    content = json.loads(backup.read_text())
    content["manifest"]["files"]["C4W2"]["sha256"] = "0" * 64  # as if this machine drew another year
    content["examples_sha256"]["C4W2"] = "0" * 64
    content["drawn_with"]["numpy"] = "0.0"
    backup.write_text(json.dumps(content))
    shutil.rmtree(directory)  # as on a new machine: neither store nor pin
    pin.unlink()
    with pytest.raises(HeldoutError, match="C4W2's held-out examples drawn here differ.*numpy .* here, 0.0 in the backup"):
        restore_heldout(backup, directory, pin, course_id="shared")
    assert not directory.exists() and not pin.exists()


def test_restore_accepts_the_same_examples_written_in_other_bytes(tmp_path):
    """Is a store whose files hold the same examples in other bytes (here uncompressed; another zlib would do
    it too) restored from its backup with those examples, saying the files and so the pin changed?"""
    directory, pin, backup = tmp_path / "heldout", tmp_path / "heldout.pin", tmp_path / "backup.json"
    export_heldout(directory, pin, ["C4W2"])
    with np.load(directory / "C4W2.npz") as arrays:
        x, y = arrays["x"], arrays["y"]
    np.savez(directory / "C4W2.npz", x=x, y=y)
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest["files"]["C4W2"]["sha256"] = hashlib.sha256((directory / "C4W2.npz").read_bytes()).hexdigest()
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    pin.write_text(hashlib.sha256((directory / MANIFEST).read_bytes()).hexdigest() + "\n")
    backup_heldout(directory, pin, backup, course_id="shared")
    shutil.rmtree(directory)
    restored = restore_heldout(backup, directory, pin, course_id="shared")
    assert restored.rewritten == ("C4W2",) and restored.seed == manifest["seed"]
    open_heldout(directory, pin)
    with np.load(directory / "C4W2.npz") as arrays:
        assert np.array_equal(arrays["x"], x) and np.array_equal(arrays["y"], y)


@pytest.mark.parametrize("argv, advice", [
    (["heldout", "backup"], "needs the backup FILE"),
    (["heldout", "info", "--force"], "--force with `heldout restore` only"),
    (["heldout", "backup", "{course}/heldout.json"], "is inside the course folder"),
    (["heldout", "restore", "{course}/../nothing.json"], "no backup file at"),
])
def test_heldout_mistakes_get_one_line(tmp_path, data_home, capsys, argv, advice):
    """Does a missing or misplaced backup file, or a flag on the wrong action, get one line saying what to do?"""
    course = make_course(tmp_path / "course")
    export_heldout(course.heldout, course.heldout_pin, ["C1W1"])
    status, out, err = run(capsys, [arg.replace("{course}", str(course.root)) for arg in argv]
                           + ["--course", str(course.root)])
    assert status == 2 and len(err.strip().splitlines()) == 1 and advice in err, err
