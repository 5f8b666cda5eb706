"""Start-up times of the command line: ``--help`` of every command, ``import linepack``, and the time until a
default ``linepack run`` starts solving (the embedded network loaded, compiled and pre-checked), each
against its goal (0.5 s and 1 s), and the eager import this replaced (every module of linepack plus
scipy.interpolate, which the GERG-2008 ideal-gas heat capacity used to load at start-up) as a baseline.

    python benchmarks/startup.py [--repeat 5]

Each row is run in a fresh interpreter; the table shows the median CPU time (user + system of the child
process, ``resource.getrusage``), which depends less on other load than wall time does. The machine may be
shared: rerun for stable numbers. Import profile: ``python -X importtime -c "import linepack.cli"``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys

START_SOLVING = """
import linepack
from linepack.compile import compile_network
from linepack.solvers.steady import check_before_solving
net = linepack.load_default_network()
cn = compile_network(net, net.default_scenario)
check_before_solving(cn)
"""
EAGER = "import scipy.interpolate, linepack.solvers.steady, linepack.cli.app, linepack.io.native"


def child_cpu_s(args: list[str]) -> float:
    """CPU seconds (user + system) of one child process running ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    py = sys.executable
    cli = [py, "-m", "linepack"]
    rows: list[tuple[str, list[str], float]] = [("python (interpreter alone)", [py, "-c", "pass"], 0.0)]
    for cmd in ("", "run", "validate", "scenarios", "convert", "transient", "serve", "plot profile", "study n-1",
                "optimize fuel"):  # fmt: skip
        rows.append((f"linepack {cmd} --help".replace("  ", " "), [*cli, *cmd.split(), "--help"], 0.5))
    rows += [
        ("import linepack", [py, "-c", "import linepack"], 0.5),
        ("import linepack.cli", [py, "-c", "import linepack.cli"], 0.5),
        ("run: start solving (load, compile, checks)", [py, "-c", START_SOLVING], 1.0),
        ("baseline: eager import (before)", [py, "-c", EAGER], 0.0),
        ("linepack run --quiet (whole run)", [*cli, "run", "--quiet"], 0.0),
    ]
    print(f"{'what':48s} {'CPU s (median)':>14s} {'goal s':>7s} {'ratio':>6s}")
    for label, args, goal in rows:
        times = [child_cpu_s(args) for _ in range(opts.repeat)]
        med = statistics.median(times)
        goal_txt, ratio = (f"{goal:.1f}", f"{med / goal:.2f}") if goal else ("-", "-")
        print(f"{label:48s} {med:14.3f} {goal_txt:>7s} {ratio:>6s}")


if __name__ == "__main__":
    main()
