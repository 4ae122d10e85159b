"""The per-transaction stages of the write path and the runner that wires them over a bus."""
