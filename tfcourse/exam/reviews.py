"""The exam's NLP task: short reviews generated from a grammar, labelled by the opinion most of them hold.

Public texts (the Brown corpus, the fine-food reviews, Austen) can be looked up, so the exam's text is
generated: every review and its label come from a seed, and the hidden reviews exist only while a
model is checked. A review says what the reviewer thought of two or three things (one opinion each,
an adjective about an aspect of the variant's subject) between sentences that hold no opinion. Some
opinions are negated ("the staff was not friendly"), and a negated adjective means its opposite, so
the words alone do not decide a review: a model has to read which words go together (word order,
n-grams, convolutions or recurrent layers), as Course 3 teaches.
"""

from __future__ import annotations

import numpy as np

SUBJECTS: dict[str, tuple[str, ...]] = {
    "hotel": ("room", "bed", "staff", "breakfast", "view", "shower", "pool", "lobby", "wifi", "location"),
    "restaurant": ("food", "service", "waiter", "dessert", "wine", "menu", "soup", "bread", "coffee", "terrace"),
    "phone": ("screen", "battery", "camera", "speaker", "charger", "case", "keyboard", "signal", "software", "design"),
    "film": ("plot", "acting", "ending", "soundtrack", "script", "cast", "dialogue", "pacing", "effects", "score"),
    "laptop": ("display", "trackpad", "fan", "keyboard", "battery", "hinge", "webcam", "speakers", "lid", "charger"),
    "airline": ("seat", "crew", "meal", "flight", "boarding", "legroom", "lounge", "pilot", "luggage", "cabin"),
}
POSITIVE = ("good", "great", "excellent", "lovely", "superb", "fantastic", "pleasant", "friendly", "solid", "clean",
            "reliable", "impressive", "wonderful", "brilliant", "decent", "perfect", "comfortable", "charming")
NEGATIVE = ("bad", "awful", "terrible", "poor", "dirty", "rude", "broken", "disappointing", "slow", "noisy",
            "cheap", "horrible", "dreadful", "weak", "sloppy", "boring", "mediocre", "flimsy")
ADJECTIVES_PER_SIDE = 10
# An opinion: (template, negated). {a} is the aspect, {j} the adjective.
OPINIONS = (
    ("the {a} was {j}", False), ("the {a} was really {j}", False), ("i found the {a} {j}", False),
    ("honestly the {a} was quite {j}", False), ("what a {j} {a}", False),
    ("the {a} was not {j}", True), ("the {a} was not at all {j}", True), ("i would not call the {a} {j}", True),
    ("nobody could say the {a} was {j}", True), ("the {a} was never {j}", True),
)
FILLERS = ("we tried it last week", "it was our second time", "my sister came along", "we paid in advance",
           "it was a rainy tuesday", "i read about it online", "a friend recommended it", "i had waited months for it",
           "the booking was simple", "i will write more later", "this is my first review", "we used it for three days")
CLASS_NAMES = ("negative", "positive")


def draw_vocabulary(rng: np.random.Generator) -> dict[str, float]:
    """A variant: the subject (which aspects the reviews talk about) and which adjectives they use."""
    subjects = sorted(SUBJECTS)
    return {"subject": float(rng.integers(len(subjects))), "words_seed": float(rng.integers(1 << 30))}


def _vocabulary(variant: dict[str, float]) -> tuple[tuple[str, ...], list[str], list[str]]:
    aspects = SUBJECTS[sorted(SUBJECTS)[int(variant["subject"])]]
    rng = np.random.default_rng(int(variant["words_seed"]))
    positive = list(rng.choice(POSITIVE, ADJECTIVES_PER_SIDE, replace=False))
    negative = list(rng.choice(NEGATIVE, ADJECTIVES_PER_SIDE, replace=False))
    return aspects, positive, negative


def generate(variant: dict[str, float], count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` reviews of the variant's subject drawn from ``seed``, and their labels (1: positive)."""
    aspects, positive, negative = _vocabulary(variant)
    rng = np.random.default_rng(seed)
    texts, labels = [], np.empty(count, dtype=np.uint8)
    for index in range(count):
        opinions = int(rng.choice([1, 3], p=[0.3, 0.7]))  # an odd count: most of them decide the label
        chosen_aspects = rng.choice(aspects, opinions, replace=False)
        votes, sentences = 0, []
        for aspect in chosen_aspects:
            praise = bool(rng.integers(2))
            adjective = str(rng.choice(positive if praise else negative))
            template, negated = OPINIONS[rng.integers(len(OPINIONS))]
            votes += 1 if praise != negated else -1
            sentences.append(template.format(a=aspect, j=adjective))
        for _ in range(int(rng.integers(0, 3))):
            sentences.insert(int(rng.integers(len(sentences) + 1)), str(rng.choice(FILLERS)))
        texts.append(". ".join(sentences) + ".")
        labels[index] = votes > 0
    return np.array(texts, dtype=str), labels
