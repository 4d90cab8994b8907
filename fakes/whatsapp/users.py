"""The user side of the fake: people who write to the bot, press its buttons, read its
messages, change their number; each act is a signed webhook to the bot."""

import hashlib
from types import TracebackType

from .models import JSON, BotMessage, UserMessage, WaUser
from .payloads import system_message
from .state import WhatsAppState


class Batch:
    """`async with fake.batch():` (or `with`): everything made inside goes in one POST."""

    def __init__(self, state: WhatsAppState) -> None:
        self._state = state

    def __enter__(self) -> "Batch":
        if self._state._held is not None:
            raise RuntimeError("batches do not nest")
        self._state._held = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        held, self._state._held = self._state._held, None
        if held:
            self._state._release(held)

    async def __aenter__(self) -> "Batch":
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


class UserSide(WhatsAppState):
    # --- people ---------------------------------------------------------------------------

    def user(
        self,
        phone: str | None = None,
        name: str | None = None,
        *,
        bsuid: str | None = None,
        with_number: bool = True,
    ) -> WaUser:
        """A user (the same object again for a number already known, updated).

        `with_number=False` is a user who shows a username and no number: webhooks carry
        only their BSUID, which they must then have.
        """
        if not with_number and bsuid is None:
            raise ValueError("a user without a visible number needs a bsuid")
        number = phone if phone is not None else f"22177{len(self.users) + 1:07d}"
        if not number.isdigit() or not 8 <= len(number) <= 15:
            raise ValueError(f"a phone number is 8 to 15 digits, country code first: {number!r}")
        taken = self._by_bsuid.get(bsuid) if bsuid is not None else None
        user = self._by_phone.get(number)
        if taken is not None and taken is not user:
            raise ValueError(f"bsuid {bsuid} belongs to {taken}")
        if user is None:
            user = WaUser(number, name or f"User {len(self.users) + 1}", bsuid, with_number)
            self.users.append(user)
        else:
            user.name = name or user.name
            user.bsuid = bsuid
            user.with_number = with_number
        self._index(user)
        return user

    def block(self, user: WaUser) -> None:
        """The user blocks the bot: messages are still accepted, then fail with 131026."""
        user.blocked = True

    def unblock(self, user: WaUser) -> None:
        user.blocked = False

    def batch(self) -> Batch:
        return Batch(self)

    # --- what users send --------------------------------------------------------------------

    def _inbound(
        self, user: WaUser, kind: str, fields: JSON, *, context: BotMessage | None = None
    ) -> UserMessage:
        now = self.now()
        wamid = self._wamid()
        message: JSON = {**user.sender(), "id": wamid, "timestamp": str(int(now))}
        if context is not None:
            message["context"] = {
                "from": self.business.display_phone_number,
                "id": context.wamid,
            }
        message["type"] = kind
        message.update(fields)
        user.last_inbound = now  # the 24-hour window opens again
        record = UserMessage(wamid, user, kind, message, now)
        self.inbound.append(record)
        self._inbound_by_id[wamid] = record
        self._emit(self.business.messages_value([user.contact()], [message]), record)
        return record

    async def send_text(
        self, user: WaUser, text: str, *, reply_to: BotMessage | None = None
    ) -> UserMessage:
        """A text from the user; `reply_to` quotes one of the bot's messages (context.id)."""
        return self._inbound(user, "text", {"text": {"body": text}}, context=reply_to)

    async def press(
        self, user: WaUser, message: BotMessage, choice: str, *, force: bool = False
    ) -> UserMessage:
        """The user presses a reply button or picks a list row of the bot's `message`, by its
        id or title: an `interactive` message with `button_reply` / `list_reply` and
        `context.id` = the message's wamid. `force=True` sends a choice the message does not
        have (a forged press) and presses a message that never reached them."""
        if not force and (message.user is not user or message.failed):
            raise ValueError(f"{message!r} did not reach {user!r} (force=True to press anyway)")
        if message.content.interactive is None and not force:
            raise ValueError(f"{message!r} has no buttons")
        rows = {row.id: row for row in message.content.rows}
        titles = dict(message.choices)
        try:
            ident = message.id_for(choice)
        except KeyError:
            if not force:
                raise
            ident = choice
        title = titles.get(ident, choice)
        if message.content.interactive == "list" or ident in rows:
            reply: JSON = {"id": ident, "title": title}
            row = rows.get(ident)
            if row is not None and row.description is not None:
                reply["description"] = row.description
            fields: JSON = {"interactive": {"type": "list_reply", "list_reply": reply}}
        else:
            reply = {"id": ident, "title": title}
            fields = {"interactive": {"type": "button_reply", "button_reply": reply}}
        return self._inbound(user, "interactive", fields, context=message)

    async def send_sticker(self, user: WaUser) -> UserMessage:
        return self._inbound(user, "sticker", {"sticker": self._user_media("image/webp")})

    async def send_image(self, user: WaUser, *, caption: str | None = None) -> UserMessage:
        image = self._user_media("image/jpeg")
        if caption is not None:
            image["caption"] = caption
        return self._inbound(user, "image", {"image": image})

    async def send_location(
        self, user: WaUser, latitude: float = 14.6928, longitude: float = -17.4467
    ) -> UserMessage:
        location = {"latitude": latitude, "longitude": longitude}
        return self._inbound(user, "location", {"location": location})

    async def send_voice(self, user: WaUser) -> UserMessage:
        """A voice note: Meta's `audio` type with `voice: true` (OGG/Opus)."""
        audio = {**self._user_media("audio/ogg; codecs=opus"), "voice": True}
        return self._inbound(user, "audio", {"audio": audio})

    async def send_document(
        self,
        user: WaUser,
        *,
        filename: str = "facture.pdf",
        mime: str = "application/pdf",
        caption: str | None = None,
    ) -> UserMessage:
        document = {**self._user_media(mime), "filename": filename}
        if caption is not None:
            document["caption"] = caption
        return self._inbound(user, "document", {"document": document})

    async def send_video(self, user: WaUser, *, caption: str | None = None) -> UserMessage:
        video = self._user_media("video/mp4")
        if caption is not None:
            video["caption"] = caption
        return self._inbound(user, "video", {"video": video})

    async def send_contact(
        self, user: WaUser, phone: str = "221771234567", name: str = "Fatou Diop"
    ) -> UserMessage:
        """A shared contact card: Meta's `contacts` type, a list of one card."""
        first, _, last = name.partition(" ")
        names: JSON = {"formatted_name": name, "first_name": first}
        if last:
            names["last_name"] = last
        card: JSON = {
            "name": names,
            "phones": [{"phone": f"+{phone}", "wa_id": phone, "type": "CELL"}],
        }
        return self._inbound(user, "contacts", {"contacts": [card]})

    async def send_other(self, user: WaUser, kind: str, fields: JSON) -> UserMessage:
        """Any other message: `kind` is Meta's type ("audio", "unsupported"…), `fields` what
        goes beside it."""
        return self._inbound(user, kind, dict(fields))

    def _user_media(self, mime: str) -> JSON:
        media_id = self._media_id()
        digest = hashlib.sha256(media_id.encode()).hexdigest()
        return {"mime_type": mime, "sha256": digest, "id": media_id}

    # --- changes of identity ------------------------------------------------------------------

    async def change_number(self, user: WaUser, new_phone: str) -> UserMessage:
        """The user moves to a new number: a `user_changed_number` system message (from the
        old number, with `new_wa_id`); the old number reaches nobody afterwards."""
        system = {
            "type": "user_changed_number",
            "body": f"User {user.name} changed from {user.phone} to {new_phone}",
            "new_wa_id": new_phone,
        }
        record = self._system(user, system)
        user.phone = new_phone
        self._index(user)
        return record

    async def change_bsuid(self, user: WaUser, new_bsuid: str) -> UserMessage:
        """The user's business-scoped id changes: `user_changed_user_id` with `new_user_id`."""
        system = {
            "type": "user_changed_user_id",
            "body": f"User {user.name} changed their user id",
            "new_user_id": new_bsuid,
        }
        record = self._system(user, system)
        user.bsuid = new_bsuid
        self._index(user)
        return record

    def _system(self, user: WaUser, system: JSON) -> UserMessage:
        now = self.now()
        wamid = self._wamid()
        message = system_message(user, wamid, now, system)
        record = UserMessage(wamid, user, "system", message, now)
        self.inbound.append(record)
        self._inbound_by_id[wamid] = record
        self._emit(self.business.messages_value([], [message]), record)
        return record

    # --- reading ------------------------------------------------------------------------------

    async def read(self, user: WaUser, message: BotMessage | None = None) -> list[BotMessage]:
        """The user reads `message`, or every message delivered to them and not yet read:
        a `read` status for each."""
        targets = [message] if message is not None else self.messages_to(user)
        done = []
        for target in targets:
            if target.status == "delivered":
                self._post_statuses(target, ["read"])
                done.append(target)
        return done

    def messages_to(self, user: WaUser, *, include_failed: bool = False) -> list[BotMessage]:
        found = self._sent_to.get(user, [])
        return [message for message in found if include_failed or not message.failed]
