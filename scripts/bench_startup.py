#!/usr/bin/env python3
"""Print the median wall time of `companion --help` (and, for comparison in the same run,
`companion --version`, `companion list` and a bare `python -c pass`).

Usage: python scripts/bench_startup.py [--runs N]
Machines here are shared and noisy: read the ratios to `python -c pass` as much as the times.
Target: `companion --help` under 150 ms.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def companion() -> list[str]:
    beside = Path(sys.executable).parent / "companion"
    found = str(beside) if beside.exists() else shutil.which("companion")
    return [found] if found else [sys.executable, "-m", "companion"]


def median_ms(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    base = median_ms([sys.executable, "-c", "pass"], runs)
    rows = [("python -c pass", base)]
    for args in (["--help"], ["--version"], ["list"]):
        rows.append((f"companion {' '.join(args)}", median_ms([*companion(), *args], runs)))
    print(f"median of {runs} runs, {sys.platform}, Python {sys.version.split()[0]}")
    for name, ms in rows:
        print(f"{name:<22} {ms:7.1f} ms   {ms / base:4.1f}x python -c pass")
    help_ms = rows[1][1]
    verdict = "meets" if help_ms < 150 else "MISSES"
    print(f"companion --help: {help_ms:.1f} ms, {verdict} the 150 ms target")


if __name__ == "__main__":
    main()
