"""Count the import cycles between the project's apps (a figure for DEVELOPERS.md).

An edge app A -> app B is an import from a non-test module of A of a module of B, or a
string foreign key "b.Model" in A's models. Prints the edges that point both ways and
the number of simple cycles. Run: .venv/bin/python scripts/appgraph.py [checkout]
(another checkout, e.g. an older commit in a git worktree, is measured with this
checkout's list of apps).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import grimp

HERE = Path(__file__).resolve().parent.parent
FK = re.compile(r"(?:ForeignKey|OneToOneField|ManyToManyField)\(\s*[\"'](\w+)\.\w+[\"']")


def apps(root: Path) -> list[str]:
    config = tomllib.loads((HERE / "pyproject.toml").read_text())
    listed = config["tool"]["importlinter"]["root_packages"]
    return [name for name in listed if (root / name / "__init__.py").exists()]


def edges(root: Path, names: list[str]) -> dict[str, set[str]]:
    graph = grimp.build_graph(*names)
    out: dict[str, set[str]] = {name: set() for name in names}
    for module in graph.modules:
        if ".tests" in module or ".migrations" in module:
            continue
        source = module.split(".")[0]
        for imported in graph.find_modules_directly_imported_by(module):
            target = imported.split(".")[0]
            if target != source and target in out:
                out[source].add(target)
    for name in names:
        for path in (root / name).rglob("models*.py"):
            for label in FK.findall(path.read_text()):
                if label != name and label in out:
                    out[name].add(label)
    return out


def simple_cycles(graph: dict[str, set[str]]) -> int:
    """Every elementary cycle, each counted once from its smallest node."""
    order = sorted(graph)
    count = 0
    for start in order:
        allowed = {n for n in order if n >= start}
        stack = [(start, iter(sorted(graph[start] & allowed)))]
        on_path = {start}
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
            elif child == start:
                count += 1
            elif child not in on_path:
                on_path.add(child)
                stack.append((child, iter(sorted(graph[child] & allowed))))
    return count


def main() -> None:
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    sys.path.insert(0, str(root))
    graph = edges(root, apps(root))
    both = sorted((a, b) for a in graph for b in graph[a] if a < b and a in graph[b])
    print("pairs importing each other:", ", ".join(f"{a}<->{b}" for a, b in both) or "none")
    print("simple cycles between apps:", simple_cycles(graph))


if __name__ == "__main__":
    main()
