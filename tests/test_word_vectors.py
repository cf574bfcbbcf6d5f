"""Tests of the course's pre-trained word vectors (tfcourse.word_vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from tfcourse import word_vectors
from tfcourse.built import get_artifact
from tfcourse.data.registry import DataUnavailable

TINY = word_vectors.VectorsRecipe(dimensions=4, vocabulary=40, min_count=1, window=2)


def tiny_corpus() -> list[str]:
    """Two topics whose words only ever meet their own topic's words."""
    rng = np.random.default_rng(0)
    topics = [["coffee", "milk", "sugar", "cup", "tea"], ["court", "judge", "law", "jury", "trial"],
              ["engine", "wheel", "car", "road", "fuel"], ["seed", "soil", "farm", "crop", "rain"]]
    return [" ".join(rng.choice(topics[i % 4], size=30)) + "." for i in range(80)]


def test_words_of_one_topic_end_up_closer_than_words_of_another():
    """Do the vectors put words that co-occur near each other, unit-length, most frequent word first?"""
    words, vectors = word_vectors.train(tiny_corpus(), TINY, progress=False)
    assert vectors.shape == (20, 4) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    index = {word: i for i, word in enumerate(words)}
    similarity = vectors @ vectors.T
    assert similarity[index["coffee"], index["milk"]] > similarity[index["coffee"], index["judge"]] + 0.5


def test_training_is_deterministic():
    """Do two builds from the same corpus give the same vectors (so a rebuild keeps its checksum here)?"""
    first = word_vectors.train(tiny_corpus(), TINY, progress=False)
    second = word_vectors.train(tiny_corpus(), TINY, progress=False)
    assert first[0] == second[0] and np.array_equal(first[1], second[1])


def test_glove_format_round_trip(tmp_path):
    """Is the file GloVe's text format: a word, then its numbers, one line per word?"""
    path = tmp_path / "v.txt"
    word_vectors.write_glove_format(path, ["a", "b"], np.array([[0.5, -0.25], [1.0, 0.0]], dtype=np.float32))
    assert path.read_text().splitlines() == ["a 0.50000 -0.25000", "b 1.00000 0.00000"]


def test_graded_notebooks_get_the_exported_copy_only(tmp_path, monkeypatch):
    """While graded, is the grader's exported copy used, and its absence a clear error?"""
    from tfcourse.data.exported import SPLITS_ENV

    monkeypatch.setenv(SPLITS_ENV, str(tmp_path))
    with pytest.raises(DataUnavailable, match="word vectors are not available"):
        word_vectors.vectors_file()
    artifact = get_artifact("word_vectors")
    target = tmp_path / artifact.exported_folder / artifact.file_name
    target.parent.mkdir()
    target.write_text("coffee 1.0 0.0\n")
    assert word_vectors.load_vectors().keys() == {"coffee"}


def test_the_course_vectors_know_food_and_law():
    """Are the installed vectors 20,000 words of 100 numbers whose neighbours make sense?"""
    vectors = word_vectors.load_vectors()
    assert len(vectors) == 20_000 and all(len(v) == 100 for v in list(vectors.values())[:10])
    words = list(vectors)
    matrix = np.stack([vectors[word] for word in words])

    def neighbours(word: str) -> list[str]:
        return [words[i] for i in np.argsort(-(matrix @ vectors[word]))[1:11]]

    assert {"milk", "tea", "bread", "sugar"} & set(neighbours("coffee"))
    assert {"prices", "market", "cost"} & set(neighbours("price"))
