"""Reference (standard, base) conditions for volumetric gas quantities.

A :class:`StandardConditions` fixes the metering reference state (temperature and absolute pressure
of a "standard" cubic metre) and the combustion reference temperature used for heating values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from linepack.errors import InputError

#: One pound-force per square inch in pascal (exact by definition of lbf and inch).
PSI_PA: Final[float] = 6894.757293168
#: 60 degrees Fahrenheit in kelvin.
T_60F_K: Final[float] = (60.0 - 32.0) * 5.0 / 9.0 + 273.15


@dataclass(frozen=True)
class StandardConditions:
    """Metering reference conditions and combustion reference temperature.

    Attributes:
        t_k: metering reference temperature [K].
        p_pa: metering reference pressure, absolute [Pa].
        name: human-readable label, e.g. ``"15 C / 1.01325 bar"``.
        combustion_t_k: combustion reference temperature for heating values [K]. ISO 6976:2016
            tabulates 15, 15.55 (60 F), 20 and 25 C.
    """

    t_k: float
    p_pa: float
    name: str
    combustion_t_k: float = 298.15

    def __post_init__(self) -> None:
        for field_name in ("t_k", "p_pa", "combustion_t_k"):
            value = getattr(self, field_name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InputError(
                    f"standard conditions {self.name!r}: {field_name} must be a finite number > 0 "
                    f"(got {value!r}); give absolute temperature in K and absolute pressure in Pa"
                )


#: ISO 13443 standard reference conditions: metering 15 C / 101.325 kPa, combustion 15 C.
ISO_15C: Final[StandardConditions] = StandardConditions(288.15, 101325.0, "15 C / 1.01325 bar", combustion_t_k=288.15)
#: US customary base: metering 60 F / 14.696 psia (101325.35 Pa), combustion 60 F.
US_60F: Final[StandardConditions] = StandardConditions(
    T_60F_K, 14.696 * PSI_PA, "60 F / 14.696 psia", combustion_t_k=T_60F_K
)
#: US gas-industry contract base of AGA Reports 3/7: metering 60 F / 14.73 psia, combustion 60 F.
US_60F_14_73: Final[StandardConditions] = StandardConditions(
    T_60F_K, 14.73 * PSI_PA, "60 F / 14.73 psia", combustion_t_k=T_60F_K
)
#: Normal conditions: metering 0 C / 101.325 kPa, combustion 25 C (the usual European "25/0").
NORMAL_0C: Final[StandardConditions] = StandardConditions(
    273.15, 101325.0, "0 C / 1.01325 bar (normal)", combustion_t_k=298.15
)
