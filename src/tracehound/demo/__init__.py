"""Demo traffic shipped with Tracehound, for `make demo`."""
