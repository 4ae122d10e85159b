"""Stores: where merged profiles and findings live (SQLite for one node, PostgreSQL for clusters)."""
