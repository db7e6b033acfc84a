"""Image data sets: scikit-learn digits, MNIST from IDX files, CIFAR-10 from the python tarball.

Every loader returns an :class:`ImageData` with ``float32`` images in
``[0, 1]``, shape ``[N, C, H, W]``, and ``int64`` labels, shape ``[N]``.
"""

from __future__ import annotations

import gzip
import io
import logging
import pickle
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lgcore.data.files import DataFile, fetch

logger = logging.getLogger(__name__)

MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
# sha256 of the decompressed IDX bytes: the .gz headers differ between mirrors.
MNIST_FILES = {
    ("train", "images"): DataFile("mnist", "train-images-idx3-ubyte.gz", MNIST_URL + "train-images-idx3-ubyte.gz",
                                  "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", True),
    ("train", "labels"): DataFile("mnist", "train-labels-idx1-ubyte.gz", MNIST_URL + "train-labels-idx1-ubyte.gz",
                                  "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", True),
    ("test", "images"): DataFile("mnist", "t10k-images-idx3-ubyte.gz", MNIST_URL + "t10k-images-idx3-ubyte.gz",
                                 "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", True),
    ("test", "labels"): DataFile("mnist", "t10k-labels-idx1-ubyte.gz", MNIST_URL + "t10k-labels-idx1-ubyte.gz",
                                 "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", True),
}

CIFAR10_OFFICIAL = DataFile("cifar10", "cifar-10-python.tar.gz",
                            "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce")
# The offline subset kept for CI: the first 2,000 training and 1,000 test images in the official layout.
CIFAR10_SUBSET = DataFile("cifar10-subset", "cifar-10-subset-python.tar.gz", None,
                          "2c6d287728196a875ec5bf7996debdb38cce583bccd3d904d70b053a29ba075b")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

SPLITS = ("train", "test")


@dataclass(frozen=True)
class ImageData:
    """Images ``[N, C, H, W]`` (float32 in [0, 1]), labels ``[N]`` (int64) and class names."""

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: torch.Tensor | np.ndarray | slice) -> "ImageData":
        """Return the images and labels at ``index``."""
        return ImageData(self.images[index], self.labels[index], self.classes)


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    return split


def load_digits() -> ImageData:
    """Load scikit-learn's 1,797 bundled 8x8 digits (offline), scaled from 0..16 to [0, 1]."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    return ImageData(images, torch.tensor(bunch.target, dtype=torch.int64), tuple(str(d) for d in range(10)))


def read_idx(payload: bytes) -> np.ndarray:
    """Parse an IDX file (the MNIST format) of unsigned bytes into an array of its stated shape."""
    if len(payload) < 4 or payload[0] != 0 or payload[1] != 0:
        raise ValueError("not an IDX file: the first two bytes must be zero")
    if payload[2] != 0x08:
        raise ValueError(f"IDX type code {payload[2]:#x} is not supported; only unsigned bytes (0x08) are")
    dims = payload[3]
    header = 4 + 4 * dims
    shape = tuple(int.from_bytes(payload[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    expected = int(np.prod(shape)) if shape else 0
    if len(payload) - header != expected:
        raise ValueError(f"IDX payload has {len(payload) - header} bytes but its header gives the shape {shape}; "
                         "the file is truncated or corrupt")
    return np.frombuffer(payload, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(split: str = "test") -> ImageData:
    """Load MNIST's ``train`` (60,000) or ``test`` (10,000) split from its IDX files.

    Offline, only the test split may be available; split it into a training
    and a held-out part with :func:`lgcore.data.split`.
    """
    _check_split(split)
    arrays = {}
    for part in ("images", "labels"):
        path = fetch(MNIST_FILES[(split, part)])
        arrays[part] = read_idx(gzip.decompress(path.read_bytes()))
    images = torch.from_numpy(arrays["images"].astype(np.float32) / 255.0).unsqueeze(1)
    labels = torch.from_numpy(arrays["labels"].astype(np.int64))
    if len(images) != len(labels):
        raise ValueError(f"MNIST {split}: {len(images)} images but {len(labels)} labels")
    return ImageData(images, labels, tuple(str(d) for d in range(10)))


def _cifar_archive() -> Path:
    """Return the official tarball (local, else downloaded), or the offline subset when no download is possible."""
    try:
        return fetch(CIFAR10_OFFICIAL)
    except FileNotFoundError as missing_official:
        try:
            subset = fetch(CIFAR10_SUBSET, download=False)
        except FileNotFoundError:
            raise missing_official from None
    logger.warning("CIFAR-10: the official tarball is not available, so the offline subset %s is used "
                   "(2,000 training and 1,000 test images)", subset)
    return subset


def load_cifar10(split: str = "test", archive: str | Path | None = None) -> ImageData:
    """Load CIFAR-10 from the official ``cifar-10-python.tar.gz``, or the offline subset.

    The official tarball is used when it is found locally or can be
    downloaded; otherwise the offline subset, with a logged warning.

    The tarball's sha256 is checked before any batch is unpickled. The number
    of images is read from each batch, so subsets load as well as the full set.
    ``archive`` loads a given tarball, which must match one of the pinned hashes.
    """
    _check_split(split)
    if archive is None:
        path = _cifar_archive()
    else:
        path = Path(archive)
        from lgcore.data.files import sha256_of

        if sha256_of(path) not in {CIFAR10_OFFICIAL.sha256, CIFAR10_SUBSET.sha256}:
            raise ValueError(f"{path} matches neither the official CIFAR-10 tarball nor the offline subset by sha256")

    wanted = ["test_batch"] if split == "test" else [f"data_batch_{i}" for i in range(1, 6)]
    images, labels = [], []
    with tarfile.open(path, "r:gz") as archive_file:
        members = {Path(member.name).name: member for member in archive_file.getmembers() if member.isfile()}
        for name in wanted:
            if name not in members:
                continue  # the offline subset contains data_batch_1 only
            batch = pickle.load(io.BytesIO(archive_file.extractfile(members[name]).read()), encoding="bytes")
            data = np.asarray(batch[b"data"], dtype=np.uint8)
            images.append(data.reshape(len(data), 3, 32, 32))
            labels.append(np.asarray(batch[b"labels"], dtype=np.int64))
    if not images:
        raise ValueError(f"{path} contains no {split} batch of CIFAR-10; use the official cifar-10-python.tar.gz")
    stacked = torch.from_numpy(np.concatenate(images).astype(np.float32) / 255.0)
    return ImageData(stacked, torch.from_numpy(np.concatenate(labels)), CIFAR10_CLASSES)
