"""Pressure zones, as the solvers use them: the analysis lives in :mod:`linepack.topology` (no solver
imports, so the GasLib reader can use it too); re-exported here."""

from ..topology import (
    Modes,
    Zones,
    bypassed_control_problems,
    control_loops,
    dead_parts,
    loop_problems,
    pressure_zones,
    zone_problems,
)

__all__ = [
    "Modes",
    "Zones",
    "bypassed_control_problems",
    "control_loops",
    "dead_parts",
    "loop_problems",
    "pressure_zones",
    "zone_problems",
]
