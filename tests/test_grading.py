"""Tests of tfcourse.grading: ladders, the out-of-process evaluator, held-out data, history checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tfcourse.grading import HELDOUT_ENV, evaluate_saved_model, export_heldout, get_assignment, grade_model
from tfcourse.grading.evaluator import epoch_check
from tfcourse.grading.specs import ASSIGNMENTS, EpochCheck


def housing_model(weight: float, bias: float, path: Path | None = None):
    """A one-neuron model with fixed weights: exact when weight = bias = 0.5."""
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[weight]], dtype="float32"), np.array([bias], dtype="float32")])
    if path is not None:
        model.save(path)
    return model


def test_every_assignment_is_worth_ten_points():
    """Do all assignments total 10 points, with ladders ordered from full to partial credit?"""
    for spec in ASSIGNMENTS.values():
        assert spec.possible == 10.0
        points = [rung.points for rung in spec.ladder]
        assert points == sorted(points, reverse=True)


def test_ladder_direction():
    """Is a higher accuracy, but a lower error, what earns points?"""
    assert get_assignment("C1W3").points_for(0.95)[0] == 8.0
    assert get_assignment("C1W3").points_for(0.88)[0] == 4.0
    assert get_assignment("C1W3").points_for(0.5)[0] == 0.0
    assert get_assignment("C1W1").points_for(0.01)[0] == 10.0
    assert get_assignment("C1W1").points_for(2.0)[0] == 0.0


def test_accepted_output_units():
    """May a binary classifier end in one unit or two, while other models need their exact width?"""
    assert get_assignment("C1W4").accepted_output_units == (1, 2)
    assert get_assignment("C1W3").accepted_output_units == (10,)
    assert get_assignment("C1W1").accepted_output_units == (1,)


def test_lookup_by_id_or_folder():
    """Can an assignment be named by id or by folder, and an unknown one is refused?"""
    assert get_assignment("C1W3_convolutions") is get_assignment("c1w3")
    with pytest.raises(KeyError, match="C1W1"):
        get_assignment("C9W9")


def test_exact_model_gets_full_marks_on_validation(tmp_path):
    """Does a perfect housing model earn 10/10, labelled as a self-check on validation data?"""
    housing_model(0.5, 0.5, tmp_path / "m.keras")
    result = evaluate_saved_model("C1W1", tmp_path / "m.keras")
    assert result.score == 10.0 and result.passed
    assert "self-check on validation data" in result.summary()


def test_wrong_model_gets_zero_with_reason(tmp_path):
    """Does a model far from the rule earn 0 with the error and the threshold in the report?"""
    housing_model(0.1, 0.0, tmp_path / "m.keras")
    result = evaluate_saved_model("C1W1", tmp_path / "m.keras")
    assert result.score == 0.0 and "below every threshold" in result.summary()


def test_heldout_mode_uses_exported_data(tmp_path, monkeypatch):
    """With the held-out directory set, is the model scored on the exported test split?"""
    export_heldout(tmp_path / "heldout")
    monkeypatch.setenv(HELDOUT_ENV, str(tmp_path / "heldout"))
    housing_model(0.5, 0.5, tmp_path / "m.keras")
    result = evaluate_saved_model("C1W1", tmp_path / "m.keras")
    assert result.score == 10.0 and "held-out test data, 5 examples" in result.data_label


def test_corrupt_heldout_data_is_refused(tmp_path, monkeypatch):
    """Is tampered held-out data detected by its checksum instead of silently used?"""
    directory = export_heldout(tmp_path / "heldout")
    with open(directory / "C1W1.npz", "ab") as stream:
        stream.write(b"tamper")
    monkeypatch.setenv(HELDOUT_ENV, str(directory))
    housing_model(0.5, 0.5, tmp_path / "m.keras")
    result = evaluate_saved_model("C1W1", tmp_path / "m.keras")
    assert result.score == 0.0 and "corrupt" in result.error


@pytest.mark.parametrize("case, reason", [
    ("missing", "never saved a model"),
    ("not_zip", "not a Keras 3 .keras file"),
    ("lambda", "could not be loaded safely"),
    ("input_shape", "expects input shape"),
    ("output_shape", "outputs shape"),
    ("nan", "NaN"),
])
def test_bad_models_score_zero_with_one_line_reason(tmp_path, case, reason):
    """Do missing, unsafe, mis-shaped and NaN-predicting models each get 0 with a readable reason?"""
    import keras

    path = tmp_path / "model.keras"
    if case == "not_zip":
        path.write_bytes(b"\x80\x04 pickled or random bytes")
    elif case == "lambda":
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Lambda(lambda x: x * 0.5 + 0.5)])
        model.save(path)
    elif case == "input_shape":
        keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)]).save(path)
    elif case == "output_shape":
        keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4)]).save(path)
    elif case == "nan":
        housing_model(float("nan"), 0.5, path)
    result = evaluate_saved_model("C1W1", path)
    assert result.score == 0.0
    assert reason in result.error and "\n" not in result.error


def test_evaluator_timeout_is_a_zero(tmp_path):
    """Does an evaluation that outlasts its limit score 0 with a reason instead of hanging?"""
    housing_model(0.5, 0.5, tmp_path / "m.keras")
    result = evaluate_saved_model("C1W1", tmp_path / "m.keras", timeout_s=0.01)
    assert result.score == 0.0 and "longer than" in result.error


def test_grading_twice_gives_identical_results(tmp_path):
    """Is grading deterministic: the same model file scores identically twice?"""
    housing_model(0.5, 0.3, tmp_path / "m.keras")  # off by 0.2: partial credit
    first = evaluate_saved_model("C1W1", tmp_path / "m.keras")
    second = evaluate_saved_model("C1W1", tmp_path / "m.keras")
    assert first == second and 0 < first.score < 10


def test_grade_model_saves_reports_and_writes_no_stderr(tmp_path, capfd):
    """Does grade_model save model and history, print the report to stdout and nothing to stderr?"""
    model = housing_model(0.5, 0.5)
    result = grade_model("C1W1", model, {"loss": [1.0, 0.1]}, directory=tmp_path)
    out, err = capfd.readouterr()
    assert err == ""
    assert "C1W1 housing prices: 10 / 10 points" in out
    assert (tmp_path / "C1W1_model.keras").is_file()
    assert json.loads((tmp_path / "C1W1_history.json").read_text())["history"]["loss"] == [1.0, 0.1]
    assert result.score == 10.0


def test_grade_model_raises_when_nothing_is_earned(tmp_path, capfd):
    """Does a model that earns nothing make the test cell fail, after printing why?"""
    from tfcourse.grading import GradingFailed

    with pytest.raises(GradingFailed):
        grade_model("C1W1", housing_model(0.0, 0.0), directory=tmp_path)
    assert "below every threshold" in capfd.readouterr().out


CALLBACK = EpochCheck(points=4.0, max_epochs=10, stop_at_accuracy=0.88)


@pytest.mark.parametrize("accuracy, requested, points, phrase", [
    ([0.82, 0.86, 0.881], 10, 4.0, "stopped after epoch 3 of 10"),
    ([0.82, 0.86, 0.87], 3, 0.0, "reached 0.8700 in 3 epochs"),
    ([0.64], 1, 0.0, "reached 0.6400 in 1 epoch,"),
    ([0.82, 0.89, 0.90], 10, 0.0, "not stopped at the first epoch"),
    ([0.82, 0.86, 0.881], 3, 0.0, "not stopped"),
    ([0.8] * 11 + [0.9], 20, 0.0, "at most 10"),
])
def test_callback_check(accuracy, requested, points, phrase):
    """Does the callback check demand a stop at the first epoch that reaches the target, within 10?"""
    history = {"history": {"loss": [1.0] * len(accuracy), "accuracy": accuracy}, "params": {"epochs": requested}}
    result = epoch_check(CALLBACK, history)
    assert result.score == points and phrase in result.detail


def test_epoch_check_without_history():
    """Is a missing history a 0 for that check, with a hint?"""
    assert "pass the History" in epoch_check(EpochCheck(2.0, 10), None).detail
