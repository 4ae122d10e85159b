"""Renderers of the inventory: JSON report, OpenAPI 3.1, SARIF, HTML and terminal."""
