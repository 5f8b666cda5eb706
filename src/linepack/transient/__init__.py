"""Transient (time-dependent) simulation of gas networks: linepack, pack and draft, outages.

Typical use::

    import linepack
    from linepack.transient import solve_transient, winter_day_profile, parse_event
    net = linepack.load_default_network()
    res = solve_transient(net, profile=winter_day_profile(), events=[parse_event("outage:EETL_FSRU@06:00")])
    print(res.pack_draft(), res.survival_time_s)
"""

from .discretise import SegmentedNetwork, segment_network
from .events import Event, EventKind, leak_event, parse_event
from .profiles import Profile, builtin_profile, constant_profile, read_profile, winter_day_profile
from .results import TransientResult
from .solve import RunStart, TransientOptions, TransientStart, initial_state, solve_transient

__all__ = [
    "Event",
    "EventKind",
    "Profile",
    "RunStart",
    "SegmentedNetwork",
    "TransientOptions",
    "TransientResult",
    "TransientStart",
    "builtin_profile",
    "constant_profile",
    "initial_state",
    "leak_event",
    "parse_event",
    "read_profile",
    "segment_network",
    "solve_transient",
    "winter_day_profile",
]
