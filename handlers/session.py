"""A user's conversation while one input is handled: state, data and the keyboard token.

Buttons of a step carry the token of the step that drew them (`s:<token>:<action>`), so a
keyboard left over from an earlier step is recognised as stale. Buttons that make sense at
any time (menu entries) are global (`g:<action>`).
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.models import User

MENU = "menu"
SPENT = "spent_tokens"
SPENT_TOKENS_KEPT = 5
APPLIED = "applied_input"  # the input (Incoming.input_id) whose step was saved last


def new_token() -> str:
    return secrets.token_hex(3)


@dataclass
class Session:
    user: User
    language: str
    state: str
    data: dict[str, Any]
    token: str
    updated_at: datetime | None
    is_new: bool
    changed: bool = field(default=False)

    def go(self, state: str, data: dict[str, Any] | None = None) -> None:
        """Enter a step: its buttons get a fresh token, older keyboards become stale.

        The memory of used-up keyboards (`spent_tokens`) carries over from step to step.
        """
        data = dict(data or {})
        if SPENT in self.data:
            data.setdefault(SPENT, self.data[SPENT])
        self.state = state
        self.data = data
        self.token = new_token()
        self.changed = True

    def to_menu(self, **keep: Any) -> None:
        self.go(MENU, dict(keep))

    def spend_current_keyboard(self) -> None:
        """Remember this step's token as used, so a second press says "already used"."""
        self.data[SPENT] = [self.token, *self.data.get(SPENT, [])][:SPENT_TOKENS_KEPT]
        self.changed = True

    def step_payload(self, action: str) -> str:
        return f"s:{self.token}:{action}"


def global_payload(action: str) -> str:
    return f"g:{action}"


@dataclass(frozen=True)
class Pressed:
    scope: str  # "g" global, "s" step
    token: str | None
    action: str
    argument: str

    @classmethod
    def parse(cls, payload: str) -> "Pressed | None":
        parts = payload.split(":", 2)
        if parts[0] == "g" and len(parts) >= 2:
            action, _, argument = ":".join(parts[1:]).partition(":")
            return cls("g", None, action, argument)
        if parts[0] == "s" and len(parts) == 3:
            action, _, argument = parts[2].partition(":")
            return cls("s", parts[1], action, argument)
        return None
