"""Compiled kernels of sigconv (no public names)."""
