"""Mixtures of a few fixed gases: the coordinates in which gas quality is carried through a network.

Every gas in a network is a mixture of the gases its sources supply. A :class:`GasSet` holds those K
source gases (their mole fractions of the 21 AGA8 components) and converts between the three
descriptions of a mixture used in linepack:

* ``y`` [-], shape ``(n, K)``: **mass** fractions of the source gases. Mixing is linear in them (the
  mass of each source gas is conserved at every node), so the network mixing equations and the
  transient transport are written in ``y``.
* ``w`` [-], shape ``(n, K)``: **mole** fractions of the source gases, ``w_k = (y_k/M_k) / sum_j y_j/M_j``.
* ``x`` [-], shape ``(n, 21)``: mole fractions of the 21 components, ``x = w X`` (X: the K x 21 matrix of
  the source gases' compositions).

All conversions are exact (no approximation) and vectorised over the leading axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from linepack.errors import InputError
from linepack.gas.components import COMPONENTS, MOLAR_MASS_KG_PER_MOL
from linepack.gas.composition import GasComposition

F64 = NDArray[np.float64]

#: Index of hydrogen in the AGA8 component order.
H2_INDEX: Final[int] = COMPONENTS.index("H2")


@dataclass(frozen=True, eq=False)
class GasSet:
    """The K distinct gases that the sources of a network supply (K >= 1).

    Attributes:
        gases: the compositions, in a fixed order (their index k is the column of ``y`` and ``w``).
        x: read-only (K, 21) component mole fractions of each gas.
        molar_mass_kg_per_mol: read-only (K,) molar masses [kg/mol] (ISO 6976:2016 component masses).
        component_mass_fraction: read-only (K, 21) mass fraction of each component in each gas [-].
    """

    gases: tuple[GasComposition, ...]
    x: F64
    molar_mass_kg_per_mol: F64
    component_mass_fraction: F64

    @classmethod
    def of(cls, gases: Sequence[GasComposition]) -> GasSet:
        """A set of distinct gases (by name and composition); raises InputError when empty or repeated."""
        if not gases:
            raise InputError("gas set: give at least one gas composition")
        names = [g.name for g in gases]
        if len(set(names)) != len(names):
            raise InputError(f"gas set: gas names repeat ({names}); give each gas once")
        x = np.array([g.mole_fractions for g in gases], dtype=float)
        m = x @ MOLAR_MASS_KG_PER_MOL
        cmf = x * MOLAR_MASS_KG_PER_MOL / m[:, None]
        for a in (x, m, cmf):
            a.flags.writeable = False
        return cls(tuple(gases), x, m, cmf)

    @property
    def k(self) -> int:
        """Number of gases K."""
        return len(self.gases)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.gases)

    def index(self, name: str) -> int:
        """Column of the gas called ``name``."""
        for k, g in enumerate(self.gases):
            if g.name == name:
                return k
        raise InputError(f"gas set: no gas {name!r}; the set holds {', '.join(self.names)}")

    def one_hot(self, k: NDArray[np.int64] | Sequence[int]) -> F64:
        """Fractions (mass or mole alike) of pure gases ``k``: shape (len(k), K)."""
        idx = np.asarray(k, dtype=np.int64)
        out = np.zeros((len(idx), self.k))
        out[np.arange(len(idx)), idx] = 1.0
        return out

    # --- conversions (exact) ----------------------------------------------------------------------
    def mole_from_mass(self, y: F64) -> F64:
        """Mole fractions of the gases from their mass fractions: w_k = (y_k/M_k) / sum_j (y_j/M_j)."""
        n = np.asarray(y, dtype=float) / self.molar_mass_kg_per_mol
        return np.asarray(n / np.sum(n, axis=-1, keepdims=True))

    def mass_from_mole(self, w: F64) -> F64:
        """Mass fractions of the gases from their mole fractions: y_k = w_k M_k / sum_j w_j M_j."""
        m = np.asarray(w, dtype=float) * self.molar_mass_kg_per_mol
        return np.asarray(m / np.sum(m, axis=-1, keepdims=True))

    def components(self, w: F64) -> F64:
        """Component mole fractions x = w X [-], shape (..., 21)."""
        return np.asarray(np.asarray(w, dtype=float) @ self.x)

    def molar_mass(self, w: F64) -> F64:
        """Molar mass of the mixture M = sum_k w_k M_k [kg/mol] (exact: molar masses mix linearly in moles)."""
        return np.asarray(np.asarray(w, dtype=float) @ self.molar_mass_kg_per_mol)

    def component_mass_flows(self, y: F64, m_kg_s: F64) -> F64:
        """Mass flow of each of the 21 components [kg/s] in streams of mass flow ``m_kg_s`` and gas mass
        fractions ``y``: shape (n, 21)."""
        return np.asarray((np.asarray(y, dtype=float) @ self.component_mass_fraction) * np.asarray(m_kg_s)[:, None])

    def hydrogen_fraction(self, w: F64) -> F64:
        """Mole fraction of hydrogen [-]."""
        return np.asarray(np.asarray(w, dtype=float) @ self.x[:, H2_INDEX])
