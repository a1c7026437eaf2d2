"""Print the size of the permission matrix: URLs × roles, and the requests it makes.

    .venv/bin/python scripts/matrix_size.py

No manage.py and no database: it sets Django up, imports every app's
tests/test_permission_matrix*.py and counts their tables (pathways.testing.size)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathways.settings")


def main() -> None:
    import django

    django.setup()
    from pathways.testing.roles import MATRIX_ROLES
    from pathways.testing.size import matrix_size

    print(matrix_size())
    print("roles:", ", ".join(MATRIX_ROLES))


if __name__ == "__main__":
    main()
