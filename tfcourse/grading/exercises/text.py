"""Course 3's text exercises: stop words, a vectorizer, label encoding (C3W1), next-word pairs (C3W4).

The grader calls the learner's functions on texts it makes up at grading time from the secret seed:
made-up words (so no answer can be looked up or hard-coded), stop words in capitals, punctuation,
runs of spaces, unknown words, empty texts, texts longer and shorter than the sequence length, and
label names the notebook never shows. The expected answers are computed here in plain Python from
the rules the notebook states, never by running TensorFlow in the grader.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfcourse.grading import untrusted
from tfcourse.grading.exercises.base import Exercise, call_each, learner_function, raised_reason, shown
from tfcourse.text import STOPWORDS, next_word_pairs, standardize

PREAMBLE = "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom tfcourse.text import STOPWORDS\n"
SYLLABLES = ("ba", "ko", "ri", "mu", "te", "lan", "dor", "vi", "sel", "qua", "pe", "zu", "gor", "ni", "fa", "mel")
PUNCTUATION_MARKS = (".", ",", "!", "?", ";", ":", ")")  # stripped whole by standardization
LABEL_NAMES = ("business", "entertainment", "politics", "sport", "tech", "science", "travel", "health",
               "weather", "culture", "crime", "education")


def made_up_words(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct pronounceable non-words, none of them a stop word."""
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4))))
        if word not in words and word not in STOPWORDS:
            words.append(word)
    return words


def dress(rng: np.random.Generator, word: str) -> str:
    """A word as it might appear in a text: sometimes capitalized or in capitals, sometimes with punctuation."""
    roll = rng.random()
    if roll < 0.15:
        word = word.capitalize()
    elif roll < 0.22:
        word = word.upper()
    if rng.random() < 0.2:
        word += str(rng.choice(PUNCTUATION_MARKS))
    return word


# --- remove_stopwords ---------------------------------------------------------------------------

def expected_without_stopwords(sentence: str) -> str:
    """The notebook's rule: lower-case, split on whitespace, drop stop words, join with single spaces."""
    return " ".join(word for word in sentence.lower().split() if word not in STOPWORDS)


def stopword_inputs(rng: np.random.Generator) -> dict:
    """Sentences of stop words and made-up words, with capitals, punctuation and odd spacing; edge cases too."""
    content = made_up_words(rng, 30)
    stopwords = sorted(STOPWORDS)
    sentences = ["", "   ", " ".join(str(rng.choice(stopwords)).upper() for _ in range(5))]
    for _ in range(9):
        words = [dress(rng, str(rng.choice(stopwords))) if rng.random() < 0.45 else dress(rng, str(rng.choice(content)))
                 for _ in range(int(rng.integers(3, 14)))]
        separators = [str(rng.choice([" ", " ", " ", "  ", "\t"])) for _ in words]
        sentences.append("".join(word + separator for word, separator in zip(words, separators)).strip())
    return {"sentences": sentences}


def drive_remove_stopwords(namespace: dict, inputs: dict) -> list:
    function = learner_function(namespace, "remove_stopwords")
    return [answer if untrusted.text(answer) is not None or raised_reason(answer) is not None else repr(answer)[:200]
            for answer in call_each(function, inputs["sentences"])]


def judge_remove_stopwords(inputs: dict, answers: Any, points: float) -> tuple[float, str]:
    sentences = inputs["sentences"]
    if not isinstance(answers, list) or len(answers) != len(sentences):
        return 0.0, "remove_stopwords could not be run on the grader's sentences"
    misses = [(sentence, answer) for sentence, answer in zip(sentences, answers)
              if answer != expected_without_stopwords(sentence)]
    if not misses:
        return points, f"right on all {len(sentences)} of the grader's sentences (capitals, punctuation, empty ones)"
    sentence, answer = max(misses, key=lambda miss: bool(miss[0].strip()))  # a blank sentence says least
    return 0.0, (f"wrong on {len(misses)} of {len(sentences)} sentences, e.g. {sentence!r} gave {shown(answer)!r}; "
                 f"expected {expected_without_stopwords(sentence)!r}")


REMOVE_STOPWORDS = Exercise(
    name="remove_stopwords", cell="remove_stopwords", title="stop words", preamble=PREAMBLE,
    make_inputs=stopword_inputs, drive=drive_remove_stopwords, judge=judge_remove_stopwords,
)


# --- fit_vectorizer -----------------------------------------------------------------------------

