"""The user side of the fake: people who write to the bot and press its buttons."""

from collections.abc import Sequence
from types import TracebackType

from .formatting import Entity, detect_entities
from .images import image_size, tiny_png
from .models import JSON, BotMessage, FakeChat, FakeUser, PressedButton, UserMessage
from .state import TelegramState, Who
from .updates import UpdateQueue

# Telegram's service account, the author of membership changes in groups.
_SERVICE_USER: JSON = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


class UpdateBatch:
    """Holds new updates back until exit, so one getUpdates call returns them all.

    Use as `async with tg.batch():` (or a plain `with`).
    """

    def __init__(self, queue: UpdateQueue) -> None:
        self._queue = queue

    def __enter__(self) -> "UpdateBatch":
        self._queue.begin_batch()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._queue.end_batch()

    async def __aenter__(self) -> "UpdateBatch":
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


class UserSide(TelegramState):
    """Creating users and chats, and the updates they send."""

    # --- people and chats ---------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
        is_premium: bool = False,
    ) -> FakeUser:
        """A user (created or replaced) and their private chat with the bot."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(
            id=user_id,
            first_name=first_name or f"User{user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
        )
        self.users[user_id] = user
        self._register_chat(FakeChat.private(user))
        return user

    def group(self, chat_id: int, title: str = "Group", *, username: str | None = None) -> FakeChat:
        """A basic group the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        return self._register_chat(
            FakeChat(id=chat_id, type="group", title=title, username=username)
        )

    def supergroup(
        self, chat_id: int, title: str = "Supergroup", *, username: str | None = None
    ) -> FakeChat:
        """A supergroup the bot is a member of (ids look like -100xxxxxxxxxx)."""
        if chat_id >= 0:
            raise ValueError("supergroup ids are negative")
        return self._register_chat(
            FakeChat(id=chat_id, type="supergroup", title=title, username=username)
        )

    def chat(self, who: Who) -> FakeChat:
        return self.chats[self._chat_id_of(who)]

    def block(self, who: Who, *, notify: bool = False) -> None:
        """The user blocks the bot (or a group kicks it): sends there get 403 Forbidden.

        With notify, the bot also gets the my_chat_member update Telegram sends.
        """
        chat = self.chat(who)
        self.blocked.add(chat.id)
        if notify:
            self._membership_update(chat, "member", "kicked")

    def unblock(self, who: Who, *, notify: bool = False) -> None:
        chat = self.chat(who)
        self.blocked.discard(chat.id)
        if notify:
            self._membership_update(chat, "kicked", "member")

    def _membership_update(self, chat: FakeChat, old: str, new: str) -> None:
        actor = self.users.get(chat.id) if chat.type == "private" else None
        bot = {**self.bot_user}
        member: JSON = {"status": new, "user": bot}
        if new == "kicked":
            member["until_date"] = 0
        body: JSON = {
            "chat": chat.to_api(),
            "from": actor.to_api() if actor else _SERVICE_USER,
            "date": self._now(),
            "old_chat_member": {"status": old, "user": bot},
            "new_chat_member": member,
        }
        self.updates.put("my_chat_member", body)

    def batch(self) -> UpdateBatch:
        """`async with tg.batch(): ...`: the updates made inside arrive in one getUpdates."""
        return UpdateBatch(self.updates)

    # --- messages from users --------------------------------------------------------------

    def _known_user(self, user: FakeUser | int) -> FakeUser:
        if isinstance(user, int):
            return self.users[user]
        if self.users.get(user.id) != user:
            self.users[user.id] = user
            if user.id not in self.chats:
                self._register_chat(FakeChat.private(user))
        return user

    def _chat_for(self, user: FakeUser, chat: FakeChat | int | None) -> FakeChat:
        if chat is None:
            return self.chats[user.id]
        if isinstance(chat, FakeChat):
            if chat.id not in self.chats:
                self._register_chat(chat)
            return self.chats[chat.id]
        return self.chats[chat]

    def _post(
        self,
        user: FakeUser | int,
        fields: JSON,
        chat: FakeChat | int | None,
        reply_to: BotMessage | UserMessage | int | None,
    ) -> UserMessage:
        sender = self._known_user(user)
        where = self._chat_for(sender, chat)
        if where.type == "private":
            self.blocked.discard(where.id)  # writing to the bot again unblocks it
        message_id = self._new_message_id(where.id)
        date = self._now()
        payload: JSON = {
            "message_id": message_id,
            "from": sender.to_api(),
            "chat": where.to_api(),
            "date": date,
            **fields,
        }
        if reply_to is not None:
            target_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
            target = self._history[where.id][target_id]
            payload["reply_to_message"] = (
                target.to_api(self.bot_user) if isinstance(target, BotMessage) else target.payload
            )
        record = UserMessage(message_id, where, sender, date, payload)
        self._history[where.id][message_id] = record
        record.update_id = self.updates.put("message", payload).update_id
        return record

    async def send_text(
        self,
        user: FakeUser | int,
        text: str,
        *,
        chat: FakeChat | int | None = None,
        reply_to: BotMessage | UserMessage | int | None = None,
        entities: list[Entity] | None = None,
    ) -> UserMessage:
        """A text message from the user (to their private chat unless `chat` is given).

        Entities are detected like Telegram does (bot_command for "/start", mentions, URLs).
        """
        fields: JSON = {"text": text}
        found = detect_entities(text) if entities is None else entities
        if found:
            fields["entities"] = found
        return self._post(user, fields, chat, reply_to)

    async def send_sticker(
        self, user: FakeUser | int, *, chat: FakeChat | int | None = None, emoji: str = "👍"
    ) -> UserMessage:
        stored = self._new_file(None, kind="sticker", width=512, height=512)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post(user, {"sticker": sticker}, chat, None)

    async def send_photo_from_user(
        self,
        user: FakeUser | int,
        *,
        chat: FakeChat | int | None = None,
        caption: str | None = None,
        data: bytes | None = None,
    ) -> UserMessage:
        """A photo from the user; `data` (default: a tiny PNG) can be downloaded with getFile."""
        image = data if data is not None else tiny_png(4, 4)
        size = image_size(image)
        width, height = (size[1], size[2]) if size else (1, 1)
        stored = self._new_file(image, kind="photo", width=width, height=height)
        fields: JSON = {"photo": stored.photo_sizes()}
        if caption is not None:
            fields["caption"] = caption
            found = detect_entities(caption)
            if found:
                fields["caption_entities"] = found
        return self._post(user, fields, chat, None)

    async def send_voice(
        self, user: FakeUser | int, *, chat: FakeChat | int | None = None, duration: int = 3
    ) -> UserMessage:
        """A voice note (OGG/Opus, as Telegram's apps record them)."""
        stored = self._new_file(b"OggS\x00" + bytes(64), kind="voice", mime_type="audio/ogg")
        voice: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return self._post(user, {"voice": voice}, chat, None)

    async def send_document(
        self,
        user: FakeUser | int,
        *,
        chat: FakeChat | int | None = None,
        file_name: str = "facture.pdf",
        mime_type: str = "application/pdf",
        data: bytes = b"%PDF-1.4\n%%EOF\n",
        caption: str | None = None,
    ) -> UserMessage:
        """A file sent as a document (a PDF bill, a screenshot sent uncompressed…)."""
        stored = self._new_file(data, kind="document", file_name=file_name, mime_type=mime_type)
        fields: JSON = {"document": stored.document()}
        if caption is not None:
            fields["caption"] = caption
        return self._post(user, fields, chat, None)

    async def send_video(
        self, user: FakeUser | int, *, chat: FakeChat | int | None = None, duration: int = 5
    ) -> UserMessage:
        """A video (MP4, as the apps send one)."""
        stored = self._new_file(
            bytes(64), kind="video", mime_type="video/mp4", width=640, height=360
        )
        video: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 640,
            "height": 360,
            "duration": duration,
            "mime_type": "video/mp4",
            "file_size": stored.size,
        }
        return self._post(user, {"video": video}, chat, None)

    async def send_contact(
        self,
        user: FakeUser | int,
        phone_number: str,
        *,
        chat: FakeChat | int | None = None,
        first_name: str | None = None,
        own: bool = True,
    ) -> UserMessage:
        """A shared contact; `own` makes it the user's own (as a request_contact button does)."""
        sender = self._known_user(user)
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or sender.first_name,
        }
        if own:
            contact["user_id"] = sender.id
        return self._post(sender, {"contact": contact}, chat, None)

    async def send_location(
        self,
        user: FakeUser | int,
        latitude: float,
        longitude: float,
        *,
        chat: FakeChat | int | None = None,
    ) -> UserMessage:
        return self._post(
            user, {"location": {"latitude": latitude, "longitude": longitude}}, chat, None
        )

    async def send_message_update(
        self,
        user: FakeUser | int,
        fields: JSON,
        *,
        chat: FakeChat | int | None = None,
        reply_to: BotMessage | UserMessage | int | None = None,
    ) -> UserMessage:
        """A message with any other content: `fields` are added to the Message object."""
        return self._post(user, dict(fields), chat, reply_to)

    async def send_update(self, kind: str, body: JSON) -> int:
        """A raw update of any kind (body without update_id); returns its update_id."""
        return self.updates.put(kind, body).update_id

    # --- button presses -------------------------------------------------------------------

    def _find_bot_message(self, user: FakeUser, message: BotMessage | int) -> BotMessage:
        if isinstance(message, BotMessage):
            return message
        found = self._history[user.id].get(message)
        if not isinstance(found, BotMessage):
            raise ValueError(f"no bot message {message} in the private chat of {user.id}")
        return found

    def _press(
        self, user: FakeUser | int, message: BotMessage | int, data: str, force: bool
    ) -> PressedButton:
        sender = self._known_user(user)
        target = self._find_bot_message(sender, message)
        if not force:
            if target.deleted:
                raise ValueError(f"message {target.message_id} was deleted (force=True to press)")
            if data not in target.callback_data:
                labels = [text for row in target.buttons for text, _ in row]
                if data not in labels:
                    raise ValueError(
                        f"message {target.message_id} has no button {data!r}: {target.buttons} "
                        "(force=True for a stale or forged press)"
                    )
                data = target.data_for(data)
        query_id = str(4_000_000_000_000_000 + self._unique() * 1_000 + self.bot_id % 1_000)
        body: JSON = {
            "id": query_id,
            "from": sender.to_api(),
            "message": target.to_api(self.bot_user),
            "chat_instance": str((target.chat.id * 2_654_435_761 + self.bot_id) % 2**63),
            "data": data,
        }
        update = self.updates.put("callback_query", body)
        pressed = PressedButton(
            id=query_id,
            user=sender,
            chat_id=target.chat.id,
            message_id=target.message_id,
            data=data,
            update_id=update.update_id,
        )
        self.pressed[query_id] = pressed
        return pressed

    async def press(
        self,
        user: FakeUser | int,
        message: BotMessage | int,
        data: str,
        *,
        force: bool = False,
    ) -> PressedButton:
        """The user presses an inline button: a callback_query update on that message.

        `data` is the button's callback_data (or its text). It must be on the message as it is
        now, unless force=True (stale keyboards, forged data).
        """
        return self._press(user, message, data, force)

    async def press_many(
        self,
        user: FakeUser | int,
        message: BotMessage | int,
        data: Sequence[str],
        *,
        force: bool = False,
    ) -> list[PressedButton]:
        """Several presses delivered in one batch of updates (a double tap)."""
        with self.batch():
            return [self._press(user, message, item, force) for item in data]
