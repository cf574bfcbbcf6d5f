"""Text helpers shared by Course 3's notebooks and its grader."""

from __future__ import annotations

import re

# A short English stop-word list (the original course used a 150-word one): words so common that
# they say little about a text's topic.
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself let me more most my myself no nor not of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when
where which while who whom why with would you your yours yourself yourselves
""".split())

# What keras.layers.TextVectorization's default standardization removes after lower-casing.
PUNCTUATION = re.compile(r"""[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]\^_`{|}~']""")


def standardize(text: str) -> str:
    """Lower-case and strip punctuation, as ``TextVectorization(standardize="lower_and_strip_punctuation")``."""
    return PUNCTUATION.sub("", text.lower())


def next_word_pairs(paragraphs, context_length: int = 10) -> tuple[list[str], list[str]]:
    """(context, next word) pairs for next-word prediction, as C3W4's notebook makes them and the grader scores them.

    Each paragraph is standardized and split on whitespace; every word from the second on is a next
    word, and its context is the up to ``context_length`` words before it, joined by single spaces.
    """
    contexts, next_words = [], []
    for paragraph in paragraphs:
        words = standardize(str(paragraph)).split()
        for position in range(1, len(words)):
            contexts.append(" ".join(words[max(0, position - context_length):position]))
            next_words.append(words[position])
    return contexts, next_words
