"""Course 2's image sets: products photographed on real-world backgrounds (see :mod:`tfcourse.data.composites`).

Each set names the Fashion-MNIST classes it shows, how many images each split has per class and
the seed of each public split. The public splits are checked against pinned checksums when they
are written; held-out images come from the instructor's secret seed at ``tfcourse heldout export``.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tfcourse.data import cache, composites, fashion_mnist
from tfcourse.data.composites import FASHION_CLASSES, CompositeStyle
from tfcourse.data.image_folders import manifest_matches, read_image_folders
from tfcourse.data.registry import Arrays, DatasetSpec, DataUnavailable, fetch_files, register


def alphabetical(fashion_labels: tuple[int, ...]) -> tuple[int, ...]:
    """Fashion-MNIST labels ordered by class name: class index i is then the i-th folder Keras finds."""
    return tuple(sorted(fashion_labels, key=lambda label: FASHION_CLASSES[label]))


def product_composites(paths: dict[str, Path], fashion_labels: tuple[int, ...], per_class: int, split: str,
                       seed: int, style: CompositeStyle):
    """Composites of ``per_class`` articles per label from the split's own articles ("test": held-out ones)."""
    items_split = composites.HELDOUT_ITEMS_SPLIT if split == "test" else split
    articles, labels = fashion_mnist.SPEC.read(fetch_files(fashion_mnist.SPEC), items_split)
    rng = np.random.default_rng(seed)
    chosen = composites.pick_articles(articles, labels, fashion_labels, per_class, rng)
    return composites.generate(chosen, composites.load_backgrounds(paths), rng, style)


@dataclass(frozen=True)
class GeneratedProducts:
    """What every generated set names: its Fashion-MNIST classes, images per class in each split, the
    seed of each public split and the pinned SHA-256 of each public split's files.

    Subclasses say how a split is written (``write_split``), read back (``read``) and drawn for the
    held-out store (``heldout``), and what one example looks like (``example_shape``).
    """

    name: str
    fashion_labels: tuple[int, ...]
    per_class: dict[str, int]
    seeds: dict[str, int]
    digests: dict[str, str]
    heldout_draws_as: str = ""  # another set's name: draw its held-out examples (same classes, style and size)

    def __post_init__(self):
        object.__setattr__(self, "fashion_labels", alphabetical(self.fashion_labels))

    @property
    def class_names(self) -> tuple[str, ...]:
        """Class names, alphabetical (label i is folder i, as Keras' loader counts them)."""
        return tuple(FASHION_CLASSES[label] for label in self.fashion_labels)

    def _composites(self, paths: dict[str, Path], split: str, seed: int):
        return product_composites(paths, self.fashion_labels, self.per_class[split], split, seed, self.style)

    def spec(self, description: str, notes: str) -> DatasetSpec:
        """The registry entry of this set."""
        return DatasetSpec(
            name=self.name,
            description=description,
            provenance=composites.PHOTO_PROVENANCE,
            license="MIT (Fashion-MNIST) and BSD-3-Clause (scikit-image sample photos)",
            files=composites.BACKGROUND_FILES,
            read=self.read,
            example_shape=self.example_shape,
            example_dtype="uint8",
            class_names=self.class_names,
            splits=("train", "validation"),
            notes=notes,
            split_files=self.write_split,
            heldout=self.heldout,
            heldout_draws_as=self.heldout_draws_as,
        )


