"""Real-gas caloric properties (enthalpy, entropy, heat capacities, Joule-Thomson coefficient, isentropic
exponent) from GERG-2008 or AGA8 DETAIL through pyaga8, tabulated in (p, T) for vectorised evaluation.

The energy balance of a non-isothermal network needs h(p, T), cp, the Joule-Thomson coefficient
mu_JT = (dT/dp)_h and the inverse maps T(p, h) and T(p, s) for thousands of states per Newton step.
pyaga8 (the Rust port of the NIST AGA8 code) evaluates one state in about 8 us CPU (density root plus
properties) in a Python loop, so :class:`RealGasThermo` tabulates every property once per composition on a
(p, T) grid and evaluates bicubic splines (scipy ``RectBivariateSpline``) vectorised, 2 us per state for all
nine properties (benchmarks/thermal.py). The direct path
(:meth:`RealGasThermo.state_direct`) is the reference, and the one used outside the table.

Units are SI per unit mass: J/kg, J/(kg K), K/Pa. Enthalpy and entropy carry the reference state of
GERG-2008 / AGA8 Part 2 (ideal-gas h = 0 and s = 0 at 298.15 K, 0.101325 MPa), the one ISO 20765-2
prints, so only differences matter.

Measured accuracy of the table path (defaults: 0.1..20 MPa x 250..420 K, 97 x 86 nodes): see
:meth:`RealGasThermo.table_errors` and tests/thermal/test_thermal_properties.py; for the PSGP gas the largest
error at cell centres is 0.18 J/kg in h (a temperature equivalent of 7e-5 K), 7e-4 J/(kg K) in s, and 7e-6
relative in cp and 1.5e-6 in mu_JT (the tests assert bounds a few times larger).

References:
    O. Kunz, W. Wagner, J. Chem. Eng. Data 57 (2012) 3032-3091 (GERG-2008).
    AGA Report No. 8 Part 2 (2017); ISO 20765-2:2015 (GERG-2008 for natural gas; printed check values).
    pyaga8, https://github.com/equinor/pyaga8 (properties from ``calc_properties``: h, s, cp, cv in J/mol,
    J/(mol K), Joule-Thomson coefficient in K/kPa, isentropic exponent kappa = -(v/p)(dp/dv)_s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import pyaga8
from numpy.typing import ArrayLike, NDArray

from linepack.errors import InputError
from linepack.gas.composition import GasComposition
from linepack.gas.ideal_gas import R_GERG, pyaga8_composition

if TYPE_CHECKING:
    from scipy.interpolate import RectBivariateSpline

F64 = NDArray[np.float64]
Method = Literal["gerg2008", "detail"]

#: Names of the tabulated fields, in the order of :class:`ThermoState`.
FIELDS: Final[tuple[str, ...]] = (
    "z",
    "density_kg_m3",
    "enthalpy_j_kg",
    "entropy_j_kg_k",
    "cp_j_kg_k",
    "cv_j_kg_k",
    "joule_thomson_k_pa",
    "isentropic_exponent",
    "speed_of_sound_m_s",
)
_TEMPERATURE_RANGE_K: Final[dict[str, tuple[float, float]]] = {"gerg2008": (90.0, 700.0), "detail": (143.0, 673.0)}


@dataclass(frozen=True)
class ThermoState:
    """Real-gas properties at states (p, T), arrays of one shape, per unit mass.

    Attributes:
        z: compressibility factor [-].
        density_kg_m3: mass density [kg/m^3].
        enthalpy_j_kg: specific enthalpy [J/kg] (GERG-2008 reference state).
        entropy_j_kg_k: specific entropy [J/(kg K)].
        cp_j_kg_k, cv_j_kg_k: isobaric and isochoric specific heat capacities [J/(kg K)].
        joule_thomson_k_pa: Joule-Thomson coefficient mu_JT = (dT/dp)_h [K/Pa] (positive: gas cools on expansion).
        isentropic_exponent: kappa = -(v/p)(dp/dv)_s [-] (the real-gas exponent of p v^kappa = const).
        speed_of_sound_m_s: speed of sound [m/s].
    """

    z: F64
    density_kg_m3: F64
    enthalpy_j_kg: F64
    entropy_j_kg_k: F64
    cp_j_kg_k: F64
    cv_j_kg_k: F64
    joule_thomson_k_pa: F64
    isentropic_exponent: F64
    speed_of_sound_m_s: F64


class RealGasThermo:
    """Caloric properties of one gas from GERG-2008 (default) or AGA8 DETAIL, tabulated in (p, T).

    Example (the PSGP reference LNG at 70 bar, 25 C):

    >>> from linepack.gas import GasComposition
    >>> gas = GasComposition.from_mole_fractions("lng", {"CH4": 0.9, "C2H6": 0.065, "C3H8": 0.022,
    ...     "iC4H10": 0.004, "nC4H10": 0.005, "N2": 0.004})
    >>> thermo = RealGasThermo(gas)
    >>> state = thermo.state_direct(7.0e6, 298.15)
    >>> round(float(state.joule_thomson_k_pa) * 1e5, 3)  # K per bar
    0.44
    """

    def __init__(
        self,
        composition: GasComposition,
        *,
        method: Method = "gerg2008",
        p_min_pa: float = 1.0e5,
        p_max_pa: float = 2.0e7,
        t_min_k: float = 250.0,
        t_max_k: float = 420.0,
        n_pressure: int = 97,
        n_temperature: int = 86,
    ) -> None:
        """Set up the model; the table is built on first use of :meth:`state` (about 8,300 pyaga8 calls,
        about 0.5 s CPU), then cached on the instance.

        Args:
            composition: the gas.
            method: ``"gerg2008"`` (AGA8 Part 2) or ``"detail"`` (AGA8 Part 1).
            p_min_pa, p_max_pa: tabulated absolute-pressure range [Pa].
            t_min_k, t_max_k: tabulated temperature range [K]; the gas must be single-phase in the whole box.
            n_pressure, n_temperature: grid nodes in p and in T (uniform).
        """
        label = f"real-gas thermodynamics ({method}) of gas {composition.name}"
        if method not in _TEMPERATURE_RANGE_K:
            raise InputError(f"{label}: method {method!r} is unknown; use 'gerg2008' or 'detail'")
        lo, hi = _TEMPERATURE_RANGE_K[method]
        if not (0.0 < p_min_pa < p_max_pa <= 7.0e7):
            raise InputError(
                f"{label}: table pressures p_min_pa = {p_min_pa!r}, p_max_pa = {p_max_pa!r} must satisfy "
                "0 < p_min_pa < p_max_pa <= 7e7 Pa (absolute)"
            )
        if not (lo <= t_min_k < t_max_k <= hi):
            raise InputError(
                f"{label}: table temperatures t_min_k = {t_min_k!r}, t_max_k = {t_max_k!r} must lie in "
                f"{lo:g}..{hi:g} K (absolute, kelvin) with t_min_k < t_max_k"
            )
        if n_pressure < 8 or n_temperature < 8:
            raise InputError(f"{label}: n_pressure and n_temperature must be >= 8 (got {n_pressure}, {n_temperature})")
        self.composition = composition
        self.method: Method = method
        self.p_min_pa, self.p_max_pa = float(p_min_pa), float(p_max_pa)
        self.t_min_k, self.t_max_k = float(t_min_k), float(t_max_k)
        self.n_pressure, self.n_temperature = int(n_pressure), int(n_temperature)
        self._label = label
        self._eos: pyaga8.Gerg2008 | pyaga8.Detail = pyaga8.Gerg2008() if method == "gerg2008" else pyaga8.Detail()
        self._eos.set_composition(pyaga8_composition(composition.fractions_tuple))
        self._t_limits = (lo, hi)
        self._splines: dict[str, RectBivariateSpline] | None = None

    def __repr__(self) -> str:
        return (
            f"RealGasThermo({self.composition.name!r}, {self.method}, p = {self.p_min_pa:g}..{self.p_max_pa:g} Pa, "
            f"T = {self.t_min_k:g}..{self.t_max_k:g} K)"
        )

    # ------------------------------------------------------------------ direct (reference) path
    def _point(self, p_pa: float, t_k: float) -> tuple[float, ...]:
        eos = self._eos
        eos.temperature = t_k
        eos.pressure = p_pa / 1000.0
        try:
            if self.method == "gerg2008":
                eos.calc_density(0)
            else:
                eos.calc_density()
            eos.calc_properties()
        except (ValueError, RuntimeError) as error:
            raise InputError(
                f"{self._label}: pyaga8 failed at p = {p_pa:g} Pa, T = {t_k:g} K ({error}); check that the "
                "state is a single-phase gas within the method's range"
            ) from error
        m = float(eos.mm) * 1.0e-3  # kg/mol
        if not (eos.d > 0.0 and eos.dp_dd > 0.0 and np.isfinite(eos.cp)):
            raise InputError(
                f"{self._label}: no stable gas state at p = {p_pa:g} Pa, T = {t_k:g} K; the state is probably "
                "two-phase; raise the temperature or lower the pressure"
            )
        return (
            float(eos.z),
            float(eos.d) * 1000.0 * m,
            float(eos.h) / m,
            float(eos.s) / m,
            float(eos.cp) / m,
            float(eos.cv) / m,
            float(eos.jt) * 1.0e-3,
            float(eos.kappa),
            float(eos.w),
        )

    def state_direct(self, p_pa: ArrayLike, t_k: ArrayLike) -> ThermoState:
        """Properties from direct pyaga8 calls, one per element (reference path, about 8 us CPU a state).

        Args:
            p_pa: absolute pressure [Pa], > 0.
            t_k: temperature [K], inside the method's range (GERG-2008 90..700 K, DETAIL 143..673 K).
        """
        p, t = self._checked(p_pa, t_k)
        pb, tb = np.broadcast_arrays(p, t)
        out = np.empty((len(FIELDS), pb.size))
        for i in range(pb.size):
            out[:, i] = self._point(float(pb.flat[i]), float(tb.flat[i]))
        return ThermoState(*(row.reshape(pb.shape) for row in out))

    # ------------------------------------------------------------------ table path
    def _grid(self) -> tuple[F64, F64]:
        return (
            np.linspace(self.p_min_pa, self.p_max_pa, self.n_pressure),
            np.linspace(self.t_min_k, self.t_max_k, self.n_temperature),
        )

    def _build(self) -> dict[str, RectBivariateSpline]:
        from scipy.interpolate import RectBivariateSpline  # lazy: scipy.interpolate costs ~0.3 s to import

        p, t = self._grid()
        values = self.state_direct(p[:, None], t[None, :])
        scale = 1.0e-6  # spline in MPa: better conditioned knots
        smooth = {name: getattr(values, name) for name in FIELDS}
        smooth["entropy_j_kg_k"] = smooth["entropy_j_kg_k"] + self._log_term(p[:, None])
        return {name: RectBivariateSpline(p * scale, t, smooth[name], kx=3, ky=3, s=0) for name in FIELDS}

    def _log_term(self, p: F64) -> F64:
        """(R/M) ln(p / 1 MPa) [J/(kg K)]: the ideal-gas pressure term of s, removed before the spline
        (s itself is singular at p -> 0 and a cubic spline of it loses three digits at low pressure)."""
        return np.asarray((R_GERG / self.composition.molar_mass_kg_per_mol) * np.log(p * 1.0e-6))

    def _tables(self) -> dict[str, RectBivariateSpline]:
        if self._splines is None:
            self._splines = self._build()
        return self._splines

    def _inside(self, p: F64, t: F64) -> NDArray[np.bool_]:
        return (p >= self.p_min_pa) & (p <= self.p_max_pa) & (t >= self.t_min_k) & (t <= self.t_max_k)

    def _evaluate(self, name: str, p: F64, t: F64, dp: int = 0, dt: int = 0) -> F64:
        """One field (or its derivative, per MPa^dp K^dt scaled back to Pa) at broadcast p, t."""
        pb, tb = np.broadcast_arrays(p, t)
        pf, tf = pb.ravel(), tb.ravel()
        inside = self._inside(pf, tf)
        out = np.empty(pf.size)
        spline = self._tables()[name]
        if bool(inside.all()):
            out[:] = spline.ev(pf * 1.0e-6, tf, dx=dp, dy=dt)
        else:
            idx = np.flatnonzero(inside)
            out[idx] = spline.ev(pf[idx] * 1.0e-6, tf[idx], dx=dp, dy=dt)
            if dp or dt:
                raise InputError(
                    f"{self._label}: derivative asked outside the table ({self.p_min_pa:g}..{self.p_max_pa:g} Pa, "
                    f"{self.t_min_k:g}..{self.t_max_k:g} K); widen the table"
                )
            k = FIELDS.index(name)
            for i in np.flatnonzero(~inside):  # rare: out-of-table points by direct pyaga8 calls
                out[i] = self._point(float(pf[i]), float(tf[i]))[k]
        if dp:
            out *= 1.0e-6**dp
        if name == "entropy_j_kg_k" and dp:
            raise InputError(f"{self._label}: pressure derivatives of the entropy are not tabulated")
        if name == "entropy_j_kg_k" and dt == 0:
            out[inside] -= self._log_term(pf[inside])
        return out.reshape(pb.shape)

    def state(self, p_pa: ArrayLike, t_k: ArrayLike) -> ThermoState:
        """Properties at (p [Pa abs], T [K]) from the table (direct calls outside it); vectorised."""
        p, t = self._checked(p_pa, t_k)
        return ThermoState(*(self._evaluate(name, p, t) for name in FIELDS))

    def enthalpy_j_kg(self, p_pa: ArrayLike, t_k: ArrayLike) -> F64:
        """Specific enthalpy h(p, T) [J/kg] (table)."""
        p, t = self._checked(p_pa, t_k)
        return self._evaluate("enthalpy_j_kg", p, t)

    def entropy_j_kg_k(self, p_pa: ArrayLike, t_k: ArrayLike) -> F64:
        """Specific entropy s(p, T) [J/(kg K)] (table)."""
        p, t = self._checked(p_pa, t_k)
        return self._evaluate("entropy_j_kg_k", p, t)

    def cp_j_kg_k(self, p_pa: ArrayLike, t_k: ArrayLike) -> F64:
        """Isobaric specific heat capacity cp(p, T) [J/(kg K)] (table)."""
        p, t = self._checked(p_pa, t_k)
        return self._evaluate("cp_j_kg_k", p, t)

    def joule_thomson_k_pa(self, p_pa: ArrayLike, t_k: ArrayLike) -> F64:
        """Joule-Thomson coefficient mu_JT = (dT/dp)_h [K/Pa] (table)."""
        p, t = self._checked(p_pa, t_k)
        return self._evaluate("joule_thomson_k_pa", p, t)

    def temperature_from_enthalpy(
        self, p_pa: ArrayLike, h_j_kg: ArrayLike, t_guess_k: ArrayLike = 300.0, tolerance_k: float = 1.0e-9
    ) -> F64:
        """Temperature T [K] with h(p, T) = h (isenthalpic and energy-balance closures), vectorised Newton.

        T_{k+1} = T_k - (h(p, T_k) - h) / (dh/dT)_p, with the table's own dh/dT (consistent with h, so the
        iteration converges quadratically to the table's root). States outside the table are solved with
        the direct path (cp from pyaga8).
        """
        return self._invert("enthalpy_j_kg", p_pa, h_j_kg, t_guess_k, tolerance_k)

    def temperature_from_entropy(
        self, p_pa: ArrayLike, s_j_kg_k: ArrayLike, t_guess_k: ArrayLike = 300.0, tolerance_k: float = 1.0e-9
    ) -> F64:
        """Temperature T [K] with s(p, T) = s (isentropic compression and expansion), vectorised Newton."""
        return self._invert("entropy_j_kg_k", p_pa, s_j_kg_k, t_guess_k, tolerance_k)

    def _invert(self, name: str, p_pa: ArrayLike, target: ArrayLike, t_guess: ArrayLike, tolerance: float) -> F64:
        p = np.asarray(p_pa, dtype=np.float64)
        y = np.asarray(target, dtype=np.float64)
        shape = np.broadcast_shapes(p.shape, y.shape, np.shape(t_guess))
        p = np.broadcast_to(p, shape).ravel().copy()
        y = np.broadcast_to(y, shape).ravel()
        t = np.broadcast_to(np.asarray(t_guess, dtype=np.float64), shape).ravel().copy()
        self._checked(p, t)
        lo, hi = self._t_limits
        k = FIELDS.index(name)
        for _ in range(50):
            inside = self._inside(p, t)
            f = np.empty(p.size)
            dfdt = np.empty(p.size)
            idx = np.flatnonzero(inside)
            if idx.size:
                f[idx] = self._evaluate(name, p[idx], t[idx])
                dfdt[idx] = self._evaluate(name, p[idx], t[idx], dt=1)
            for i in np.flatnonzero(~inside):
                values = self._point(float(p[i]), float(t[i]))
                f[i] = values[k]
                dfdt[i] = values[4] if name == "enthalpy_j_kg" else values[4] / t[i]
            step = (f - y) / dfdt
            t = np.clip(t - np.clip(step, -50.0, 50.0), lo, hi)
            if float(np.max(np.abs(step), initial=0.0)) <= tolerance:
                return t.reshape(shape)
        worst = int(np.argmax(np.abs(step)))
        raise InputError(
            f"{self._label}: no temperature found for {name.split('_')[0]} {y[worst]:g} at p = {p[worst]:g} Pa "
            f"within {lo:g}..{hi:g} K; the state lies outside the gas region of the equation of state"
        )

    def table_errors(self) -> dict[str, float]:
        """Largest |table - direct| of each field at the cell centres (the worst points of a cubic spline),
        relative to the field's largest magnitude on the grid, except h [J/kg] and s [J/(kg K)]: absolute."""
        p, t = self._grid()
        pc = 0.5 * (p[1:] + p[:-1])
        tc = 0.5 * (t[1:] + t[:-1])
        direct = self.state_direct(pc[:, None], tc[None, :])
        table = self.state(pc[:, None], tc[None, :])
        out: dict[str, float] = {}
        for name in FIELDS:
            d = getattr(direct, name)
            e = float(np.max(np.abs(getattr(table, name) - d)))
            out[name] = e if name in ("enthalpy_j_kg", "entropy_j_kg_k") else e / float(np.max(np.abs(d)))
        return out

    # ------------------------------------------------------------------ checks
    def _checked(self, p_pa: ArrayLike, t_k: ArrayLike) -> tuple[F64, F64]:
        p = np.asarray(p_pa, dtype=np.float64)
        t = np.asarray(t_k, dtype=np.float64)
        lo, hi = self._t_limits
        bad_t = ~(np.isfinite(t) & (t >= lo) & (t <= hi))
        if np.any(bad_t):
            value = float(t.ravel()[int(np.flatnonzero(bad_t.ravel())[0])])
            raise InputError(
                f"{self._label}: temperature {value:g} K is outside {lo:g}..{hi:g} K; give an absolute "
                "temperature in kelvin within the method's range"
            )
        bad_p = ~(np.isfinite(p) & (p > 0.0))
        if np.any(bad_p):
            value = float(p.ravel()[int(np.flatnonzero(bad_p.ravel())[0])])
            raise InputError(
                f"{self._label}: pressure {value:g} Pa is not a positive finite absolute pressure; give absolute "
                "pressures in Pa"
            )
        return p, t
