"""Tests of tfcourse.grading: specs, ladders, exercises, self-checks and the scorer (the held-out store:
tests/grading/test_heldout.py; each kind of rule: tests/grading/rules/)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import REPO

from tfcourse.course import Course
from tfcourse.grading import (
    ASSIGNMENTS,
    EvaluationData,
    get_assignment,
    save_for_grading,
    validation_data,
)
from tfcourse.grading.exercises import PUBLIC_SEED
from tfcourse.grading.exercises.callback import STOP_AT_ACCURACY
from tfcourse.grading.models import ModelRejected
from tfcourse.grading.scorer import Scorer
from tfcourse.instructor.demo import demo_students

C1W2 = "C1W2_callbacks"


def housing_model(weight: float, bias: float, path: Path | None = None):
    """A one-neuron model with fixed weights: exact when weight = bias = 0.5."""
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[weight]], dtype="float32"), np.array([bias], dtype="float32")])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
    return model


def test_every_assignment_is_worth_ten_points():
    """Do all assignments total 10 points, with ladders ordered from full to partial credit?"""
    for spec in ASSIGNMENTS.values():
        assert spec.possible == 10.0 == sum(spec.cell_points.values())
        points = [rung.points for rung in spec.ladder]
        assert points == sorted(points, reverse=True)


def test_ladder_direction():
    """Is a higher accuracy, but a lower error, what earns points?"""
    assert get_assignment("C1W3").points_for(0.95)[0] == 10.0
    assert get_assignment("C1W3").points_for(0.79)[0] == 5.0
    assert get_assignment("C1W3").points_for(0.5)[0] == 0.0
    assert get_assignment("C1W1").points_for(0.01)[0] == 10.0
    assert get_assignment("C1W1").points_for(2.0)[0] == 0.0


def test_accepted_output_units():
    """May a binary classifier end in one unit or two, while other models need their exact width?"""
    for assignment, widths in (("C1W4", (1, 2)), ("C1W3", (10,)), ("C1W1", (1,))):
        spec = get_assignment(assignment)
        assert spec.measure.accepted_output_units(spec) == widths


def test_lookup_by_id_or_folder():
    """Can an assignment be named by id or by folder, and an unknown one is refused?"""
    assert get_assignment("C1W3_convolutions") is get_assignment("c1w3")
    with pytest.raises(KeyError, match="C1W1"):
        get_assignment("C9W9")


def model_check(spec, predictions: np.ndarray, y: np.ndarray):
    """The ladder's check of raw predictions; unusable ones are a 0 with the reason."""
    try:
        return spec.measure.ladder_check(spec, spec.measure.measure(spec, predictions, y))
    except ModelRejected as rejection:
        return spec.measure.rejected(spec, str(rejection))


@pytest.mark.parametrize("predictions, phrase", [
    (np.full((40, 1), np.nan, dtype="float32"), "NaN"),
    (np.zeros((40, 3), dtype="float32"), "outputs shape (3,)"),
    (np.zeros((39, 1), dtype="float32"), "outputs shape"),
    (np.array([["a"]] * 40), "not numbers"),
])
def test_unusable_predictions_score_zero(predictions, phrase):
    """Are NaN, mis-shaped or non-numeric predictions a 0 with the reason, not an error?"""
    spec = get_assignment("C1W4")
    check = model_check(spec, predictions, np.zeros(40))
    assert check.score == 0 and phrase in check.detail and check.cell == spec.model_cell


def test_binary_predictions_may_be_probabilities_or_logits():
    """Is one output unit read as a probability when in [0, 1] and as a logit otherwise?"""
    spec = get_assignment("C1W4")
    labels = np.array([0, 1, 1, 0])
    assert model_check(spec, np.array([[0.2], [0.9], [0.6], [0.1]]), labels).score == 10
    assert model_check(spec, np.array([[-3.0], [2.0], [0.5], [-0.1]]), labels).score == 10


