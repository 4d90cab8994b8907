"""Imports point one way (docs/architecture.md): every module of bot/, handlers/
and storage/ is read (imports inside functions and TYPE_CHECKING blocks included) and each
import of the project's own code must be one its layer may make."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("bot", "handlers", "storage")

# layer (module prefix) → the project's modules it may import (prefixes); the most specific
# prefix of a module is its layer.
ALLOWED: dict[str, tuple[str, ...]] = {
    "storage": ("storage",),
    "bot.dexchange": ("bot.dexchange",),
    "bot.simulator": ("bot.simulator", "bot.web.server"),
    "bot.services": ("bot.services", "bot.dexchange", "storage"),
    "handlers": ("handlers", "bot.services", "storage"),
    "bot.channels": ("bot.channels", "handlers", "bot.services", "storage"),
    "bot.workers": ("bot.workers", "bot.channels.base", "handlers", "bot.services", "storage"),
    "bot.web": ("bot.web", "bot.services", "bot.metrics", "storage"),
    "bot.metrics": ("bot.dexchange.errors", "storage"),
    "bot.settings": (),
    "bot.logging_setup": ("storage",),
    # The composition root and the command line know everything.
    "bot.runtime": OURS,
    "bot.cli": OURS,
    "bot": ("bot",),  # bot/__init__.py, bot/__main__.py
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    candidates = [layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")]
    return max(candidates, key=len)


def imports_of(path: Path, module: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level] if node.level else []
                name = ".".join([*base, node.module or ""]).strip(".")
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in OURS}


def allowed(target: str, prefixes: tuple[str, ...]) -> bool:
    # `from bot.services import wallets` names bot.services.wallets: either form may match.
    return any(
        target == p or target.startswith(p + ".") or p.startswith(target + ".") for p in prefixes
    )


MODULES = sorted(path for top in OURS for path in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    module = module_name(path)
    layer = layer_of(module)
    wrong = sorted(
        target
        for target in imports_of(path, module)
        if not allowed(target, ALLOWED[layer]) and not target.startswith(module)
    )
    assert wrong == [], f"{module} ({layer}) may not import {wrong}"


def test_the_check_sees_a_wrong_import() -> None:
    """The check itself: an import the other way is found."""
    assert not allowed("bot.dexchange.errors", ALLOWED["handlers"])
    assert not allowed("handlers.engine", ALLOWED["bot.services"])
    assert not allowed("bot.workers.notifier", ALLOWED["bot.services"])
    assert allowed("bot.services.wallets", ALLOWED["handlers"])
    assert len(MODULES) > 80