@dataclass(frozen=True)
class ProductPhotoSet(GeneratedProducts):
    """A generated image-folder set: JPEG and PNG files of varying size, one folder per class."""

    image_size: tuple[int, int] = (96, 96)  # what load() and the grader resize to, as the notebooks do
    style: CompositeStyle = field(default_factory=CompositeStyle)

    @property
    def example_shape(self) -> tuple[int, ...]:
        return (*self.image_size, 1 if self.style.grayscale else 3)

    def write_split(self, paths: dict[str, Path], split: str, root: Path) -> None:
        """Make ``root`` hold a public split: kept when it matches its pinned checksum, else generated."""
        if manifest_matches(root, self.digests[split]):
            return
        staging = root.with_name(root.name + ".part")
        shutil.rmtree(staging, ignore_errors=True)
        digest = self.write(paths, split, self.seeds[split], staging)
        if digest != self.digests[split]:
            shutil.rmtree(staging, ignore_errors=True)
            raise DataUnavailable(f"generated {self.name}/{split} does not match its pinned checksum "
                                  f"(got {digest}); a different Pillow or NumPy version draws other images")
        shutil.rmtree(root, ignore_errors=True)
        staging.rename(root)

    def heldout(self, paths: dict[str, Path], seed: int) -> Arrays:
        """Held-out images from a secret seed, read as the notebooks read image folders."""
        return self.draw(paths, "test", seed)

    def draw(self, paths: dict[str, Path], split: str, seed: int) -> Arrays:
        """Images of ``split``'s articles drawn from ``seed``, written as files and read back as the notebooks
        read image folders."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix=f"tfcourse-{self.name}-") as scratch:
            root = Path(scratch) / split
            self.write(paths, split, seed, root)
            return read_image_folders(root, self.class_names, self.image_size, grayscale=self.style.grayscale)

    def write(self, paths: dict[str, Path], split: str, seed: int, root: Path) -> str:
        """Write the images of ``split``'s articles drawn from ``seed`` as class folders under ``root``; the
        SHA-256 of their manifest."""
        from tqdm.auto import tqdm

        total = self.per_class[split] * len(self.fashion_labels)
        with tqdm(total=total, desc=f"{self.name}/{split}", unit="image", leave=False, disable=total < 2000) as bar:
            return composites.write_folders(self._composites(paths, split, seed), root, self.class_names, bar)

    def read(self, paths: dict[str, Path], split: str) -> Arrays:
        """A public split decoded at ``image_size`` (``paths`` is unused: the files come from the folders)."""
        from tfcourse.data import split_files_dir

        return read_image_folders(split_files_dir(self.name, split), self.class_names, self.image_size,
                                  grayscale=self.style.grayscale)


@dataclass(frozen=True)
class ProductPixelTable(GeneratedProducts):
    """A generated multi-class set served as CSV files of small grayscale images, like sign-language MNIST.

    Each row is ``label,pixel1,...,pixelN`` (row-major, 0-255) after a header line.
    """

    side: int = 28
    style: CompositeStyle = field(default_factory=lambda: CompositeStyle(
        canvas_sizes=((56, 56), (64, 64), (72, 72)), scale=(0.8, 1.0), tint=(0.85, 1.0), max_rotation=15.0,
        background_blur=(2.0, 4.0), background_brightness=(0.3, 0.6), grayscale=True, jpeg_share=0.0))

    @property
    def example_shape(self) -> tuple[int, ...]:
        return (self.side, self.side)

    def _arrays(self, paths: dict[str, Path], split: str, seed: int) -> Arrays:
        return composites.decode_grayscale_arrays(self._composites(paths, split, seed), (self.side, self.side))

    def write_split(self, paths: dict[str, Path], split: str, root: Path) -> None:
        """Make ``root/<split>.csv`` hold a public split: kept when it matches its pin, else generated and checked."""
        target = root / f"{split}.csv"
        if cache.is_valid(target, self.digests[split]):
            return
        x, y = self.draw(paths, split, self.seeds[split])
        header = "label," + ",".join(f"pixel{i + 1}" for i in range(self.side * self.side))
        rows = np.column_stack([y.astype(np.int64), x.reshape(len(x), -1).astype(np.int64)])
        buffer = io.StringIO()
        np.savetxt(buffer, rows, fmt="%d", delimiter=",", header=header, comments="")
        root.mkdir(parents=True, exist_ok=True)
        try:
            cache.write_verified(target, self.digests[split], lambda dest: dest.write_text(buffer.getvalue()))
        except cache.ChecksumMismatch as error:
            raise DataUnavailable(f"generated {self.name}/{split} does not match its pinned checksum ({error}); "
                                  f"a different Pillow or NumPy version draws other images") from None

    def read(self, paths: dict[str, Path], split: str) -> Arrays:
        """A public split as ``(images of side x side, labels)`` uint8 arrays, parsed from its CSV file."""
        from tfcourse.data import csv_file

        table = np.loadtxt(csv_file(self.name, split), delimiter=",", skiprows=1, dtype=np.uint8)
        return table[:, 1:].reshape(-1, self.side, self.side), table[:, 0]

    def heldout(self, paths: dict[str, Path], seed: int) -> Arrays:
        """Held-out images from a secret seed, as the CSV files would hold them."""
        return self.draw(paths, "test", seed)

    def draw(self, paths: dict[str, Path], split: str, seed: int) -> Arrays:
        """Images of ``split``'s articles drawn from ``seed``, as the CSV files would hold them."""
        return self._arrays(paths, split, seed)


# Course 1's first real-world photos (C1W4): small, grayscale, two garments that differ in shape.
DRESSES_OR_TROUSERS = ProductPhotoSet(
    name="dresses_or_trousers",
    fashion_labels=(1, 3),
    per_class={"train": 300, "validation": 100, "test": 250},
    seeds={"train": 71, "validation": 72},
    digests={"train": "716622b1d275d891fa525b7f870e8e32f98b183217745e1479e783f141cde40c",
             "validation": "f2df547a0789f99361b7d776f86a12f88403f1867a7fb59718abe8026283ea09"},
    image_size=(48, 48),
    style=composites.SMALL_GRAYSCALE,
)

