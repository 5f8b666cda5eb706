"""State estimation and leak detection from SCADA measurements (see docs/estimation.md).

* :mod:`.meters` (tag maps), :mod:`.scada` (readings files), :mod:`.validate` (checks, regular grid),
  :mod:`.synthetic` (synthetic SCADA from transient runs);
* :mod:`.wls` (steady weighted least squares, with :mod:`.observability` and :mod:`.baddata`),
  :mod:`.dynamic` (extended Kalman filter over the transient model, :mod:`.ekf`);
* :mod:`.leakdetect` (alarms, location, detection limits; monitors in :mod:`.leak`, sections in :mod:`.sections`).
"""

from .dynamic import DynamicEstimator, DynamicOptions
from .leakdetect import LeakOptions, LeakReport, detect_leaks
from .meters import Meter, MeterSet, load_meter_set
from .scada import ScadaData, read_scada, write_scada
from .synthetic import MeterErrors, default_meter_set, synthesize
from .validate import MeterSeries, prepare
from .wls import Pseudo, SteadyEstimator, WlsOptions, estimate_steady

__all__ = [
    "DynamicEstimator",
    "DynamicOptions",
    "LeakOptions",
    "LeakReport",
    "Meter",
    "MeterErrors",
    "MeterSeries",
    "MeterSet",
    "Pseudo",
    "ScadaData",
    "SteadyEstimator",
    "WlsOptions",
    "default_meter_set",
    "detect_leaks",
    "estimate_steady",
    "load_meter_set",
    "prepare",
    "read_scada",
    "synthesize",
    "write_scada",
]
