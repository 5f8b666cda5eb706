"""The shipped GasLib instances (../shared/refcases/gaslib), loaded once per test session.

Also run as a script: ``python tests/gaslib/gaslib_cases.py`` prints, per instance, what loads and what
``linepack.solve_steady`` does with it (the table of the GasLib documentation).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from linepack.io.gaslib import GaslibCase, read_gaslib

REPO = Path(__file__).resolve().parents[2]


def gaslib_dir() -> Path | None:
    """``<shared>/refcases/gaslib`` with shared = $LINEPACK_SHARED or ../shared beside the repository."""
    env = os.environ.get("LINEPACK_SHARED")
    shared = Path(env) if env else REPO.parent / "shared"
    p = shared / "refcases" / "gaslib"
    return p if p.is_dir() else None


@dataclass(frozen=True)
class Instance:
    key: str
    net: str
    scn: str | None
    cdf: str | None
    cs: str | None
    # the README's size table: source, sink, innode, pipe, shortPipe, resistor, valve, controlValve, compressorStation
    sizes: tuple[int, int, int, int, int, int, int, int, int]


KINDS = ("source", "sink", "innode", "pipe", "shortPipe", "resistor", "valve", "controlValve", "compressorStation")

INSTANCES: dict[str, Instance] = {
    i.key: i
    for i in (
        Instance("11", "GasLib-11/GasLib-11.net", "GasLib-11/GasLib-11.scn", None, "GasLib-11/GasLib-11.cs",
                 (3, 3, 5, 8, 0, 0, 1, 0, 2)),
        Instance("24", "GasLib-24/GasLib-24.net", "GasLib-24/GasLib-24.scn", None, "GasLib-24/GasLib-24.cs",
                 (3, 5, 16, 19, 1, 1, 0, 1, 3)),
        Instance("40", "GasLib-40/GasLib-40.net", "GasLib-40/GasLib-40.scn", None, "GasLib-40/GasLib-40.cs",
                 (3, 29, 8, 39, 0, 0, 0, 0, 6)),
        Instance("134-v2", "GasLib-134/GasLib-134-v2.net", "GasLib-134/Nominations-134-v2_2014-12-01.scn", None, None,
                 (3, 45, 86, 86, 45, 0, 0, 1, 1)),
        Instance("134-v1nom", "GasLib-134/GasLib-134-v2.net", "GasLib-134/Nominations-134_v1_2011-11-01.scn", None,
                 None, (3, 45, 86, 86, 45, 0, 0, 1, 1)),
        Instance("135", "GasLib-135/GasLib-135.net", "GasLib-135/GasLib-135.scn", None, "GasLib-135/GasLib-135.cs",
                 (6, 99, 30, 141, 0, 0, 0, 0, 29)),
        Instance("582-cold", "GasLib-582/GasLib-582-v2.net", "GasLib-582/nomination_cold_5.scn",
                 "GasLib-582/GasLib-582-v2.cdf", "GasLib-582/GasLib-582-v2.cs", (31, 129, 422, 278, 269, 8, 26, 23, 5)),
        Instance("582-cool", "GasLib-582/GasLib-582-v2.net",
                 "GasLib-582/nomination_cool_2866_scale_0.95_from_paminco.scn", "GasLib-582/GasLib-582-v2.cdf",
                 "GasLib-582/GasLib-582-v2.cs", (31, 129, 422, 278, 269, 8, 26, 23, 5)),
        Instance("4197", "GasLib-4197/GasLib-4197.net", "GasLib-4197/nomination_mild_0006.scn",
                 "GasLib-4197/GasLib-4197.cdf", "GasLib-4197/GasLib-4197.cs",
                 (11, 1009, 3177, 3537, 343, 28, 426, 120, 12)),
        Instance("Integration", "GasLib-Integration/GasLib-Integration.net",
                 "GasLib-Integration/GasLib-Integration.scn", None, "GasLib-Integration/GasLib-Integration.cs",
                 (4, 7, 0, 1, 1, 2, 1, 1, 1)),
    )
}  # fmt: skip


def paths(inst: Instance) -> tuple[Path, Path | None, Path | None, Path | None]:
    base = gaslib_dir()
    assert base is not None
    return (
        base / inst.net,
        base / inst.scn if inst.scn else None,
        base / inst.cdf if inst.cdf else None,
        base / inst.cs if inst.cs else None,
    )


@functools.cache
def load(key: str) -> GaslibCase:
    """The instance read with all its files; fixed-loss resistors (GasLib-4197, Integration) as short pipes."""
    net, scn, cdf, cs = paths(INSTANCES[key])
    return read_gaslib(net, scn, cdf, cs, fixed_loss="short_pipe")


def solve_report(keys: list[str]) -> list[str]:
    """One line per instance: what loads, and what ``solve_steady`` does with the Network as read."""
    import time

    import linepack as lp

    lines = []
    for key in keys:
        t0 = time.perf_counter()
        case = load(key)
        t_load = time.perf_counter() - t0
        net = case.network
        net.validate()
        lp.compile_network(net)
        sizes = ", ".join(f"{c} {len(v)}" for c, v in net.collections.items() if v)
        modes: list[tuple[str, object]] = [("as read", net)]
        if case.decision_groups:
            from linepack.io.gaslib import apply_decision, operating_decisions

            modes.append(("operating decisions", apply_decision(case, operating_decisions(case))))
        for label, candidate in modes:
            t0 = time.perf_counter()
            try:
                res = lp.solve_steady(candidate)  # type: ignore[arg-type]
                d = res.to_dict()
                outcome = (
                    f"converged in {d['iterations']} iterations; {len(d['active_bounds'])} active bounds "
                    f"{d['active_bounds'][:2]}; {len(d['violations'])} violations {d['violations'][:2]}"
                )
            except lp.LinepackError as exc:
                outcome = f"{type(exc).__name__}: {' | '.join(str(exc).splitlines()[:3])}"
            lines.append(
                f"{key} ({label}): read {t_load:.2f} s; {sizes}; solve {time.perf_counter() - t0:.2f} s: {outcome}"
            )
    return lines


if __name__ == "__main__":
    import sys

    if gaslib_dir() is None:
        raise SystemExit("shared GasLib folder not found (set LINEPACK_SHARED)")
    for line in solve_report(sys.argv[1:] or ["11", "24", "40", "134-v2", "134-v1nom", "135", "Integration"]):
        print(line)
