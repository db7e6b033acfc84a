"""Shared fixtures: every test runs at smoke scale, offline, and writes only under its tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The offline data sets (MNIST test split, CIFAR-10 subset, Tiny Shakespeare) live in
# ../shared/data next to the checkout; LGCORE_DATA_DIR, when set before pytest starts, wins.
OFFLINE_DATA_DIR = Path(os.environ.get("LGCORE_DATA_DIR") or ROOT.parent / "shared" / "data")

# Read by lgcore at each call, so the autouse fixture below clears them for every test.
LGCORE_VARIABLES = ("LGCORE_SCALE", "LGCORE_PROGRESS", "LGCORE_CLAIMS_DIR", "LGCORE_DATA_DIR", "LGCORE_CACHE_DIR",
                    "LGCORE_OFFLINE", "LGCORE_DEVICE", "LGCORE_THREADS")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "distributed: launches worker processes with torchrun (runs by default)")


@pytest.fixture(autouse=True)
def lgcore_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run at smoke scale without progress bars, offline, with claim records and the cache in tmp_path."""
    for name in LGCORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LGCORE_SCALE", "smoke")
    monkeypatch.setenv("LGCORE_PROGRESS", "0")
    monkeypatch.setenv("LGCORE_CLAIMS_DIR", str(tmp_path / "claims"))
    monkeypatch.setenv("LGCORE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LGCORE_OFFLINE", "1")


@pytest.fixture
def offline_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point LGCORE_DATA_DIR at the shared offline data, or skip when that folder is absent."""
    if not OFFLINE_DATA_DIR.is_dir():
        pytest.skip(f"offline data folder {OFFLINE_DATA_DIR} not found; set LGCORE_DATA_DIR to run the data tests")
    monkeypatch.setenv("LGCORE_DATA_DIR", str(OFFLINE_DATA_DIR))
    return OFFLINE_DATA_DIR


@pytest.fixture(scope="module")
def one_torch_thread():
    """Run torch on one thread: on a busy 2-core machine two threads made small runs 5 to 100 times slower."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def one_blas_thread():
    """Run BLAS on one thread: on a busy 2-core machine two OpenBLAS threads made small solves up to 30 times slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
