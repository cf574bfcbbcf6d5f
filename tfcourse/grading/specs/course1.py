"""Course 1 (Introduction to TensorFlow for AI, ML and DL): how each week's assignment is graded."""

from __future__ import annotations

from tfcourse.grading.exercises.callback import STOP_AT_ACCURACY
from tfcourse.grading.rules import MeanAbsoluteError
from tfcourse.grading.specs.base import (
    AssignmentSpec,
    ExercisePart,
    Rung,
    as_column,
    raw_pixels,
    scale_pixels,
    scale_pixels_with_channel,
)

C1W1 = AssignmentSpec(
    assignment_id="C1W1",
    folder="C1W1_housing_prices",
    title="housing prices",
    summary="one-neuron regression",
    data_note="generated",
    graded_on="mean absolute error (x100k) on 0, 8, 9, 10, 12 bedrooms",
    dataset="housing",
    measure=MeanAbsoluteError(),
    ladder=(Rung(0.10, 10.0), Rung(0.25, 5.0)),
    input_shape=(1,),
    output_units=1,
    prepare=as_column,
    input_note="one number per house: the bedroom count",
    model_cell="test_house_model",
)

C1W2 = AssignmentSpec(
    assignment_id="C1W2",
    folder="C1W2_callbacks",
    title="callbacks",
    summary="a callback that stops at a training-accuracy target; a dense classifier of posed photos",
    data_note="Fashion-MNIST, posed (`fashion_poses`)",
    graded_on=("accuracy, 3,000 held-out posed photos (300 per class) the instructor's seed makes of "
               "Fashion-MNIST's test articles"),
    dataset="fashion_poses",
    ladder=(Rung(0.745, 6.0), Rung(0.73, 3.0)),
    input_shape=(28, 28),
    output_units=10,
    prepare=scale_pixels,
    input_note="28x28 posed photos with pixel values scaled to [0, 1]",
    model_cell="test_model",
    exercises=(ExercisePart(test_cell="test_callback", exercise=STOP_AT_ACCURACY, points=4.0),),
)

C1W3 = AssignmentSpec(
    assignment_id="C1W3",
    folder="C1W3_convolutions",
    title="convolutions",
    summary="a CNN within 10 epochs",
    data_note="Fashion-MNIST, posed (`fashion_poses`)",
    graded_on="accuracy, 3,000 held-out posed photos, as C1W2",
    dataset="fashion_poses",
    ladder=(Rung(0.82, 10.0), Rung(0.76, 5.0)),
    input_shape=(28, 28, 1),
    output_units=10,
    prepare=scale_pixels_with_channel,
    input_note="28x28x1 posed photos with pixel values scaled to [0, 1]",
    model_cell="test_convolutions",
)

C1W4 = AssignmentSpec(
    assignment_id="C1W4",
    folder="C1W4_real_world_images",
    title="real-world images",
    summary="dress or trouser, from folders of grayscale photos of varying size",
    data_note="generated: Fashion-MNIST products on scikit-image photographs (the lab: the LFW subset)",
    graded_on=("accuracy, 500 held-out grayscale photos (250 dresses, 250 trousers) generated from the "
               "instructor's secret seed"),
    dataset="dresses_or_trousers",
    ladder=(Rung(0.80, 10.0), Rung(0.75, 5.0)),
    input_shape=(48, 48, 1),
    output_units=1,
    prepare=raw_pixels,
    input_note="48x48x1 grayscale photos with raw pixel values 0-255, as image_dataset_from_directory("
               "image_size=(48, 48), color_mode=\"grayscale\") yields them",
    model_cell="test_real_world_images",
)

ASSIGNMENTS = (C1W1, C1W2, C1W3, C1W4)