SNEAKERS_OR_BOOTS = ProductPhotoSet(
    name="sneakers_or_boots",
    fashion_labels=(7, 9),
    per_class={"train": 1000, "validation": 250, "test": 500},
    seeds={"train": 21, "validation": 22},
    digests={"train": "50c64ace47ee81ac1698543803184a3b17bb64553c7ecf18e84dd64971f1adbc",
             "validation": "51514b0b51b9af99ef4a7f65cc519695ca2e569a95ccf2ea3a3cf34d3263c4cc"},
)

# Week 2's deliberately small training set: too few photos for the variety, so models overfit
# unless augmentation shows them more of it.
SNEAKERS_OR_BOOTS_SMALL = ProductPhotoSet(
    name="sneakers_or_boots_small",
    fashion_labels=(7, 9),
    per_class={"train": 150, "validation": 250, "test": 500},
    heldout_draws_as="sneakers_or_boots",
    seeds={"train": 31, "validation": 32},
    digests={"train": "1541e8fbf74efebadc25eb9aaa42f78472021c233fa155420cb5ba5bcdf1eef2",
             "validation": "5d6582273c2e25184ba49fcfe07e6ac547b5f1e97e44478839ad8ba43d150617"},
)

PRODUCTS_28X28 = ProductPixelTable(
    name="products_28x28",
    fashion_labels=tuple(range(10)),
    per_class={"train": 1000, "validation": 200, "test": 200},
    seeds={"train": 41, "validation": 42},
    digests={"train": "c74fc265380b47627b0bc84cec02e075d3c9300bff0dfd6c6a30c6e5377e6bca",
             "validation": "629ec7584f748f8961c8388c5927ae956a710b3ae1f5dabfcc0ac8bd09a3174d"},
)

# Week 3's transfer-learning set: three classes the pre-trained base never saw (tfcourse.pretrained),
# too few photos to learn them from scratch in the time the notebook trains.
DRESSES_SANDALS_BAGS = ProductPhotoSet(
    name="dresses_sandals_bags",
    fashion_labels=(3, 5, 8),
    per_class={"train": 30, "validation": 100, "test": 200},
    seeds={"train": 51, "validation": 52},
    digests={"train": "f1705f00894be0b96b946802e64608bce0fd3efd77ecf61fd3e90861c77172a6",
             "validation": "4c7ac67bccfa1cfb144d6a53fef1714ef7bb4722032a23ca86de66a7c9d5910d"},
    style=composites.DIMMED_SCENES,
)

# Many classes from folders (C2W4B): four products that differ in shape, in front of dimmed scenes so that a
# network trained from scratch learns them in the notebook's time; labels one-hot from the folders.
FOUR_PRODUCTS = ProductPhotoSet(
    name="four_products",
    fashion_labels=(0, 1, 7, 8),
    per_class={"train": 250, "validation": 75, "test": 150},
    seeds={"train": 61, "validation": 62},
    digests={"train": "2d45a507f88b0d4004794dd9bb396e05046bd5c531448443f1fe57475964d0c4",
             "validation": "86d6a333c9b723e810dc0d38f00f164b493ae0054dff934348867f1b90d4ac55"},
    image_size=(64, 64),
    style=composites.DIMMED_SCENES,
)

SPECS = {
    photo_set.name: register(photo_set.spec(description, notes))
    for photo_set, description, notes in (
        (DRESSES_OR_TROUSERS,
         "dress or trouser? 800 grayscale photos of varying size (64-96 px), JPEG and PNG, on real backgrounds",
         "train 600 and validation 200 images, half per class; held-out 500 images from the instructor's seed"),
        (SNEAKERS_OR_BOOTS,
         "sneaker or ankle boot? 2,500 colour photos of varying size (96-144 px), JPEG and PNG, on real backgrounds",
         "train 2,000 and validation 500 images, half per class; held-out 1,000 images from the instructor's seed"),
        (SNEAKERS_OR_BOOTS_SMALL,
         "sneaker or ankle boot? only 300 training photos (and 500 for validation), made as sneakers_or_boots",
         "train 300 and validation 500 images, half per class; held-out 1,000 images from the instructor's seed, the "
         "same as sneakers_or_boots'"),
        (PRODUCTS_28X28,
         "10 kinds of product, 28x28 grayscale photos on real backgrounds, as CSV rows of pixels (sign-language MNIST's "
         "layout)",
         "train 10,000 and validation 2,000 rows, balanced; held-out 2,000 images from the instructor's seed"),
        (DRESSES_SANDALS_BAGS,
         "dress, sandal or bag? 90 training photos of varying size (96-144 px) in front of dimmed real scenes",
         "train 90 and validation 300 images, a third per class; held-out 600 images from the instructor's seed"),
        (FOUR_PRODUCTS,
         "bag, sneaker, T-shirt or trouser? 1,300 colour photos of varying size (96-144 px), JPEG and PNG, in front "
         "of dimmed real scenes, one folder per class",
         "train 1,000 and validation 300 images, a quarter per class; held-out 600 images from the instructor's seed"),
    )
}
