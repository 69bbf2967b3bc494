#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench.py N LABEL=COMMAND...: runs the commands N times each, interleaved (so that load from
elsewhere hits all of them alike), and prints median and 10th percentile wall time per command."""
import shlex
import statistics
import subprocess
import sys
import time


def main():
    n = int(sys.argv[1])
    commands = [arg.split("=", 1) for arg in sys.argv[2:]]
    times = {label: [] for label, _ in commands}
    for _ in range(n):
        for label, command in commands:
            argv = shlex.split(command)
            start = time.perf_counter_ns()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[label].append((time.perf_counter_ns() - start) // 1000)
    for label, _ in commands:
        t = sorted(times[label])
        print(f"# {label}: median {statistics.median(t):.0f} us, p10 {t[len(t) // 10]} us (n={n})")


if __name__ == "__main__":
    main()
