"""Mergeable state folded from observations: every type here has a commutative, associative merge."""