# --- the callback exercise, judged on the grader's inputs ----------------------------------------

CORRECT = '''
class StopAtAccuracy(keras.callbacks.Callback):
    def __init__(self, target=0.88):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= self.target:
            self.model.stop_training = True
'''
WRONG = {
    "strictly greater": CORRECT.replace(">= self.target", "> self.target"),
    "validation accuracy": CORRECT.replace('logs["accuracy"]', 'logs["val_accuracy"]'),
    "Keras 2 key": CORRECT.replace('logs["accuracy"]', 'logs.get("acc", 0)'),
    "ignores its target": CORRECT.replace(">= self.target", ">= 0.88"),
    "stops after epoch 4": CORRECT.replace('logs["accuracy"] >= self.target', "epoch + 1 == 4"),
    "never stops": CORRECT.replace("self.model.stop_training = True", "pass"),
}


def run_exercise(source: str, seed: int = PUBLIC_SEED):
    import keras

    namespace = {"keras": keras}
    exec(source, namespace)
    inputs = STOP_AT_ACCURACY.inputs(seed, "C1W2")
    return STOP_AT_ACCURACY.check(inputs, STOP_AT_ACCURACY.drive(namespace, inputs), 4.0, "test_callback")


def test_correct_callback_earns_full_points_on_any_seed():
    """Does a correct callback stop at the right epoch in every run, whatever the grading seed?"""
    for seed in (PUBLIC_SEED, 1, 987654321):
        check = run_exercise(CORRECT, seed)
        assert check.score == 4.0, check.detail


@pytest.mark.parametrize("flaw", sorted(WRONG))
def test_flawed_callbacks_earn_nothing(flaw):
    """Does each plausible mistake in the callback lose its points, with the run it failed on?"""
    check = run_exercise(WRONG[flaw])
    assert check.score == 0.0 and "training runs" in check.detail, (flaw, check.detail)


def test_inputs_cover_the_edge_cases():
    """Do the grader's runs include a never-reached target, an exact hit and the default target?"""
    runs = STOP_AT_ACCURACY.inputs(123, "C1W2")["runs"]
    assert any(run["target"] is None for run in runs)
    assert any(all(a < (run["target"] or 0.88) for a in run["accuracy"]) for run in runs)
    assert any((run["target"] or 0.88) in run["accuracy"] for run in runs)
    assert STOP_AT_ACCURACY.inputs(1, "C1W2") != STOP_AT_ACCURACY.inputs(2, "C1W2")


@pytest.mark.parametrize("answers", [None, "8 of 8", [None] * 3, [True] * 8, [{"epoch": 1}] * 8])
def test_malformed_answers_earn_nothing(answers):
    """Is an answer that is not one epoch number (or None) per run worth 0, never an error?"""
    inputs = STOP_AT_ACCURACY.inputs(PUBLIC_SEED, "C1W2")
    assert STOP_AT_ACCURACY.check(inputs, answers, 4.0, "test_callback").score == 0.0


# --- the notebook's self-check ---------------------------------------------------------------------

def test_save_for_grading_saves_and_prints_a_labelled_self_check(tmp_path, capfd):
    """Does the test cell's call save the model, print a SELF-CHECK to stdout and nothing to stderr?"""
    result = save_for_grading("C1W1", housing_model(0.5, 0.5), directory=tmp_path)
    out, err = capfd.readouterr()
    assert err == ""
    assert out.startswith("SELF-CHECK (not your grade") and "self-check on validation data" in out
    assert (tmp_path / "C1W1_model.keras").is_file() and result.score == 10.0


def test_self_check_reports_an_unsafe_model_without_raising(tmp_path, capfd):
    """Is a model that safe mode refuses reported in the self-check rather than crashing the cell?"""
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Lambda(lambda x: x * 0.5 + 0.5)])
    result = save_for_grading("C1W1", model, directory=tmp_path)
    assert result.score == 0 and "could not be loaded safely" in capfd.readouterr().out


