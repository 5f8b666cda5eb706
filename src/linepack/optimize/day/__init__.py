"""Day-ahead optimisation over linepack: compressor, regulator and supply schedules through a transient day,
on the transient simulator's own grid, replayed in the simulator as proof (see docs/day-ahead.md)."""
