"""Synthetic meshed transmission grids, generated reproducibly from a seed (tests and benchmarks)."""

from __future__ import annotations

import gc

import numpy as np

from .model.components import Component, Compressor, FlowUnit, Node, Pipe, Settings, Sink, Source, SourceMode
from .model.network import GasCompositionSpec, Network


def lattice_network(
    n_side: int,
    seed: int = 0,
    *,
    pipe_km: float = 10.0,
    sink_share: float = 0.2,
    compressors: int = 0,
    z_model: str = "gerg2008",
    load_kg_s_per_sink: float | None = None,
) -> Network:
    """A square lattice of ``n_side**2`` junctions (see :func:`_lattice`). Python's cyclic garbage collector is
    paused while the components are made: they hold no cycles, and at a million junctions its repeated passes
    over millions of new objects took half the generation time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _lattice(
            n_side,
            seed,
            pipe_km=pipe_km,
            sink_share=sink_share,
            compressors=compressors,
            z_model=z_model,
            load_kg_s_per_sink=load_kg_s_per_sink,
        )
    finally:
        if enabled:
            gc.enable()


def _lattice(
    n_side: int,
    seed: int = 0,
    *,
    pipe_km: float = 10.0,
    sink_share: float = 0.2,
    compressors: int = 0,
    z_model: str = "gerg2008",
    load_kg_s_per_sink: float | None = None,
) -> Network:
    """A square lattice of ``n_side**2`` junctions joined by ``pipe_km`` pipes of DN 500-900.

    Two pressure-held sources at 70 barg sit at opposite corners, four fixed-inflow sources on the
    edges, sinks on about ``sink_share`` of the junctions, and optionally ``compressors`` stations
    (each replacing one lattice pipe near a pressure source). Demand is scaled so that the grid carries
    it with moderate pressure drops unless ``load_kg_s_per_sink`` is given: 40 kg/s per lattice row in
    all, at most 2,000 kg/s, and fixed inflows of 5 kg/s per row each, at most 250 kg/s (pipes next to the
    supply points carry the load of the whole grid, so the load cannot grow with its area).
    """
    if n_side < 3:
        raise ValueError("n_side must be at least 3")
    rng = np.random.default_rng(seed)
    net = Network(
        name=f"lattice_{n_side}x{n_side}_seed{seed}",
        settings=Settings(gas="NG", compressibility={"model": z_model}, temperature_c=15.0),
        gas_compositions={
            "NG": GasCompositionSpec(
                mole_fractions={"CH4": 0.93, "C2H6": 0.04, "C3H8": 0.01, "N2": 0.015, "CO2": 0.005}
            )
        },
    )

    # bulk draws, in the order (and with the values) of one draw per node, per pipe and per sink
    n = n_side * n_side
    elevation = rng.uniform(0.0, 200.0, size=n)
    ii, jj = np.divmod(np.arange(n), n_side)
    node_ids = [f"N{i}_{j}" for i, j in zip(ii.tolist(), jj.tolist(), strict=True)]
    # components are validated once as templates and copied with values that are valid by construction (the
    # per-component validation of 3 million components took most of the time at 1,000,000 junctions)
    pipe = Pipe(id="P", from_node="a", to_node="b", length_km=pipe_km, inner_diameter_mm=500.0, roughness_mm=0.012)
    sink = Sink(id="D", node="a", demand=1.0, unit=FlowUnit.KG_S)
    _put(
        net,
        [
            _NODE.model_copy(update=dict(id=k, elevation_m=float(h), lat=float(i) * 0.09, lon=float(j) * 0.09))
            for k, h, i, j in zip(node_ids, elevation.tolist(), ii.tolist(), jj.tolist(), strict=True)
        ],
    )
    dn = np.array([500.0, 600.0, 700.0, 800.0, 900.0])
    last = n_side - 1
    corner = [(0, 0), (last, last)]
    # stations on the lattice edges that leave the two pressure-held corners, pumping into the grid
    stations = [((0, 0), (1, 0)), ((last, last), (last - 1, last)), ((0, 0), (0, 1)), ((last, last), (last, last - 1))][
        : min(compressors, 4)
    ]
    # lattice edges: first (i, j)-(i+1, j) for every i < last and j, then (i, j)-(i, j+1)
    vi, vj = np.divmod(np.arange((n_side - 1) * n_side), n_side)
    hi, hj = np.divmod(np.arange(n_side * (n_side - 1)), n_side - 1)
    a_node = np.concatenate([vi * n_side + vj, hi * n_side + hj])
    b_node = np.concatenate([(vi + 1) * n_side + vj, hi * n_side + hj + 1])
    keep = np.ones(len(a_node), dtype=bool)
    for a, b in stations:
        ka, kb = a[0] * n_side + a[1], b[0] * n_side + b[1]
        keep &= ~(((a_node == ka) & (b_node == kb)) | ((a_node == kb) & (b_node == ka)))
    pipe_k = np.flatnonzero(keep)
    diameter = rng.choice(dn, size=len(pipe_k)) - 20.0
    _put(
        net,
        [
            pipe.model_copy(
                update=dict(id=f"P{k}", from_node=node_ids[a], to_node=node_ids[b], inner_diameter_mm=float(d))
            )
            for k, a, b, d in zip(
                pipe_k.tolist(), a_node[pipe_k].tolist(), b_node[pipe_k].tolist(), diameter.tolist(), strict=True
            )
        ],
    )

    def nid(i: int, j: int) -> str:
        return node_ids[i * n_side + j]

    for k, (a, b) in enumerate(stations):
        suction = f"CS{k}_suction"
        net.add(Node(id=suction, elevation_m=0.0))
        net.add(Pipe(id=f"PCS{k}", from_node=nid(*a), to_node=suction, length_km=pipe_km, inner_diameter_mm=880.0))
        net.add(
            Compressor(
                id=f"CS{k}", from_node=suction, to_node=nid(*b), p_set_barg=75.0, ratio_max=1.6, power_max_mw=40.0
            )
        )
    for k, (i, j) in enumerate(corner):
        net.add(Source(id=f"REF{k}", node=nid(i, j), mode=SourceMode.PRESSURE, p_set_barg=70.0, absorbs=True))
    sink_nodes = rng.choice(n, size=max(1, int(sink_share * n)), replace=False)
    load = load_kg_s_per_sink if load_kg_s_per_sink is not None else min(40.0 * n_side, 2000.0) / len(sink_nodes)
    demand = load * rng.uniform(0.5, 1.5, size=len(sink_nodes))
    _put(
        net,
        [
            sink.model_copy(update=dict(id=f"D{k}", node=node_ids[int(s)], demand=float(d)))
            for k, (s, d) in enumerate(zip(sink_nodes.tolist(), demand.tolist(), strict=True))
        ],
    )
    mid = n_side // 2
    for k, (i, j) in enumerate([(0, mid), (mid, 0), (n_side - 1, mid), (mid, n_side - 1)]):
        net.add(
            Source(
                id=f"IN{k}",
                node=nid(i, j),
                mode=SourceMode.FLOW,
                inflow=float(min(5.0 * n_side, 250.0)),
                unit=FlowUnit.KG_S,
            )
        )
    return net


_NODE = Node(id="N", elevation_m=0.0, lat=0.0, lon=0.0)


def _put(net: Network, components: list[Component]) -> None:
    """Add generated components (valid by construction, ids unique) without the per-component checks of
    :meth:`Network.add`."""
    for c in components:
        net.collections[c.collection][c.id] = c
