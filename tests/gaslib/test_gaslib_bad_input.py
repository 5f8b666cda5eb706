"""Hostile and malformed GasLib files are refused with an InputError naming file, element, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from linepack import InputError
from linepack.io.gaslib import read_gaslib

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<network xmlns="http://gaslib.zib.de/Gas" xmlns:framework="http://gaslib.zib.de/Framework">\n'
)
SOURCE = """    <source id="S" x="0" y="0">
      <height value="10" unit="m"/>
      <pressureMin value="1.01325" unit="bar"/>
      <pressureMax value="71.01325" unit="bar"/>
      <gasTemperature value="10" unit="Celsius"/>
      <calorificValue value="36.45" unit="MJ_per_m_cube"/>
      <normDensity value="0.785" unit="kg_per_m_cube"/>
      <molarMass value="18.57" unit="kg_per_kmol"/>
      <pseudocriticalPressure value="45.9" unit="bar"/>
      <pseudocriticalTemperature value="188.5" unit="K"/>
      <coefficient-A-heatCapacity value="31.8"/>
      <coefficient-B-heatCapacity value="-0.0085"/>
      <coefficient-C-heatCapacity value="7.4e-05"/>
    </source>
"""
SINK = """    <sink id="D">
      <height value="0" unit="m"/>
      <pressureMin value="41.01325" unit="bar"/>
      <pressureMax value="71.01325" unit="bar"/>
    </sink>
"""
PIPE = """    <pipe id="P1" from="S" to="D">
      <length value="{length}" unit="{unit}"/>
      <diameter value="500" unit="mm"/>
      <roughness value="0.05" unit="mm"/>
    </pipe>
"""
SCN = """<?xml version="1.0" encoding="UTF-8"?>
<boundaryValue xmlns="http://gaslib.zib.de/Gas">
  <scenario id="s1">
    <node type="entry" id="S"><flow bound="both" value="100" unit="1000m_cube_per_hour"/></node>
    <node type="exit" id="{exit}"><flow bound="both" value="100" unit="1000m_cube_per_hour"/></node>
  </scenario>
