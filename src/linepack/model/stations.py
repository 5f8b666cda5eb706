"""Schemas of compressor maps and drivers: the named machine types that compressor units refer to.

A network file holds them in two top-level mappings, beside ``gas_compositions``::

    compressor_maps:
      PIPELINE_TURBO: {kind: turbo, speed_min_rpm: 3900, speed_max_rpm: 5460, curves: [...]}
    drivers:
      GT_15MW: {kind: gas_turbine, rated_power_mw: 15.3, derate_per_k: 0.0075, thermal_efficiency: 0.355}

Units (``compressor_units``) name one map and one driver; configurations (``compressor_configurations``)
say which units run, in parallel or in series (:mod:`linepack.model.components`). The physics is in
:mod:`linepack.stations`; the conventions follow GasLib (Schmidt et al. 2017, Data 2(4):40; Pfetsch et al.
2015, Optim. Methods Softw. 30(1):15-53) so that a GasLib ``.cs`` maps onto these schemas without loss.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from .strict import StrictModel


def _f(description: str, unit: str = "", **kw: Any) -> Any:
    extra: dict[str, Any] = {"unit": unit} if unit else {}
    return Field(description=description, json_schema_extra=extra, **kw)


_SPEC = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class SpeedCurve(StrictModel):
    """One speed line of a tabulated turbo-compressor map, points from surge to choke."""

    model_config = _SPEC
    speed_rpm: float = _f("speed of this line", "1/min", gt=0, le=100_000)
    flow_m3_s: list[float] = _f("actual inlet volume flows, increasing (surge end first)", "m3/s", min_length=2)
    head_kj_per_kg: list[float] = _f("isentropic (adiabatic) head at each flow", "kJ/kg", min_length=2)
    efficiency: list[float] = _f("isentropic efficiency at each flow", "", min_length=2)

    @model_validator(mode="after")
    def _same_lengths(self) -> SpeedCurve:
        n = len(self.flow_m3_s)
        if len(self.head_kj_per_kg) != n or len(self.efficiency) != n:
            raise ValueError(
                f"speed line {self.speed_rpm:g} rpm: flow_m3_s, head_kj_per_kg and efficiency need the same number of "
                f"points (got {n}, {len(self.head_kj_per_kg)}, {len(self.efficiency)})"
            )
        if any(b <= a for a, b in zip(self.flow_m3_s, self.flow_m3_s[1:], strict=False)):
            raise ValueError(f"speed line {self.speed_rpm:g} rpm: flow_m3_s must increase from surge to choke")
        if any(q <= 0 for q in self.flow_m3_s) or any(h <= 0 for h in self.head_kj_per_kg):
            raise ValueError(f"speed line {self.speed_rpm:g} rpm: flows and heads must be > 0")
        if any(not 0 < e <= 1 for e in self.efficiency):
            raise ValueError(f"speed line {self.speed_rpm:g} rpm: efficiencies must lie in (0, 1]")
        return self


class TurboMapSpec(StrictModel):
    """A turbo (centrifugal) compressor map: head and efficiency against actual inlet volume flow and speed.

    Either the GasLib polynomial form (``head_coefficients`` ... ``choke_coefficients``) or tabulated speed
    lines (``curves``), which linepack fits to the same form by least squares (the fit error is checked
    against ``fit_tolerance``). Head is ``H(n, Q) = sum c[i + 3 j] n^i Q^j`` [kJ/kg] with n in 1/min and Q in
    m3/s (GasLib's ``n_isoline_coeff``); the efficiency has the same form; surge and choke lines are
    ``H = s0 + s1 Q + s2 Q^2``. The machine may run where ``choke(Q) <= H <= surge(Q)`` and
    ``speed_min_rpm <= n <= speed_max_rpm``.
    """

    model_config = _SPEC
    kind: Literal["turbo"] = "turbo"
    speed_min_rpm: float = _f("minimum speed", "1/min", gt=0, le=100_000)
    speed_max_rpm: float = _f("maximum speed", "1/min", gt=0, le=100_000)
    head_coefficients: list[float] | None = _f(
        "head H(n, Q) = sum c[i + 3 j] n^i Q^j, 9 values (GasLib n_isoline_coeff_1..9)", "kJ/kg", default=None
    )
    efficiency_coefficients: list[float] | None = _f(
        "isentropic efficiency, same form, 9 values (GasLib eta_ad_isoline_coeff_1..9)", "", default=None
    )
    surge_coefficients: list[float] | None = _f(
        "surge line H = s0 + s1 Q + s2 Q^2, 3 values (GasLib surgeline_coeff_1..3)", "kJ/kg", default=None
    )
    choke_coefficients: list[float] | None = _f(
        "choke line H = c0 + c1 Q + c2 Q^2, 3 values (GasLib chokeline_coeff_1..3)", "kJ/kg", default=None
    )
    curves: list[SpeedCurve] | None = _f(
        "tabulated speed lines (at least 3), fitted to the polynomial form; instead of the coefficients",
        default=None,
    )
    fit_tolerance: float = _f(
        "largest accepted error of the fitted head, as a fraction of the head at that point",
        "",
        default=0.03,
        gt=0,
        le=0.5,
    )
    provenance: str = _f("provenance tag: S (sourced), D (derived) or A (assumed), with references", default="")
    note: str = _f("free text", default="")

    @model_validator(mode="after")
    def _form(self) -> TurboMapSpec:
        if self.speed_min_rpm >= self.speed_max_rpm:
            raise ValueError(
                f"speed_min_rpm ({self.speed_min_rpm:g}) must be below speed_max_rpm ({self.speed_max_rpm:g})"
            )
        coeffs = {
            "head_coefficients": (self.head_coefficients, 9),
            "efficiency_coefficients": (self.efficiency_coefficients, 9),
            "surge_coefficients": (self.surge_coefficients, 3),
            "choke_coefficients": (self.choke_coefficients, 3),
        }
        for name, (value, n) in coeffs.items():
            if value is not None and len(value) != n:
                raise ValueError(f"{name} needs {n} values (got {len(value)})")
        if self.curves is not None:
            if self.head_coefficients is not None or self.efficiency_coefficients is not None:
                raise ValueError("give either curves or head_coefficients/efficiency_coefficients, not both")
            speeds = sorted({c.speed_rpm for c in self.curves})
            if len(speeds) < 3 or len(speeds) != len(self.curves):
                raise ValueError(
                    f"curves need at least 3 speed lines at different speeds (got {len(self.curves)}); "
                    "a quadratic in speed cannot be fitted from fewer"
                )
            if sum(len(c.flow_m3_s) for c in self.curves) < 9:
                raise ValueError("curves need at least 9 points together to fit the 9 coefficients")
        else:
            missing = [name for name, (value, _) in coeffs.items() if value is None]
            if missing:
                raise ValueError(f"give {', '.join(missing)} (the GasLib polynomial form), or tabulated curves instead")
        return self


class PistonMapSpec(StrictModel):
    """A piston (reciprocating) compressor: a volumetric machine with its envelope.

    Actual inlet volume flow ``Q = (1 - volumetric_loss) * displacement_m3 * n / 60``; running between the
    speed limits, up to ``ratio_max`` per stage and, when given, up to ``torque_max_knm`` on the shaft
    (torque ``M = P / (2 pi n / 60)``); power ``P = m H / isentropic_efficiency``. GasLib's
    ``operatingVolume``, ``additionalReductionVolFlow``, ``maximalCompressionRatio``, ``maximalTorque`` (0:
    none given) and ``adiabaticEfficiency``.
    """

    model_config = _SPEC
    kind: Literal["piston"] = _f("piston (required: a map without kind is a turbo map)")
    speed_min_rpm: float = _f("minimum speed", "1/min", gt=0, le=100_000)
    speed_max_rpm: float = _f("maximum speed", "1/min", gt=0, le=100_000)
    displacement_m3: float = _f("swept (operating) volume per revolution", "m3", gt=0, le=100)
    volumetric_loss: float = _f(
        "fraction of the swept volume not delivered (clearance re-expansion, valve losses)", "", default=0.0, ge=0, lt=1
    )
    ratio_max: float = _f("maximum compression ratio per stage", "", gt=1, le=20)
    torque_max_knm: float | None = _f("maximum shaft torque (none: no torque limit)", "kN m", default=None, gt=0)
    isentropic_efficiency: float = _f("isentropic efficiency", "", gt=0, le=1)
    provenance: str = _f("provenance tag: S, D or A, with references", default="")
    note: str = _f("free text", default="")

    @model_validator(mode="after")
    def _speeds(self) -> PistonMapSpec:
        if self.speed_min_rpm >= self.speed_max_rpm:
            raise ValueError(
                f"speed_min_rpm ({self.speed_min_rpm:g}) must be below speed_max_rpm ({self.speed_max_rpm:g})"
            )
        return self


CompressorMapSpec = TurboMapSpec | PistonMapSpec
MAP_KINDS: dict[str, type[TurboMapSpec] | type[PistonMapSpec]] = {"turbo": TurboMapSpec, "piston": PistonMapSpec}


def map_model(data: Any) -> type[TurboMapSpec] | type[PistonMapSpec]:
    """The schema of a ``compressor_maps`` entry by its ``kind`` (turbo when absent); ValueError otherwise."""
    kind = data.get("kind", "turbo") if isinstance(data, dict) else "turbo"
    if kind not in MAP_KINDS:
        raise ValueError(f"kind must be turbo or piston (got {kind!r})")
    return MAP_KINDS[kind]


DriverKind = Literal["gas_turbine", "gas_engine", "electric_motor", "steam_turbine"]
#: Drivers that burn gas drawn from the station's suction.
GAS_FIRED: frozenset[str] = frozenset({"gas_turbine", "gas_engine"})
#: Derating of available power per K above the rating temperature when ``derate_per_k`` is not given: about
#: 0.7 %/K for industrial and aero-derivative gas turbines (GE GER-3567H, Brooks 2000, fig. 9; Saravanamuttoo
#: et al., Gas Turbine Theory, 6th ed., 2009, ch. 9), none for engines, motors and steam turbines (A).
DEFAULT_DERATE_PER_K: dict[str, float] = {
    "gas_turbine": 0.007,
    "gas_engine": 0.0,
    "electric_motor": 0.0,
    "steam_turbine": 0.0,
}
#: Energy input at no load as a fraction of the full-load input when ``no_load_fuel_fraction`` is not given (A:
#: the GasLib gas turbines have 0.18 to 0.55, part-load heat rates of two-shaft pipeline turbines about 1.3 times
#: the full-load rate at half load; motors lose a few per cent at no load).
DEFAULT_NO_LOAD_FRACTION: dict[str, float] = {
    "gas_turbine": 0.3,
    "gas_engine": 0.2,
    "electric_motor": 0.03,
    "steam_turbine": 0.2,
}


class DriverSpec(StrictModel):
    """A compressor driver: its available shaft power and the energy it takes to deliver a shaft power.

    Available power: GasLib's ``power_coefficients`` (9 values: ``P(n, T) = sum b[i + 3 j] n^i T^j`` kW with
    n in 1/min and the ambient temperature T in Celsius; 3 values: ``P(n) = b0 + b1 n + b2 n^2``), or the
    rated form ``rated_power_mw * (1 - derate_per_k * (T - rating_temperature_c))``, capped at
    ``power_max_mw`` (default: the rated power) in cold weather.

    Energy taken (fuel for gas-fired drivers, electricity for motors, steam otherwise): GasLib's
    ``energy_rate_coefficients`` (``E = e0 + e1 P + e2 P^2`` kW of the shaft power P in kW), or the Willans
    line ``E = f0 P_rated / thermal_efficiency + (1 - f0) P / eta(T)`` with ``eta(T) = thermal_efficiency *
    (1 - efficiency_derate_per_k * (T - rating_temperature_c))`` and ``f0 = no_load_fuel_fraction`` (at the
    rating, full load takes ``P_rated / thermal_efficiency``).
    """

    model_config = _SPEC
    kind: DriverKind = _f("gas_turbine, gas_engine (gas-fired), electric_motor or steam_turbine")
    rated_power_mw: float | None = _f("shaft power at the rating temperature", "MW", default=None, gt=0, le=1000)
    rating_temperature_c: float = _f(
        "ambient temperature of the rating (ISO 3977: 15 C)", "degC", default=15.0, ge=-60, le=60
    )
    derate_per_k: float | None = _f(
        "fraction of rated power lost per K of ambient temperature above the rating (none: 0.007 for gas "
        "turbines, 0 otherwise)",
        "1/K",
        default=None,
        ge=0,
        le=0.05,
    )
    power_max_mw: float | None = _f(
        "cap on the available power in cold weather (gearbox, compressor); none: the rated power",
        "MW",
        default=None,
        gt=0,
    )
    power_coefficients: list[float] | None = _f(
        "GasLib maximal power polynomial: 9 values in (speed, ambient temperature) or 3 in speed", "kW", default=None
    )
    thermal_efficiency: float | None = _f(
        "shaft power over energy input at rated load and rating temperature (lower heating value for fuel)",
        "",
        default=None,
        gt=0,
        le=1,
    )
    no_load_fuel_fraction: float | None = _f(
        "energy input at no load as a fraction of the input at full load (Willans line); none: 0.3 for gas "
        "turbines, 0.2 for gas engines and steam turbines, 0.03 for electric motors",
        "",
        default=None,
        ge=0,
        lt=1,
    )
    efficiency_derate_per_k: float = _f(
        "fraction of the thermal efficiency lost per K above the rating temperature", "1/K", default=0.0, ge=0, le=0.05
    )
    energy_rate_coefficients: list[float] | None = _f(
        "GasLib energy rate E = e0 + e1 P + e2 P^2 (kW of shaft kW), 3 values", "kW", default=None
    )
    provenance: str = _f("provenance tag: S, D or A, with references", default="")
    note: str = _f("free text", default="")

    @model_validator(mode="after")
    def _forms(self) -> DriverSpec:
        if (self.rated_power_mw is None) == (self.power_coefficients is None):
            raise ValueError("give either rated_power_mw (with derate_per_k) or power_coefficients, one of them")
        if self.power_coefficients is not None and len(self.power_coefficients) not in (3, 9):
            raise ValueError(f"power_coefficients needs 3 or 9 values (got {len(self.power_coefficients)})")
        if (self.thermal_efficiency is None) == (self.energy_rate_coefficients is None):
            raise ValueError(
                "give either thermal_efficiency (with no_load_fuel_fraction) or energy_rate_coefficients, one of them"
            )
        if self.energy_rate_coefficients is not None and len(self.energy_rate_coefficients) != 3:
            raise ValueError(f"energy_rate_coefficients needs 3 values (got {len(self.energy_rate_coefficients)})")
        if (
            self.power_max_mw is not None
            and self.rated_power_mw is not None
            and self.power_max_mw < self.rated_power_mw
        ):
            raise ValueError(
                f"power_max_mw ({self.power_max_mw:g}) is below rated_power_mw ({self.rated_power_mw:g}); it caps the "
                "cold-weather power and must be at least the rated power"
            )
        return self

    @property
    def gas_fired(self) -> bool:
        return self.kind in GAS_FIRED
