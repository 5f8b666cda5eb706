"""Scenario studies at scale: N-1/N-2 contingencies, parameter sweeps and Monte Carlo.

A study is a list of small case specifications (:mod:`.cases`) made by a generator
(:mod:`.generators`), evaluated against one base scenario that every worker compiles and solves once
(:mod:`.evaluate`), on a local process pool (:mod:`.runner_local`) or a Dask cluster
(:mod:`.runner_dask`), with results written incrementally to a Parquet store (:mod:`.store`) and turned
into answers by :mod:`.report` and :mod:`.plots`. Needs the ``study`` extra (pyarrow, duckdb);
Dask needs the ``cluster`` extra.
"""
