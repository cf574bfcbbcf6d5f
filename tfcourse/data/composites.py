"""Real-world-style photo sets built offline: product photos composited onto crops of real photographs.

No package reachable offline ships a real-photo classification set of useful size, so Course 2's
image sets are built from real photographic material that the setup installs: Fashion-MNIST's
product photos (real photos of Zalando articles, downscaled to 28x28) are tinted, scaled, rotated,
sometimes mirrored and placed at a random position on a random crop of one of scikit-image's
sample photographs. Every image is a JPEG or PNG file of its own size, in a folder named after its
class, the layout of the original course's cats-vs-dogs and horses-or-humans sets.

Each split draws its articles from its own Fashion-MNIST split (train, validation, and the
official test images for held-out data), so no article appears in two splits. Generation is
deterministic for a seed: the public splits use fixed seeds and are verified against pinned
checksums; held-out images use a seed only the instructor's installation holds.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.data.registry import DataFile
from tfcourse.data.sources import PackageResource

FASHION_CLASSES = ("t_shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot")

# scikit-image's sample photographs (name -> SHA-256); each one is cropped into many backgrounds.
BACKGROUND_PHOTOS = {
    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    "brick.png": "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf",
    "camera.png": "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
    "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    "coins.png": "f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba",
    "grass.png": "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89",
    "gravel.png": "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12",
    "hubble_deep_field.jpg": "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
    "ihc.png": "f8dd1aa387ddd1f49d8ad13b50921b237df8e9b262606d258770687b0ef93cef",
    "moon.png": "78739619d11f7eb9c165bb5d2efd4772cee557812ec847532dbb1d92ef71f577",
    "motorcycle_left.png": "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
    "motorcycle_right.png": "5fc913ae870e42a4b662314bc904d1786bcad8e2f0b9b67dba5a229406357797",
    "retina.jpg": "38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6",
    "rocket.jpg": "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
    "clock_motion.png": "f029226b28b642e80113d86622e9b215ee067a0966feaf5e60604a1e05733955",
}
BACKGROUND_FILES = tuple(
    DataFile(name=f"background_{name}", sha256=digest, sources=(PackageResource("skimage", f"data/{name}"),))
    for name, digest in BACKGROUND_PHOTOS.items()
)
PHOTO_PROVENANCE = ("Fashion-MNIST product photos (Zalando Research, MIT) composited onto crops of "
                    "scikit-image's sample photographs (BSD-3-Clause; public-domain and CC0 photos)")
HELDOUT_ITEMS_SPLIT = "test"  # held-out images use Fashion-MNIST's official test articles


@dataclass(frozen=True)
class CompositeStyle:
    """How varied the composites are: canvas sizes, article scale, rotation, mirroring, file formats."""

    canvas_sizes: tuple[tuple[int, int], ...] = ((96, 96), (112, 128), (128, 112), (128, 128), (120, 144), (144, 120))
    scale: tuple[float, float] = (0.7, 0.95)  # article height as a share of the canvas' shorter side
    tint: tuple[float, float] = (0.5, 1.0)  # each colour channel of the article is scaled by this much
    background_blur: tuple[float, float] = (1.0, 3.0)  # Gaussian radius: the product in focus, the scene behind not
    background_brightness: tuple[float, float] = (1.0, 1.0)  # below 1 dims the scene behind the product
    max_rotation: float = 30.0  # degrees, either way
    mirror: bool = True
    grayscale: bool = False
    jpeg_share: float = 0.7  # the rest are PNG files
    jpeg_quality: tuple[int, int] = (75, 95)


# Products in front of dimmed, blurred scenes: the look of the pre-trained base's material and C2W3's photos.
DIMMED_SCENES = CompositeStyle(background_blur=(2.0, 4.0), background_brightness=(0.3, 0.6))

# Course 1's small grayscale photos: smaller files, a softer background, the product turned up to 20 degrees.
SMALL_GRAYSCALE = CompositeStyle(canvas_sizes=((64, 64), (72, 80), (80, 72), (96, 96)), tint=(0.6, 1.0),
                                 background_blur=(1.5, 3.0), background_brightness=(0.5, 0.9), max_rotation=20.0,
                                 grayscale=True)


@dataclass(frozen=True)
class Composite:
    """One generated image: its encoded file bytes, file suffix and class index."""

    data: bytes
    suffix: str
    label: int


def load_backgrounds(paths: dict[str, Path]) -> list[np.ndarray]:
    """The background photographs as RGB uint8 arrays (grayscale photos repeated on three channels)."""
    from PIL import Image

    photos = []
    for data_file in BACKGROUND_FILES:
        with Image.open(paths[data_file.name]) as image:
            photos.append(np.asarray(image.convert("RGB"), dtype=np.uint8))
    return photos


def _background(photos: list[np.ndarray], rng: np.random.Generator, size: tuple[int, int]):
    from PIL import Image

    photo = photos[rng.integers(len(photos))]
    height, width = size
    rows, cols = photo.shape[:2]
    # A crop of the photo, between the canvas' size and half the photo, so textures vary in scale.
    zoom = rng.uniform(1.0, max(1.0, min(rows / height, cols / width) * 0.6))
    crop_h, crop_w = min(rows, int(height * zoom)), min(cols, int(width * zoom))
    top, left = rng.integers(rows - crop_h + 1), rng.integers(cols - crop_w + 1)
    crop = Image.fromarray(photo[top:top + crop_h, left:left + crop_w])
    return crop.resize((width, height), Image.BILINEAR)


def compose(article: np.ndarray, photos: list[np.ndarray], rng: np.random.Generator, style: CompositeStyle):
    """One article (28x28 uint8, black background) tinted, transformed and pasted onto a background crop."""
    from PIL import Image, ImageEnhance, ImageFilter

    height, width = style.canvas_sizes[rng.integers(len(style.canvas_sizes))]
    canvas = _background(photos, rng, (height, width))
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(*style.background_blur)))
    if style.background_brightness != (1.0, 1.0):
        canvas = ImageEnhance.Brightness(canvas).enhance(rng.uniform(*style.background_brightness))
    side = int(min(height, width) * rng.uniform(*style.scale))
    tint = rng.uniform(*style.tint, size=3)
    intensity = article.astype(np.float32) / 255.0
    colour = (intensity[..., None] * tint * 255).astype(np.uint8)
    alpha = (np.clip(intensity * 4.0, 0.0, 1.0) * 255).astype(np.uint8)  # the article's black surround is clear
    sprite = Image.fromarray(np.dstack([colour, alpha]), mode="RGBA").resize((side, side), Image.BICUBIC)
    if style.mirror and rng.random() < 0.5:
        sprite = sprite.transpose(Image.FLIP_LEFT_RIGHT)
    sprite = sprite.rotate(rng.uniform(-style.max_rotation, style.max_rotation), resample=Image.BILINEAR, expand=True)
    left = int(rng.integers(-sprite.width // 6, max(1, width - sprite.width * 5 // 6)))
    top = int(rng.integers(-sprite.height // 6, max(1, height - sprite.height * 5 // 6)))
    canvas.paste(sprite, (left, top), sprite)
    return canvas.convert("L") if style.grayscale else canvas


def encode(image, rng: np.random.Generator, style: CompositeStyle) -> tuple[bytes, str]:
    """The image as JPEG (of a random quality) or PNG bytes."""
    buffer = io.BytesIO()
    if rng.random() < style.jpeg_share:
        image.save(buffer, format="JPEG", quality=int(rng.integers(*style.jpeg_quality)))
        return buffer.getvalue(), ".jpg"
    image.save(buffer, format="PNG", compress_level=1)  # lossless either way; level 1 encodes 6x faster
    return buffer.getvalue(), ".png"


def pick_articles(images: np.ndarray, labels: np.ndarray, fashion_labels: tuple[int, ...], per_class: int,
                  rng: np.random.Generator) -> Iterator[tuple[np.ndarray, int]]:
    """``per_class`` distinct articles of each chosen Fashion-MNIST label, as (article, class index), interleaved."""
    chosen = []
    for class_index, fashion_label in enumerate(fashion_labels):
        pool = np.flatnonzero(labels == fashion_label)
        if len(pool) < per_class:
            raise ValueError(f"only {len(pool)} articles of label {fashion_label}; {per_class} needed")
        chosen.append([(images[i], class_index) for i in rng.choice(pool, size=per_class, replace=False)])
    for group in zip(*chosen):
        yield from group


def generate(articles: Iterator[tuple[np.ndarray, int]], photos: list[np.ndarray], rng: np.random.Generator,
             style: CompositeStyle) -> Iterator[Composite]:
    """Composite every article in turn; deterministic for the generator's state."""
    for article, label in articles:
        data, suffix = encode(compose(article, photos, rng, style), rng, style)
        yield Composite(data, suffix, label)


