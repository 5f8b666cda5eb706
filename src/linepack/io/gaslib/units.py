"""The units of the GasLib files and their conversion to the units linepack reads them in.

Every GasLib quantity is an element ``<tag value="..." unit="..."/>``. :data:`TAG_UNITS` gives, per tag,
the physical dimension and the unit the reader converts to (GasLib's usual unit, so the usual files
convert by identity and keep their exact numbers). An element without a ``unit`` attribute is read in
that unit. A unit that is not in the dimension's table is an error naming the element, the attribute
and the unit.

Pressures: GasLib's ``bar`` is absolute and ``barg`` is gauge. The files prove it: where a .scn gives
bounds in barg, the .net gives the same bounds in bar plus 1.01325 (GasLib-40/135: 0 and 80 barg against
1.01325 and 81.01325 bar; GasLib-582's node bounds are 2.01325 and 86.01325 bar, i.e. 1 and 85 barg).
``barg`` is converted with the GasLib ambient pressure 1.01325 bar. A pressure difference (``pressureLoss``,
``pressureDifferentialMax``, ...) has no gauge form; ``barg`` there is an error.
"""

from __future__ import annotations

from collections.abc import Mapping

GASLIB_AMBIENT_BAR = 1.01325
KELVIN_OFFSET = 273.15

# dimension -> {unit: (factor, offset)}: base = value * factor + offset
DIMENSIONS: dict[str, dict[str, tuple[float, float]]] = {
    "length": {"m": (1.0, 0.0), "meter": (1.0, 0.0), "km": (1000.0, 0.0), "mm": (1e-3, 0.0), "cm": (1e-2, 0.0)},
    "pressure": {
        "bar": (1.0, 0.0),
        "bara": (1.0, 0.0),
        "barg": (1.0, GASLIB_AMBIENT_BAR),
        "Pa": (1e-5, 0.0),
        "kPa": (1e-2, 0.0),
        "MPa": (10.0, 0.0),
    },
    "pressure_difference": {"bar": (1.0, 0.0), "mbar": (1e-3, 0.0), "Pa": (1e-5, 0.0), "kPa": (1e-2, 0.0)},
    "flow": {
        "1000m_cube_per_hour": (1.0, 0.0),
        "m_cube_per_hour": (1e-3, 0.0),
        "1000m_cube_per_day": (1.0 / 24.0, 0.0),
        "m_cube_per_s": (3.6, 0.0),
    },
    "temperature": {"Celsius": (1.0, 0.0), "K": (1.0, -KELVIN_OFFSET), "Kelvin": (1.0, -KELVIN_OFFSET)},
    "energy_density": {"MJ_per_m_cube": (1.0, 0.0), "kJ_per_m_cube": (1e-3, 0.0), "kWh_per_m_cube": (3.6, 0.0)},
    "density": {"kg_per_m_cube": (1.0, 0.0)},
    "molar_mass": {"kg_per_kmol": (1.0, 0.0), "g_per_mol": (1.0, 0.0), "kg_per_mol": (1000.0, 0.0)},
    "heat_transfer": {"W_per_m_square_per_K": (1.0, 0.0)},
    "speed": {"per_min": (1.0, 0.0), "rpm": (1.0, 0.0), "per_s": (60.0, 0.0)},
    "head": {"kJ_per_kg": (1.0, 0.0), "J_per_kg": (1e-3, 0.0)},
    "volume_flow": {
        "m_cube_per_s": (1.0, 0.0),
        "m_cube_per_min": (1.0 / 60.0, 0.0),
        "m_cube_per_hour": (1.0 / 3600.0, 0.0),
    },
    "power": {"kW": (1.0, 0.0), "MW": (1000.0, 0.0), "W": (1e-3, 0.0)},
    "volume": {"m_cube": (1.0, 0.0)},
    "torque": {"kNm": (1.0, 0.0), "Nm": (1e-3, 0.0)},
    "dimensionless": {"": (1.0, 0.0), "1": (1.0, 0.0)},
}

