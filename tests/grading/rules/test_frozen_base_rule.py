"""The frozen-base rule (tfcourse/grading/rules/frozen_base.py, C2W3): the model holds the published
pre-trained base, unchanged, and the base feeds its predictions."""

from __future__ import annotations

import pytest

from tfcourse.grading import get_assignment, validation_data
from tfcourse.grading.model_part import model_part_checks, read_findings
from tfcourse.grading.rules import Evidence
from tfcourse.grading.rules.frozen_base import BaseFinding

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
    evidence = Evidence(C2W3, data=None, predictions=None, value=value, findings={"frozen_base": BaseFinding(found, agreement)},
                        evaluate=None, published_base=lambda: "published")
    checks = model_part_checks(evidence)
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




def test_worker_findings_of_the_wrong_type_count_as_absent():
    """Does the grader read the worker's base finding field by field, dropping what is not of its one declared type?"""
    digest = "a" * 64
    answer = {"frozen_base": {"digest": digest, "agreement_without_base": 0.25}}
    assert read_findings(C2W3, answer) == {"frozen_base": BaseFinding(digest, 0.25)}
    for answer in (None, [], {"frozen_base": "x"}, {"frozen_base": {"digest": 7, "agreement_without_base": "0.1"}},
                   {"frozen_base": {"digest": "not hex", "agreement_without_base": float("nan")}}):
        assert read_findings(C2W3, answer) == {"frozen_base": BaseFinding()}
