"""Execute the notebooks of ``examples/`` so they never rot (a CI step of ``.ci/run``).

    python scripts/run_notebooks.py [--full] [NOTEBOOK ...]

Each notebook runs top to bottom in a fresh kernel (nbclient, the ``python3`` kernel of this environment);
a cell that raises fails the run with the notebook, the cell and the error. By default the notebooks run
quick (``LINEPACK_NOTEBOOK_QUICK=1``: shorter transient horizons and fewer study cases, the same steps);
``--full`` runs them as a reader would. Outputs are not written back: the notebooks stay without outputs
in the repository. Prints one line per notebook with its wall time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def run(path: Path, timeout_s: int) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    client = NotebookClient(nb, timeout=timeout_s, kernel_name="python3", resources=resources)
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description="Execute the example notebooks.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: examples/*.ipynb)")
    parser.add_argument("--full", action="store_true", help="run the full versions (longer transients and studies)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    opts = parser.parse_args()
    if not opts.full:
        os.environ["LINEPACK_NOTEBOOK_QUICK"] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")
    paths = opts.notebooks or sorted(EXAMPLES.glob("*.ipynb"))
    if not paths:
        print("no notebooks found in examples/")
        return 1
    failed = 0
    for path in paths:
        try:
            seconds = run(path, opts.timeout)
            print(f"ok      {path.name} ({seconds:.1f} s)")
        except Exception as exc:  # a failing cell: report it, run the rest
            failed += 1
            text = str(exc).strip().splitlines()
            print(f"FAILED  {path.name}: {type(exc).__name__}: " + "\n        ".join(text[-15:]))
    print(f"notebooks: {len(paths) - failed} of {len(paths)} ran without error")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