def write_folders(composites: Iterator[Composite], root: Path, class_names: tuple[str, ...],
                  progress=None) -> str:
    """Write composites as ``root/<class>/<index>.<suffix>`` and a manifest; return the manifest's SHA-256."""
    lines = []
    for index, composite in enumerate(composites):
        relative = Path(class_names[composite.label]) / f"{index:05d}{composite.suffix}"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(composite.data)
        lines.append(f"{hashlib.sha256(composite.data).hexdigest()}  {relative}")
        if progress is not None:
            progress.update(1)
    manifest = "\n".join(lines) + "\n"
    from tfcourse.data.image_folders import MANIFEST

    (root / MANIFEST).write_text(manifest)
    return hashlib.sha256(manifest.encode()).hexdigest()


def render_arrays(articles: Iterator[tuple[np.ndarray, int]], photos: list[np.ndarray], rng: np.random.Generator,
                  style: CompositeStyle, size: tuple[int, int], progress=None) -> tuple[np.ndarray, np.ndarray]:
    """Composites rendered straight to RGB uint8 arrays of one size, never encoded as files (training material)."""
    from PIL import Image

    images, labels = [], []
    for article, label in articles:
        image = compose(article, photos, rng, style).convert("RGB").resize(size[::-1], Image.BILINEAR)
        images.append(np.asarray(image, dtype=np.uint8))
        labels.append(label)
        if progress is not None:
            progress.update(1)
    return np.stack(images), np.asarray(labels, dtype=np.uint8)


def decode_grayscale_arrays(composites: Iterator[Composite], size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Composites decoded and resized to one size as uint8 arrays (for sets served as arrays or CSV)."""
    from PIL import Image

    images, labels = [], []
    for composite in composites:
        with Image.open(io.BytesIO(composite.data)) as image:
            images.append(np.asarray(image.convert("L").resize(size[::-1], Image.BILINEAR), dtype=np.uint8))
        labels.append(composite.label)
    return np.stack(images), np.asarray(labels, dtype=np.uint8)
