"""Demand over a supply horizon: the network scenario's demand times seasonal and hourly multipliers.

For a step ``[t0, t1)`` and a sink of category ``c`` the demand is ``D_scenario x m_c(day) x h_c(hours)``:

- ``m_c`` -- the supply file's monthly multipliers, taken at mid-month and interpolated linearly by day
  (cyclic over the year), so that a year has no steps at month ends;
- ``h_c`` -- at steps shorter than a day, the mean over the step of the winter-day hourly shape of
  :data:`linepack.transient.profiles.WINTER_DAY_SHAPES` (mean 1 over a day, so daily volumes do not change);
- or, instead of both, a user profile (:func:`linepack.transient.read_profile`: columns
  ``demand:<sink id | category | *>``, multipliers, time from the start of the run), averaged over each step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..transient.profiles import WINTER_DAY_SHAPES, Profile
from .model import Demand

F64 = NDArray[np.float64]
SAMPLES = 24  # points per step for the step means of shapes and profiles


def _mid_month_days(year: int) -> F64:
    """Day-of-year (0-based, fractional) of each mid-month of ``year``."""
    out = []
    for m in range(1, 13):
        first = datetime(year, m, 1)
        nxt = datetime(year + (m == 12), m % 12 + 1, 1)
        out.append((first - datetime(year, 1, 1)).total_seconds() / 86400.0 + (nxt - first).days / 2.0)
    return np.array(out)


def monthly_factor(values: list[float], times: list[datetime]) -> F64:
    """The monthly multipliers at the given instants (linear between mid-months, cyclic)."""
    out = np.empty(len(times))
    for k, t in enumerate(times):
        mids = _mid_month_days(t.year)
        year_days = (datetime(t.year + 1, 1, 1) - datetime(t.year, 1, 1)).days
        x = np.concatenate([mids[-1:] - year_days, mids, mids[:1] + year_days])
        y = np.concatenate([values[-1:], values, values[:1]])
        doy = (t - datetime(t.year, 1, 1)).total_seconds() / 86400.0
        out[k] = np.interp(doy, x, y)
    return out


def step_demand(base_kg_s: F64, categories: tuple[str, ...], sink_ids: tuple[str, ...], demand: Demand,
                start: datetime, edges_s: F64, profile: Profile | None = None) -> F64:
    """Demand of every sink in every step [kg/s], shape (steps, sinks); ``edges_s`` are the step boundaries."""
    n = len(edges_s) - 1
    frac = (np.arange(SAMPLES) + 0.5) / SAMPLES
    t_samp = edges_s[:-1, None] + (edges_s[1:] - edges_s[:-1])[:, None] * frac[None, :]  # (n, SAMPLES)
    cats = np.array(categories)
    mult = np.ones((n, len(base_kg_s)))
    if profile is not None:
        known_sinks = set(sink_ids)
        for key, values in profile.columns.items():
            kind, target = key.split(":", 1)
            if kind != "demand":
                raise InputError(f"profile {profile.name}: column '{key}': a supply run takes demand:<sink, category "
                                 "or *> multipliers only (terminal send-out follows inventories and the network)")
            if target == "*":
                cols = np.ones(len(sink_ids), dtype=bool)
            elif target in known_sinks:
                cols = np.array([s == target for s in sink_ids])
            elif target in set(cats):
                cols = cats == target
            else:
                raise InputError(f"profile {profile.name}: column '{key}' names no sink or sink category of the "
                                 f"scenario; categories are {', '.join(sorted(set(cats)))}")
            vals = np.interp(t_samp.ravel(), profile.times_s, values).reshape(t_samp.shape).mean(axis=1)
            mult[:, cols] *= vals[:, None]
        return base_kg_s[None, :] * mult
    mids = [start + timedelta(seconds=float(s)) for s in 0.5 * (edges_s[:-1] + edges_s[1:])]
    for cat, factors in demand.monthly.items():
        cols = cats == cat
        if np.any(cols):
            mult[:, cols] *= monthly_factor(factors, mids)[:, None]
    dt = edges_s[1:] - edges_s[:-1]
    if demand.hourly_shapes and np.any(dt < 86400.0 - 1e-6):
        hour0 = start.hour + start.minute / 60.0 + start.second / 3600.0
        hours = (hour0 + t_samp / 3600.0) % 24.0
        for cat, shape in WINTER_DAY_SHAPES.items():
            cols = cats == cat
            if np.any(cols):
                h = np.interp(hours.ravel(), np.arange(25.0), shape).reshape(hours.shape).mean(axis=1)
                h = np.where(dt < 86400.0 - 1e-6, h, 1.0)
                mult[:, cols] *= h[:, None]
    return base_kg_s[None, :] * mult
