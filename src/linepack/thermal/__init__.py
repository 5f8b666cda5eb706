"""Non-isothermal flow: heat exchange of buried pipes with the ground, temperature along pipes (analytic and
integrated), and temperatures through compressors, after-coolers and regulators (issue 13).

Real-gas caloric properties come from :mod:`linepack.gas.thermo`; the model and its validity are in
docs/thermal.md.
"""

from linepack.thermal.heat_transfer import (
    layer_resistance_k_m_w,
    overall_u_buried_w_m2k,
    soil_resistance_k_m_w,
)
from linepack.thermal.pipe_temperature import (
    AnalyticTemperature,
    PipeProfile,
    analytic_temperature,
    integrate_pipe,
    integrate_pipe_with_error,
    relaxation_rate_per_m,
    source_gradient_k_per_m,
    thermo_properties,
)
from linepack.thermal.stations import (
    Compression,
    Cooling,
    Throttling,
    after_cooler,
    compressor_discharge,
    regulator_throttle,
)

__all__ = [
    "AnalyticTemperature",
    "Compression",
    "Cooling",
    "PipeProfile",
    "Throttling",
    "after_cooler",
    "analytic_temperature",
    "compressor_discharge",
    "integrate_pipe",
    "integrate_pipe_with_error",
    "layer_resistance_k_m_w",
    "overall_u_buried_w_m2k",
    "regulator_throttle",
    "relaxation_rate_per_m",
    "soil_resistance_k_m_w",
    "source_gradient_k_per_m",
    "thermo_properties",
]
