"""Tests of tfcourse.grading: specs, metrics, exercises, self-checks and the scorer (the held-out store:
tests/grading/test_heldout.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import REPO

from tfcourse.course import Course
from tfcourse.grading import (
    ASSIGNMENTS,
    get_assignment,
    save_for_grading,
    validation_data,
)
from tfcourse.grading.exercises import PUBLIC_SEED
from tfcourse.grading.exercises.callback import STOP_AT_ACCURACY
from tfcourse.grading.metrics import gap_check, model_check
from tfcourse.grading.scorer import Scorer
from tfcourse.grading.specs.base import GapRule, Rung
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
    assert get_assignment("C1W4").accepted_output_units == (1, 2)
    assert get_assignment("C1W3").accepted_output_units == (10,)
    assert get_assignment("C1W1").accepted_output_units == (1,)


def test_lookup_by_id_or_folder():
    """Can an assignment be named by id or by folder, and an unknown one is refused?"""
    assert get_assignment("C1W3_convolutions") is get_assignment("c1w3")
    with pytest.raises(KeyError, match="C1W1"):
        get_assignment("C9W9")


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

@pytest.fixture(scope="module")
def scorer():
    with Scorer() as warm:
        yield warm


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


WITH_GAP = dataclasses.replace(get_assignment("C2W1"), ladder=(Rung(0.68, 5.0), Rung(0.62, 2.5)),
                               gap=GapRule(max_gap=0.15, points=5.0))


def test_a_gap_rule_adds_its_points_to_the_model_cell():
    """Does a gap rule count toward the model's test cell and the assignment's total?"""
    assert WITH_GAP.cell_points == {WITH_GAP.model_cell: 10.0} and WITH_GAP.possible == 10.0


@pytest.mark.parametrize("training, evaluation, points, phrase", [
    (0.84, 0.74, 5.0, "<= 0.15"),           # generalizes: small gap
    (1.00, 0.73, 0.0, "overfitting"),       # memorized its training photos
    (0.55, 0.50, 0.0, "needs accuracy"),    # no gap because it learned nothing: earns nothing
    (None, 0.74, 0.0, "not measured"),      # could not be scored on the training split
])
def test_gap_rule_rewards_generalizing_models_only(training, evaluation, points, phrase):
    """Does the gap check pay only a model that is accurate and scores alike on training and evaluation data?"""
    check = gap_check(WITH_GAP, training, evaluation)
    assert check.score == points and phrase in check.detail and check.cell == WITH_GAP.model_cell


@pytest.mark.parametrize("training, evaluation, points, phrase", [
    (0.86, 0.72, 5.0, "<= 0.15"),           # learned its training photos, and it carries over
    (0.70, 0.69, 0.0, "does not know its own training photos"),  # accurate, but never learned from them
])
def test_gap_rule_with_a_training_floor_pays_only_models_that_learned_their_training_photos(
        training, evaluation, points, phrase):
    """With ``min_training`` (C2W2: 0.75), does a model that has no gap because it never learned from the
    training photos (a lookup of other photos, a model trained on other data) earn no gap points?"""
    rule = dataclasses.replace(WITH_GAP.gap, min_training=0.75)
    check = gap_check(dataclasses.replace(WITH_GAP, gap=rule), training, evaluation)
    assert check.score == points and phrase in check.detail, check


def test_scorer_measures_the_gap_itself_on_the_training_split(scorer, tmp_path):
    """Does the scorer predict on the training split too, and refuse gap points to a model that learned nothing?"""
    import keras

    model = keras.Sequential([keras.Input((96, 96, 3)), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")])
    model.save(tmp_path / "C2W1_model.keras")
    result = scorer.score(WITH_GAP, tmp_path, validation_data(WITH_GAP))
    accuracy, gap = result.checks
    assert accuracy.score == 0 and "0.5000" in accuracy.detail
    assert gap.name == "generalization gap" and gap.score == 0 and "training split 0.5000" in gap.detail
    assert result.possible == 10.0


# --- the frozen-base rule (C2W3) -------------------------------------------------------------------

C2W3 = get_assignment("C2W3")


def transfer_model(base, frozen: bool = True):
    """The C2W3 reference architecture around ``base``."""
    import keras

    base.trainable = not frozen
    inputs = keras.Input((96, 96, 3))
    x = keras.layers.Rescaling(1 / 255)(keras.layers.Resizing(32, 32)(inputs))
    x = keras.layers.GlobalAveragePooling2D()(base(x, training=False))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def trained_head(tmp_path_factory):
    """A head trained for 60 epochs on the frozen published base, saved as C2W3 saves it."""
    import keras

    from tfcourse.data import load
    from tfcourse.pretrained import load_base

    keras.utils.set_random_seed(0)
    model = transfer_model(load_base())
    x, y = load("dresses_sandals_bags", "train")
    model.fit(x.astype("float32"), y, batch_size=16, epochs=60, verbose=0)
    folder = tmp_path_factory.mktemp("c2w3")
    model.save(folder / C2W3.model_filename)
    return folder, model


@pytest.mark.parametrize("found, agreement, value, points, phrases", [
    ("published", 0.33, 0.80, [8.0, 2.0], ["full credit", "identical to the published base"]),
    ("published", 0.33, 0.50, [0.0, 0.0], ["below every threshold", "needs >= 0.65 first"]),
    ("retrained", 0.33, 0.85, [0.0, 0.0], ["not counted", "differ from the published"]),
    (None, None, 0.85, [0.0, 0.0], ["not counted", "no layer named 'product_base'"]),
    ("published", 0.98, 0.85, [0.0, 0.0], ["not counted", "does not feed the model's predictions"]),  # kept unused
])
def test_frozen_base_rule_pays_only_an_accurate_head_on_the_published_base(found, agreement, value, points, phrases):
    """Does the accuracy count only with the published base feeding the predictions, and the base's points
    only with that accuracy?"""
    from tfcourse.grading.metrics import BaseFinding, model_part_checks

    checks = model_part_checks(C2W3, value, base=BaseFinding(found, "published", agreement))
    assert [check.score for check in checks] == points
    assert all(phrase in " ".join(check.detail for check in checks) for phrase in phrases)
    assert sum(check.possible for check in checks) == C2W3.possible == 10.0


def test_scorer_compares_the_base_weights_with_the_published_base(scorer, trained_head, tmp_path):
    """Does a head on the frozen base earn full marks, and the same model with one base weight nudged nothing?"""
    from tfcourse.pretrained import BASE_NAME

    folder, model = trained_head
    result = scorer.score(C2W3, folder, validation_data(C2W3))
    assert result.score == 10.0, result.summary()
    base = model.get_layer(BASE_NAME)
    weights = base.get_weights()
    weights[0].flat[0] += 1e-4
    base.set_weights(weights)
    model.save(tmp_path / C2W3.model_filename)
    result = scorer.score(C2W3, tmp_path, validation_data(C2W3))
    assert result.score == 0.0 and "differ from the published" in result.summary(), result.summary()


def test_scorer_refuses_a_published_base_kept_beside_another_network(scorer, tmp_path):
    """Is a model whose published base sits on a branch multiplied by zero caught by switching the base off?"""
    import keras

    from tfcourse.pretrained import load_base

    base = load_base()
    base.trainable = False
    inputs = keras.Input((96, 96, 3))
    scaled = keras.layers.Rescaling(1 / 255)(keras.layers.Resizing(32, 32)(inputs))
    unused = keras.layers.Rescaling(0.0)(keras.layers.GlobalAveragePooling2D()(base(scaled, training=False)))
    own = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(128, 3, activation="relu")(scaled))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Add()([own, unused]))
    keras.Model(inputs, outputs).save(tmp_path / C2W3.model_filename)
    result = scorer.score(C2W3, tmp_path, validation_data(C2W3))
    assert result.score == 0.0 and "does not feed the model's predictions" in result.summary(), result.summary()


WITH_LOSS_GAP = dataclasses.replace(WITH_GAP, gap=GapRule(max_gap=0.2, points=5.0, on="loss"))


@pytest.mark.parametrize("training, evaluation, accuracy, points, phrase", [
    (0.50, 0.55, 0.74, 5.0, "<= 0.2"),       # held-out loss close to training loss
    (0.01, 1.20, 0.75, 0.0, "overfitting"),  # memorized: training loss near 0, held-out loss high
    (0.64, 0.64, 0.60, 0.0, "needs accuracy"),  # a constant answer: no gap, nothing learned
])
def test_loss_gap_rule_compares_held_out_loss_with_training_loss(training, evaluation, accuracy, points, phrase):
    """Does a loss-gap rule pay a model whose held-out loss stays near its training loss, and only an accurate one?"""
    check = gap_check(WITH_LOSS_GAP, training, evaluation, accuracy=accuracy)
    assert check.score == points and phrase in check.detail and check.name == "loss gap"


def test_cross_entropy_reads_probabilities_and_logits():
    """Is the scorer's cross-entropy the usual one for sigmoid and softmax outputs, and for logits?"""
    from tfcourse.grading.metrics import cross_entropy

    y = np.array([1, 0])
    assert cross_entropy(np.array([[0.9], [0.2]]), y) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    assert cross_entropy(np.array([[np.log(9)], [-np.log(4)]]), y) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    softmax = np.array([[0.1, 0.9], [0.8, 0.2]])
    assert cross_entropy(softmax, y) == pytest.approx(cross_entropy(np.log(softmax) + 3.0, y))