# --- the scorer: sandboxed workers, judged outside ---------------------------------------------------

def score_model_file(scorer: Scorer, folder: Path, assignment: str = "C1W1"):
    spec = get_assignment(assignment)
    return scorer.score(spec, folder, validation_data(spec))


def test_exact_model_gets_full_marks(scorer, tmp_path):
    """Does a perfect housing model earn 10/10, labelled as a self-check, graded in the sandbox?"""
    housing_model(0.5, 0.5, tmp_path / "C1W1_model.keras")
    result = score_model_file(scorer, tmp_path)
    assert result.score == 10.0 and "self-check on validation data" in result.summary()
    assert result.notes == ()  # no "graded without sandbox"


def test_wrong_model_gets_zero_with_reason(scorer, tmp_path):
    """Does a model far from the rule earn 0 with the error and the threshold in the report?"""
    housing_model(0.1, 0.0, tmp_path / "C1W1_model.keras")
    result = score_model_file(scorer, tmp_path)
    assert result.score == 0.0 and "below every threshold" in result.summary()


@pytest.mark.parametrize("case, reason", [
    ("missing", "never saved"),
    ("not_zip", "not a Keras 3 .keras file"),
    ("symlink", "symbolic link"),
    ("lambda", "could not be loaded safely"),
    ("input_shape", "expects input shape"),
    ("output_shape", "outputs shape"),
    ("nan", "NaN"),
])
def test_bad_models_score_zero_with_one_line_reason(scorer, tmp_path, case, reason):
    """Do missing, linked, unsafe, mis-shaped and NaN-predicting models each get 0 with a readable reason?"""
    import keras

    path = tmp_path / "C1W1_model.keras"
    if case == "not_zip":
        path.write_bytes(b"\x80\x04 pickled or random bytes")
    elif case == "symlink":
        housing_model(0.5, 0.5, tmp_path / "elsewhere" / "model.keras")
        path.symlink_to(tmp_path / "elsewhere" / "model.keras")
    elif case == "lambda":
        keras.Sequential([keras.Input(shape=(1,)), keras.layers.Lambda(lambda x: x * 0.5 + 0.5)]).save(path)
    elif case == "input_shape":
        keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)]).save(path)
    elif case == "output_shape":
        keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4)]).save(path)
    elif case == "nan":
        housing_model(float("nan"), 0.5, path)
    result = score_model_file(scorer, tmp_path)
    (check,) = result.checks
    assert result.score == 0.0 and reason in check.detail and "\n" not in check.detail, check.detail


def test_scoring_twice_gives_identical_results(scorer, tmp_path):
    """Is scoring deterministic: the same model file scores identically twice?"""
    housing_model(0.5, 0.3, tmp_path / "C1W1_model.keras")  # off by 0.2: partial credit
    first, second = score_model_file(scorer, tmp_path), score_model_file(scorer, tmp_path)
    assert first == second and 0 < first.score < 10


def test_new_inputs_under_an_old_label_are_scored_as_they_are(scorer, tmp_path):
    """Does a warm scorer predict on the inputs it is given, even where they carry a label it has seen with other
    inputs (a held-out store exported again with a new seed has the same label)?"""
    spec = get_assignment("C1W1")
    housing_model(0.5, 0.5, tmp_path / "C1W1_model.keras")
    label = "held-out test data, 3 examples"
    first = EvaluationData(np.array([1.0, 2.0, 3.0], dtype="float32"), np.zeros(3), label, True)
    again = EvaluationData(np.array([5.0, 6.0, 7.0], dtype="float32"), np.zeros(3), label, True)
    predicted, _ = scorer.model_outputs(spec, tmp_path / "C1W1_model.keras", first)
    predicted_again, _ = scorer.model_outputs(spec, tmp_path / "C1W1_model.keras", again)
    np.testing.assert_allclose(np.ravel(predicted), [1.0, 1.5, 2.0], atol=1e-5)
    np.testing.assert_allclose(np.ravel(predicted_again), [3.0, 3.5, 4.0], atol=1e-5)