</boundaryValue>
"""


def net_text(length: str = "12.5", unit: str = "km", pipe: str | None = None, tail: str = "</network>\n") -> str:
    body = PIPE.format(length=length, unit=unit) if pipe is None else pipe
    nodes = f"  <framework:nodes>\n{SOURCE}{SINK}  </framework:nodes>\n"
    return f"{HEAD}{nodes}  <framework:connections>\n{body}  </framework:connections>\n{tail}"


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(*args: object, **kw: object) -> str:
    with pytest.raises(InputError) as exc:
        read_gaslib(*args, **kw)  # type: ignore[arg-type]
    return str(exc.value)


def test_small_valid_file_loads(tmp_path: Path) -> None:
    case = read_gaslib(write(tmp_path, "a.net", net_text()), write(tmp_path, "a.scn", SCN.format(exit="D")))
    pipe = case.network.collections["pipes"]["P1"]
    assert pipe.length_km == 12.5  # type: ignore[attr-defined]
    assert case.network.nodes["S"].elevation_m == 10.0
    assert [r.node for r in case.references] == ["S"]
    case.network.validate()


def test_billion_laughs_refused(tmp_path: Path) -> None:
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    text = f'<?xml version="1.0"?>\n<!DOCTYPE network [<!ENTITY lol0 "lol">{lol}]>\n<network>&lol9;</network>\n'
    msg = error_of(write(tmp_path, "bomb.net", text))
    assert "bomb.net" in msg and "line 2" in msg and "DTD" in msg and "billion laughs" in msg


def test_xxe_refused_and_nothing_read(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.txt", "TOP-SECRET")
    text = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE network [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<network><framework:information xmlns:framework='http://gaslib.zib.de/Framework'>"
        "<framework:title>&xxe;</framework:title></framework:information></network>\n"
    )
    msg = error_of(write(tmp_path, "xxe.net", text))
    assert "TOP-SECRET" not in msg and "xxe.net" in msg and "XXE" in msg


def test_undeclared_entity_is_malformed(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "ent.net", HEAD + "<x>&xxe;</x></network>\n"))
    assert "ent.net" in msg and "line 3" in msg and "malformed XML" in msg


def test_unclosed_tag(tmp_path: Path) -> None:
    text = net_text().replace("    </pipe>\n", "")
    msg = error_of(write(tmp_path, "open.net", text))
    assert "open.net: line 29, column 5" in msg and '<pipe id="P1"> opened at line 25' in msg
    assert "malformed XML (mismatched tag)" in msg and "fix the syntax" in msg


def test_bad_number(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "num.net", net_text(length="12,5")))
    assert "num.net: line 26" in msg and '<pipe id="P1">' in msg
    assert "<length> attribute value '12,5' is not a number" in msg and "decimal number" in msg


def test_unknown_unit(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "unit.net", net_text(unit="furlong")))
    assert "unit.net: line 26" in msg and '<pipe id="P1">' in msg
    assert "<length> attribute unit 'furlong' is unknown for a length; use one of m, meter, km, mm, cm" in msg


def test_gauge_unit_for_a_difference(tmp_path: Path) -> None:
    pipe = '    <valve id="V" from="S" to="D"><pressureDifferentialMax value="10" unit="barg"/></valve>\n'
    msg = error_of(write(tmp_path, "dp.net", net_text(pipe=pipe)))
    assert '<valve id="V">' in msg and "no gauge form" in msg


def test_unknown_node_reference(tmp_path: Path) -> None:
    pipe = PIPE.format(length="1", unit="km").replace('to="D"', 'to="DD"')
    msg = error_of(write(tmp_path, "ref.net", net_text(pipe=pipe)))
    assert "ref.net: line 25" in msg and '<pipe id="P1">' in msg
    assert "attribute to refers to unknown node 'DD' (did you mean 'D'?)" in msg


def test_unknown_node_in_nomination(tmp_path: Path) -> None:
    net = write(tmp_path, "a.net", net_text())
    msg = error_of(net, write(tmp_path, "a.scn", SCN.format(exit="X")))
    assert "a.scn: line 5" in msg and '<node id="X">' in msg and "unknown node 'X'" in msg


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = net_text(length="abc").replace('value="500" unit="mm"', 'value="500" unit="inch"')
    with pytest.raises(InputError) as exc:
        read_gaslib(write(tmp_path, "two.net", text))
    assert len(exc.value.problems) == 2


def test_wrong_root_and_missing_file(tmp_path: Path) -> None:
    assert "root element is <boundaryValue>, not <network>" in error_of(write(tmp_path, "x.net", SCN.format(exit="D")))
    assert "file not found" in error_of(tmp_path / "nope.net")


def test_fixed_loss_resistor_refused_by_default(tmp_path: Path) -> None:
    pipe = '    <resistor id="R" from="S" to="D"><pressureLoss value="1.0" unit="bar"/></resistor>\n'
    path = write(tmp_path, "r.net", net_text(pipe=pipe))
    msg = error_of(path)
    assert '<resistor id="R">' in msg and "r.net: line 25" in msg and "fixed pressure loss" in msg
    assert "no linepack element" in msg and "fixed_loss='short_pipe'" in msg
    case = read_gaslib(path, fixed_loss="short_pipe")
    assert "R" in case.network.collections["short_pipes"]
    assert case.element("R").values["pressureLoss"] == 1.0


def test_reference_options(tmp_path: Path) -> None:
    net = write(tmp_path, "a.net", net_text())
    scn = write(tmp_path, "a.scn", SCN.format(exit="D"))
    case = read_gaslib(net, scn, reference=("S", 55.0))
    src = case.network.collections["sources"]["S.entry"]
    assert src.mode == "pressure" and src.p_set_barg == 55.0 and src.absorbs  # type: ignore[attr-defined]
    assert "did you mean 'S'" in error_of(net, scn, reference="SS")
    case = read_gaslib(net)  # no nomination: the source with the largest flowMax holds the pressure
    assert [r.node for r in case.references] == ["S"]
    assert case.references[0].p_set_barg == pytest.approx(70.0)
    assert "fixed_loss" in error_of(net, fixed_loss="drop")


def test_bad_cdf_and_cs(tmp_path: Path) -> None:
    net = write(tmp_path, "a.net", net_text())
    cdf = write(
        tmp_path,
        "a.cdf",
        '<?xml version="1.0"?>\n<combinedDecisions xmlns="http://gaslib.zib.de/CombinedDecisions">\n'
        '  <decisionGroup id="g"><decision id="d">\n'
        '    <valve id="P1" value="0"/>\n'
        "  </decision></decisionGroup>\n</combinedDecisions>\n",
    )
    msg = error_of(net, None, cdf)
    assert "a.cdf: line 4" in msg and '<decision id="d">' in msg and "which is a pipe in the .net" in msg
    cs = write(
        tmp_path,
        "a.cs",
        '<?xml version="1.0"?>\n<compressorStations xmlns="http://gaslib.zib.de/CompressorStations">\n'
        '  <compressorStation id="CS9"/>\n</compressorStations>\n',
    )
    msg = error_of(net, None, None, cs)
    assert "a.cs: line 3" in msg and '<compressorStation id="CS9">' in msg and "has no compressorStation" in msg


def test_island_without_source_is_reported(tmp_path: Path) -> None:
    text = net_text().replace(
        "  </framework:nodes>",
        '    <innode id="I1"><pressureMax value="50" unit="bar"/></innode>\n'
        '    <sink id="I2"><pressureMax value="50" unit="bar"/></sink>\n  </framework:nodes>',
    )
    text = text.replace(
        "  </framework:connections>", '    <shortPipe id="SP" from="I1" to="I2"/>\n  </framework:connections>'
    )
    case = read_gaslib(write(tmp_path, "i.net", text))
    assert any("without any source have no pressure reference" in w for w in case.warnings)


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        (
            '<flow bound="lower" value="120" unit="1000m_cube_per_hour"/>'
            '<flow bound="upper" value="80" unit="1000m_cube_per_hour"/>',
            'bound="lower"> 120 is above <flow bound="upper"> 80',
        ),
        (
            '<flow bound="both" value="150" unit="1000m_cube_per_hour"/>'
            '<flow bound="upper" value="100" unit="1000m_cube_per_hour"/>',
            'bound="both"> 150 is outside its own lower/upper bounds',
        ),
    ],
)
def test_contradictory_nomination_bounds_are_refused_not_averaged(tmp_path: Path, bounds: str, message: str) -> None:
    """Issue 20, item 8: a .scn whose lower flow bound is above its upper one was averaged silently."""
    net = write(tmp_path, "n.net", net_text())
    scn = SCN.replace('<flow bound="both" value="100" unit="1000m_cube_per_hour"/></node>\n    <node type="exit"',
                      f'{bounds}</node>\n    <node type="exit"', 1).format(exit="D")
    with pytest.raises(InputError, match=r"contradict|outside its own") as exc:
        read_gaslib(net, write(tmp_path, "n.scn", scn))
    assert message in str(exc.value) and "n.scn: line 4" in str(exc.value)
