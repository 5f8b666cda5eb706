"""Views of non-isothermal results: ``linepack describe`` documents every field the result file adds, and
``linepack transient --thermal`` prints delivery temperatures and writes them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

import linepack
from linepack.cli import app
from linepack.model.network import Network
from linepack.thermal.fields import RESULT_FIELDS

from .test_thermal_coupling import _pipe
from .test_thermal_network import _small


def _keys(doc: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for table in ("nodes", "pipes", "compressors", "regulators"):
        for rec in doc.get(table, []):
            out |= set(rec)
    return out


def test_describe_documents_every_thermal_field_of_the_result_file() -> None:
    doc = _small()
    hot = linepack.solve_steady(Network.from_dict(doc)).to_dict()
    cold_doc = copy.deepcopy(doc)
    cold_doc["settings"]["thermal"]["mode"] = "isothermal"
    cold = linepack.solve_steady(Network.from_dict(cold_doc)).to_dict()
    added = _keys(hot) - _keys(cold)
    documented = {f for f, *_ in RESULT_FIELDS["thermal_result"]}
    assert added and added <= documented, added - documented
    result = CliRunner().invoke(app, ["describe", "thermal_result"])
    assert result.exit_code == 0 and "at_discharge_limit" in result.output


def test_transient_thermal_cli(tmp_path: Path) -> None:
    net_file = tmp_path / "pipe.yaml"
    _pipe(thermal="isothermal").save(net_file)
    out = tmp_path / "run.nc"
    args = ["transient", str(net_file), "--profile", "constant", "--horizon", "2", "--dt", "1800"]
    args += ["--segment-length", "20", "--no-plot", "-o", str(out), "--thermal", "full", "--snapshot-interval", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "delivery temperatures (full)" in result.output and "K" in result.output
    csv = (tmp_path / "run.temperatures.csv").read_text().splitlines()
    assert csv[0].startswith("time_h,K_temperature_c") and len(csv) == 1 + 5  # 0, 0.5, 1, 1.5, 2 h
    bad = CliRunner().invoke(app, [*args[:-4], "--thermal", "implicit"])
    assert bad.exit_code == 1 and "use full or quasi-steady" in bad.output
