"""Jane Austen's *Pride and Prejudice* (1813, public domain), for next-word prediction.

The text comes from the Debian package ``r-cran-janeaustenr`` (the R package janeaustenr, which took
it from Project Gutenberg). R keeps a package's data as serialized R objects in ``data/Rdata.rdb``:
each novel is a character vector, one element per line of print. This module reads that file with
a small reader of R's serialization format (character vectors only), so R is not needed.

Examples are paragraphs; the label is the chapter they belong to. Splits are by chapter: the
held-out passages come from chapters the notebook never loads.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np

from tfcourse.data.registry import Arrays, DataFile, DatasetSpec, register
from tfcourse.data.sources import DebianPackage

RDB = "Rdata.rdb"
RDB_MEMBER = "usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"
TITLES = {"PRIDE AND PREJUDICE": "pride_and_prejudice", "SENSE AND SENSIBILITY": "sense_and_sensibility",
          "EMMA": "emma", "MANSFIELD PARK": "mansfield_park", "NORTHANGER ABBEY": "northanger_abbey",
          "PERSUASION": "persuasion"}
BOOK = "pride_and_prejudice"
TEST_EVERY, VALIDATION_OFFSET = 6, 3  # chapters 6, 12, ... are test; 3, 9, ... validation; the rest train
CHARSXP, STRSXP, UTF8_FLAG, LATIN1_FLAG = 9, 16, 1 << 15, 1 << 14


class RDataError(ValueError):
    """The file is not what this small reader of R's serialization format understands."""


def _ints(data: bytes, offset: int, count: int = 1) -> tuple[list[int], int]:
    values = [int.from_bytes(data[offset + 4 * i: offset + 4 * i + 4], "big", signed=True) for i in range(count)]
    return values, offset + 4 * count


def unserialize_strings(data: bytes) -> list[str]:
    """A character vector from R's XDR serialization (``serialize(x, NULL)``, format 2 or 3)."""
    if not data.startswith(b"X\n"):
        raise RDataError("not an XDR-serialized R object")
    (version, _, _), offset = _ints(data, 2, 3)
    if version == 3:
        (encoding_length,), offset = _ints(data, offset)
        offset += encoding_length
    (flags,), offset = _ints(data, offset)
    if flags & 0xFF != STRSXP:
        raise RDataError(f"not a character vector (R type {flags & 0xFF})")
    (length,), offset = _ints(data, offset)
    strings = []
    for _ in range(length):
        (flags, size), offset = _ints(data, offset, 2)
        if flags & 0xFF != CHARSXP:
            raise RDataError("malformed character vector")
        if size < 0:  # NA_character_
            strings.append("")
            continue
        raw = data[offset: offset + size]
        offset += size
        strings.append(raw.decode("latin-1" if flags & LATIN1_FLAG else "utf-8", "replace"))
    return strings


def read_lazyload_db(path: Path) -> list[list[str]]:
    """Every object of an R lazy-load database (``.rdb``): each is a 4-byte length, then zlib data."""
    raw, offset, objects = path.read_bytes(), 0, []
    while offset < len(raw):
        inflater = zlib.decompressobj()
        objects.append(unserialize_strings(inflater.decompress(raw[offset + 4:])))
        offset = len(raw) - len(inflater.unused_data)
    return objects


def novels(path: Path) -> dict[str, list[str]]:
    """name -> lines of each of Austen's six novels, named by their title line."""
    found = {}
    for lines in read_lazyload_db(path):
        title = next((line.strip().upper() for line in lines if line.strip()), "")
        if title in TITLES:
            found[TITLES[title]] = lines
    return found


def chapters(lines: list[str]) -> list[list[str]]:
    """The paragraphs of each chapter (front matter dropped); a paragraph's lines are joined."""
    result: list[list[str]] = []
    paragraph: list[str] = []
    for line in [*lines, ""]:
        if re.match(r"^\s*chapter\s+[0-9ivxlc]+\.?\s*$", line, flags=re.IGNORECASE):
            result.append([])
        elif line.strip():
            paragraph.append(line.strip())
        if not line.strip() and paragraph:
            if result:
                result[-1].append(" ".join(paragraph))
            paragraph = []
    return result


def split_of(chapter: int) -> str:
    """Which split chapter ``chapter`` (1-based) belongs to."""
    if chapter % TEST_EVERY == 0:
        return "test"
    return "validation" if chapter % TEST_EVERY == VALIDATION_OFFSET else "train"


def _read(paths: dict[str, Path], split: str) -> Arrays:
    x, y = [], []
    for number, paragraphs in enumerate(chapters(novels(paths[RDB])[BOOK]), start=1):
        if split_of(number) == split:
            x.extend(paragraphs)
            y.extend([number] * len(paragraphs))
    return np.array(x, dtype=str), np.array(y, dtype=np.uint8)


SPEC = register(DatasetSpec(
    name="pride_and_prejudice",
    description="Jane Austen's Pride and Prejudice (1813): paragraphs, labelled by chapter (1-61)",
    provenance="Project Gutenberg text via the R package janeaustenr, Debian package r-cran-janeaustenr 1.0.0-1",
    license="the novel: public domain; janeaustenr: MIT",
    files=(DataFile(
        name=RDB,
        sha256="8fb5198960d0da724b1562f96e4221e5c1b41ff455000280b02c55980c3d8f21",
        sources=(DebianPackage("r-cran-janeaustenr", "1.0.0-1", RDB_MEMBER),),
    ),),
    read=_read,
    example_shape=(),
    example_dtype="string",
    notes="split by chapter: chapters 6, 12, ..., 60 are test; 3, 9, ..., 57 validation; the other 41 train",
))