# --- next-word prediction: top-k accuracy over the model's own vocabulary (C3W4) ---------------------

C3W4 = get_assignment("C3W4")


def next_word_model(words: list[str], *, bias: list[float] | None = None, extra_units: int = 0,
                    vectorizer: bool = True, echo: bool = False):
    """A tiny string model over ``words``: the output favours ``bias`` (a constant guess) or, with
    ``echo``, repeats the context's first word."""
    import keras

    layer = keras.layers.TextVectorization(vocabulary=words, output_sequence_length=1 if echo else 10)
    size = layer.vocabulary_size()
    if vectorizer:
        inputs = keras.Input(shape=(1,), dtype="string")
        x = layer(inputs)
    else:
        inputs = x = keras.Input(shape=(10,), dtype="int32")
    if echo:
        x = keras.layers.Flatten()(keras.layers.Embedding(size, size, embeddings_initializer="identity")(x))
        outputs = keras.layers.Softmax()(x)
    else:
        x = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(size, 1)(x))
        outputs = keras.layers.Dense(size + extra_units, activation="softmax", kernel_initializer="zeros")(x)
    model = keras.Model(inputs, outputs)
    if bias is not None:
        dense = model.layers[-1]
        dense.set_weights([dense.get_weights()[0], np.array(bias, dtype="float32")])
    return model


