"""Course 3 (Natural Language Processing in TensorFlow): how each week's assignment is graded.

Graded models take **raw strings**: the ``TextVectorization`` layer is part of the saved model, so
the scorer feeds every model the same held-out texts, as ``tfcourse.data.load`` gives them.
"""

from __future__ import annotations

from tfcourse.grading.specs.base import AssignmentSpec, ExercisePart, GapRule, Rung, raw_text
from tfcourse.grading.text_exercises import ENCODE_LABELS, FIT_VECTORIZER, REMOVE_STOPWORDS

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
    word_vectors=True,
)

ASSIGNMENTS = (C3W1, C3W2, C3W3)
