"""The network the day-ahead optimiser runs on: one gas, stations as single machines (issue 12, 21 after 15)."""

from __future__ import annotations

import pytest

import linepack as lp
from linepack.compile import compile_network
from linepack.errors import InputError
from linepack.model.components import Compressor, CompressorUnit
from linepack.optimize.day.network import check_compiled, day_network
from linepack.optimize.day.run import optimize_day
from linepack.transient import constant_profile


def test_psgp_runs_on_one_gas_with_single_machine_stations() -> None:
    """The embedded PSGP mixes its sources' gases and runs CS1-CS3 on units: the day-ahead copy carries one gas
    and rates the stations by the data set's one-machine ratings, each said in a note; the user's network is
    unchanged."""
    net = lp.load_default_network()
    copy, notes = day_network(net)
    assert net.settings.mixing == "auto" and any(isinstance(c, CompressorUnit) for c in net.components())
    assert copy.settings.mixing == "off"
    assert not any(isinstance(c, CompressorUnit) for c in copy.components())
    cs1 = copy.find("CS1")
    assert isinstance(cs1, Compressor) and cs1.ratio_max == 1.6 and cs1.power_max_mw == 25.0
    text = " ".join(notes)
    assert "one gas" in text and "mixing off" in text
    assert "CS1 (ratio <= 1.6, power <= 25 MW" in text and "not modelled" in text
    cn = compile_network(copy)
    assert cn.stations is None and (cn.quality is None or not cn.quality.mixing)


def test_a_compiled_network_with_units_or_mixtures_is_refused() -> None:
    cn = compile_network(lp.load_default_network())
    with pytest.raises(InputError, match=r"mixes several source gases.*CS1, CS2, CS3 run compressor units"):
        check_compiled(cn)
    with pytest.raises(InputError, match="pass the Network itself"):
        optimize_day(cn, profile=constant_profile())


def test_a_one_gas_network_is_taken_as_it_is() -> None:
    net = lp.load_network("examples/small_line.yaml")
    copy, notes = day_network(net)
    assert copy is net and notes == ()


def test_a_station_shut_beyond_its_ratio_is_refused_with_the_reason() -> None:
    """A station shut by its non-return valve at a ratio above its maximum (about 1.5 against 1.2): the optimiser
    would model it as running at zero flow within the ratio, so it refuses the start and says why."""
    from linepack.errors import InfeasibleError
    from linepack.optimize.day.spec import DaySpec, StartMode

    from .networks import shut_station

    spec = DaySpec(period_s=3 * 3600.0, step_s=1800.0, segment_length_m=20_000.0, start=StartMode.STEADY)
    with pytest.raises(InfeasibleError, match=r"compressor C is shut at the start .* ratio of 1\.[45]\d*, above its "
                                              r"maximum 1\.2"):  # fmt: skip
        optimize_day(shut_station(), profile=constant_profile(), spec=spec)