def test_top_k_accuracy_counts_targets_among_the_models_words():
    """Is a target found when it is any of the k words, and are numbers or the wrong k refused?"""
    from tfcourse.grading.metrics import measure
    from tfcourse.grading.models import ModelRejected

    words = np.array([["the", "a", "her", "to", "of"], ["was", "is", "had", "and", "i"]])
    assert measure(C3W4, words, np.array(["of", "she"])) == 0.5
    with pytest.raises(ModelRejected, match="not words"):
        measure(C3W4, np.zeros((2, 5)), np.array(["of", "she"]))
    with pytest.raises(ModelRejected, match="5 most probable words"):
        measure(C3W4, words[:, :3], np.array(["of", "she"]))
    assert C3W4.metric_name == "top-5 accuracy" and C3W4.points_for(0.30)[0] == 7.0


def test_top_words_come_from_the_vectorizer_inside_the_model():
    """Are the words read off the model's own vocabulary, best first, never padding or [UNK]?"""
    from tfcourse.grading.models import generate_text, top_words

    model = next_word_model(["the", "cat", "sat"], echo=True)
    found = top_words(model, C3W4, np.array(["cat sat on", "sat", "zebra cat", ""]))
    assert found.shape == (4, 5) and list(found[:2, 0]) == ["cat", "sat"]
    assert not np.isin(found[:, :3], ["", "[UNK]"]).any()
    # The seed text starts with "it", unknown to this model: of the words left at equal scores the first wins.
    assert generate_text(model, C3W4, words=3) == "the the the"


@pytest.mark.parametrize("kind, phrase", [
    ({"vectorizer": False}, "no TextVectorization layer"),
    ({"extra_units": 1}, "6 output units, but its TextVectorization knows 5 words"),
])
def test_next_word_models_that_do_not_name_words_are_refused(scorer, tmp_path, kind, phrase):
    """Does a model without a vectorizer inside, or with more outputs than words, score 0 and say why?"""
    next_word_model(["the", "cat", "sat"], **kind).save(tmp_path / "C3W4_model.keras")
    result = scorer.score(C3W4, tmp_path, validation_data(C3W4))
    assert result.checks[0].score == 0 and phrase in result.checks[0].detail, result.summary()


def test_a_model_that_always_guesses_the_frequent_words_earns_nothing(scorer, tmp_path):
    """Does the scorer find a constant guess at chance level (~0.15 < 0.21), and show what the model writes?"""
    words = ["the", "to", "of", "and", "her", "cat"]
    next_word_model(words, bias=[0, 0, 5, 4, 3, 2, 1, -9]).save(tmp_path / "C3W4_model.keras")
    result = scorer.score(C3W4, tmp_path, validation_data(C3W4))
    check = result.checks[0]
    value = float(check.detail.split()[0])
    assert 0.10 < value < 0.20 and check.score == 0, check
    assert 'it writes: "the the the' in check.detail and "[UNK]" not in check.detail


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


# --- forecasters: windows cut by the grader, MAE judged as a share of the naive forecast's (Course 4) ---

C4W2 = get_assignment("C4W2")


def last_value_model(window: int):
    """A forecaster that repeats the last value of its window: the naive forecast, as a Keras model."""
    import keras

    model = keras.Sequential([keras.Input(shape=(window,)), keras.layers.Dense(1, use_bias=False)])
    model.set_weights([np.eye(window, 1, -(window - 1), dtype="float32")])
    return model


