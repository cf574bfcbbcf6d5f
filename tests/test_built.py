"""Built artifacts (tfcourse.built): one lifecycle, declared by the specs that use them."""

from __future__ import annotations

import pytest

from tfcourse import pretrained, word_vectors
from tfcourse.built import ARTIFACTS, get_artifact
from tfcourse.errors import UnknownName
from tfcourse.grading import ASSIGNMENTS
from tfcourse.grading.rules import FrozenBaseRule


def test_every_declared_artifact_exists_and_names_its_modules_file():
    """Is each artifact a spec declares registered, and does each registration name its module's file?"""
    declared = {name for spec in ASSIGNMENTS.values() for name in spec.artifacts}
    assert declared == set(ARTIFACTS) == {"product_base", "word_vectors"}
    assert get_artifact("product_base").file_name == pretrained.FILE_NAME
    assert get_artifact("word_vectors").file_name == word_vectors.FILE_NAME


def test_a_frozen_base_rule_comes_with_its_artifact():
    """A spec graded on the frozen base must hand its notebook the base."""
    for spec in ASSIGNMENTS.values():
        for rule in spec.rules:
            if isinstance(rule, FrozenBaseRule):
                assert rule.layer_name in spec.artifacts, spec.assignment_id


def test_an_unknown_artifact_is_named_with_the_known_ones():
    with pytest.raises(UnknownName, match="product_base, word_vectors"):
        get_artifact("glove")


def test_export_copies_the_cached_file(tmp_path):
    """Does export put the cached vectors where a graded notebook looks for them?"""
    artifact = get_artifact("word_vectors")
    exported = artifact.export(tmp_path)
    assert exported == tmp_path / artifact.exported_folder / artifact.file_name
    assert exported.read_bytes() == artifact.cached().read_bytes()
