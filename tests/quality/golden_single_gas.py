"""The networks of the single-gas regression test and the script that recorded their golden results.

The golden file ``data/single_gas_golden.json`` was written by ``python tests/quality/golden_single_gas.py`` run
with the code of main (without gas-quality tracking): first at 4aa025c, again at 623a4ee and at 9474637 when
main's solver changes were merged (main's code reads the shipped PSGP data as one gas, the psgp_base_as_shipped
case); when issue 21 (compressor stations with units) was merged with issue 12, recorded again with the code of
feat-stations at 8e47959 (units on CS1-CS3, no gas-quality tracking): the merged code reproduces it bit for bit.
Pressures, flows, supplies and compressor powers as exact hexadecimal floats.
``test_single_gas_exact.py`` solves the same networks now and requires bit-for-bit equality.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

import linepack as lp
from linepack.synthetic import lattice_network

HERE = Path(__file__).resolve().parent


def _every_component_network() -> lp.Network:
    """tests/conftest.py's network (loaded by path: several conftest modules exist in the test tree)."""
    spec = importlib.util.spec_from_file_location("linepack_tests_root_conftest", HERE.parent / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.every_component_network()  # type: ignore[no-any-return]


def psgp_one_gas() -> lp.Network:
    """The embedded PSGP network with every source supplying the network gas (RLNG)."""
    net = lp.load_default_network()
    for src in list(net.collections["sources"].values()):
        net.replace(src.model_copy(update={"gas": None}))
    return net


def cases() -> dict[str, tuple[lp.Network, str | None]]:
    return {
        "every_component": (_every_component_network(), None),
        "lattice_10_compressors": (lattice_network(10, seed=3, compressors=2), None),
        "psgp_base_one_gas": (psgp_one_gas(), "psgp_base"),
        "psgp_tapi_one_gas": (psgp_one_gas(), "tapi"),
        # the embedded data as it is (three source gases): today's hydraulics carry the network gas everywhere;
        # the test solves it with settings.mixing = "off"
        "psgp_base_as_shipped": (lp.load_default_network(), "psgp_base"),
    }


def record(res: lp.SteadyResult) -> dict[str, list[str]]:
    def hx(a: np.ndarray) -> list[str]:
        return [float(v).hex() for v in np.asarray(a, dtype=float).ravel()]

    return {
        "p_pa": hx(res.p_pa),
        "q_kg_s": hx(res.q_kg_s),
        "source_supply_kg_s": hx(res.source_supply_kg_s),
        "comp_power_w": hx(res.comp_power_w),
        "z_avg": hx(res.z_avg),
    }


def main() -> None:
    out = {name: record(lp.solve_steady(net, sc)) for name, (net, sc) in cases().items()}
    (HERE / "data" / "single_gas_golden.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