@pytest.mark.parametrize("value, naive, points, phrase", [
    (4.9, 5.9, 10.0, "83.1% of the naive forecast's 5.9000 (full credit)"),
    (5.9, 6.1, 5.0, "96.7% of the naive forecast's 6.1000 (partial credit; full credit needs <= 96%"),
    (5.55, 5.6, 0.0, "99.1% of the naive forecast's 5.6000 (below every threshold; needs <= 99%"),
    (6.5, 9.0, 10.0, "72.2% of the naive forecast's 9.0000 (full credit)"),
    (5.0, 0.0, 0.0, "not counted: the naive forecast could not be measured"),
])
def test_forecast_ladder_judges_the_error_as_a_share_of_the_naive_forecasts(value, naive, points, phrase):
    """Is a forecaster's MAE judged by its share of the naive forecast's on the same steps (C4W2: full
    credit at most 96%, half at most 99%), so the same share earns the same points on a noisier stretch?"""
    from tfcourse.grading.metrics import model_part_checks

    check = model_part_checks(C4W2, value, naive=naive)[0]
    assert check.score == points and phrase in check.detail, check
    if naive:
        assert check.value == pytest.approx(value / naive)


def test_the_same_share_of_the_naive_error_earns_the_same_points_on_any_noise():
    """Does a forecaster that errs by 85% of the naive forecast earn full credit whether the held-out
    stretch was calm (naive 5.2) or noisy (naive 6.4), where a fixed MAE threshold would not?"""
    from tfcourse.grading.metrics import model_part_checks

    for naive in (5.2, 5.8, 6.4):
        assert model_part_checks(C4W2, 0.85 * naive, naive=naive)[0].score == 10


def test_the_graders_windows_never_show_the_forecast_step(scorer, tmp_path):
    """Does a model that repeats its window's last value score exactly the naive forecast's MAE (a window
    holding the forecast step would let it score 0), and so earn nothing?"""
    from tfcourse.series import naive_forecast_mae

    last_value_model(20).save(tmp_path / "C4W2_model.keras")
    data = validation_data(C4W2)
    check = scorer.score(C4W2, tmp_path, data).checks[0]
    naive = naive_forecast_mae(data.x, len(data.x) - len(data.y))
    assert float(check.detail.split(",")[0]) == pytest.approx(naive, abs=1e-3)
    assert check.score == 0 and "100.0% of the naive forecast" in check.detail, check


@pytest.mark.parametrize("shape, phrase", [((None, 1), "keras.Input(shape=(window_size,))"),
                                           ((20, 2), "keras.Input(shape=(window_size,))"),
                                           ((5000,), "longer than the 1100 values")])
def test_forecasters_without_a_usable_window_are_refused(scorer, tmp_path, shape, phrase):
    """Is a model without a fixed one-series window, or with one longer than the history, refused with the fix?"""
    import keras

    inputs = keras.Input(shape=shape)
    x = keras.layers.GlobalAveragePooling1D()(inputs) if len(shape) == 2 else inputs
    keras.Model(inputs, keras.layers.Dense(1)(x)).save(tmp_path / "C4W2_model.keras")
    check = scorer.score(C4W2, tmp_path, validation_data(C4W2)).checks[0]
    assert check.score == 0 and phrase in check.detail, check


def test_forecasters_that_output_a_sequence_are_refused(scorer, tmp_path):
    """Is a model that forecasts every step of its window (an LSTM with return_sequences=True before the
    output, as the original course's sunspot model) refused, instead of having its outputs flattened?"""
    import keras

    keras.Sequential([keras.Input(shape=(20,)), keras.layers.Reshape((20, 1)),
                      keras.layers.LSTM(4, return_sequences=True), keras.layers.Dense(1)]).save(tmp_path / "C4W2_model.keras")
    check = scorer.score(C4W2, tmp_path, validation_data(C4W2)).checks[0]
    assert check.score == 0 and "model outputs shape (20, 1), expected (1,)" in check.detail, check


def test_worker_findings_of_the_wrong_type_count_as_absent():
    """Does the grader read a worker's answer field by field, dropping what is not of its one declared type?"""
    from tfcourse.grading.findings import ModelFindings

    digest = "a" * 64
    assert ModelFindings.from_answer({"base_digest": digest, "agreement_without_base": 0.25,
                                      "generated": "she <b>was</b>  happy"}) == ModelFindings(digest, 0.25, "she bwasb happy")
    for answer in (None, [], {"base_digest": 7, "agreement_without_base": "0.1", "generated": ["x"]},
                   {"base_digest": "not hex", "agreement_without_base": float("nan")}):
        assert ModelFindings.from_answer(answer) == ModelFindings()
