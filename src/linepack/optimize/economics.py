"""Cost models: capital of pipes, compressor stations and terminals, fuel, annualised cost, levelised tariff.

Parameters come from ``linepack/data/costs.yaml`` (each with an S/D/A tag and its source) and can be
overridden. Money is in USD; the annualised cost of a capital ``C`` is ``C (CRF + om)`` with the capital
recovery factor ``CRF = r (1 + r)^n / ((1 + r)^n - 1)`` (discount rate r, lifetime n years) and an O&M
fraction ``om`` per year. The levelised tariff is the annual cost over the annual energy carried.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from importlib import resources
from typing import Any

import yaml

from ..errors import InputError

SECONDS_PER_YEAR = 365.0 * 86400.0
J_PER_MMBTU = 1.055056e9


@dataclass(frozen=True)
class Economics:
    """Cost parameters (units in the names)."""

    pipe_usd_per_inch_km: float
    station_fixed_usd: float
    compression_usd_per_mw: float
    terminal_usd_per_mmscfd: float
    fuel_usd_per_mmbtu: float
    discount_rate: float
    lifetime_years: int
    om_fraction_per_year: float
    load_factor: float
    lng_usd_per_mmbtu: float
    domestic_gas_usd_per_mmbtu: float
    tags: tuple[tuple[str, str, str], ...] = ()  # (parameter, tag, source)

    @staticmethod
    def default() -> Economics:
        """The parameters of ``linepack/data/costs.yaml``."""
        text = resources.files("linepack").joinpath("data/costs.yaml").read_text(encoding="utf-8")
        return Economics.from_dict(yaml.safe_load(text))

    @staticmethod
    def from_dict(doc: dict[str, Any]) -> Economics:
        params = doc.get("parameters")
        if not isinstance(params, dict):
            raise InputError("costs: the file needs a 'parameters' mapping of {name: {value, tag, source}}")
        names = [f.name for f in fields(Economics) if f.name != "tags"]
        missing = [n for n in names if n not in params]
        unknown = [n for n in params if n not in names]
        if missing or unknown:
            raise InputError(
                [f"costs: missing parameter {n}; give {{value, tag, source}}" for n in missing]
                + [f"costs: unknown parameter {n}; known: {', '.join(names)}" for n in unknown]
            )
        vals: dict[str, Any] = {}
        tags = []
        for n in names:
            entry = params[n]
            if not isinstance(entry, dict) or "value" not in entry:
                raise InputError(f"costs: parameter {n} must be a mapping with value, tag and source")
            tag = str(entry.get("tag", ""))
            if tag not in ("S", "D", "A"):
                raise InputError(f"costs: parameter {n} needs tag S, D or A (got '{tag}')")
            vals[n] = entry["value"]
            tags.append((n, tag, str(entry.get("source", ""))))
        econ = Economics(**vals, tags=tuple(tags))
        econ.check()
        return econ

    def with_(self, **overrides: float) -> Economics:
        """A copy with some parameters replaced (their tag becomes A: a user's choice)."""
        names = {f.name for f in fields(Economics)} - {"tags"}
        bad = [k for k in overrides if k not in names]
        if bad:
            raise InputError(f"costs: unknown parameter(s) {', '.join(bad)}; known: {', '.join(sorted(names))}")
        tags = tuple((n, "A", "set by the user") if n in overrides else (n, t, s) for n, t, s in self.tags)
        econ = replace(self, **overrides, tags=tags)  # type: ignore[arg-type]
        econ.check()
        return econ

    def check(self) -> None:
        problems = []
        for f in fields(self):
            if f.name == "tags":
                continue
            v = getattr(self, f.name)
            if not isinstance(v, int | float) or v < 0:
                problems.append(f"costs: {f.name} must be a number >= 0 (got {v!r})")
        if self.lifetime_years < 1:
            problems.append(f"costs: lifetime_years must be >= 1 (got {self.lifetime_years})")
        if not 0 < self.load_factor <= 1:
            problems.append(f"costs: load_factor must be in (0, 1] (got {self.load_factor})")
        if problems:
            raise InputError(problems)

    # --- cost models -------------------------------------------------------------------------------
    @property
    def capital_recovery_factor(self) -> float:
        """CRF = r (1+r)^n / ((1+r)^n - 1); 1/n when r = 0."""
        r, n = self.discount_rate, self.lifetime_years
        if r == 0:
            return 1.0 / n
        g = (1.0 + r) ** n
        return r * g / (g - 1.0)

    def annualised_usd_per_year(self, capital_usd: float) -> float:
        """Capital charge plus O&M per year of a capital ``capital_usd``."""
        return capital_usd * (self.capital_recovery_factor + self.om_fraction_per_year)

    def pipe_capital_usd(self, nominal_diameter_in: float, length_km: float) -> float:
        """Pipe (or loop) capital: ``pipe_usd_per_inch_km * D_in * L_km``."""
        return self.pipe_usd_per_inch_km * nominal_diameter_in * length_km

    def station_capital_usd(self, power_mw: float) -> float:
        """Compressor station capital: fixed per station plus ``compression_usd_per_mw`` per MW installed."""
        return self.station_fixed_usd + self.compression_usd_per_mw * power_mw

    def terminal_capital_usd(self, capacity_mmscfd: float) -> float:
        return self.terminal_usd_per_mmscfd * capacity_mmscfd

    def fuel_usd_per_kg(self, hhv_j_per_kg: float) -> float:
        return self.fuel_usd_per_mmbtu * hhv_j_per_kg / J_PER_MMBTU

    def power_capital_usd_per_w_s(self) -> float:
        """Annualised compression capital per W installed, per second of operation (an objective weight)."""
        return self.annualised_usd_per_year(self.compression_usd_per_mw / 1e6) / SECONDS_PER_YEAR

    def default_supply_price_usd_per_mmbtu(self, source_id: str) -> float:
        """The dispatch default: LNG price for ids naming LNG or an FSRU, domestic gas price otherwise."""
        sid = source_id.upper()
        return self.lng_usd_per_mmbtu if ("LNG" in sid or "FSRU" in sid) else self.domestic_gas_usd_per_mmbtu

    def levelised_tariff_usd_per_mmbtu(self, annual_cost_usd: float, flow_kg_s: float, hhv_j_per_kg: float) -> float:
        """Annual cost over the energy carried in a year at ``flow_kg_s`` times the load factor."""
        energy_mmbtu = flow_kg_s * self.load_factor * SECONDS_PER_YEAR * hhv_j_per_kg / J_PER_MMBTU
        if energy_mmbtu <= 0:
            raise InputError("levelised tariff: the flow carried must be > 0")
        return annual_cost_usd / energy_mmbtu
