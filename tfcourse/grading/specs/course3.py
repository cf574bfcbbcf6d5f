"""Course 3 (Natural Language Processing in TensorFlow): how each week's assignment is graded.

Graded models take **raw strings**: the ``TextVectorization`` layer is part of the saved model, so
the scorer feeds every model the same held-out texts, as ``tfcourse.data.load`` gives them.
"""

from __future__ import annotations

import numpy as np

from tfcourse.grading.exercises.text import ENCODE_LABELS, FIT_VECTORIZER, MAKE_PAIRS, REMOVE_STOPWORDS
from tfcourse.grading.specs.base import AssignmentSpec, ExercisePart, GapRule, Rung, raw_text
from tfcourse.text import next_word_pairs

CONTEXT_LENGTH = 10  # C3W4: the grader feeds at most the 10 words before the one to predict

C3W1 = AssignmentSpec(
    assignment_id="C3W1",
    folder="C3W1_preprocessing_text",
    title="preparing text: stop words, a vectorizer, labels",
    dataset="brown_genres",  # what the notebook explores; the exercises are graded on the grader's own texts
    exercises=(ExercisePart(test_cell="test_remove_stopwords", exercise=REMOVE_STOPWORDS, points=3.0),
               ExercisePart(test_cell="test_fit_vectorizer", exercise=FIT_VECTORIZER, points=4.0),
               ExercisePart(test_cell="test_encode_labels", exercise=ENCODE_LABELS, points=3.0)),
)

C3W2 = AssignmentSpec(
    assignment_id="C3W2",
    folder="C3W2_text_classification",
    title="five genres of the Brown corpus",
    dataset="brown_genres",
    metric="accuracy",
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
    dataset="fine_food_reviews",
    metric="accuracy",
    # 65.8% of the held-out reviews are "great": a constant answer scores 0.658 and earns nothing.
    ladder=(Rung(0.69, 4.0), Rung(0.675, 2.0)),
    input_shape=(1,),
    output_units=1,
    prepare=raw_text,
    input_note="raw reviews, one Python string per example",
    model_cell="test_sentiment",
    gap=GapRule(max_gap=0.15, points=6.0, on="loss"),
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
    dataset="pride_and_prejudice",
    metric="top_k",
    top_k=5,
    # Always guessing the five most frequent words finds 0.16 of the held-out next words.
    ladder=(Rung(0.25, 7.0), Rung(0.21, 3.5)),
    input_shape=(1,),
    prepare=raw_text,
    input_note="the up to 10 words before each word of held-out chapters, standardized, one string per example",
    model_cell="test_next_word",
    examples=next_word_examples,
    seed_text="it is a truth universally acknowledged that",
    exercises=(ExercisePart(test_cell="test_make_pairs", exercise=MAKE_PAIRS, points=3.0),),
)

ASSIGNMENTS = (C3W1, C3W2, C3W3, C3W4)
