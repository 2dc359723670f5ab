"""Prints the time of `import golang` in fresh interpreters, side by side:

    python importtime.py NAME=PYTHON [NAME=PYTHON...]

Each interpreter imports golang under `-X importtime` 15 times, alternating
with the others (so that a noisy machine slows all alike); the figure is the
median of the cumulative time CPython reports for the top-level `golang`.
It only reports: timing is no pass/fail criterion on a shared machine.
"""

import statistics
import subprocess
import sys

RUNS = 15


def once(python):
    r = subprocess.run([python, '-X', 'importtime', '-c', 'import golang'],
                       capture_output=True, text=True, check=True)
    for line in r.stderr.splitlines():
        # "import time:   self [us] | cumulative | imported package"
        parts = [p.strip() for p in line.split('|')]
        if len(parts) == 3 and parts[2] == 'golang':
            return int(parts[1])
    raise RuntimeError('no import of golang in:\n' + r.stderr[-2000:])


def main():
    pythons = [a.split('=', 1) for a in sys.argv[1:]]
    times = {name: [] for name, _ in pythons}
    for _ in range(RUNS):
        for name, python in pythons:
            times[name].append(once(python))
    for name, _ in pythons:
        print('import golang: %6.1f ms  %s' % (statistics.median(times[name]) / 1000, name))


if __name__ == '__main__':
    main()
