"""Sensitive-data classifiers: one module per family, found by ``registry``, run by ``engine``."""
