"""Input schema of non-isothermal flow: the thermal settings, wall/coating layers, ground regions, after-coolers
and preheaters, and the temperature checks shared by the component fields.

``settings.thermal.mode`` is ``isothermal`` by default: every field here is then accepted, validated and
ignored by the hydraulics, so a network without thermal data gives exactly the results it gave before.
Temperatures are in degrees Celsius at the edge (``*_c``), as everywhere in linepack's files. A value that
is a plausible Kelvin temperature where Celsius is expected (e.g. ``ground_temperature_c: 298``) is an error
that says so, since a ground or gas temperature above 100 C is not a pipeline state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .strict import StrictModel

#: Absolute zero in degrees Celsius.
ABSOLUTE_ZERO_C = -273.15


def _f(description: str, unit: str = "", **kw: Any) -> Any:
    extra: dict[str, Any] = {"unit": unit} if unit else {}
    return Field(description=description, json_schema_extra=extra, **kw)


def celsius(value: float | None, field: str, low: float, high: float, what: str) -> float | None:
    """Check a Celsius temperature field; a value that reads as Kelvin gets a message saying so.

    Args:
        value: the value written [degC] (None passes).
        field: the field name, for the message.
        low, high: plausible range of the quantity [degC].
        what: what the temperature is ("ground temperature", ...).

    Raises:
        ValueError: outside ``low..high``; the message names the field, the value, the range and, for values
        that are plausible in kelvin (value - 273.15 inside the range), the Celsius value meant.
    """
    if value is None:
        return None
    if low <= value <= high:
        return value
    if value < ABSOLUTE_ZERO_C:
        raise ValueError(f"{field} = {value:g} C is below absolute zero; give the {what} in degrees Celsius")
    as_c = value + ABSOLUTE_ZERO_C
    if low <= as_c <= high:
        raise ValueError(
            f"{field} = {value:g} looks like a temperature in kelvin ({value:g} K = {as_c:.2f} C); this field is "
            f"in degrees Celsius: write {as_c:.2f}"
        )
    raise ValueError(
        f"{field} = {value:g} C is outside the plausible {what} range {low:g}..{high:g} C; check the value and its "
        "unit (degrees Celsius)"
    )


#: Plausible ranges [degC] of the temperature fields.
GROUND_RANGE_C = (-40.0, 60.0)
GAS_RANGE_C = (-60.0, 100.0)
DISCHARGE_RANGE_C = (0.0, 200.0)


class ThermalMode(StrEnum):
    """Whether the hydraulics carry a temperature: ``isothermal`` (settings.temperature_c everywhere, the
    default) or ``non_isothermal`` (energy balance with the ground, Joule-Thomson, stations and coolers)."""

    ISOTHERMAL = "isothermal"
    NON_ISOTHERMAL = "non_isothermal"


class WallLayer(StrictModel):
    """One cylindrical layer around the gas, innermost first (steel wall, coating, insulation, concrete)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    name: str = _f("what the layer is (steel, 3LPE, FBE, concrete...)", default="")
    thickness_mm: float = _f("layer thickness", "mm", gt=0, le=1000)
    conductivity_w_mk: float = _f(
        "thermal conductivity (carbon steel 45-50, 3LPE/FBE 0.2-0.4, concrete 1-1.5)", "W/(m K)", gt=0, le=500
    )


def _u_value(value: float | None, field: str) -> float | None:
    if value is not None and value < 0:
        raise ValueError(
            f"{field} = {value:g} W/(m2 K) is negative: an overall heat-transfer coefficient is >= 0 (0: an "
            "insulated, adiabatic pipe; buried gas lines 1-5); give its magnitude, or give cover_depth_m, "
            "soil_conductivity_w_mk and wall_layers to compute it"
        )
    if value is not None and value > 500:
        raise ValueError(
            f"{field} = {value:g} W/(m2 K) is above 500, beyond any pipe in soil, air or water (bare pipe in "
            "flowing water ~ 100-500); check the value and its unit W/(m2 K)"
        )
    return value


def _ground_temperature(v: float | None) -> float | None:
    return celsius(v, "ground_temperature_c", *GROUND_RANGE_C, "ground temperature")


def _ground_temperatures_by_season(v: dict[str, float]) -> dict[str, float]:
    for season, value in v.items():
        celsius(value, f"ground_temperature_by_season_c.{season}", *GROUND_RANGE_C, "ground temperature")
    return v


class GroundRegion(StrictModel):
    """A region of uniform ground conditions (ground temperature by season, soil) that pipes refer to."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    ground_temperature_c: float | None = _f(
        "undisturbed ground temperature at pipe depth (all seasons; or per season below)", "degC", default=None
    )
    ground_temperature_by_season_c: dict[str, float] = _f(
        "ground temperature at pipe depth per season name (settings.thermal.season picks one)",
        "degC",
        default_factory=dict,
    )
    soil_conductivity_w_mk: float | None = _f("soil thermal conductivity", "W/(m K)", default=None, gt=0, le=10)
    provenance: str = _f("S, D or A tag with references", default="")

    _ground_c = field_validator("ground_temperature_c")(_ground_temperature)
    _seasons_c = field_validator("ground_temperature_by_season_c")(_ground_temperatures_by_season)


class AfterCooler(StrictModel):
    """An after-cooler at a compressor's discharge: holds an outlet temperature, within a duty limit."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    outlet_temperature_c: float | None = _f("outlet temperature set-point", "degC", default=None)
    duty_max_mw: float | None = _f("largest heat the cooler removes (fans, area)", "MW", default=None, ge=0, le=1000)

    @field_validator("outlet_temperature_c")
    @classmethod
    def _outlet_c(cls, v: float | None) -> float | None:
        return celsius(v, "outlet_temperature_c", *GAS_RANGE_C, "cooler outlet temperature")

    @model_validator(mode="after")
    def _something_to_hold(self) -> AfterCooler:
        if self.outlet_temperature_c is None and self.duty_max_mw is None:
            raise ValueError(
                "an after_cooler needs outlet_temperature_c (its set-point) or duty_max_mw (a cooler running at "
                "full duty), or both"
            )
        return self