def vectorizer_inputs(rng: np.random.Generator) -> dict:
    """A corpus whose words all have different counts (so the vocabulary order is unambiguous), and
    texts to vectorize: known and unknown words, punctuation, an empty text, long and short texts."""
    words = made_up_words(rng, 16)
    corpus_words = [word for rank, word in enumerate(words) for _ in range(len(words) + 2 - rank)]
    order = rng.permutation(len(corpus_words))
    shuffled = [dress(rng, corpus_words[i]) for i in order]
    cuts = sorted(rng.choice(np.arange(1, len(shuffled)), size=11, replace=False).tolist())
    corpus = [" ".join(part) for part in np.split(np.array(shuffled, dtype=object), cuts)]
    unknown = made_up_words(rng, 40)[-4:]
    unknown = [word for word in unknown if word not in words] or ["zzzqx"]
    texts = ["", " ".join(dress(rng, str(rng.choice(words))) for _ in range(20))]
    for _ in range(5):
        pool = words + unknown
        texts.append(" ".join(dress(rng, str(rng.choice(pool))) for _ in range(int(rng.integers(1, 9)))))
    runs = [{"max_tokens": int(rng.integers(8, 14)), "sequence_length": int(rng.integers(4, 9))},
            {"max_tokens": 100, "sequence_length": int(rng.integers(9, 13))}]
    return {"corpus": corpus, "texts": texts, "runs": runs}


def expected_vectorizer(corpus: list[str], texts: list[str], max_tokens: int, sequence_length: int) -> dict:
    """What TextVectorization(max_tokens, output_sequence_length) adapted to ``corpus`` gives (distinct counts)."""
    counts: dict[str, int] = {}
    for text in corpus:
        for word in standardize(text).split():
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda word: -counts[word])
    vocabulary = ["", "[UNK]", *ranked][:max_tokens]
    index = {word: position for position, word in enumerate(vocabulary) if position > 1}
    sequences = []
    for text in texts:
        ids = [index.get(word, 1) for word in standardize(text).split()][:sequence_length]
        sequences.append(ids + [0] * (sequence_length - len(ids)))
    return {"vocabulary": vocabulary, "sequences": sequences}


def drive_fit_vectorizer(namespace: dict, inputs: dict) -> list:
    function = learner_function(namespace, "fit_vectorizer")

    def vectorize(run: dict) -> dict:
        layer = function(inputs["corpus"], run["max_tokens"], run["sequence_length"])
        return {"vocabulary": [str(word) for word in layer.get_vocabulary()],
                "sequences": np.asarray(layer(np.array(inputs["texts"], dtype=object))).astype(int).tolist()}

    return call_each(vectorize, inputs["runs"])


def judge_fit_vectorizer(inputs: dict, answers: Any, points: float) -> tuple[float, str]:
    runs = inputs["runs"]
    if not isinstance(answers, list) or len(answers) != len(runs):
        return 0.0, "fit_vectorizer could not be run on the grader's texts"
    for run, answer in zip(runs, answers):
        expected = expected_vectorizer(inputs["corpus"], inputs["texts"], run["max_tokens"], run["sequence_length"])
        setting = f"max_tokens={run['max_tokens']}, sequence_length={run['sequence_length']}"
        if raised_reason(answer) is not None:
            return 0.0, f"with {setting}: {raised_reason(answer)}"
        if not isinstance(answer, dict) or answer.get("vocabulary") != expected["vocabulary"]:
            got = answer.get("vocabulary") if isinstance(answer, dict) else answer
            return 0.0, (f"with {setting} the vocabulary should be {expected['vocabulary'][:6]}... "
                         f"({len(expected['vocabulary'])} entries), not {str(got)[:120]}")
        for text, want, got in zip(inputs["texts"], expected["sequences"], answer.get("sequences") or []):
            if got != want:
                return 0.0, f"with {setting}, {text!r} became {got}; expected {want} (padded or cut to the length)"
        if len(answer.get("sequences") or []) != len(inputs["texts"]):
            return 0.0, f"with {setting} the vectorizer did not give one sequence per text"
    return points, (f"vocabulary and padded sequences right for {len(runs)} settings "
                    "(unknown words, punctuation, an empty text, long and short texts)")


FIT_VECTORIZER = Exercise(
    name="fit_vectorizer", cell="fit_vectorizer", title="vectorizer", preamble=PREAMBLE,
    make_inputs=vectorizer_inputs, drive=drive_fit_vectorizer, judge=judge_fit_vectorizer,
)


# --- encode_labels ------------------------------------------------------------------------------

def label_inputs(rng: np.random.Generator) -> dict:
    """Label lists over names the notebook never uses, shuffled, where the classes' frequency order is
    not their alphabetical order (so numbering by frequency is caught); one list of a single class."""
    size = int(rng.integers(3, 7))
    names = sorted(str(name) for name in rng.choice(LABEL_NAMES, size=size, replace=False))
    counts = rng.permutation(np.arange(2, 2 + size))
    while counts.argmax() == 0:  # the most frequent class must not also come first alphabetically
        counts = rng.permutation(counts)
    labels = [name for name, count in zip(names, counts) for _ in range(int(count))]
    single = str(rng.choice(LABEL_NAMES))
    return {"runs": [[labels[i] for i in rng.permutation(len(labels))], [single] * int(rng.integers(3, 8))]}


