"""The mock certificate exam's tasks: how each task's saved model is scored, 0 to 5 (``tfcourse exam``).

A task is graded like an assignment's model part (the same sandboxed scorer, the same measures), on
hidden data that the exam store makes from the attempt's secret seed (tfcourse.exam.tasks). The five
rungs of each ladder are the exam's five score levels; docs/exam.md keeps the runs behind them.
"""

from __future__ import annotations

from tfcourse.grading.rules import ForecastSkill, MeanAbsoluteError
from tfcourse.grading.specs.base import AssignmentSpec, Rung, as_column, as_series, raw_pixels, raw_text, scale_pixels


def levels(*thresholds: float) -> tuple[Rung, ...]:
    """Five score levels, from the threshold of 5 points down to that of 1 point."""
    if len(thresholds) != 5:
        raise ValueError("an exam task has five score levels")
    return tuple(Rung(threshold, float(5 - index)) for index, threshold in enumerate(thresholds))


# A straight line through numbers the candidate is given, scored far outside them: one neuron fits it
# exactly (MAE below 0.01 in every calibration run), a model trained a few epochs misses by more than 2.
EXAM1 = AssignmentSpec(
    assignment_id="EXAM1",
    folder="EXAM1_basic_model",
    title="a basic model: learn a straight line from numbers",
    dataset="exam_line",
    measure=MeanAbsoluteError(),
    ladder=levels(0.05, 0.15, 0.4, 1.0, 2.0),
    input_shape=(1,),
    output_units=1,
    prepare=as_column,
    input_note="one number per example, from -10 to 10",
    model_cell="exam",
)

# Six classes of Fashion-MNIST's posed photos (the variant's), scored on the official test articles of
# those classes posed from the hidden seed.
EXAM2 = AssignmentSpec(
    assignment_id="EXAM2",
    folder="EXAM2_learning_dataset",
    title="a model from a learning dataset: six kinds of clothing",
    dataset="fashion_poses",
    ladder=levels(0.82, 0.80, 0.78, 0.74, 0.60),
    input_shape=(28, 28),
    output_units=6,
    prepare=scale_pixels,
    input_note="28x28 posed photos with pixel values scaled to [0, 1]",
    model_cell="exam",
)

# Four kinds of product (the variant's: a top, a long garment, a shoe, a bag) photographed in front of dimmed
# real scenes, scored on composites of the official test articles made from the hidden seed.
EXAM3 = AssignmentSpec(
    assignment_id="EXAM3",
    folder="EXAM3_real_world_images",
    title="a convolutional network on real-world images: four kinds of product",
    dataset="exam_scenes",
    ladder=levels(0.80, 0.76, 0.70, 0.62, 0.50),
    input_shape=(64, 64, 3),
    output_units=4,
    prepare=raw_pixels,
    input_note="64x64 RGB photos with raw pixel values 0-255, as image_dataset_from_directory(image_size=(64, 64)) yields them",
    model_cell="exam",
)

# Generated reviews of the variant's subject, positive when most of their opinions are (a negated opinion
# counts as its opposite): the words alone do not decide, their order does.
EXAM4 = AssignmentSpec(
    assignment_id="EXAM4",
    folder="EXAM4_natural_language",
    title="natural language processing: is a review positive?",
    dataset="exam_reviews",
    ladder=levels(0.96, 0.92, 0.86, 0.76, 0.62),
    input_shape=(1,),
    output_units=1,
    prepare=raw_text,
    input_note="raw reviews, one Python string per example",
    model_cell="exam",
)

# A daily series with a trend, a season and noise, forecast one step ahead on its hidden future, judged
# by how much of the naive forecast's avoidable error the model removes (1: all of it, 0: none).
EXAM5 = AssignmentSpec(
    assignment_id="EXAM5",
    folder="EXAM5_time_series",
    title="a time-series forecaster",
    dataset="exam_series",
    measure=ForecastSkill(),
    ladder=levels(0.35, 0.25, 0.15, 0.08, 0.02),
    input_shape=(None,),
    output_units=1,
    prepare=as_series,
    input_note="windows of the values before each hidden step, cut by the grader to your model's input length",
    model_cell="exam",
)

EXAM_TASKS: tuple[AssignmentSpec, ...] = (EXAM1, EXAM2, EXAM3, EXAM4, EXAM5)
