"""The gap rule (tfcourse/grading/rules/gap.py): points for a model that does about as well on held-out data
as on its own training split, both measured by the grader."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tfcourse.grading import get_assignment, validation_data
from tfcourse.grading.rules import GapRule
from tfcourse.grading.rules.gap import cross_entropy
from tfcourse.grading.specs import Rung

WITH_GAP = dataclasses.replace(get_assignment("C2W1"), ladder=(Rung(0.68, 5.0), Rung(0.62, 2.5)),
                               rules=(GapRule(max_gap=0.15, points=5.0),))


def gap_check(spec, training, evaluation, accuracy=None):
    """The check of ``spec``'s gap rule for measures on the training split and the evaluation data."""
    return spec.rules[0].gap_check(spec, training, evaluation, accuracy=accuracy)


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
    rule = dataclasses.replace(WITH_GAP.rules[0], min_training=0.75)
    check = gap_check(dataclasses.replace(WITH_GAP, rules=(rule,)), training, evaluation)
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



WITH_LOSS_GAP = dataclasses.replace(WITH_GAP, rules=(GapRule(max_gap=0.2, points=5.0, on="loss"),))


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
    y = np.array([1, 0])
    assert cross_entropy(np.array([[0.9], [0.2]]), y) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    assert cross_entropy(np.array([[np.log(9)], [-np.log(4)]]), y) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    softmax = np.array([[0.1, 0.9], [0.8, 0.2]])
    assert cross_entropy(softmax, y) == pytest.approx(cross_entropy(np.log(softmax) + 3.0, y))
