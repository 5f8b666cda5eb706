"""linepack: natural-gas transmission networks, with the Pakistan Stream system as the embedded default.

Typical use::

    import linepack
    net = linepack.load_default_network()
    result = linepack.solve_steady(net, "psgp_base")
    print(result.to_dict()["sinks"])
"""

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

__version__ = "0.1.0"

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
    "compile_network",
    "load_default_network",
    "load_network",
    "save_network",
    "solve_steady",
]