def test_model_files_are_only_read(scorer, tmp_path):
    """Does scoring leave the submitted model file byte-for-byte unchanged?"""
    path = tmp_path / "C1W1_model.keras"
    housing_model(0.5, 0.5, path)
    before = path.read_bytes()
    score_model_file(scorer, tmp_path)
    assert path.read_bytes() == before


def c1w2_folder(tmp_path: Path, callback_source: str) -> Path:
    """A C1W2 submission folder whose notebook's callback cell holds ``callback_source``."""
    from tfcourse.instructor.demo import fill_solutions

    released = nbformat.read(REPO / "release" / C1W2 / f"{C1W2}.ipynb", as_version=4)
    folder = tmp_path / C1W2
    folder.mkdir(parents=True)
    nbformat.write(fill_solutions(released, {"stop_at_accuracy": callback_source}), folder / f"{C1W2}.ipynb")
    return folder


@pytest.mark.parametrize("source, points, phrase", [
    (CORRECT, 4.0, "in all 8 training runs"),
    (WRONG["stops after epoch 4"], 0.0, "should stop after epoch"),
    (demo_students(Course(REPO), C1W2)["weak"].cells["stop_at_accuracy"], 0.0, "never stopped training"),
    ("raise RuntimeError('boom')", 0.0, "raised RuntimeError: boom"),
    ("StopAtAccuracy = 42", 0.0, "TypeError"),
    ("import os\nos._exit(3)", 0.0, "ended without"),
])
def test_exercises_are_run_in_the_sandbox_and_judged_outside(scorer, tmp_path, source, points, phrase):
    """Is the callback cell taken from the notebook, driven on grader inputs, and judged both ways?"""
    spec = get_assignment("C1W2")
    check = scorer.score_exercise(spec, spec.exercises[0], c1w2_folder(tmp_path, source) / f"{C1W2}.ipynb")
    assert check.score == points and phrase in check.detail, check.detail


def test_exercise_that_kills_its_worker_costs_only_itself(scorer, tmp_path):
    """Does a cell that kills the exercise worker score 0, with the next submission scored normally?"""
    spec = get_assignment("C1W2")
    killer = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + CORRECT
    check = scorer.score_exercise(spec, spec.exercises[0], c1w2_folder(tmp_path / "a", killer) / f"{C1W2}.ipynb")
    assert check.score == 0.0 and "crashed" in check.detail
    check = scorer.score_exercise(spec, spec.exercises[0], c1w2_folder(tmp_path / "b", CORRECT) / f"{C1W2}.ipynb")
    assert check.score == 4.0, check.detail


@pytest.mark.parametrize("assignment, part", [(spec.assignment_id, part) for spec in ASSIGNMENTS.values()
                                              for part in spec.exercises], ids=lambda value: getattr(value, "test_cell", value))
def test_each_reference_exercise_cell_passes_on_its_own(assignment, part):
    """Does the reference's solution cell, run alone after its exercise's imports (as the exercise worker
    runs it, without the notebook's other cells), earn the part's points on a grading seed?"""
    from tfcourse.grading.exercise_job import handle
    from tfcourse.instructor.demo import solution_sources

    spec = get_assignment(assignment)
    source = solution_sources(nbformat.read(REPO / "source" / spec.folder / spec.notebook, as_version=4))[part.exercise.cell]
    inputs = part.exercise.inputs(11, assignment)
    answers = handle({"assignment": assignment, "cell": part.exercise.cell, "source": source, "inputs": inputs})["answers"]
    check = part.exercise.check(inputs, answers, part.points, part.test_cell)
    assert check.score == part.points, check.detail


