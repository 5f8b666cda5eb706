"""Connected components of a network's nodes through a set of edges, kept for the edge sets seen recently.

A steady solve asks for the same components many times (each control state's island check, each system's
shared pressure controls, each round's diagnosis), and a study asks again for every case; on a small network
building the sparse graph costs more than the search. The components of an edge set are found once and kept
(for networks of up to ``MAX_CACHED_EDGES`` edges; larger ones are computed each time, where the graph search
itself dominates). The labels returned are read-only.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

MAX_CACHED_EDGES = 50_000
_KEPT = 256  # edge sets kept (a study's control states and outages)
_CACHE: dict[bytes, tuple[int, NDArray[np.int32]]] = {}


def components(n_nodes: int, ef: NDArray[np.int64], et: NDArray[np.int64]) -> tuple[int, NDArray[np.int32]]:
    """Number of connected components of ``n_nodes`` nodes joined by the undirected edges ``(ef[i], et[i])``, and
    each node's component label (scipy's ``connected_components``; read-only array)."""
    ef, et = np.asarray(ef, dtype=np.int64), np.asarray(et, dtype=np.int64)
    key = b""
    if len(ef) <= MAX_CACHED_EDGES:
        key = np.int64(n_nodes).tobytes() + ef.tobytes() + et.tobytes()
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
    adj = sp.coo_matrix((np.ones(len(ef)), (ef, et)), shape=(n_nodes, n_nodes))
    n, labels = connected_components(adj, directed=False)
    labels.setflags(write=False)
    out = (int(n), labels)
    if key:
        if len(_CACHE) >= _KEPT:
            _CACHE.clear()
        _CACHE[key] = out
    return out
