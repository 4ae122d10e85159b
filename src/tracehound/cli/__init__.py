"""The ``tracehound`` command, one module per command group."""
