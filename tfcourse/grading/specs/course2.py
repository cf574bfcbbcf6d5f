"""Course 2 (Convolutional Neural Networks in TensorFlow): how each week's assignment is graded.

The image sets are generated (see :mod:`tfcourse.data.products`); their held-out images are drawn
from the instructor's secret seed and read exactly as ``image_dataset_from_directory`` reads the
public splits, so every model is fed the same raw pixels the notebooks train on.
"""

from __future__ import annotations

from tfcourse.grading.rules import FrozenBaseRule, GapRule
from tfcourse.grading.specs.base import (
    AssignmentSpec,
    Rung,
    raw_pixels,
    raw_pixels_with_channel,
)
from tfcourse.pretrained import BASE_NAME

PHOTO_INPUT_NOTE = ("96x96 RGB photos with raw pixel values 0-255, as image_dataset_from_directory(image_size=(96, 96)) "
                    "yields them")

C2W1 = AssignmentSpec(
    assignment_id="C2W1",
    folder="C2W1_image_folders",
    title="sneakers or boots from image folders",
    summary="sneaker or ankle boot, from folders of photos of varying size",
    data_note="generated: Fashion-MNIST products on scikit-image photographs",
    graded_on=("accuracy, 1,000 held-out photos (500 sneakers, 500 ankle boots) generated from the instructor's "
               "secret seed (the same photos grade C2W2)"),
    dataset="sneakers_or_boots",
    ladder=(Rung(0.75, 10.0), Rung(0.70, 5.0)),
    input_shape=(96, 96, 3),
    output_units=1,
    prepare=raw_pixels,
    input_note=PHOTO_INPUT_NOTE,
    model_cell="test_sneakers_or_boots",
)

C2W2 = AssignmentSpec(
    assignment_id="C2W2",
    folder="C2W2_augmentation",
    title="augmentation against overfitting",
    summary=("300 training photos; graded on held-out accuracy and on the gap between training and held-out "
             "accuracy, both measured by the grader"),
    data_note="generated, as W1",
    graded_on=("accuracy, 1,000 held-out photos from the instructor's seed (C2W1's); and the gap between "
               "accuracy on the 300 training photos and held-out accuracy, both measured by the scorer"),
    dataset="sneakers_or_boots_small",
    ladder=(Rung(0.60, 5.0),),
    input_shape=(96, 96, 3),
    output_units=1,
    prepare=raw_pixels,
    input_note=PHOTO_INPUT_NOTE,
    model_cell="test_augmentation",
    rules=(GapRule(max_gap=0.225, points=5.0, min_training=0.75),),
)

C2W3 = AssignmentSpec(
    assignment_id="C2W3",
    folder="C2W3_transfer_learning",
    title="transfer learning with a frozen pre-trained base",
    summary=("dress, sandal or bag from 90 photos, on a frozen base the course pre-trains (`tfcourse data "
             "build`); graded on held-out accuracy and on the base's weights being exactly the published ones"),
    data_note="generated, dimmed scenes; the base: seven other product classes",
    graded_on=("accuracy, 600 held-out photos (200 dresses, sandals and bags) generated from the instructor's "
               "secret seed"),
    dataset="dresses_sandals_bags",
    ladder=(Rung(0.75, 8.0), Rung(0.65, 4.0)),
    input_shape=(96, 96, 3),
    output_units=3,
    prepare=raw_pixels,
    input_note=PHOTO_INPUT_NOTE,
    model_cell="test_transfer",
    rules=(FrozenBaseRule(layer_name=BASE_NAME, points=2.0),),
    artifacts=(BASE_NAME,),
)

C2W4 = AssignmentSpec(
    assignment_id="C2W4",
    folder="C2W4_multiclass_from_csv",
    title="ten kinds of product from a CSV file",
    summary="ten kinds of product from a CSV file of pixels (sign-language MNIST's layout)",
    data_note="generated: the same, 28x28 grayscale",
    graded_on=("accuracy, 2,000 held-out 28x28 images (200 per class) generated from the instructor's secret "
               "seed"),
    dataset="products_28x28",
    ladder=(Rung(0.65, 10.0), Rung(0.62, 5.0)),
    input_shape=(28, 28, 1),
    output_units=10,
    prepare=raw_pixels_with_channel,
    input_note="28x28x1 grayscale images with raw pixel values 0-255, as the CSV file holds them",
    model_cell="test_multiclass",
)

# benchmarks/calibrate.py, 3 initialisations x 10 held-out seeds: the reference scores 0.863-0.912 (mean 0.880,
# sd 0.011: full credit 4.5 sd under it), the weak student (one epoch) 0.248-0.328.
C2W4B = AssignmentSpec(
    assignment_id="C2W4B",
    folder="C2W4B_one_hot_folders",
    title="four kinds of product from folders, with one-hot labels",
    summary="bag, sneaker, T-shirt or trouser, from four folders of photos, with one-hot labels",
    data_note="generated: Fashion-MNIST products in front of dimmed scikit-image photographs (`four_products`)",
    graded_on=("accuracy, 600 held-out photos (150 per class) generated from the instructor's secret seed, read "
               "as image_dataset_from_directory(image_size=(64, 64)) reads them"),
    dataset="four_products",
    ladder=(Rung(0.83, 10.0), Rung(0.75, 5.0)),
    input_shape=(64, 64, 3),
    output_units=4,
    prepare=raw_pixels,
    input_note="64x64 RGB photos with raw pixel values 0-255, as image_dataset_from_directory(image_size=(64, 64)) yields them",
    model_cell="test_one_hot_folders",
)

ASSIGNMENTS = (C2W1, C2W2, C2W3, C2W4, C2W4B)
