"""The permission matrices of every app, gathered, and their size (URLs × roles).

Each app keeps its tables in tests/test_permission_matrix*.py, as TestCases built by
`permission_matrix`; `matrix_tables()` imports them all (Django must be set up) and
`matrix_size()` counts what they try. scripts/matrix_size.py prints it."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings

from pathways.testing.matrix import METHODS, Entry
from pathways.testing.roles import MATRIX_ROLES


def matrix_tables() -> dict[str, dict[str, Entry]]:
    """Every app's permission-matrix tables, by "module.Class"."""
    tables: dict[str, dict[str, Entry]] = {}
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR):
            continue
        for path in sorted(Path(config.path, "tests").glob("test_permission_matrix*.py")):
            module = importlib.import_module(f"{config.name}.tests.{path.stem}")
            for name, value in vars(module).items():
                if isinstance(value, type) and hasattr(value, "permission_table"):
                    tables[f"{module.__name__}.{name}"] = value.permission_table
    return tables


@dataclass(frozen=True)
class MatrixSize:
    tables: int
    urls: int
    roles: int
    url_methods: int  # (URL, method it takes) pairs
    role_checks: int  # url_methods × roles: one request each
    method_checks: int  # (URL, method it refuses) × roles: a 405 each

    @property
    def cells(self) -> int:
        return self.urls * self.roles

    @property
    def checks(self) -> int:
        return self.role_checks + self.method_checks

    def __str__(self) -> str:
        return (
            f"{self.urls} URLs × {self.roles} roles = {self.cells} cells "
            f"({self.tables} tables); {self.url_methods} URL-methods × {self.roles} roles = "
            f"{self.role_checks} role checks, + {self.method_checks} refused-method checks "
            f"= {self.checks} requests"
        )


def matrix_size(tables: dict[str, dict[str, Entry]] | None = None) -> MatrixSize:
    tables = matrix_tables() if tables is None else tables
    entries = {name: entry for table in tables.values() for name, entry in table.items()}
    taken = sum(len(entry.methods.split()) for entry in entries.values())
    refused = sum(len(set(METHODS) - set(entry.methods.split())) for entry in entries.values())
    roles = len(MATRIX_ROLES)
    return MatrixSize(len(tables), len(entries), roles, taken, taken * roles, refused * roles)
