"""The certificate handbook's skills checklist, and the course notebooks that teach and check each skill.

One list serves the learner's progress table (`tfcourse progress`) and the exam's report (what to study
for a weak task). A lab is named by its notebook's file name without ``.ipynb`` (``C1W2_lab2_callbacks``),
an assignment by its id (``C1W2``). The handbook's section 2 ("building and training neural network
models") is covered, in its own words, by section 1 and the sections after it, so it has no rows here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfcourse.errors import UnknownName
from tfcourse.grading.specs import ASSIGNMENTS


@dataclass(frozen=True)
class Skill:
    """One line of the handbook's checklist: its section, its words, and where the course teaches and checks it."""

    key: str
    section: str
    text: str
    labs: tuple[str, ...]  # ungraded notebooks that teach it
    assignments: tuple[str, ...]  # graded assignments that check it


DEVELOPER = "1. TensorFlow developer skills"
IMAGES = "3. Image classification"
TEXT = "4. Natural language processing"
SERIES = "5. Time series, sequences and predictions"
SECTIONS = (DEVELOPER, IMAGES, TEXT, SERIES)

CHECKLIST: tuple[Skill, ...] = (
    Skill("build-train", DEVELOPER, "build, compile and train models",
          ("C1W1_lab1_hello_world", "C1W2_lab1_fashion_mnist_dense"), ("C1W1", "C1W2")),
    Skill("preprocess", DEVELOPER, "preprocess data for a model",
          ("C1W2_lab1_fashion_mnist_dense", "C1W4_lab1_image_directories"), ("C1W2", "C1W4")),
    Skill("predict", DEVELOPER, "predict with a trained model",
          ("C1W1_lab1_hello_world", "C2W4_lab1_multiclass_folders_and_csv"), ("C1W1",)),
    Skill("layers", DEVELOPER, "sequential models with several layers",
          ("C1W2_lab1_fashion_mnist_dense", "C1W3_lab2_cnn_fashion_mnist"), ("C1W2", "C1W3")),
    Skill("classify", DEVELOPER, "binary and multi-class classification",
          ("C1W4_lab1_image_directories", "C2W4_lab1_multiclass_folders_and_csv"), ("C1W4", "C2W1", "C2W4")),
    Skill("plot-curves", DEVELOPER, "plot loss and accuracy of a trained model",
          ("C2W2_lab2_overfitting_cured", "C1W2_lab1_fashion_mnist_dense"), ("C2W2",)),
    Skill("overfitting", DEVELOPER, "prevent overfitting: augmentation, dropout",
          ("C2W2_lab2_overfitting_cured", "C3W3_lab2_pretrained_embeddings_and_overfitting"), ("C2W2", "C3W3")),
    Skill("pretrained", DEVELOPER, "use pre-trained models (transfer learning) and extract their features",
          ("C2W3_lab1_transfer_and_fine_tuning", "C2W3_lab2_keras_applications"), ("C2W3",)),
    Skill("shapes", DEVELOPER, "match input shapes to the data and output shapes to the labels",
          ("C2W4_lab1_multiclass_folders_and_csv",), ("C2W4", "C2W4B")),
    Skill("batches", DEVELOPER, "load data in batches",
          ("C1W4_lab1_image_directories", "C4W2_lab1_windowed_datasets_and_dnn"), ("C1W4", "C4W2")),
    Skill("callbacks", DEVELOPER, "callbacks that end training",
          ("C1W2_lab2_callbacks",), ("C1W2",)),
    Skill("formats", DEVELOPER, "datasets from different sources and formats: JSON, CSV, tf.data",
          ("C3W1_lab2_text_from_json_and_csv", "C2W4_lab1_multiclass_folders_and_csv"), ("C2W4", "C3W1")),
    Skill("conv-pool", IMAGES, "convolutional networks: Conv2D and pooling",
          ("C1W3_lab1_convolutions_and_pooling", "C1W3_lab2_cnn_fashion_mnist"), ("C1W3",)),
    Skill("real-images", IMAGES, "real-world images of different shapes and sizes",
          ("C1W4_lab1_image_directories", "C2W1_lab1_folders_and_feature_maps"), ("C1W4", "C2W1")),
    Skill("improve-conv", IMAGES, "improve a network with convolutions",
          ("C1W3_lab2_cnn_fashion_mnist",), ("C1W3",)),
    Skill("augmentation", IMAGES, "augmentation against overfitting",
          ("C2W2_lab1_augmentation_layers", "C2W2_lab2_overfitting_cured"), ("C2W2",)),
    Skill("folders", IMAGES, "labels from the directory structure (image_dataset_from_directory)",
          ("C1W4_lab1_image_directories", "C2W1_lab1_folders_and_feature_maps"), ("C2W1", "C2W4B")),
    Skill("prepare-text", TEXT, "prepare text for a model",
          ("C3W1_lab1_text_vectorization", "C3W1_lab2_text_from_json_and_csv"), ("C3W1",)),
    Skill("classify-text", TEXT, "binary and multi-class text classification",
          ("C3W2_lab1_embeddings_and_projector",), ("C3W2", "C3W3")),
    Skill("embeddings", TEXT, "word embeddings",
          ("C3W2_lab1_embeddings_and_projector", "C3W3_lab2_pretrained_embeddings_and_overfitting"), ("C3W3",)),
    Skill("recurrent-text", TEXT, "LSTMs, GRUs, RNNs and CNNs on text",
          ("C3W3_lab1_lstm_gru_conv1d",), ("C3W2",)),
    Skill("generate-text", TEXT, "train an LSTM on existing text to generate text",
          ("C3W4_lab1_text_generation",), ("C3W4",)),
    Skill("series", SERIES, "univariate and multivariate series",
          ("C4W1_lab1_synthetic_series", "C4W4_lab1_conv_lstm_sunspots"), ("C4W1",)),
    Skill("windows", SERIES, "prepare features and labels: windows",
          ("C4W2_lab1_windowed_datasets_and_dnn",), ("C4W2",)),
    Skill("mae", SERIES, "mean absolute error as a metric",
          ("C4W1_lab2_statistical_forecasts",), ("C4W1", "C4W3")),
    Skill("recurrent-series", SERIES, "RNNs and CNNs for forecasting",
          ("C4W3_lab1_rnn_and_lstm", "C4W4_lab1_conv_lstm_sunspots"), ("C4W3", "C4W4")),
    Skill("centred-windows", SERIES, "trailing and centred windows",
          ("C4W1_lab2_statistical_forecasts",), ("C4W1",)),
    Skill("sequence-bias", SERIES, "sequence bias: shuffle windows, never the series",
          ("C4W2_lab1_windowed_datasets_and_dnn", "C4W1_lab1_synthetic_series"), ("C4W2",)),
    Skill("learning-rate", SERIES, "adjust the learning rate during training",
          ("C4W2_lab2_learning_rate_sweep", "C1W2_lab2_callbacks"), ("C4W2",)),
)

_BY_KEY = {skill.key: skill for skill in CHECKLIST}


def get_skill(key: str) -> Skill:
    """A checklist line by its key (``callbacks``)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownName(f"unknown skill {key!r}; known: {', '.join(_BY_KEY)}") from None


def teaching(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The labs, then the assignments, that teach the skills ``keys``: each once, in course order."""
    skills = [get_skill(key) for key in keys]
    labs = sorted({lab for skill in skills for lab in skill.labs})
    assignments = sorted({assignment for skill in skills for assignment in skill.assignments})
    return (*labs, *assignments)


def lab_path(name: str) -> str:
    """Where a lab is in the course folder: ``notebooks/C1/W2/C1W2_lab2_callbacks.ipynb``."""
    return f"notebooks/{name[:2]}/{name[2:4]}/{name}.ipynb"


def describe(name: str) -> str:
    """A lab or an assignment of :func:`teaching`, in words: its path, or its id and title."""
    return f"assignment {name} ({ASSIGNMENTS[name].title})" if name in ASSIGNMENTS else f"lab {lab_path(name)}"

