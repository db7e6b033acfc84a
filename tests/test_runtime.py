import os
import random
import re

import numpy as np
import pytest
import torch

import lgcore
from lgcore import runtime

PROVENANCE_KEYS = {"lgcore_version", "git_commit", "torch_version", "python_version", "device", "hardware", "scale",
                   "seeds"}


@pytest.fixture
def restore_threads():
    """Give torch back its thread count after a test that changes it."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def draw_all() -> tuple[float, float, list[float]]:
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_seed_everything_repeats_draws():
    assert runtime.seed_everything(123) == 123
    first = draw_all()
    runtime.seed_everything(123)
    second = draw_all()
    assert first == second

    runtime.seed_everything(124)
    assert draw_all() != first


def test_seed_everything_accepts_numpy_integer():
    assert runtime.seed_everything(np.int64(7)) == 7
    assert isinstance(runtime.seed_everything(np.int64(7)), int)


def test_seed_everything_large_seed():
    # NumPy's global generator takes seeds below 2**32; larger seeds are reduced modulo 2**32.
    assert runtime.seed_everything(2**40 + 5) == 2**40 + 5


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True, None])
def test_seed_everything_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match=re.escape(f"seed must be a non-negative integer, got {seed!r}")):
        runtime.seed_everything(seed)


def test_set_threads_explicit(restore_threads):
    assert runtime.set_threads(1) == 1
    assert torch.get_num_threads() == 1


def test_set_threads_from_variable(monkeypatch, restore_threads):
    monkeypatch.setenv("LGCORE_THREADS", "1")
    assert runtime.set_threads() == 1
    assert torch.get_num_threads() == 1


def test_set_threads_defaults_to_cores(restore_threads):
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert runtime.set_threads() == expected
    assert torch.get_num_threads() == expected


def test_set_threads_rejects_bad_variable(monkeypatch, restore_threads):
    monkeypatch.setenv("LGCORE_THREADS", "two")
    with pytest.raises(ValueError, match=r"LGCORE_THREADS='two' is not an integer"):
        runtime.set_threads()


@pytest.mark.parametrize("count", [0, -2, 1.0, True])
def test_set_threads_rejects_bad_count(count, restore_threads):
    with pytest.raises(ValueError, match=re.escape(f"thread count must be a positive integer, got {count!r}")):
        runtime.set_threads(count)


def test_device_cpu():
    assert runtime.device("cpu") == torch.device("cpu")


def test_device_from_variable(monkeypatch):
    monkeypatch.setenv("LGCORE_DEVICE", "cpu")
    assert runtime.device() == torch.device("cpu")


def test_device_default_matches_hardware():
    expected = "cpu"
    if runtime._mps_available():
        expected = "mps"
    if torch.cuda.is_available():
        expected = "cuda"
    assert runtime.device().type == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available, so requesting it does not fail")
def test_device_cuda_unavailable():
    with pytest.raises(ValueError, match=r"device 'cuda' requested but CUDA is not available"):
        runtime.device("cuda")
    with pytest.raises(ValueError, match=r"device 'cuda:1' requested"):
        runtime.device("cuda:1")


@pytest.mark.skipif(runtime._mps_available(), reason="MPS is available, so requesting it does not fail")
def test_device_mps_unavailable():
    with pytest.raises(ValueError, match=r"device 'mps' requested but MPS is not available"):
        runtime.device("mps")


def test_device_rejects_invalid_name():
    with pytest.raises(ValueError, match=r"invalid device 'gpu0'"):
        runtime.device("gpu0")


def test_git_commit_of_checkout():
    commit = runtime.git_commit()
    if commit is None:
        pytest.skip("lgcore is not installed from a git checkout, or git is missing")
    assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", commit)


def test_git_commit_outside_checkout(tmp_path):
    assert runtime.git_commit(tmp_path) is None


def test_git_commit_without_git(monkeypatch):
    monkeypatch.setenv("PATH", "")
    assert runtime.git_commit() is None


def test_hardware_describes_cpu():
    description = runtime.hardware(torch.device("cpu"))
    assert description.startswith("CPU ")
    assert f"{torch.get_num_threads()} torch thread" in description


def test_provenance_keys_and_values(monkeypatch):
    monkeypatch.setenv("LGCORE_SCALE", "book")
    record = runtime.provenance([1, 2], torch.device("cpu"))
    assert set(record) == PROVENANCE_KEYS
    assert record["lgcore_version"] == lgcore.__version__
    assert record["torch_version"] == torch.__version__
    assert record["device"] == "cpu"
    assert record["hardware"] == runtime.hardware(torch.device("cpu"))
    assert record["scale"] == "book"
    assert record["seeds"] == [1, 2]


@pytest.mark.parametrize("seeds, expected", [(None, []), (5, [5]), (np.int64(6), [6]), ((3, 4), [3, 4])])
def test_provenance_seed_forms(seeds, expected):
    assert runtime.provenance(seeds, torch.device("cpu"))["seeds"] == expected


def test_progress_enabled_reads_the_variable(monkeypatch):
    monkeypatch.delenv("LGCORE_PROGRESS", raising=False)
    assert runtime.progress_enabled()
    for value in ("0", "false", "No"):
        monkeypatch.setenv("LGCORE_PROGRESS", value)
        assert not runtime.progress_enabled()
    assert runtime.progress_enabled(True)
    monkeypatch.setenv("LGCORE_PROGRESS", "1")
    assert not runtime.progress_enabled(False)


def test_progress_bar_respects_min_total(monkeypatch):
    monkeypatch.setenv("LGCORE_PROGRESS", "1")
    assert runtime.progress_bar(10, "short", min_total=100).disable
    assert not runtime.progress_bar(100, "long", min_total=100).disable
    monkeypatch.setenv("LGCORE_PROGRESS", "0")
    assert runtime.progress_bar(100, "off", min_total=100).disable
