"""Every flow of the conversation, in one place: a new flow is a module with a
`register(registry)` function, listed here."""

from handlers import (
    admin,
    admin_collections,
    agents,
    basics,
    funding,
    history,
    payment_flow,
    saved_references,
    wallet,
)
from handlers.steps import Registry

FLOWS = (
    basics,
    payment_flow,
    wallet,
    funding,
    admin,
    admin_collections,
    history,
    saved_references,
    agents,
)


def build_registry() -> Registry:
    """The commands, buttons and steps of every flow; two flows claiming one key fail here."""
    registry = Registry()
    for flow in FLOWS:
        flow.register(registry)
    return registry
