"""One gas gives exactly the results linepack gave before gas quality was tracked (issue 12).

The golden numbers were recorded by ``golden_single_gas.py`` with main's code (see there); equality is bit for bit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import linepack as lp
from linepack.model.components import Settings

from .golden_single_gas import cases, record

GOLDEN = json.loads((Path(__file__).parent / "data" / "single_gas_golden.json").read_text())


@pytest.mark.parametrize(
    "name", ["every_component", "lattice_10_compressors", "psgp_base_one_gas", "psgp_tapi_one_gas"]
)
def test_one_gas_is_bit_for_bit_unchanged(name: str) -> None:
    net, scenario = cases()[name]
    res = lp.solve_steady(net, scenario)
    assert res.network.quality is None or not res.network.quality.mixing
    assert record(res) == GOLDEN[name]


def test_mixing_off_reproduces_the_single_gas_hydraulics() -> None:
    """The shipped PSGP data has three source gases; with settings.mixing off the hydraulics carry the network gas
    everywhere, exactly as before."""
    net, scenario = cases()["psgp_base_as_shipped"]
    net.settings = Settings(**{**net.settings.model_dump(), "mixing": "off"})
    res = lp.solve_steady(net, scenario)
    assert record(res) == GOLDEN["psgp_base_as_shipped"]
    with_mixing = lp.solve_steady(cases()["psgp_base_as_shipped"][0], scenario)
    assert not np.array_equal(with_mixing.p_pa, res.p_pa)  # the mixtures do change the hydraulics
