"""Processing: from precursors to glass-ceramic (batch, milling, DTA/DSC, kinetics, heat treatment)."""
