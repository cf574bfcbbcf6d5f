"""Next-word prediction (tfcourse/grading/rules/next_word.py, C3W4): top-k accuracy over the words of the
model's own vocabulary, and the text it writes."""

from __future__ import annotations

import numpy as np
import pytest

from tfcourse.grading import get_assignment, validation_data
from tfcourse.grading.model_part import read_findings
from tfcourse.grading.models import ModelRejected

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
    measure = C3W4.measure.measure
    words = np.array([["the", "a", "her", "to", "of"], ["was", "is", "had", "and", "i"]])
    assert measure(C3W4, words, np.array(["of", "she"])) == 0.5
    with pytest.raises(ModelRejected, match="not words"):
        measure(C3W4, np.zeros((2, 5)), np.array(["of", "she"]))
    with pytest.raises(ModelRejected, match="5 most probable words"):
        measure(C3W4, words[:, :3], np.array(["of", "she"]))
    assert C3W4.metric_name == "top-5 accuracy" and C3W4.points_for(0.30)[0] == 7.0


def test_top_words_come_from_the_vectorizer_inside_the_model():
    """Are the words read off the model's own vocabulary, best first, never padding or [UNK]?"""
    model = next_word_model(["the", "cat", "sat"], echo=True)
    found = C3W4.measure.top_words(model, C3W4, np.array(["cat sat on", "sat", "zebra cat", ""]))
    assert found.shape == (4, 5) and list(found[:2, 0]) == ["cat", "sat"]
    assert not np.isin(found[:, :3], ["", "[UNK]"]).any()
    # The seed text starts with "it", unknown to this model: of the words left at equal scores the first wins.
    assert C3W4.measure.generate(model, C3W4, words=3) == "the the the"


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




def test_the_written_text_is_read_as_plain_words():
    """Does the grader keep only letters, digits and single spaces of the text a worker says the model wrote,
    and nothing of another type?"""
    assert read_findings(C3W4, {"generated": "she <b>was</b>  happy"}) == {"generated": "she bwasb happy"}
    for answer in (None, [], {"generated": ["x"]}, {"generated": 7}):
        assert read_findings(C3W4, answer) == {"generated": None}
