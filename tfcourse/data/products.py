"""Course 2's image sets: products photographed on real-world backgrounds (see :mod:`tfcourse.data.composites`).

Each set names the Fashion-MNIST classes it shows, how many images each split has per class and
the seed of each public split. The public splits are checked against pinned checksums when they
are written; held-out images come from the instructor's secret seed at ``tfcourse heldout export``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tfcourse.data import composites, fashion_mnist
from tfcourse.data.composites import FASHION_CLASSES, CompositeStyle
from tfcourse.data.image_folders import manifest_matches, read_image_folders
from tfcourse.data.registry import Arrays, DataUnavailable, DatasetSpec, fetch_files, register


@dataclass(frozen=True)
class ProductPhotoSet:
    """A generated image-folder set; ``per_class`` gives each split's images per class."""

    name: str
    fashion_labels: tuple[int, ...]
    per_class: dict[str, int]
    seeds: dict[str, int]
    digests: dict[str, str]  # the pinned SHA-256 of each public split's manifest
    image_size: tuple[int, int] = (96, 96)  # what load() and the grader resize to, as the notebooks do
    style: CompositeStyle = field(default_factory=CompositeStyle)

    def __post_init__(self):
        # Class index i is the i-th class name in alphabetical order: the order in which
        # image_dataset_from_directory numbers the folders it finds.
        ordered = tuple(sorted(self.fashion_labels, key=lambda label: FASHION_CLASSES[label]))
        object.__setattr__(self, "fashion_labels", ordered)

    @property
    def class_names(self) -> tuple[str, ...]:
        """Folder names, alphabetical (label i is folder i, as Keras' loader counts them)."""
        return tuple(FASHION_CLASSES[label] for label in self.fashion_labels)

    def _composites(self, paths: dict[str, Path], split: str, seed: int):
        items_split = composites.HELDOUT_ITEMS_SPLIT if split == "test" else split
        articles, labels = fashion_mnist.SPEC.read(fetch_files(fashion_mnist.SPEC), items_split)
        rng = np.random.default_rng(seed)
        chosen = composites.pick_articles(articles, labels, self.fashion_labels, self.per_class[split], rng)
        return composites.generate(chosen, composites.load_backgrounds(paths), rng, self.style)

    def write_split(self, paths: dict[str, Path], split: str, root: Path) -> None:
        """Make ``root`` hold a public split: kept when it matches its pinned checksum, else generated."""
        if manifest_matches(root, self.digests[split]):
            return
        staging = root.with_name(root.name + ".part")
        shutil.rmtree(staging, ignore_errors=True)
        digest = self._write(paths, split, self.seeds[split], staging)
        if digest != self.digests[split]:
            shutil.rmtree(staging, ignore_errors=True)
            raise DataUnavailable(f"generated {self.name}/{split} does not match its pinned checksum "
                                  f"(got {digest}); a different Pillow or NumPy version draws other images")
        shutil.rmtree(root, ignore_errors=True)
        staging.rename(root)

    def heldout(self, paths: dict[str, Path], seed: int) -> Arrays:
        """Held-out images from a secret seed, read as the notebooks read image folders."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix=f"tfcourse-{self.name}-") as scratch:
            root = Path(scratch) / "test"
            self._write(paths, "test", seed, root)
            return read_image_folders(root, self.class_names, self.image_size, grayscale=self.style.grayscale)

    def _write(self, paths: dict[str, Path], split: str, seed: int, root: Path) -> str:
        from tqdm.auto import tqdm

        total = self.per_class[split] * len(self.fashion_labels)
        with tqdm(total=total, desc=f"{self.name}/{split}", unit="image", leave=False, disable=total < 2000) as bar:
            return composites.write_folders(self._composites(paths, split, seed), root, self.class_names, bar)

    def read(self, paths: dict[str, Path], split: str) -> Arrays:
        """A public split decoded at ``image_size`` (``paths`` is unused: the files come from the folders)."""
        from tfcourse.data import image_directory

        return read_image_folders(image_directory(self.name, split), self.class_names, self.image_size,
                                  grayscale=self.style.grayscale)

    def spec(self, description: str, notes: str) -> DatasetSpec:
        """The registry entry of this set."""
        channels = 1 if self.style.grayscale else 3
        return DatasetSpec(
            name=self.name,
            description=description,
            provenance=composites.PHOTO_PROVENANCE,
            license="MIT (Fashion-MNIST) and BSD-3-Clause (scikit-image sample photos)",
            files=composites.BACKGROUND_FILES,
            read=self.read,
            example_shape=(*self.image_size, channels),
            example_dtype="uint8",
            class_names=self.class_names,
            splits=("train", "validation"),
            notes=notes,
            folders=self.write_split,
            heldout=self.heldout,
        )


SNEAKERS_OR_BOOTS = ProductPhotoSet(
    name="sneakers_or_boots",
    fashion_labels=(7, 9),
    per_class={"train": 1000, "validation": 250, "test": 250},
    seeds={"train": 21, "validation": 22},
    digests={"train": "3aa65e2950c321d8765753b01f8ca66a01f370301177e9ed89bbb2df8da123b7",
             "validation": "667657d4732c4e5ee65cc3d88736a2d92558c8b60dd85fbc6c34fb28f33761ad"},
)

SPECS = {
    photo_set.name: register(photo_set.spec(description, notes))
    for photo_set, description, notes in (
        (SNEAKERS_OR_BOOTS,
         "sneaker or ankle boot? 2,500 colour photos of varying size (96-144 px), JPEG and PNG, on real backgrounds",
         "train 2,000 and validation 500 images, half per class; held-out 500 images from the instructor's seed"),
    )
}
