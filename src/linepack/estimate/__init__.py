"""State estimation and leak detection from SCADA measurements (see docs/estimation.md)."""