def expected_labels(labels: list[str]) -> list[int]:
    """The notebook's rule: classes numbered 0, 1, ... in alphabetical order of their names."""
    classes = sorted(set(labels))
    return [classes.index(label) for label in labels]


def drive_encode_labels(namespace: dict, inputs: dict) -> list:
    function = learner_function(namespace, "encode_labels")
    return call_each(lambda labels: np.asarray(function(list(labels))).astype(int).reshape(-1).tolist(), inputs["runs"])


def judge_encode_labels(inputs: dict, answers: Any, points: float) -> tuple[float, str]:
    runs = inputs["runs"]
    if not isinstance(answers, list) or len(answers) != len(runs):
        return 0.0, "encode_labels could not be run on the grader's labels"
    for labels, answer in zip(runs, answers):
        if answer != expected_labels(labels):
            return 0.0, (f"{labels[:6]}... became {str(shown(answer))[:80]}; expected {expected_labels(labels)[:6]}... "
                         "(classes numbered from 0 in alphabetical order)")
    return points, f"right for {len(runs)} label lists, including names the notebook never uses"


ENCODE_LABELS = Exercise(
    name="encode_labels", cell="encode_labels", title="label encoding", preamble=PREAMBLE,
    make_inputs=label_inputs, drive=drive_encode_labels, judge=judge_encode_labels,
)

# --- make_pairs (C3W4) --------------------------------------------------------------------------

def pair_inputs(rng: np.random.Generator) -> dict:
    """Paragraphs of made-up words with capitals, punctuation and tabs; an empty one, a one-word one, one
    shorter than the context and one much longer; two context lengths, one the notebook never uses."""
    words = made_up_words(rng, 24)

    def paragraph(length: int) -> str:
        return " ".join(dress(rng, str(rng.choice(words))) for _ in range(length)).replace(" ", "\t", 1)

    paragraphs = ["", dress(rng, words[0]) + "!", paragraph(int(rng.integers(2, 5))), paragraph(int(rng.integers(20, 31)))]
    paragraphs += [paragraph(int(rng.integers(5, 15))) for _ in range(3)]
    return {"paragraphs": paragraphs, "context_lengths": [int(rng.integers(2, 5)), int(rng.integers(6, 13))]}


def drive_make_pairs(namespace: dict, inputs: dict) -> list:
    function = learner_function(namespace, "make_pairs")

    def pairs(context_length: int) -> list:
        answer = function(list(inputs["paragraphs"]), context_length)
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            raise ValueError("make_pairs should return two lists, (contexts, next_words)")
        contexts, next_words = answer
        return [[str(context) for context in contexts], [str(word) for word in next_words]]

    return call_each(pairs, inputs["context_lengths"])


def judge_make_pairs(inputs: dict, answers: Any, points: float) -> tuple[float, str]:
    lengths = inputs["context_lengths"]
    if not isinstance(answers, list) or len(answers) != len(lengths):
        return 0.0, "make_pairs could not be run on the grader's paragraphs"
    for length, answer in zip(lengths, answers):
        if raised_reason(answer) is not None:
            return 0.0, f"with context_length={length}: {raised_reason(answer)}"
        contexts, next_words = next_word_pairs(inputs["paragraphs"], length)
        if not (isinstance(answer, list) and len(answer) == 2 and all(isinstance(part, list) for part in answer)):
            return 0.0, f"with context_length={length} make_pairs should return two lists, (contexts, next_words)"
        got = list(zip(*answer)) if len(answer[0]) == len(answer[1]) else None
        if got is None or len(got) != len(contexts):
            return 0.0, (f"with context_length={length} the grader's {len(inputs['paragraphs'])} paragraphs give "
                         f"{len(contexts)} pairs (one per word after a paragraph's first), not "
                         f"{len(answer[0])} contexts and {len(answer[1])} next words")
        for (context, word), (got_context, got_word) in zip(zip(contexts, next_words), got):
            if (got_context, got_word) != (context, word):
                return 0.0, (f"with context_length={length} a pair was ({got_context!r} -> {got_word!r}); expected "
                             f"({context!r} -> {word!r}): standardized words, at most {length} of them before the next")
    return points, (f"right for {len(lengths)} context lengths on the grader's paragraphs "
                    "(capitals, punctuation, tabs, an empty and a one-word paragraph)")


MAKE_PAIRS = Exercise(
    name="make_pairs", cell="make_pairs", title="next-word pairs",
    preamble=PREAMBLE + "from tfcourse.text import standardize\n",
    make_inputs=pair_inputs, drive=drive_make_pairs, judge=judge_make_pairs,
)

EXERCISES = (REMOVE_STOPWORDS, FIT_VECTORIZER, ENCODE_LABELS, MAKE_PAIRS)
