"""Device choice, seeding, threads and the provenance record of a run."""

from __future__ import annotations

import os
import platform
import random
import subprocess
from pathlib import Path

import numpy as np
import torch

import lgcore

DEVICE_ENV_VAR = "LGCORE_DEVICE"
THREADS_ENV_VAR = "LGCORE_THREADS"


def device(preference: str | None = None) -> torch.device:
    """Pick the device to run on: CUDA, then MPS, then CPU.

    ``preference`` (or the ``LGCORE_DEVICE`` variable) forces one, for example
    ``"cpu"`` or ``"cuda:1"``; asking for a device that is not available is an
    error rather than a silent fallback.
    """
    source = "" if preference else f" (from {DEVICE_ENV_VAR})"
    requested = preference or os.environ.get(DEVICE_ENV_VAR)
    if requested:
        try:
            chosen = torch.device(str(requested).strip().lower())
        except RuntimeError as error:
            raise ValueError(
                f"invalid device {requested!r}{source}; use 'cpu', 'cuda', 'cuda:N' or 'mps'"
            ) from error
        if chosen.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device {requested!r}{source} requested but CUDA is not available; use 'cpu'")
        if chosen.type == "mps" and not _mps_available():
            raise ValueError(f"device {requested!r}{source} requested but MPS is not available; use 'cpu'")
        return chosen
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def seed_everything(seed: int) -> int:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA).

    Returns the seed so that it can be stored in the provenance record.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return seed


def set_threads(count: int | None = None) -> int:
    """Set torch's intra-op thread count and return it.

    ``count`` defaults to ``LGCORE_THREADS``, else to the number of CPU cores
    this process may use. On a 2-core CI machine that another job may share,
    ``LGCORE_THREADS=1`` can be faster; the choice is left to the caller.
    """
    source = ""
    if count is None:
        from_env = os.environ.get(THREADS_ENV_VAR)
        source = f" (from {THREADS_ENV_VAR})" if from_env else ""
        if from_env:
            try:
                count = int(from_env)
            except ValueError as error:
                raise ValueError(
                    f"{THREADS_ENV_VAR}={from_env!r} is not an integer; set it to a thread count such as 2"
                ) from error
        else:
            count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"thread count must be a positive integer, got {count!r}{source}")
    torch.set_num_threads(count)
    return count


def git_commit(path: str | Path | None = None) -> str | None:
    """Return the commit hash of the git checkout that contains ``path`` (default: lgcore's own folder).

    A ``-dirty`` suffix marks uncommitted changes. Returns ``None`` outside a
    checkout or when git is missing.
    """
    folder = Path(path) if path is not None else Path(lgcore.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if status else "")


def hardware(run_device: torch.device | None = None) -> str:
    """Describe the hardware in one line: the accelerator's name, or the CPU and its core count."""
    run_device = run_device or device()
    if run_device.type == "cuda":
        return f"{torch.cuda.get_device_name(run_device)} (CUDA {torch.version.cuda})"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    name = platform.processor() or platform.machine()
    if run_device.type == "mps":
        return f"Apple MPS on {name}"
    threads = torch.get_num_threads()
    return f"CPU {name}, {cores} cores, {threads} torch thread{'s' if threads != 1 else ''}"


def provenance(seeds: list[int] | tuple[int, ...] | int | None = None,
               run_device: torch.device | None = None) -> dict:
    """Return the record that makes a run reproducible.

    Keys: ``lgcore_version``, ``git_commit``, ``torch_version``,
    ``python_version``, ``device``, ``hardware``, ``scale``, ``seeds``.
    """
    from lgcore import scale

    run_device = run_device or device()
    if seeds is None:
        seed_list: list[int] = []
    elif isinstance(seeds, (int, np.integer)):
        seed_list = [int(seeds)]
    else:
        seed_list = [int(seed) for seed in seeds]
    return {
        "lgcore_version": lgcore.__version__,
        "git_commit": git_commit(),
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "device": str(run_device),
        "hardware": hardware(run_device),
        "scale": scale.current(),
        "seeds": seed_list,
    }


PROGRESS_ENV_VAR = "LGCORE_PROGRESS"
# Loops of the theory engines update their bar once per this many steps, which keeps its cost negligible.
PROGRESS_STRIDE = 1000
# Theory loops shorter than this show no bar: the book-scale runs take seconds.
PROGRESS_MIN_STEPS = 100_000


def progress_enabled(progress: bool | None = None) -> bool:
    """Return ``progress`` when given, else whether ``LGCORE_PROGRESS`` is unset or not ``0``, ``false`` or ``no``."""
    if progress is not None:
        return bool(progress)
    return os.environ.get(PROGRESS_ENV_VAR, "1").strip().lower() not in {"0", "false", "no"}


def progress_bar(total: int, desc: str, *, progress: bool | None = None, min_total: int = 0):
    """Return a tqdm bar of ``total`` steps, disabled by :func:`progress_enabled` or when ``total < min_total``.

    Short loops pass ``min_total`` so that only runs long enough to need a
    bar (the ``paper`` presets) print one.
    """
    from tqdm.auto import tqdm

    enabled = progress_enabled(progress) and total >= min_total
    return tqdm(total=total, desc=desc, disable=not enabled, dynamic_ncols=True, leave=False)
