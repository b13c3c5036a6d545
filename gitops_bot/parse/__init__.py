"""Parsing for locating and checking (YAML, HCL, Go templates), shared by editors, scanners and checks."""
