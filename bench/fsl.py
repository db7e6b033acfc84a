"""Time the scaling chapters' engines: the exact SGD risk recursion and the FSL's linear-time convolution.

Two comparisons, each in one process:

* ``recursion``: :func:`lgcore.theory.kernel_sgd.sgd_risk` against
  :func:`lgcore.theory.kernel_sgd.sgd_monte_carlo` at equal accuracy. The
  recursion gives the expected risk exactly. Monte Carlo's standard error
  shrinks like ``1/sqrt(seeds)``, so a pilot run measures each recorded step's
  relative spread over seeds. That fixes the number of seeds needed to bring
  the relative standard error to ``--accuracy`` at every recorded step, and the
  pilot's time per seed extrapolates the cost. The problem is the FSL
  chapter's hard one: ``d = 1000``, ``N = 10^4`` steps, cosine schedule of
  peak 0.1.
* ``convolution``: :func:`lgcore.theory.fsl.fsl_power_law` with its sum of
  exponentials against the direct double sum (``method="direct"``). Both
  compute every step of a cosine schedule of ``--direct-steps`` steps, where
  the double sum still runs, and the script checks that they agree to 1e-5.
  Then the sum of exponentials alone computes ``10^6`` steps (1,000 recorded),
  and the double sum's time at ``10^6`` steps is extrapolated from its
  quadratic cost.

Run ``python bench/fsl.py``. The exit status is 1 when ``--check`` is given and a
target fails: the recursion at least 100 times faster than Monte Carlo, and
``10^6`` FSL steps in under a second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

from common import add_run_options, parse_run_options, start_run
from lgcore import schedules
from lgcore.theory import fsl, kernel_sgd

RECURSION_TARGET = 100.0      # recursion at least this many times faster than Monte Carlo
FSL_TARGET_SECONDS = 1.0      # 10^6 FSL steps


def median_seconds(run, repeats: int) -> float:
    """Return the median wall time of ``repeats`` calls of ``run``."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def recursion_against_monte_carlo(args: argparse.Namespace) -> float:
    """Print the recursion against Monte Carlo at equal accuracy and return the speed ratio."""
    problem = kernel_sgd.power_law_problem(1000, 2.0, 0.25, 0.5)
    schedule = schedules.cosine(0.1, 10_000)
    record = kernel_sgd.record_steps(schedule.total_steps, 100)
    exact_seconds = median_seconds(lambda: kernel_sgd.sgd_risk(problem, schedule, record=record), args.repeats)
    start = time.perf_counter()
    pilot = kernel_sgd.sgd_monte_carlo(problem, schedule, seeds=args.pilot_seeds, seed=args.seed, record=record)
    pilot_seconds = time.perf_counter() - start
    spread = pilot.runs.std(axis=0, ddof=1)[1:] / pilot.mean[1:]
    seeds_needed = int(np.ceil(np.max(spread / args.accuracy) ** 2))
    monte_carlo_seconds = pilot_seconds * seeds_needed / args.pilot_seeds
    ratio = monte_carlo_seconds / exact_seconds
    print(f"## Exact recursion against Monte Carlo (relative standard error {args.accuracy:g} at every step)")
    print()
    print(f"pilot: {args.pilot_seeds} seeds in {pilot_seconds:.2f} s; largest relative spread per seed "
          f"{spread.max():.3f} (step {record[1:][int(np.argmax(spread))]}), so {seeds_needed:,} seeds are needed")
    print()
    print("| method | seconds | note |")
    print("|---|---:|---|")
    print(f"| exact recursion | {exact_seconds:.3f} | median of {args.repeats} |")
    print(f"| Monte Carlo, {seeds_needed:,} seeds | {monte_carlo_seconds:.1f} | extrapolated from the pilot |")
    print()
    print(f"ratio Monte Carlo / recursion: {ratio:,.0f} (target at least {RECURSION_TARGET:.0f})")
    print()
    return ratio


def convolution_against_double_sum(args: argparse.Namespace) -> float:
    """Print the sum of exponentials against the double sum and return the seconds for 10^6 steps."""
    params = fsl.FSLParams(source=0.5, capacity=2.0, signal_scale=1.0, noise_scale=0.5, time_scale=1.0,
                           noise_var=0.1)
    short = schedules.cosine(0.2, args.direct_steps)
    fast = fsl.fsl_power_law(short, params)
    start = time.perf_counter()
    direct = fsl.fsl_power_law(short, params, method="direct")
    direct_seconds = time.perf_counter() - start
    difference = float(np.max(np.abs(fast.loss - direct.loss) / direct.loss))
    if difference > 1e-5:
        raise RuntimeError(f"sum of exponentials and double sum disagree: relative difference {difference:.2e}")
    fast_seconds = median_seconds(lambda: fsl.fsl_power_law(short, params), args.repeats)
    long = schedules.cosine(0.2, 1_000_000)
    long_seconds = median_seconds(lambda: fsl.fsl_power_law(long, params, record=1000), args.repeats)
    direct_long = direct_seconds * (1_000_000 / args.direct_steps) ** 2
    print("## FSL convolution: sum of exponentials against the double sum")
    print()
    print(f"{args.direct_steps:,} steps, every step recorded: largest relative difference {difference:.1e}")
    print()
    print("| steps | double sum (s) | sum of exponentials (s) | ratio |")
    print("|---:|---:|---:|---:|")
    print(f"| {args.direct_steps:,} | {direct_seconds:.2f} | {fast_seconds:.3f} | {direct_seconds / fast_seconds:,.0f} |")
    print(f"| 1,000,000 | {direct_long:,.0f} (extrapolated) | {long_seconds:.3f} | {direct_long / long_seconds:,.0f} |")
    print()
    print(f"10^6 steps in {long_seconds:.3f} s (target under {FSL_TARGET_SECONDS:.0f} s)")
    print()
    return long_seconds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_options(parser, repeats=3, repeats_help="timed runs of each fast method; the tables report medians",
                    seed_help="seed of the Monte-Carlo pilot")
    parser.add_argument("--pilot-seeds", type=int, default=64, help="seeds of the Monte-Carlo pilot (default: 64)")
    parser.add_argument("--accuracy", type=float, default=1e-3,
                        help="relative standard error Monte Carlo must reach at every step (default: 1e-3)")
    parser.add_argument("--direct-steps", type=int, default=20_000,
                        help="steps of the double-sum comparison (default: 20,000)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target fails")
    args = parse_run_options(parser, argv)
    if args.pilot_seeds < 2:
        parser.error(f"--pilot-seeds must be at least 2, got {args.pilot_seeds}")
    if not 0 < args.accuracy < 1:
        parser.error(f"--accuracy must lie in (0, 1), got {args.accuracy}")
    if args.direct_steps < 10:
        parser.error(f"--direct-steps must be at least 10, got {args.direct_steps}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start_run(args)
    if os.getloadavg()[0] > 1.0:
        print("NOTE: other jobs are running, so the Monte-Carlo pilot may take minutes and its time will be "
              "inflated; with 2 cores, --threads 1 is less sensitive to them")
        print()
    print(f"running a {args.pilot_seeds}-seed Monte-Carlo pilot of 10,000 steps ...", flush=True)
    ratio = recursion_against_monte_carlo(args)
    seconds = convolution_against_double_sum(args)
    failed = ratio < RECURSION_TARGET or seconds >= FSL_TARGET_SECONDS
    print("every target holds" if not failed else "a target does not hold")
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