class Preheater(StrictModel):
    """A gas heater upstream of a regulator: keeps the outlet at or above a minimum temperature (hydrates,
    embrittlement of the downstream pipe), within a duty limit."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    outlet_temperature_min_c: float = _f("lowest temperature allowed downstream of the regulator", "degC")
    duty_max_mw: float | None = _f("largest heat the preheater adds", "MW", default=None, ge=0, le=1000)

    @field_validator("outlet_temperature_min_c")
    @classmethod
    def _outlet_c(cls, v: float) -> float:
        result = celsius(v, "outlet_temperature_min_c", *GAS_RANGE_C, "regulator outlet temperature")
        assert result is not None
        return result


class ThermalSettings(StrictModel):
    """Network-wide settings of non-isothermal flow (``settings.thermal``); per-pipe, per-region and
    per-station fields override the defaults here."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    mode: ThermalMode = _f(
        "isothermal: one temperature (settings.temperature_c) everywhere, as before; non_isothermal: energy "
        "balance with the ground, Joule-Thomson, compressor heating, coolers and preheaters",
        default=ThermalMode.ISOTHERMAL,
    )
    season: str | None = _f(
        "season whose ground temperatures apply (a key of ground_temperature_by_season_c); none: the all-season values",
        default=None,
    )
    ground_temperature_c: float | None = _f(
        "default ground temperature at pipe depth (none: settings.temperature_c)", "degC", default=None
    )
    ground_temperature_by_season_c: dict[str, float] = _f(
        "default ground temperature per season name", "degC", default_factory=dict
    )
    heat_transfer_coefficient_w_m2k: float | None = _f(
        "default overall heat-transfer coefficient U referred to the inner diameter, for pipes that give neither "
        "U nor wall_layers (none: computed from cover_depth_m, soil and wall_layers)",
        "W/(m2 K)",
        default=None,
    )
    cover_depth_m: float = _f("default soil cover above the pipe", "m", default=1.0, gt=0, le=50)
    soil_conductivity_w_mk: float = _f("default soil thermal conductivity", "W/(m K)", default=1.5, gt=0, le=10)
    wall_layers: list[WallLayer] = _f(
        "default wall and coating layers, innermost first (none: steel wall only, 1 % of the inner diameter)",
        default_factory=list,
        max_length=16,
    )
    source_temperature_c: float | None = _f(
        "default temperature of the gas sources deliver (none: the ground temperature at their node)",
        "degC",
        default=None,
    )
    discharge_temperature_max_c: float | None = _f(
        "default highest compressor discharge temperature (pipe coating limit, e.g. 60-65 C for 3LPE)",
        "degC",
        default=None,
    )
    compression_path: Literal["isentropic", "polytropic"] = _f(
        "real-gas path of compressors: isentropic (isentropic_efficiency) or polytropic (polytropic_efficiency)",
        default="isentropic",
    )
    regions: dict[str, GroundRegion] = _f(
        "ground regions by name (pipes refer to them with thermal_region)", default_factory=dict
    )

    @field_validator("heat_transfer_coefficient_w_m2k")
    @classmethod
    def _u(cls, v: float | None) -> float | None:
        return _u_value(v, "heat_transfer_coefficient_w_m2k")

    _ground_c = field_validator("ground_temperature_c")(_ground_temperature)
    _seasons_c = field_validator("ground_temperature_by_season_c")(_ground_temperatures_by_season)

    @field_validator("source_temperature_c")
    @classmethod
    def _source_c(cls, v: float | None) -> float | None:
        return celsius(v, "source_temperature_c", *GAS_RANGE_C, "gas temperature")

    @field_validator("discharge_temperature_max_c")
    @classmethod
    def _discharge_c(cls, v: float | None) -> float | None:
        return celsius(v, "discharge_temperature_max_c", *DISCHARGE_RANGE_C, "compressor discharge temperature")

    @model_validator(mode="after")
    def _season_known(self) -> ThermalSettings:
        if self.season is None:
            return self
        known = set(self.ground_temperature_by_season_c)
        for region in self.regions.values():
            known |= set(region.ground_temperature_by_season_c)
        if self.season not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise ValueError(
                f"season '{self.season}' has no ground temperature (seasons given: {listed}); add it to "
                "ground_temperature_by_season_c or choose a listed season"
            )
        return self


def pipe_u_check(value: float | None) -> float | None:
    """The per-pipe check of ``heat_transfer_coefficient_w_m2k`` (shared with the settings default)."""
    return _u_value(value, "heat_transfer_coefficient_w_m2k")


#: The thermal schemas that have field tables of their own (``linepack describe thermal``).
THERMAL_MODELS: dict[str, type[StrictModel]] = {
    "thermal": ThermalSettings,
    "ground_region": GroundRegion,
    "wall_layer": WallLayer,
    "after_cooler": AfterCooler,
    "preheater": Preheater,
}


def region_problems(components: Iterable[Any], regions: Mapping[str, GroundRegion]) -> list[str]:
    """Problems of pipes naming a ``thermal_region`` that ``settings.thermal.regions`` does not define."""
    from .errors import suggest

    problems = []
    for c in components:
        name = getattr(c, "thermal_region", None)
        if name is not None and name not in regions:
            problems.append(
                f"pipe {c.id}: thermal_region '{name}' is not in settings.thermal.regions"
                f"{suggest(name, list(regions))}; define the region or correct the name"
            )
    return problems
