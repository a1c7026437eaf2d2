"""Pathways' shared library: small helpers every app may use.

The bottom layer of the import-linter contract (pyproject.toml): nothing here
imports a Pathways app, so any app can import it without making a cycle.
"""
