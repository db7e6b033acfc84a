"""Command-line options and run header shared by the benchmark scripts."""

from __future__ import annotations

import argparse
import os

import torch

from lgcore import runtime


def add_run_options(parser: argparse.ArgumentParser, *, repeats: int, repeats_help: str, seed_help: str) -> None:
    """Add ``--repeats``, ``--threads`` and ``--seed`` to ``parser``."""
    parser.add_argument("--repeats", type=int, default=repeats, help=f"{repeats_help} (default: {repeats})")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: LGCORE_THREADS, else all cores this process may use)")
    parser.add_argument("--seed", type=int, default=0, help=f"{seed_help} (default: 0)")


def parse_run_options(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``, rejecting ``--repeats`` below 1."""
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    return args


def start_run(args: argparse.Namespace) -> torch.device:
    """Set threads and seeds, print the machine and load average, and return the device."""
    runtime.set_threads(args.threads)
    runtime.seed_everything(args.seed)
    device = runtime.device()
    print(f"torch {torch.__version__}, {runtime.hardware(device)}, {args.repeats} repeats, "
          f"load average {os.getloadavg()[0]:.2f} (1 minute) at the start")
    print()
    return device
