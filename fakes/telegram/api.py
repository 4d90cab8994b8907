"""The Bot API methods the fake implements (all but the ones that wait, see server.py).

Each handler takes the call's Params and returns its result, or raises ApiError with the
description Telegram gives. They are synchronous, so a handler and the flood-control bookkeeping
around it run without interleaving with other calls.
"""

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, bad_request, forbidden
from .formatting import Entity, FormatError, parse, trim
from .images import image_size
from .markup import validate_reply_markup
from .models import JSON, BotMessage, CallbackAnswer, FakeChat, MessageVersion, StoredFile
from .params import Params, UploadedFile
from .state import TelegramState

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")

Handler = Callable[[Params], Any]


@dataclass(frozen=True, slots=True)
class Described:
    """A result that Telegram answers with a description, like setWebhook's."""

    result: Any
    description: str


def scope_key(scope: Any) -> str:
    """A BotCommandScope as a short key: "default", "chat:42", "chat_member:42:7"…"""
    if scope is None:
        return "default"
    if isinstance(scope, str):
        return scope
    kind = scope.get("type")
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{scope.get('chat_id')}"
    if kind == "chat_member":
        return f"chat_member:{scope.get('chat_id')}:{scope.get('user_id')}"
    return str(kind)


class BotApiMethods(TelegramState):
    """The synchronous Bot API methods."""

    def _sync_methods(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getFile": self._get_file,
        }

    # --- chats and messages -------------------------------------------------------------

    def _chat_param(self, p: Params, name: str = "chat_id") -> FakeChat:
        value = p.raw.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        chat_id = self._rate_chat(value)
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, p: Params) -> FakeChat:
        chat = self._chat_param(p)
        if chat.id in self.blocked:
            if chat.type == "private":
                raise forbidden("bot was blocked by the user")
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        return chat

    def _bot_message(self, chat: FakeChat, p: Params, missing: str) -> BotMessage:
        if p.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message_id = p.get_int("message_id", empty="message identifier is not specified")
        message = self._history[chat.id].get(message_id or 0)
        if message is None or message.deleted:
            raise bad_request(missing)
        if not isinstance(message, BotMessage):
            raise bad_request("message can't be edited")
        return message

    def _render(self, p: Params, field: str, entities_field: str) -> tuple[str, list[Entity]]:
        source = p.get_str(field) or ""
        explicit = p.get_json(entities_field)
        if isinstance(explicit, list) and explicit:
            return trim(source, explicit)
        try:
            return parse(source, p.get_str("parse_mode"))
        except FormatError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        except ValueError:
            raise bad_request("unsupported parse_mode") from None

    def _text(self, p: Params) -> tuple[str, list[Entity]]:
        text, entities = self._render(p, "text", "entities")
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        return text, entities

    def _caption(self, p: Params) -> tuple[str | None, list[Entity]]:
        if not p.has("caption"):
            return None, []
        caption, entities = self._render(p, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return caption or None, entities

    def _reply_to(self, chat: FakeChat, p: Params) -> int | None:
        reply = p.get_json("reply_parameters")
        allow_missing = p.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        else:
            message_id = p.get_int("reply_to_message_id")
        if message_id is None:
            return None
        target = self._history[chat.id].get(int(message_id))
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def _send(
        self,
        chat: FakeChat,
        p: Params,
        *,
        kind: str,
        text: str | None = None,
        entities: list[Entity] | None = None,
        caption: str | None = None,
        caption_entities: list[Entity] | None = None,
        raw: str | None = None,
        file: StoredFile | None = None,
        method: str,
    ) -> JSON:
        markup = validate_reply_markup(
            p.get_json("reply_markup", "can't parse reply keyboard markup JSON object")
        )
        reply_to = self._reply_to(chat, p)
        preview = p.get_json("link_preview_options")
        preview_disabled = p.get_bool("disable_web_page_preview") or (
            isinstance(preview, dict) and bool(preview.get("is_disabled"))
        )
        date = self._now()
        message = BotMessage(
            message_id=self._new_message_id(chat.id),
            chat=chat,
            date=date,
            kind=kind,
            versions=[
                MessageVersion(
                    method=method,
                    date=date,
                    text=text,
                    entities=entities or [],
                    caption=caption,
                    caption_entities=caption_entities or [],
                    raw=raw,
                    parse_mode=p.get_str("parse_mode"),
                    reply_markup=markup,
                )
            ],
            file=file,
            reply_to_message_id=reply_to,
            link_preview_disabled=preview_disabled,
        )
        self._history[chat.id][message.message_id] = message
        self._bot_messages[chat.id].append(message)
        self._message_changed(message, "sent")
        result = message.to_api(self.bot_user)
        if reply_to is not None:
            replied = self._history[chat.id][reply_to]
            result["reply_to_message"] = (
                replied.to_api(self.bot_user)
                if isinstance(replied, BotMessage)
                else replied.payload
            )
        return result

    # --- methods --------------------------------------------------------------------------

    def _get_me(self, p: Params) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, p: Params) -> JSON:
        chat = self._writable_chat(p)
        text, entities = self._text(p)
        return self._send(
            chat,
            p,
            kind="text",
            text=text,
            entities=entities,
            raw=p.get_str("text"),
            method="sendMessage",
        )

    def _upload(self, p: Params, field: str, *, photo: bool) -> StoredFile:
        value = p.get_file(field)
        if value is None:
            raise bad_request(f"there is no {field} in the request")
        if isinstance(value, str):
            known = self.files.get(value)
            if known is not None:
                return known
            if value.startswith(("http://", "https://")):
                return self._new_file(None, kind=field, url=value, width=1, height=1)
            raise bad_request("wrong file identifier/HTTP URL specified")
        return self._store_upload(value, photo=photo)

    def _store_upload(self, upload: UploadedFile, *, photo: bool) -> StoredFile:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if photo:
            if len(upload.data) > MAX_PHOTO_BYTES:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            size = image_size(upload.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            _, width, height = size
            return self._new_file(
                upload.data, kind="photo", file_name=upload.filename, width=width, height=height
            )
        if len(upload.data) > MAX_DOCUMENT_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        return self._new_file(
            upload.data,
            kind="document",
            file_name=upload.filename,
            mime_type=upload.content_type or "application/octet-stream",
        )

    def _send_photo(self, p: Params) -> JSON:
        chat = self._writable_chat(p)
        caption, entities = self._caption(p)
        stored = self._upload(p, "photo", photo=True)
        return self._send(
            chat,
            p,
            kind="photo",
            caption=caption,
            caption_entities=entities,
            raw=p.get_str("caption"),
            file=stored,
            method="sendPhoto",
        )

    def _send_document(self, p: Params) -> JSON:
        chat = self._writable_chat(p)
        caption, entities = self._caption(p)
        stored = self._upload(p, "document", photo=False)
        return self._send(
            chat,
            p,
            kind="document",
            caption=caption,
            caption_entities=entities,
            raw=p.get_str("caption"),
            file=stored,
            method="sendDocument",
        )

    def _edit(self, message: BotMessage, version: MessageVersion) -> JSON:
        if version.same_content(message.current):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.versions.append(version)
        self._message_changed(message, "edited")
        return message.to_api(self.bot_user)

    def _edit_markup(self, p: Params) -> dict[str, Any] | None:
        markup = p.get_json("reply_markup", "can't parse reply keyboard markup JSON object")
        return validate_reply_markup(markup, inline_only=True)

    def _edit_message_text(self, p: Params) -> JSON:
        chat = self._writable_chat(p)
        message = self._bot_message(chat, p, "message to edit not found")
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(p)
        version = MessageVersion(
            method="editMessageText",
            date=self._now(),
            text=text,
            entities=entities,
            caption=None,
            caption_entities=[],
            raw=p.get_str("text"),
            parse_mode=p.get_str("parse_mode"),
            reply_markup=self._edit_markup(p),
        )
        if p.has("link_preview_options") or p.has("disable_web_page_preview"):
            preview = p.get_json("link_preview_options")
            message.link_preview_disabled = p.get_bool("disable_web_page_preview") or (
                isinstance(preview, dict) and bool(preview.get("is_disabled"))
            )
        return self._edit(message, version)

    def _edit_message_caption(self, p: Params) -> JSON:
        chat = self._writable_chat(p)
        message = self._bot_message(chat, p, "message to edit not found")
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(p)
        version = MessageVersion(
            method="editMessageCaption",
            date=self._now(),
            text=None,
            entities=[],
            caption=caption,
            caption_entities=entities,
            raw=p.get_str("caption"),
            parse_mode=p.get_str("parse_mode"),
            reply_markup=self._edit_markup(p),
        )
        return self._edit(message, version)

    def _edit_message_reply_markup(self, p: Params) -> JSON:
        chat = self._writable_chat(p)
        message = self._bot_message(chat, p, "message to edit not found")
        current = message.current
        version = MessageVersion(
            method="editMessageReplyMarkup",
            date=self._now(),
            text=current.text,
            entities=current.entities,
            caption=current.caption,
            caption_entities=current.caption_entities,
            raw=current.raw,
            parse_mode=current.parse_mode,
            reply_markup=self._edit_markup(p),
        )
        return self._edit(message, version)

    def _delete_message(self, p: Params) -> bool:
        chat = self._chat_param(p)
        message_id = p.get_int("message_id", empty="message identifier is not specified")
        message = self._history[chat.id].get(message_id or 0)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        if isinstance(message, BotMessage):
            self._message_changed(message, "deleted")
        return True

    def _answer_callback_query(self, p: Params) -> bool:
        query_id = p.get_str("callback_query_id") or ""
        pressed = self.pressed.get(query_id)
        if pressed is None or pressed.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            query_id=query_id,
            text=text or None,
            show_alert=p.get_bool("show_alert"),
            url=p.get_str("url"),
            cache_time=p.get_int("cache_time") or 0,
            time=self._clock(),
        )
        pressed.answer = answer
        self.answered_callback_queries[query_id] = answer
        return True

    def _clock(self) -> float:
        return asyncio.get_running_loop().time()

    def _command_target(self, p: Params) -> tuple[str, str]:
        scope = p.get_json("scope", "can't parse BotCommandScope JSON object")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
                raise bad_request("can't parse BotCommandScope JSON object")
            if "chat" in scope["type"]:
                chat_id = self._rate_chat(scope.get("chat_id"))
                if chat_id is None or chat_id not in self.chats:
                    raise bad_request("chat not found")
                scope = {**scope, "chat_id": chat_id}
        language = p.get_str("language_code") or ""
        if language and not _LANGUAGE_RE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return scope_key(scope), language

    def _set_my_commands(self, p: Params) -> bool:
        commands = p.get_json("commands", "can't parse commands JSON object")
        if commands is None:
            commands = []
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        parsed: list[tuple[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: BotCommand must be an Object")
            for field in ("command", "description"):
                if field not in command:
                    raise bad_request(f"can't parse BotCommand: Can't find field \"{field}\"")
            name, description = str(command["command"]), str(command["description"])
            if not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not description.strip():
                raise bad_request("command description must be non-empty")
            if len(description) > 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            parsed.append((name, description))
        key = self._command_target(p)
        if parsed:
            self._commands[key] = parsed
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, p: Params) -> list[JSON]:
        commands = self._commands.get(self._command_target(p), [])
        return [{"command": name, "description": text} for name, text in commands]

    def _delete_my_commands(self, p: Params) -> bool:
        self._commands.pop(self._command_target(p), None)
        return True

    def _send_chat_action(self, p: Params) -> bool:
        self._writable_chat(p)
        if p.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _get_chat(self, p: Params) -> JSON:
        chat = self._chat_param(p)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _set_chat_menu_button(self, p: Params) -> bool:
        chat_id = self._chat_param(p).id if p.has("chat_id") else None
        button = p.get_json("menu_button", "can't parse menu button JSON object")
        if button is None:
            button = {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise bad_request("can't parse menu button JSON object")
        if button["type"] == "default":
            self.menu_buttons.pop(chat_id, None)
        else:
            self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, p: Params) -> JSON:
        chat_id = self._chat_param(p).id if p.has("chat_id") else None
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        return button or {"type": "commands"}

    def _get_file(self, p: Params) -> JSON:
        file_id = p.get_str("file_id") or ""
        stored = self.files.get(file_id)
        if stored is None or stored.data is None:
            raise bad_request("invalid file_id")
        folder = "photos" if stored.width else "documents"
        path = f"{folder}/file_{stored.file_unique_id}"
        self._file_paths[path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": path,
        }
