"""The Graph API calls the fake answers: send a message, mark one read, upload an image.

Each handler takes the request's body and returns the answer, or raises GraphError. They
are synchronous, so the check of the paces and the spending of their tokens cannot
interleave with another call.
"""

from typing import Any

from . import limits as lim
from .errors import GraphError, invalid
from .media import FilePart, check_upload
from .models import JSON, BotMessage
from .users import UserSide
from .validate import check_send


class GraphApi(UserSide):
    def _send(self, body: Any) -> tuple[JSON, BotMessage]:
        """Validate and accept a message; its statuses follow once the answer has gone."""
        if not isinstance(body, dict):
            raise invalid("the body must be a JSON object")
        outgoing = check_send(body, self.media, self.templates)
        if outgoing.context_id is not None and not (
            outgoing.context_id in self._inbound_by_id or outgoing.context_id in self._sent_by_id
        ):
            raise invalid(f"context.message_id {outgoing.context_id!r} is not a known message")
        user = self.find_user(outgoing.to)
        key = f"user:{id(user)}" if user is not None else outgoing.to
        now = self.now()
        code = self._pace.refusal(key, now)
        if code is not None:
            raise GraphError(code)
        self._pace.spend(key, now)
        message = BotMessage(
            wamid=self._wamid(),
            to=outgoing.to,
            user=user,
            content=outgoing.content,
            payload=body,
            time=now,
            context_id=outgoing.context_id,
        )
        self.sent.append(message)
        self._sent_to.setdefault(user, []).append(message)
        self._sent_by_id[message.wamid] = message
        self._touch(message, "accepted")
        contact: JSON = {"input": outgoing.to}
        if user is not None and not user.with_number:
            contact["user_id"] = user.bsuid
        else:
            contact["wa_id"] = user.phone if user is not None else outgoing.to.lstrip("+")
        accepted: JSON = {"id": message.wamid}
        if message.type == "template":
            accepted["message_status"] = "accepted"
        answer = {"messaging_product": "whatsapp", "contacts": [contact], "messages": [accepted]}
        return answer, message

    def _mark_read(self, body: dict[str, Any]) -> JSON:
        lim.keys(
            "mark read", body, {"messaging_product", "status", "message_id"}, {"typing_indicator"}
        )
        if body["messaging_product"] != "whatsapp" or body["status"] != "read":
            raise invalid("mark read: messaging_product 'whatsapp' and status 'read' expected")
        inbound = (
            self._inbound_by_id.get(body["message_id"])
            if isinstance(body["message_id"], str)
            else None
        )
        if inbound is None or inbound.type == "system":
            raise invalid(f"message_id {body['message_id']!r} is not a message a user sent")
        if "typing_indicator" in body:
            lim.obj("typing_indicator", body["typing_indicator"], {"type"})
        inbound.read_by_bot = True
        self.changed.fire()
        return {"success": True}

    def _upload(self, fields: dict[str, str | FilePart]) -> JSON:
        media = check_upload(fields, self._media_id())
        self.media[media.id] = media
        return {"id": media.id}
