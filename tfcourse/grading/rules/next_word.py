"""Next-word prediction (C3W4): top-k accuracy over the words of the model's own vocabulary.

The model's output is a softmax over the vocabulary of the ``TextVectorization`` layer inside it, so each
output unit is a word. Only words leave the worker: the model's k most probable for each context, and the
words it writes after the spec's seed text, which the feedback shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from tfcourse.grading import untrusted
from tfcourse.grading.result import CheckResult
from tfcourse.grading.rules.base import Measure

NEXT_WORD_BATCH = 1024  # contexts per forward pass: a batch's scores over a large vocabulary stay small
GENERATED_WORDS = 15
GENERATION_CONTEXT = 10  # words the generator feeds back, as many as the graded contexts hold at most
MAX_GENERATED_CHARS = 300


def sublayers(layer) -> list:
    """Every layer inside ``layer``, nested models included."""
    found = []
    for inner in getattr(layer, "layers", None) or []:
        found += [inner, *sublayers(inner)]
    return found


def output_vocabulary(model) -> np.ndarray:
    """The words the model's output units stand for: the vocabulary of the ``TextVectorization`` layer
    inside it that has as many entries as the output has units."""
    import keras

    from tfcourse.grading.models import ModelRejected

    if isinstance(model.output_shape, list):
        raise ModelRejected("model has several outputs; this assignment needs exactly one")
    width = model.output_shape[-1]
    vectorizers = [layer for layer in sublayers(model) if isinstance(layer, keras.layers.TextVectorization)]
    if not vectorizers:
        raise ModelRejected("the model has no TextVectorization layer: put the vectorizer inside the model, so it "
                            "takes raw text and its output units stand for the vectorizer's words")
    vocabularies = [[str(word) for word in layer.get_vocabulary()] for layer in vectorizers]
    matching = [vocabulary for vocabulary in vocabularies if len(vocabulary) == width]
    if not matching:
        sizes = ", ".join(str(len(vocabulary)) for vocabulary in vocabularies)
        raise ModelRejected(f"the model has {width} output units, but its TextVectorization knows {sizes} words: "
                            f"it needs one output unit per vocabulary word (vectorizer.vocabulary_size())")
    if any(vocabulary != matching[0] for vocabulary in matching[1:]):
        raise ModelRejected("the model has several TextVectorization layers of the output's size with different "
                            "vocabularies, so its output units do not name words unambiguously")
    return np.array(matching[0], dtype=str)


def generated_words(text: object) -> str | None:
    """The text a model wrote (untrusted: words of its own vocabulary), reduced to letters, digits and
    single spaces, at most ``MAX_GENERATED_CHARS`` long; None when there is none."""
    if untrusted.text(text) is None:
        return None
    words = " ".join(re.sub(r"[^\w ]", "", text).split())
    return words[:MAX_GENERATED_CHARS] or None


@dataclass(frozen=True)
class NextWords(Measure):
    """A target counts as found when it is among the model's ``k`` most probable words (padding and
    [UNK] excluded); ``seed_text``: the feedback shows the words the model writes after it."""

    k: int
    seed_text: str = ""
    key = "generated"

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"top-{self.k} accuracy"

    # --- the worker's half ---
    def predict(self, model, spec, contexts: np.ndarray, steps: int | None = None) -> np.ndarray:
        return self.top_words(model, spec, contexts)

    def top_words(self, model, spec, contexts: np.ndarray, vocabulary: np.ndarray | None = None) -> np.ndarray:
        """The model's ``k`` most probable next words for each context, most probable first.

        Padding ("") and the out-of-vocabulary token never count as guesses. Only words leave the
        worker, not the (contexts x vocabulary) scores, which would be hundreds of MiB. ``vocabulary``
        is the model's :func:`output_vocabulary`, when the caller already has it.
        """
        from tfcourse.grading.models import ModelRejected, text_input

        vocabulary = output_vocabulary(model) if vocabulary is None else vocabulary
        not_words = np.isin(vocabulary, ["", "[UNK]"])
        inputs = text_input(model, spec, contexts)
        found = []
        for start in range(0, len(contexts), NEXT_WORD_BATCH):
            scores = np.array(model.predict_on_batch(inputs[start:start + NEXT_WORD_BATCH]), dtype=np.float64)
            scores = scores.reshape(scores.shape[0], -1)
            if not np.all(np.isfinite(scores)):
                raise ModelRejected("model predicts NaN or infinite values")
            scores[:, not_words] = -np.inf
            best = np.argsort(-scores, axis=1, kind="stable")[:, :self.k]
            found.append(vocabulary[best])
        return np.concatenate(found) if found else np.empty((0, self.k), dtype=str)

    def generate(self, model, spec, words: int = GENERATED_WORDS) -> str:
        """The words the model writes after ``seed_text``, always taking its most probable word."""
        from tfcourse.text import standardize

        vocabulary = output_vocabulary(model)
        text = standardize(self.seed_text).split()
        written = []
        for _ in range(words):
            context = np.array([" ".join(text[-GENERATION_CONTEXT:])])
            word = str(self.top_words(model, spec, context, vocabulary)[0, 0])
            text.append(word)
            written.append(word)
        return " ".join(written)

    def find(self, model, spec, x, predictions):
        return self.generate(model, spec) if self.seed_text else None

    # --- the grader's half ---
    def read(self, answer: object) -> str | None:
        return generated_words(answer)

    def validate(self, spec, predictions: np.ndarray, examples: int) -> np.ndarray:
        """Refuse anything but ``k`` words (strings) per example, as the model worker reads them off the model."""
        from tfcourse.grading.models import ModelRejected

        if not isinstance(predictions, np.ndarray) or predictions.dtype.kind != "U":
            raise ModelRejected("the model's predictions are not words")
        if predictions.shape != (examples, self.k):
            raise ModelRejected(f"expected the model's {self.k} most probable words for each of {examples:,} "
                                f"contexts, got an array of shape {predictions.shape}")
        return predictions

    def value(self, spec, predictions: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(np.any(predictions == np.asarray(y, dtype=str)[:, np.newaxis], axis=1)))

    def decorate(self, spec, checks: list[CheckResult], findings: dict) -> list[CheckResult]:
        """The checks, with the text the model wrote after the seed text added to the metric's line."""
        generated = findings.get(self.key)
        if not generated or not checks or checks[0].cell != spec.model_cell:
            return checks
        first = checks[0]
        detail = f"{first.detail}; after \"{self.seed_text}\" it writes: \"{generated}\""
        return [replace(first, detail=detail), *checks[1:]]
