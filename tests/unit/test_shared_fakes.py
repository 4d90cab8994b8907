"""The fakes (fakes/) serve the tests and the benchmarks alike: neither they nor the
benchmarks may import from tests/, so that a benchmark never depends on a test module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path for top in ("fakes", "bench") for path in (ROOT / top).rglob("*.py"))


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module or "")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_import_from_tests(path: Path) -> None:
    wrong = sorted(name for name in imported(path) if name.split(".")[0] == "tests")
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_check_sees_an_import_from_tests(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom tests.e2e.harness import fund\nimport tests.samples\n")
    assert imported(module) >= {"tests.e2e.harness", "tests.samples"}
    assert len(MODULES) > 20
