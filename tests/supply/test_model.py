"""The supply-chain file: validation messages, links to the network, variants, the embedded data."""

from __future__ import annotations

from pathlib import Path

import pytest
from supply_helpers import small_chain, small_network

import linepack
from linepack.compile import compile_network
from linepack.errors import InputError
from linepack.supply.model import check_against, default_supply_chain, load_supply_chain


def test_bad_file_names_element_field_and_value(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(
        "format: linepack-supply/1\n"
        "terminals:\n"
        "- {id: T1, source: S, tank_m3: 1000, heel_m3: 2000, train_max_mmscfd: 10, lng: X}\n"
        "- {id: T2, source: S2, tank_m3: -5, train_max_mmscfd: 10, lng: X, colour: red}\n"
        "contracts:\n"
        "- {id: C, terminals: [T3], cargoes_per_year: 10, vessel_m3: 100, start: '2020-01-01'}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_supply_chain(p)
    text = "\n".join(exc.value.problems)
    assert "heel_m3 (2000) must be below tank_m3 (1000)" in text
    assert "terminals.1.tank_m3 must be greater than 0 (got -5)" in text
    assert "unknown field 'terminals.1.colour'" in text


def test_links_to_the_network_are_checked() -> None:
    net = small_network()
    cn = compile_network(net)
    chain = small_chain(source="NOPE", lng="MISSING")
    problems = check_against(chain, net, cn.source_ids, cn.sink_ids)
    assert problems == [
        "terminal T1: source 'NOPE' is not a source of the network; choose one of T.supply",
        "terminal T1: lng 'MISSING' is not a composition of the supply file or network",
    ]


def test_embedded_chain_links_to_psgp_and_its_variants() -> None:
    chain = default_supply_chain()
    net = linepack.load_default_network()
    cn = compile_network(net, chain.network_scenario)
    assert check_against(chain, net, cn.source_ids, cn.sink_ids) == []
    for name in chain.variants:
        v, scenario = chain.with_variant(name)
        vcn = compile_network(net, scenario or chain.network_scenario)
        assert check_against(v, net, vcn.source_ids, vcn.sink_ids) == [], name
    # every element carries provenance tags
    for t in [*chain.terminals, *chain.storages, *chain.lpg_terminals, *chain.contracts]:
        assert any(tag in t.provenance for tag in ("S:", "A", "D")), t.id
    with pytest.raises(InputError, match="no variant 'nope'"):
        chain.with_variant("nope")