# tag -> (dimension, unit the reader converts to)
TAG_UNITS: dict[str, tuple[str, str]] = {
    # .net nodes
    "height": ("length", "m"),
    "pressureMin": ("pressure", "bar"),
    "pressureMax": ("pressure", "bar"),
    "flowMin": ("flow", "1000m_cube_per_hour"),
    "flowMax": ("flow", "1000m_cube_per_hour"),
    "gasTemperature": ("temperature", "Celsius"),
    "calorificValue": ("energy_density", "MJ_per_m_cube"),
    "normDensity": ("density", "kg_per_m_cube"),
    "molarMass": ("molar_mass", "kg_per_kmol"),
    "pseudocriticalPressure": ("pressure", "bar"),
    "pseudocriticalTemperature": ("temperature", "K"),
    "coefficient-A-heatCapacity": ("dimensionless", ""),
    "coefficient-B-heatCapacity": ("dimensionless", ""),
    "coefficient-C-heatCapacity": ("dimensionless", ""),
    # .net connections
    "length": ("length", "km"),
    "diameter": ("length", "mm"),
    "roughness": ("length", "mm"),
    "heatTransferCoefficient": ("heat_transfer", "W_per_m_square_per_K"),
    "dragFactor": ("dimensionless", ""),
    "dragFactorIn": ("dimensionless", ""),
    "dragFactorOut": ("dimensionless", ""),
    "diameterIn": ("length", "mm"),
    "diameterOut": ("length", "mm"),
    "pressureLoss": ("pressure_difference", "bar"),
    "pressureLossIn": ("pressure_difference", "bar"),
    "pressureLossOut": ("pressure_difference", "bar"),
    "pressureDifferentialMin": ("pressure_difference", "bar"),
    "pressureDifferentialMax": ("pressure_difference", "bar"),
    "pressureInMin": ("pressure", "bar"),
    "pressureInMax": ("pressure", "bar"),
    "pressureOutMin": ("pressure", "bar"),
    "pressureOutMax": ("pressure", "bar"),
    # .scn
    "flow": ("flow", "1000m_cube_per_hour"),
    "pressure": ("pressure", "bar"),
    "contractPressureMax": ("pressure", "bar"),
    "scenarioProbability": ("dimensionless", ""),
    "scenarioTemperature": ("temperature", "Celsius"),
    "soilTemperature": ("temperature", "Celsius"),
    "ambientTemperature": ("temperature", "Celsius"),
    # .cs
    "speedMin": ("speed", "per_min"),
    "speedMax": ("speed", "per_min"),
    "speed": ("speed", "per_min"),
    "adiabaticHead": ("head", "kJ_per_kg"),
    "volumetricFlowrate": ("volume_flow", "m_cube_per_s"),
    "compressorPower": ("power", "kW"),
    "fuelConsumption": ("power", "kW"),
    "maximalPower": ("power", "kW"),
    "operatingVolume": ("volume", "m_cube"),
    "maximalTorque": ("torque", "kNm"),
    "maximalCompressionRatio": ("dimensionless", ""),
    "adiabaticEfficiency": ("dimensionless", ""),
    "additionalReductionVolFlow": ("dimensionless", ""),
    "efficiencyOfChokeline": ("dimensionless", ""),
}


class UnitError(ValueError):
    """A value or unit that cannot be read; the caller adds file, line and element."""


def known_units(dimension: str) -> str:
    units = [u for u in DIMENSIONS[dimension] if u]
    return ", ".join(units) if units else "no unit"


def convert(tag: str, text: str | None, unit: str | None, table: Mapping[str, tuple[str, str]] = TAG_UNITS) -> float:
    """The value of ``<tag value=text unit=unit/>`` in the reader's unit for ``tag``.

    Raises :class:`UnitError` with a message naming the attribute, the value or unit and the fix.
    """
    dimension, target = table[tag]
    if text is None:
        raise UnitError(f'<{tag}> has no value attribute; give it, e.g. value="1.0"')
    try:
        value = float(text)
    except ValueError:
        raise UnitError(
            f"<{tag}> attribute value '{text}' is not a number; write a decimal number such as 55.0"
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UnitError(f"<{tag}> attribute value '{text}' is not finite; give a finite number")
    if unit is None or unit == target:
        return value
    units = DIMENSIONS[dimension]
    if unit not in units:
        hint = ""
        if unit == "barg" and dimension == "pressure_difference":
            hint = " (a pressure difference has no gauge form; use bar)"
        raise UnitError(
            f"<{tag}> attribute unit '{unit}' is unknown for a {dimension.replace('_', ' ')}{hint}; "
            f"use one of {known_units(dimension)}"
        )
    f_in, off_in = units[unit]
    f_out, off_out = units[target]
    return (value * f_in + off_in - off_out) / f_out
