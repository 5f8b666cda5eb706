"""linepack: natural-gas transmission networks, with the Pakistan Stream system as the embedded default.

Typical use::

    import linepack
    net = linepack.load_default_network()
    result = linepack.solve_steady(net, "psgp_base")
    result.sinks          # a pandas DataFrame indexed by sink id (needs pandas: pip install 'linepack[data]')

The names below are imported on first use (PEP 562), so ``import linepack`` and ``linepack --help`` stay
fast: numpy, scipy and the schemas load only when a network is loaded or solved.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

_EXPORTS: dict[str, str] = {
    "CompiledNetwork": ".compile",
    "compile_network": ".compile",
    "ConvergenceError": ".errors",
    "InfeasibleError": ".errors",
    "InputError": ".errors",
    "LinepackError": ".errors",
    "TopologyError": ".errors",
    "load_default_network": ".io.native",
    "load_network": ".io.native",
    "save_network": ".io.native",
    "Compressor": ".model.components",
    "Node": ".model.components",
    "Pipe": ".model.components",
    "Regulator": ".model.components",
    "Resistor": ".model.components",
    "Settings": ".model.components",
    "ShortPipe": ".model.components",
    "Sink": ".model.components",
    "Source": ".model.components",
    "Valve": ".model.components",
    "Network": ".model.network",
    "Scenario": ".model.scenario",
    "SteadyResult": ".results",
    "SteadyOptions": ".solvers.steady",
    "solve_steady": ".solvers.steady",
}

__all__ = [
    "CompiledNetwork",
    "Compressor",
    "ConvergenceError",
    "InfeasibleError",
    "InputError",
    "LinepackError",
    "Network",
    "Node",
    "Pipe",
    "Regulator",
    "Resistor",
    "Scenario",
    "Settings",
    "ShortPipe",
    "Sink",
    "Source",
    "SteadyOptions",
    "SteadyResult",
    "TopologyError",
    "Valve",
    "__version__",
    "compile_network",
    "load_default_network",
    "load_network",
    "save_network",
    "solve_steady",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'linepack' has no attribute '{name}'")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from .compile import CompiledNetwork, compile_network
    from .errors import ConvergenceError, InfeasibleError, InputError, LinepackError, TopologyError
    from .io.native import load_default_network, load_network, save_network
    from .model.components import (
        Compressor,
        Node,
        Pipe,
        Regulator,
        Resistor,
        Settings,
        ShortPipe,
        Sink,
        Source,
        Valve,
    )
    from .model.network import Network
    from .model.scenario import Scenario
    from .results import SteadyResult
    from .solvers.steady import SteadyOptions, solve_steady
