"""The course's pre-trained word vectors: GloVe's part, for an offline course.

The original course loaded GloVe's 100-dimensional vectors, which an offline course cannot download.
So the course trains its own, once per installation, the way GloVe and word2vec learn: from which
words appear near which. It counts co-occurrences in a window of 5 words over the Brown corpus
(1 million words of 1961 American English) and five of Jane Austen's novels (all but *Pride and
Prejudice*), weighs them by positive pointwise mutual information and keeps the 100 strongest
directions of a truncated SVD. None of Course 3's review data is in that corpus.

The file has GloVe's text format, one word per line followed by its 100 numbers, so the notebook
code that loads it is the code that loads ``glove.6B.100d.txt``::

    from tfcourse.word_vectors import vectors_file
    with open(vectors_file()) as stream:
        for line in stream:
            word, *numbers = line.split()

Words are standardized as ``TextVectorization`` does by default (lower case, punctuation stripped).
Built on first use (well under a minute on two CPU cores) or ahead of time with ``tfcourse data
build``, then cached with its checksum.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from tfcourse.data.cache import cache_dir, sha256_of

FILE_NAME = "course_vectors.100d.txt"  # as tfcourse.built.ARTIFACTS declares it
INFO_NAME = "course_vectors.json"
AUSTEN_NOVELS = ("sense_and_sensibility", "emma", "mansfield_park", "northanger_abbey", "persuasion")


@dataclass(frozen=True)
class VectorsRecipe:
    """How the vectors are made. Changing any field makes different vectors (and a new cache entry)."""

    dimensions: int = 100
    vocabulary: int = 20_000
    min_count: int = 3
    window: int = 5
    context_smoothing: float = 0.75
    seed: int = 11
    version: int = 1

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]


RECIPE = VectorsRecipe()


def corpus_texts() -> list[str]:
    """The training corpus: every Brown text (tags dropped) and Austen's novels but Pride and Prejudice."""
    from tfcourse.data import austen, brown, fetch_files, get_spec

    brown_paths = fetch_files(get_spec("brown_genres"))
    _, tagged = brown.read_tarball(brown_paths[brown.TARBALL])
    texts = [" ".join(brown.detokenize(line) for line in text.splitlines() if line.strip()) for text in tagged.values()]
    novels = austen.novels(fetch_files(get_spec("pride_and_prejudice"))[austen.RDB])
    texts += [" ".join(novels[name]) for name in AUSTEN_NOVELS]
    return texts


def train(texts: list[str], recipe: VectorsRecipe = RECIPE, progress: bool = True) -> tuple[list[str], np.ndarray]:
    """(words, vectors): PPMI of windowed co-occurrence counts, reduced by truncated SVD."""
    from scipy import sparse
    from scipy.sparse.linalg import svds
    from tqdm.auto import tqdm

    from tfcourse.text import standardize

    tokens_per_text = [standardize(text).split() for text in tqdm(texts, desc="reading", disable=not progress)]
    counts: dict[str, int] = {}
    for tokens in tokens_per_text:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    ranked = sorted((word for word, count in counts.items() if count >= recipe.min_count),
                    key=lambda word: (-counts[word], word))[: recipe.vocabulary]
    index = {word: i for i, word in enumerate(ranked)}
    rows, cols, weights = [], [], []
    for tokens in tqdm(tokens_per_text, desc="co-occurrences", disable=not progress):
        ids = np.array([index.get(token, -1) for token in tokens])
        for distance in range(1, recipe.window + 1):
            left, right = ids[:-distance], ids[distance:]
            keep = (left >= 0) & (right >= 0)
            for a, b in ((left[keep], right[keep]), (right[keep], left[keep])):
                rows.append(a)
                cols.append(b)
                weights.append(np.full(len(a), 1.0 / distance))
    size = len(ranked)
    cooccurrence = sparse.coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                                     shape=(size, size)).tocsr()
    total = cooccurrence.sum()
    word_totals = np.asarray(cooccurrence.sum(axis=1)).ravel()
    context_totals = np.asarray(cooccurrence.sum(axis=0)).ravel() ** recipe.context_smoothing
    context_probability = context_totals / context_totals.sum()
    coo = cooccurrence.tocoo()
    pmi = np.log(coo.data * 1.0 / total) - np.log(word_totals[coo.row] / total) - np.log(context_probability[coo.col])
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(size, size))
    start = np.random.default_rng(recipe.seed).standard_normal(size)
    with tqdm(total=1, desc="SVD", disable=not progress) as bar:
        u, s, _ = svds(ppmi, k=recipe.dimensions, v0=start)
        bar.update(1)
    order = np.argsort(-s)
    vectors = u[:, order] * np.sqrt(s[order])
    vectors *= np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(vectors.shape[1])])  # a fixed sign per axis
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8
    return ranked, vectors.astype(np.float32)


def folder(recipe: VectorsRecipe = RECIPE) -> Path:
    return cache_dir() / "word_vectors" / f"course_vectors-{recipe.key}"


def write_glove_format(path: Path, words: list[str], vectors: np.ndarray) -> None:
    """One line per word: the word, then its numbers with 5 decimals, as GloVe's files are written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as stream:
        for word, vector in zip(words, vectors):
            stream.write(word + " " + " ".join(f"{value:.5f}" for value in vector) + "\n")


def info(recipe: VectorsRecipe = RECIPE) -> dict | None:
    """The cached vectors' info (checksum, sizes), or None when they are missing or corrupt."""
    try:
        recorded = json.loads((folder(recipe) / INFO_NAME).read_text())
    except (OSError, ValueError):
        return None
    path = folder(recipe) / FILE_NAME
    return recorded if path.is_file() and sha256_of(path) == recorded.get("file_sha256") else None


def build(recipe: VectorsRecipe = RECIPE, progress: bool = True) -> Path:
    """Train the vectors and cache them with their checksum; returns the file."""
    words, vectors = train(corpus_texts(), recipe, progress)
    path = folder(recipe) / FILE_NAME
    write_glove_format(path, words, vectors)
    recorded = {"recipe": asdict(recipe), "words": len(words), "dimensions": int(vectors.shape[1]),
                "file_sha256": sha256_of(path)}
    (folder(recipe) / INFO_NAME).write_text(json.dumps(recorded, indent=2) + "\n")
    return path


def ensure_built(progress: bool = True) -> Path:
    """The cached vectors file, built first when it is missing or corrupt."""
    if info() is None:
        build(progress=progress)
    return folder() / FILE_NAME


def vectors_file() -> Path:
    """The vectors file this process may use: the grader's exported copy while graded, else the cached one
    (built first when missing)."""
    from tfcourse.built import get_artifact

    return get_artifact("word_vectors").path()


def load_vectors() -> dict[str, np.ndarray]:
    """word -> its 100 numbers, read from :func:`vectors_file` (what the notebooks write by hand)."""
    vectors = {}
    with open(vectors_file()) as stream:
        for line in stream:
            word, *numbers = line.split()
            vectors[word] = np.asarray(numbers, dtype=np.float32)
    return vectors
