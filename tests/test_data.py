import gzip
import hashlib
import http.server
import io
import pickle
import re
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from lgcore import data
from lgcore.data import files, images, text
from lgcore.data.files import DataFile

MNIST_TEST_FIRST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
CIFAR_TEST_FIRST_LABELS = [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]


def sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode an array of unsigned bytes in the IDX format: zero, zero, type 0x08, rank, big-endian sizes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_file(folder: Path, relative: str | Path, payload: bytes) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def _unpickled_tripwire():
    raise RuntimeError("the tripwire pickle was unpickled")


class Tripwire:
    """Object whose pickle calls ``_unpickled_tripwire``, so loading the pickle raises."""

    def __reduce__(self):
        return _unpickled_tripwire, ()


def cifar_batch(pixels: np.ndarray, labels: list[int]) -> bytes:
    """Pickle one batch in the layout of the official CIFAR-10 python files (bytes keys, rows of 3072)."""
    return pickle.dumps({b"data": pixels.reshape(len(pixels), -1).astype(np.uint8), b"labels": labels})


def cifar_tarball(batches: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, payload in batches.items():
            member = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            member.size = len(payload)
            archive.addfile(member, io.BytesIO(payload))
    return buffer.getvalue()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("LGCORE_DATA_DIR", str(folder))
    return folder


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}
    requests: list[str] = []

    def do_GET(self):
        self.requests.append(self.path)
        payload = self.routes.get(self.path)
        if payload is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(monkeypatch):
    """Serve ``routes`` (path to bytes) over HTTP on 127.0.0.1 with downloads allowed, and yield the handler class."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("LGCORE_OFFLINE")
    handler = type("Handler", (_Handler,), {"routes": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield handler
    server.shutdown()
    server.server_close()
    thread.join()


# IDX parsing


def test_read_idx_images():
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    parsed = images.read_idx(idx_bytes(array))
    assert parsed.dtype == np.uint8
    np.testing.assert_array_equal(parsed, array)


def test_read_idx_labels():
    labels = np.array([7, 2, 1, 0], dtype=np.uint8)
    np.testing.assert_array_equal(images.read_idx(idx_bytes(labels)), labels)


@pytest.mark.parametrize("payload", [b"", b"\x00\x00\x08", b"\x01\x00\x08\x01\x00\x00\x00\x01\x05",
                                     b"\x00\x02\x08\x01\x00\x00\x00\x01\x05"])
def test_read_idx_rejects_bad_magic(payload):
    with pytest.raises(ValueError, match="not an IDX file: the first two bytes must be zero"):
        images.read_idx(payload)


def test_read_idx_rejects_other_types():
    payload = bytearray(idx_bytes(np.zeros(3, dtype=np.uint8)))
    payload[2] = 0x0D  # float32
    with pytest.raises(ValueError, match=r"IDX type code 0xd is not supported"):
        images.read_idx(bytes(payload))


@pytest.mark.parametrize("extra", [b"", b"\x00\x01"])
def test_read_idx_rejects_wrong_size(extra):
    payload = idx_bytes(np.zeros((2, 3), dtype=np.uint8))
    truncated = payload[:-1] + extra
    with pytest.raises(ValueError, match=rf"IDX payload has {5 + len(extra)} bytes but its header gives the shape \(2, 3\)"):
        images.read_idx(truncated)


# Data files: lookup, hashes, downloads


def test_cache_dir_default(monkeypatch):
    monkeypatch.delenv("LGCORE_CACHE_DIR")
    assert files.cache_dir() == Path.home() / ".cache" / "lgcore"


def test_search_dirs_order(data_dir, tmp_path):
    assert files.search_dirs() == [data_dir, tmp_path / "cache"]


def test_search_dirs_without_data_dir(tmp_path):
    assert files.search_dirs() == [tmp_path / "cache"]


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("YES", True), ("0", False), ("", False)])
def test_offline_values(monkeypatch, value, expected):
    monkeypatch.setenv("LGCORE_OFFLINE", value)
    assert files.offline() is expected


def test_sha256_of_plain_and_gzip(tmp_path):
    payload = b"some bytes"
    path = write_file(tmp_path, "file.gz", gzip.compress(payload))
    assert files.sha256_of(path) == sha256(path.read_bytes())
    assert files.sha256_of(path, decompress=True) == sha256(payload)


def test_relative_path():
    assert DataFile("mnist", "a.gz", None, "0" * 64).relative_path == Path("mnist/a.gz")


def test_fetch_finds_file_in_data_dir(data_dir):
    path = write_file(data_dir, "set/file.bin", b"payload")
    file = DataFile("set", "file.bin", None, sha256(b"payload"))
    assert files.find_local(file) == path
    assert data.fetch(file) == path


def test_fetch_finds_file_in_cache(data_dir, tmp_path):
    path = write_file(tmp_path / "cache", "set/file.bin", b"payload")
    assert data.fetch(DataFile("set", "file.bin", None, sha256(b"payload"))) == path


def test_fetch_prefers_data_dir(data_dir, tmp_path):
    write_file(tmp_path / "cache", "set/file.bin", b"payload")
    path = write_file(data_dir, "set/file.bin", b"payload")
    assert data.fetch(DataFile("set", "file.bin", None, sha256(b"payload"))) == path


def test_fetch_rejects_wrong_hash(data_dir):
    path = write_file(data_dir, "set/file.bin", b"tampered")
    expected = sha256(b"payload")
    file = DataFile("set", "file.bin", "https://example.org/file.bin", expected)
    with pytest.raises(ValueError) as error:
        data.fetch(file)
    message = str(error.value)
    assert f"checksum mismatch for {path}" in message
    assert f"is {sha256(b'tampered')}, expected {expected}" in message
    assert "download it again from https://example.org/file.bin" in message


def test_verify_accepts_matching_file(tmp_path):
    path = write_file(tmp_path, "file.bin", b"payload")
    assert files.verify(path, DataFile("set", "file.bin", None, sha256(b"payload"))) == path


def test_verify_rejects_gzip_with_other_content(tmp_path):
    path = write_file(tmp_path, "file.gz", gzip.compress(b"other"))
    file = DataFile("set", "file.gz", None, sha256(b"payload"), hash_of_decompressed=True)
    with pytest.raises(ValueError, match=f"sha256 of its decompressed bytes is {sha256(b'other')}, "
                                         f"expected {sha256(b'payload')}"):
        files.verify(path, file)


@pytest.mark.parametrize("payload", [b"an uncompressed file", gzip.compress(b"payload" * 100)[:-10]],
                         ids=["uncompressed", "truncated"])
def test_verify_rejects_broken_gzip(tmp_path, payload):
    path = write_file(tmp_path, "file.gz", payload)
    file = DataFile("set", "file.gz", "https://example.org/file.gz", sha256(b"payload"), hash_of_decompressed=True)
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))} is not a gzip file or is truncated .*"
                                         rf"download it again from https://example\.org/file\.gz"):
        files.verify(path, file)


def test_fetch_offline_names_file_and_places(data_dir, tmp_path):
    file = DataFile("set", "file.bin", "https://example.org/file.bin", sha256(b"payload"))
    assert files.find_local(file) is None
    with pytest.raises(FileNotFoundError) as error:
        data.fetch(file)
    message = str(error.value)
    assert "data file set/file.bin not found" in message
    assert f"Put it at {data_dir / 'set/file.bin'} or {tmp_path / 'cache/set/file.bin'}" in message
    assert "download it from https://example.org/file.bin" in message
    assert message == files.missing_message(file) + " Downloads are off because LGCORE_OFFLINE is set."


def test_fetch_without_url(monkeypatch):
    monkeypatch.delenv("LGCORE_OFFLINE")
    file = DataFile("set", "file.bin", None, sha256(b"payload"))
    with pytest.raises(FileNotFoundError, match="this file has no public download address"):
        data.fetch(file)


def test_fetch_download_false(file_server):
    file_server.routes["/file.bin"] = b"payload"
    file = DataFile("set", "file.bin", file_server.base_url + "/file.bin", sha256(b"payload"))
    with pytest.raises(FileNotFoundError, match="data file set/file.bin not found"):
        data.fetch(file, download=False)
    assert file_server.requests == []


def test_fetch_downloads_into_cache(file_server, tmp_path):
    file_server.routes["/file.bin"] = b"payload"
    file = DataFile("set", "file.bin", file_server.base_url + "/file.bin", sha256(b"payload"))
    path = data.fetch(file)
    assert path == tmp_path / "cache" / "set" / "file.bin"
    assert path.read_bytes() == b"payload"

    assert data.fetch(file) == path
    assert file_server.requests == ["/file.bin"]


def test_fetch_download_decompressed_hash(file_server, tmp_path):
    file_server.routes["/file.gz"] = gzip.compress(b"payload", mtime=1)
    file = DataFile("set", "file.gz", file_server.base_url + "/file.gz", sha256(b"payload"), True)
    assert data.fetch(file) == tmp_path / "cache" / "set" / "file.gz"


def test_fetch_download_wrong_hash_removed(file_server, tmp_path):
    file_server.routes["/file.bin"] = b"tampered"
    file = DataFile("set", "file.bin", file_server.base_url + "/file.bin", sha256(b"payload"))
    with pytest.raises(ValueError, match=r"sha256 does not match the pinned value"):
        data.fetch(file)
    assert not (tmp_path / "cache" / "set" / "file.bin").exists()


def test_fetch_download_wrong_decompressed_hash_removed(file_server, tmp_path):
    # pooch cannot check a hash of decompressed bytes, so lgcore verifies after the download.
    file_server.routes["/file.gz"] = gzip.compress(b"tampered")
    file = DataFile("set", "file.gz", file_server.base_url + "/file.gz", sha256(b"payload"), True)
    with pytest.raises(ValueError, match=f"decompressed bytes is {sha256(b'tampered')}"):
        data.fetch(file)
    assert not (tmp_path / "cache" / "set" / "file.gz").exists()


def test_fetch_download_not_gzip_removed(file_server, tmp_path):
    file_server.routes["/file.gz"] = b"<html>an error page</html>"
    file = DataFile("set", "file.gz", file_server.base_url + "/file.gz", sha256(b"payload"), True)
    with pytest.raises(ValueError, match="is not a gzip file"):
        data.fetch(file)
    assert not (tmp_path / "cache" / "set" / "file.gz").exists()


def test_fetch_download_not_found(file_server):
    file = DataFile("set", "file.bin", file_server.base_url + "/absent.bin", sha256(b"payload"))
    with pytest.raises(FileNotFoundError, match=r"data file set/file.bin not found\..* The download failed: "):
        data.fetch(file)


# MNIST


@pytest.fixture
def fake_mnist(data_dir, monkeypatch) -> dict[str, np.ndarray]:
    """Write a 5-image MNIST test split to the data folder and pin its decompressed hashes."""
    rng = np.random.default_rng(0)
    arrays = {"images": rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8),
              "labels": np.array([3, 1, 4, 1, 5], dtype=np.uint8)}
    for part, array in arrays.items():
        original = images.MNIST_FILES[("test", part)]
        payload = idx_bytes(array)
        write_file(data_dir, original.relative_path, gzip.compress(payload, mtime=0))
        monkeypatch.setitem(images.MNIST_FILES, ("test", part),
                            DataFile(original.folder, original.name, None, sha256(payload), True))
    return arrays


def test_load_mnist_fake_files(fake_mnist):
    mnist = data.load_mnist("test")
    assert mnist.images.shape == (5, 1, 28, 28)
    assert mnist.images.dtype == torch.float32
    np.testing.assert_allclose(mnist.images[:, 0].numpy(), fake_mnist["images"] / 255.0, rtol=1e-6)
    assert mnist.labels.tolist() == [3, 1, 4, 1, 5]
    assert mnist.labels.dtype == torch.int64
    assert mnist.classes == tuple("0123456789")


def test_load_mnist_accepts_other_gzip_header(fake_mnist, data_dir):
    path = data_dir / images.MNIST_FILES[("test", "labels")].relative_path
    original = path.read_bytes()
    regzipped = gzip.compress(gzip.decompress(original), mtime=1_234_567)
    assert regzipped != original
    path.write_bytes(regzipped)

    assert data.load_mnist("test").labels.tolist() == [3, 1, 4, 1, 5]


def test_load_mnist_rejects_other_content(fake_mnist, data_dir):
    path = data_dir / images.MNIST_FILES[("test", "labels")].relative_path
    path.write_bytes(gzip.compress(idx_bytes(np.array([3, 1, 4, 1, 6], dtype=np.uint8))))
    with pytest.raises(ValueError, match=r"checksum mismatch .*t10k-labels-idx1-ubyte\.gz.* decompressed bytes"):
        data.load_mnist("test")


def test_load_mnist_rejects_count_mismatch(fake_mnist, data_dir, monkeypatch):
    labels = idx_bytes(np.array([3, 1, 4, 1], dtype=np.uint8))
    original = images.MNIST_FILES[("test", "labels")]
    write_file(data_dir, original.relative_path, gzip.compress(labels))
    monkeypatch.setitem(images.MNIST_FILES, ("test", "labels"),
                        DataFile(original.folder, original.name, None, sha256(labels), True))
    with pytest.raises(ValueError, match="MNIST test: 5 images but 4 labels"):
        data.load_mnist("test")


def test_load_mnist_rejects_bad_split():
    with pytest.raises(ValueError, match="unknown split 'validation'; use one of train, test"):
        data.load_mnist("validation")


def test_load_mnist_offline_missing(data_dir):
    with pytest.raises(FileNotFoundError, match=r"data file mnist/t10k-images-idx3-ubyte\.gz not found"):
        data.load_mnist("test")


def test_load_mnist_test_offline_data(offline_data):
    mnist = data.load_mnist("test")
    assert mnist.images.shape == (10_000, 1, 28, 28)
    assert mnist.images.dtype == torch.float32
    assert mnist.images.min() == 0.0
    assert mnist.images.max() == 1.0
    assert mnist.labels.shape == (10_000,)
    assert mnist.labels[:10].tolist() == MNIST_TEST_FIRST_LABELS
    assert torch.bincount(mnist.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_load_mnist_regzipped_offline_data(offline_data, data_dir):
    # The pinned hashes are of decompressed bytes, so a copy gzipped with another timestamp loads too.
    for part in ("images", "labels"):
        relative = images.MNIST_FILES[("test", part)].relative_path
        original = (offline_data / relative).read_bytes()
        regzipped = gzip.compress(gzip.decompress(original), compresslevel=1, mtime=42)
        assert regzipped != original
        write_file(data_dir, relative, regzipped)
    assert data.load_mnist("test").labels[:10].tolist() == MNIST_TEST_FIRST_LABELS


def test_load_mnist_train_missing_offline(offline_data):
    with pytest.raises(FileNotFoundError, match=r"data file mnist/train-images-idx3-ubyte\.gz not found"):
        data.load_mnist("train")


# CIFAR-10


def test_load_cifar10_subset_offline(offline_data):
    train = data.load_cifar10("train")
    test = data.load_cifar10("test")
    assert train.images.shape == (2_000, 3, 32, 32)
    assert test.images.shape == (1_000, 3, 32, 32)
    assert train.labels.shape == (2_000,)
    assert test.labels[:10].tolist() == CIFAR_TEST_FIRST_LABELS
    for split in (train, test):
        assert split.images.dtype == torch.float32
        assert split.images.min() >= 0.0
        assert split.images.max() <= 1.0
        assert split.labels.dtype == torch.int64
        assert set(split.labels.tolist()) == set(range(10))
        assert split.classes == images.CIFAR10_CLASSES


def test_load_cifar10_archive_argument(offline_data, monkeypatch):
    monkeypatch.delenv("LGCORE_DATA_DIR")
    archive = offline_data / images.CIFAR10_SUBSET.relative_path
    assert data.load_cifar10("test", archive=archive).labels[:10].tolist() == CIFAR_TEST_FIRST_LABELS


def test_tripwire_pickle_raises_when_loaded():
    # The tarball tests below rely on this: unpickling the batch would raise RuntimeError.
    with pytest.raises(RuntimeError, match="tripwire"):
        pickle.loads(pickle.dumps(Tripwire()))


def test_cifar_archive_hash_checked_before_unpickling(tmp_path):
    archive = write_file(tmp_path, "cifar.tar.gz", cifar_tarball({"test_batch": pickle.dumps(Tripwire())}))
    with pytest.raises(ValueError, match=r"matches neither the official CIFAR-10 tarball nor the offline subset"):
        data.load_cifar10("test", archive=archive)


def test_cifar_data_dir_hash_checked_before_unpickling(data_dir):
    payload = cifar_tarball({"test_batch": pickle.dumps(Tripwire())})
    write_file(data_dir, images.CIFAR10_SUBSET.relative_path, payload)
    with pytest.raises(ValueError, match=f"checksum mismatch .* is {sha256(payload)}, "
                                         f"expected {images.CIFAR10_SUBSET.sha256}"):
        data.load_cifar10("test")


def test_load_cifar10_reads_counts(data_dir, monkeypatch):
    pixels = np.arange(5 * 3072, dtype=np.int64).reshape(5, 3072) % 256
    payload = cifar_tarball({"data_batch_1": cifar_batch(pixels[:3], [0, 1, 2]),
                             "data_batch_2": cifar_batch(pixels[3:], [9, 8]),
                             "test_batch": cifar_batch(pixels[:1], [7])})
    write_file(data_dir, images.CIFAR10_SUBSET.relative_path, payload)
    monkeypatch.setattr(images, "CIFAR10_SUBSET", DataFile("cifar10-subset", "cifar-10-subset-python.tar.gz",
                                                           None, sha256(payload)))

    train = data.load_cifar10("train")
    assert train.images.shape == (5, 3, 32, 32)
    assert train.labels.tolist() == [0, 1, 2, 9, 8]
    # A row contains the red plane, then green, then blue, each 32x32 in row-major order.
    assert train.images[1, 2, 0, 5].item() == pytest.approx(((3072 + 2 * 1024 + 5) % 256) / 255)
    assert len(data.load_cifar10("test")) == 1


def test_load_cifar10_missing_batch(data_dir, monkeypatch):
    payload = cifar_tarball({"data_batch_1": cifar_batch(np.zeros((2, 3072)), [0, 1])})
    archive = write_file(data_dir, "subset.tar.gz", payload)
    monkeypatch.setattr(images, "CIFAR10_SUBSET", DataFile("cifar10-subset", "subset.tar.gz", None, sha256(payload)))
    with pytest.raises(ValueError, match=r"subset\.tar\.gz contains no test batch of CIFAR-10"):
        data.load_cifar10("test", archive=archive)


def test_load_cifar10_offline_missing(data_dir):
    with pytest.raises(FileNotFoundError, match=r"data file cifar10/cifar-10-python\.tar\.gz not found.*"
                                                r"www\.cs\.toronto\.edu"):
        data.load_cifar10("test")


def test_load_cifar10_rejects_bad_split():
    with pytest.raises(ValueError, match="unknown split 'val'"):
        data.load_cifar10("val")


# Text


def test_load_tiny_shakespeare_offline(offline_data):
    corpus = data.load_tiny_shakespeare()
    assert len(corpus) == 1_115_394
    assert corpus.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")


def test_load_tiny_shakespeare_missing(data_dir):
    with pytest.raises(FileNotFoundError, match=r"data file tinyshakespeare/input\.txt not found.*char-rnn"):
        text.load_tiny_shakespeare()


# Digits, ImageData and splits


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_load_digits(digits):
    assert digits.images.shape == (1_797, 1, 8, 8)
    assert digits.images.dtype == torch.float32
    assert digits.images.min() == 0.0
    assert digits.images.max() == 1.0
    assert digits.labels.dtype == torch.int64
    assert set(digits.labels.tolist()) == set(range(10))
    assert digits.classes == tuple("0123456789")
    assert len(digits) == 1_797


def test_image_data_subset(digits):
    part = digits.subset(slice(0, 10))
    assert len(part) == 10
    assert torch.equal(part.images, digits.images[:10])
    assert part.classes == digits.classes

    index = torch.tensor([5, 2])
    assert digits.subset(index).labels.tolist() == digits.labels[index].tolist()


def test_split_count_disjoint_complete(digits):
    train, heldout = data.split(digits, 300, seed=1)
    assert len(heldout) == 300
    assert len(train) == len(digits) - 300
    rows = lambda part: {tuple(image.flatten().tolist()) + (int(label),)
                         for image, label in zip(part.images, part.labels)}
    assert rows(train).isdisjoint(rows(heldout))
    assert rows(train) | rows(heldout) == rows(digits)


def test_split_reproducible(digits):
    first = data.split(digits, 0.2, seed=3)
    second = data.split(digits, 0.2, seed=3)
    other = data.split(digits, 0.2, seed=4)
    assert torch.equal(first[1].labels, second[1].labels)
    assert torch.equal(first[0].images, second[0].images)
    assert not torch.equal(first[1].images, other[1].images)


def test_split_fraction(digits):
    _, heldout = data.split(digits, 0.25)
    assert len(heldout) == round(0.25 * 1_797)


@pytest.mark.parametrize("heldout", [0.0, 1.0, 1.5, -0.1])
def test_split_rejects_bad_fraction(digits, heldout):
    with pytest.raises(ValueError, match=f"heldout fraction must be in \\(0, 1\\), got {heldout}"):
        data.split(digits, heldout)


@pytest.mark.parametrize("heldout", [0, 1_797, 2_000, -3, "10", 0.0001])
def test_split_rejects_empty_part(digits, heldout):
    with pytest.raises(ValueError, match=re.escape(f"got {heldout!r} for 1797 examples")):
        data.split(digits, heldout)


def test_parity():
    assert data.parity(torch.arange(6)).tolist() == [0, 1, 0, 1, 0, 1]


# Synthetic clusters


def test_orthogonal_centers_gram():
    centers = data.orthogonal_centers(6, 50, generator=torch.Generator().manual_seed(0))
    assert centers.shape == (6, 50)
    assert centers.dtype == torch.float32
    gram = (centers.double() @ centers.double().T).numpy()
    np.testing.assert_allclose(gram, 50 * np.eye(6), atol=1e-4)


def test_orthogonal_centers_custom_norm():
    centers = data.orthogonal_centers(3, 4, norm=2.5)
    np.testing.assert_allclose(centers.norm(dim=1).numpy(), 2.5, rtol=1e-6)


def test_orthogonal_centers_generator_reproducible():
    first = data.orthogonal_centers(4, 10, generator=torch.Generator().manual_seed(5))
    second = data.orthogonal_centers(4, 10, generator=torch.Generator().manual_seed(5))
    other = data.orthogonal_centers(4, 10, generator=torch.Generator().manual_seed(6))
    assert torch.equal(first, second)
    assert not torch.equal(first, other)


@pytest.mark.parametrize("k, d, message", [
    (1, 10, "k \\(number of clusters\\) must be an integer >= 2, got 1"),
    (2.0, 10, "must be an integer >= 2, got 2.0"),
    (5, 4, "d must be an integer >= k=5 so that 5 orthogonal centers exist, got 4"),
    (2, 10.0, "got 10.0"),
])
def test_orthogonal_centers_rejects_sizes(k, d, message):
    with pytest.raises(ValueError, match=message):
        data.orthogonal_centers(k, d)


@pytest.mark.parametrize("norm", [0.0, -1.0])
def test_orthogonal_centers_rejects_norm(norm):
    with pytest.raises(ValueError, match=f"norm must be positive, got {norm}"):
        data.orthogonal_centers(2, 4, norm=norm)


def test_sample_clusters_balanced():
    centers = data.orthogonal_centers(4, 8)
    sample = data.sample_clusters(centers, 10, generator=torch.Generator().manual_seed(0))
    assert sorted(torch.bincount(sample.cluster, minlength=4).tolist()) == [2, 2, 3, 3]
    assert isinstance(sample, data.ClusterData)
    assert sample.x.shape == (10, 8)
    assert sample.centers is centers
    assert sample.binary.tolist() == (sample.cluster % 2).tolist()


def test_sample_clusters_shuffled():
    sample = data.sample_clusters(data.orthogonal_centers(2, 4), 200, generator=torch.Generator().manual_seed(0))
    assert sample.cluster.tolist() != [i % 2 for i in range(200)]


def test_sample_clusters_without_noise():
    centers = data.orthogonal_centers(3, 5)
    sample = data.sample_clusters(centers, 9, noise_std=0.0)
    assert torch.equal(sample.x, centers[sample.cluster])


def test_sample_clusters_noise_scale():
    centers = data.orthogonal_centers(2, 100, generator=torch.Generator().manual_seed(0))
    sample = data.sample_clusters(centers, 400, noise_std=0.5, generator=torch.Generator().manual_seed(1))
    noise = sample.x - centers[sample.cluster]
    assert noise.std().item() == pytest.approx(0.5, rel=0.02)


def test_sample_clusters_reproducible():
    centers = data.orthogonal_centers(4, 8)
    first = data.sample_clusters(centers, 12, generator=torch.Generator().manual_seed(2))
    second = data.sample_clusters(centers, 12, generator=torch.Generator().manual_seed(2))
    assert torch.equal(first.x, second.x)
    assert torch.equal(first.cluster, second.cluster)


@pytest.mark.parametrize("n, noise_std, message", [
    (0, 1.0, "n must be a positive integer, got 0"),
    (2.5, 1.0, "n must be a positive integer, got 2.5"),
    (4, -0.1, "noise_std must be >= 0, got -0.1"),
])
def test_sample_clusters_rejects_arguments(n, noise_std, message):
    with pytest.raises(ValueError, match=message):
        data.sample_clusters(data.orthogonal_centers(2, 4), n, noise_std=noise_std)


def test_sample_clusters_rejects_center_shape():
    with pytest.raises(ValueError, match=r"centers must have shape \[k, d\], got \(8,\)"):
        data.sample_clusters(torch.zeros(8), 4)


def test_cifar_prefers_download_over_subset(tmp_path, monkeypatch, caplog):
    # With downloads off and only the subset present, the subset is used with a warning.
    from lgcore.data import images

    subset_dir = tmp_path / "data" / "cifar10-subset"
    subset_dir.mkdir(parents=True)
    archive = subset_dir / "cifar-10-subset-python.tar.gz"
    archive.write_bytes(b"stand-in")
    monkeypatch.setenv("LGCORE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(images, "CIFAR10_SUBSET", images.DataFile(
        "cifar10-subset", "cifar-10-subset-python.tar.gz", None, sha256(b"stand-in")))
    with caplog.at_level("WARNING"):
        assert images._cifar_archive() == archive
    assert "offline subset" in caplog.text


def test_fetch_offline_message_names_variable(tmp_path, monkeypatch):
    file = DataFile("set", "file.bin", "http://127.0.0.1:9/file.bin", sha256(b"payload"))
    with pytest.raises(FileNotFoundError, match="Downloads are off because LGCORE_OFFLINE is set"):
        data.fetch(file)
