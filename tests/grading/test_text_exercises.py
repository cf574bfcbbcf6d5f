"""Course 3's text exercises (C3W1's preprocessing, C3W4's next-word pairs) judged both ways: the notebook's
rules pass on every seed, each plausible mistake (and a function tuned to the notebook's examples) fails with
a readable reason."""

from __future__ import annotations

import numpy as np
import pytest

from tfcourse.grading import get_assignment
from tfcourse.grading.exercises import text as text_exercises
from tfcourse.text import STOPWORDS, standardize

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


def remove_stopwords(sentence):
    return " ".join(word for word in sentence.lower().split() if word not in STOPWORDS)


def fit_vectorizer(texts, max_tokens, sequence_length):
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=sequence_length)
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(np.array(texts, dtype=object)).batch(64))
    return vectorizer


def encode_labels(labels):
    lookup = keras.layers.StringLookup(vocabulary=sorted(set(labels)), num_oov_indices=0)
    return lookup(np.array(labels, dtype=object)).numpy()


def make_pairs(paragraphs, context_length=10, first=1, standardized=standardize):
    contexts, next_words = [], []
    for paragraph in paragraphs:
        words = standardized(paragraph).split()
        for position in range(first, len(words)):
            contexts.append(" ".join(words[max(0, position - context_length):position]))
            next_words.append(words[position])
    return contexts, next_words


REFERENCE = {"remove_stopwords": remove_stopwords, "fit_vectorizer": fit_vectorizer, "encode_labels": encode_labels,
             "make_pairs": make_pairs}


def judged(exercise, namespace: dict, seed: int = 7) -> tuple[float, str]:
    inputs = exercise.inputs(seed, "C3W4" if exercise.name == "make_pairs" else "C3W1")
    return exercise.judge(inputs, exercise.drive(namespace, inputs), 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("exercise", text_exercises.EXERCISES, ids=lambda exercise: exercise.name)
def test_the_notebooks_rules_pass_on_every_seed(exercise, seed):
    """Does a function that follows the stated rules get full points on the grader's made-up inputs?"""
    assert judged(exercise, REFERENCE, seed)[0] == 1.0


MISTAKES = {
    "no lower-casing": ("remove_stopwords", lambda s: " ".join(w for w in s.split() if w not in STOPWORDS), "wrong on"),
    "punctuation stripped": ("remove_stopwords", lambda s: " ".join(w for w in standardize(s).split() if w not in STOPWORDS),
                             "wrong on"),
    "hard-coded examples": ("remove_stopwords", lambda s: {"I am about": "about"}.get(s, s), "wrong on"),
    "raises": ("remove_stopwords", lambda s: s.nosuchmethod(), "AttributeError"),
    "no sequence length": ("fit_vectorizer", lambda t, m, n: fit_vectorizer(t, m, None), "padded or cut"),
    "vocabulary too big": ("fit_vectorizer", lambda t, m, n: fit_vectorizer(t, m + 5, n), "vocabulary should be"),
    "labels from 1": ("encode_labels", lambda labels: encode_labels(labels) + 1, "numbered from 0"),
    "labels by frequency": ("encode_labels", lambda labels: (lambda lookup: (lookup.adapt(np.array(labels, dtype=object)),
                                                                              lookup(np.array(labels, dtype=object)))[1])(
        keras.layers.StringLookup(num_oov_indices=0)), "alphabetical"),
    "pairs not standardized": ("make_pairs", lambda p, n: make_pairs(p, n, standardized=str.lower), "standardized words"),
    "pairs ignore the context length": ("make_pairs", lambda p, n: make_pairs(p, 10), "at most"),
    "pairs from the first word": ("make_pairs", lambda p, n: make_pairs(p, n, first=0), "pairs (one per word"),
    "pairs as one list": ("make_pairs", lambda p, n: list(zip(*make_pairs(p, n))), "two lists"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_plausible_mistakes_fail_with_a_reason(mistake):
    """Does each typical mistake, and a function tuned to the notebook's visible example, get 0 and say why?"""
    name, function, phrase = MISTAKES[mistake]
    exercise = next(exercise for exercise in text_exercises.EXERCISES if exercise.name == name)
    function.__name__ = name
    points, reason = judged(exercise, {name: function})
    assert points == 0.0 and phrase in reason, reason


@pytest.mark.parametrize("exercise", text_exercises.EXERCISES, ids=lambda exercise: exercise.name)
def test_malformed_answers_and_missing_functions(exercise):
    """Are answers of the wrong shape judged 0, and a cell without the function refused by name?"""
    inputs = exercise.inputs(1, "C3W1")
    for answers in (None, "text", [], [object()] * 50):
        assert exercise.judge(inputs, answers, 1.0)[0] == 0.0
    with pytest.raises(NameError, match=exercise.name):
        exercise.drive({}, inputs)


def test_inputs_come_from_the_seed_and_differ_between_seeds():
    """Are the grader's inputs fixed by the seed (so a regrade agrees) and new for another seed?"""
    for exercise in text_exercises.EXERCISES:
        assert exercise.inputs(5, "C3W1") == exercise.inputs(5, "C3W1") != exercise.inputs(6, "C3W1")


def test_c3w1_is_graded_on_exercises_alone():
    """Does C3W1 have no model part, 10 points over three test cells, and a self-check per function?"""
    from tfcourse.grading.selfcheck import check_exercise

    spec = get_assignment("C3W1")
    assert not spec.has_model and spec.possible == 10.0
    assert spec.cell_points == {"test_remove_stopwords": 3.0, "test_fit_vectorizer": 4.0, "test_encode_labels": 3.0}
    result = check_exercise("C3W1", encode_labels)
    assert [check.name for check in result.checks] == ["label encoding"] and result.score == result.possible == 3.0
