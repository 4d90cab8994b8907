"""Users of every channel."""

from datetime import datetime

from storage.database import Clock, Connection, Row
from storage.models import MoneyAccount, MoneyMethod, Role, User
from storage.timefmt import from_db, from_db_optional, to_db


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        chat_id=row["chat_id"],
        username=row["username"],
        display_name=row["display_name"],
        language=row["language"],
        undeliverable_at=from_db_optional(row["undeliverable_at"]),
        created_at=from_db(row["created_at"]),
        role=Role(row["role"]),
        phone=row["phone"],
        channel_user_id=row["channel_user_id"],
        last_inbound_at=from_db_optional(row["last_inbound_at"]),
        detected_language=row["detected_language"],
        commands_role=Role(row["commands_role"]) if row["commands_role"] else None,
    )


class Users:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def upsert(
        self,
        channel: str,
        external_id: str,
        chat_id: str,
        username: str | None = None,
        display_name: str | None = None,
        detected_language: str | None = None,
    ) -> User:
        """Create the user on first contact; keep name and username fresh afterwards.

        `detected_language` (what their app says, when it says one we speak) is kept when
        given; a message without one leaves the stored one alone.

        Writing to a user who talks to us again lifts an earlier "undeliverable" mark.
        A username is unique on its channel at any moment: whoever held it before has given
        it up, and loses it here (run it in a transaction: several statements).
        """
        now = to_db(self._clock())
        if username:
            await self._conn.execute(
                "UPDATE users SET username = NULL, updated_at = ?"
                " WHERE channel = ? AND lower(username) = lower(?) AND external_id != ?",
                (now, channel, username, external_id),
            )
        # No RETURNING (see Payments.transition): the upsert, then a read.
        await self._conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, username, display_name,"
            " detected_language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, external_id) DO UPDATE SET"
            " chat_id = excluded.chat_id, username = excluded.username,"
            " display_name = excluded.display_name, undeliverable_at = NULL,"
            " detected_language = coalesce(excluded.detected_language, users.detected_language),"
            " updated_at = excluded.updated_at",
            (channel, external_id, chat_id, username, display_name, detected_language, now, now),
        )
        row = await self._conn.fetch_one(
            "SELECT * FROM users WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        assert row is not None
        return _user(row)

    @staticmethod
    def is_current(
        user: User,
        chat_id: str,
        username: str | None,
        display_name: str | None,
        detected_language: str | None = None,
    ) -> bool:
        """Whether `upsert` would change nothing (then it need not run)."""
        return (
            user.chat_id == chat_id
            and user.username == username
            and user.display_name == display_name
            and user.undeliverable_at is None
            and detected_language in (None, user.detected_language)
        )

    async def get(self, user_id: int) -> User | None:
        row = await self._conn.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else _user(row)

    async def role_of(self, user_id: int) -> Role | None:
        """A user's role alone (asked with every success: no need to build the User)."""
        value = await self._conn.fetch_value("SELECT role FROM users WHERE id = ?", (user_id,))
        return None if value is None else Role(value)

    async def by_external_id(self, channel: str, external_id: str) -> User | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM users WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return None if row is None else _user(row)

    async def by_username(self, channel: str, username: str) -> User | None:
        row = await self._conn.fetch_one(
            "SELECT * FROM users WHERE channel = ? AND lower(username) = lower(?)",
            (channel, username.lstrip("@")),
        )
        return None if row is None else _user(row)

    async def set_language(self, user_id: int, language: str) -> None:
        await self._conn.execute(
            "UPDATE users SET language = ?, updated_at = ? WHERE id = ?",
            (language, to_db(self._clock()), user_id),
        )

    async def set_role(self, user_id: int, role: Role) -> None:
        await self._conn.execute(
            "UPDATE users SET role = ?, updated_at = ? WHERE id = ?",
            (role.value, to_db(self._clock()), user_id),
        )

    async def set_commands_role(self, user_id: int, role: Role | None) -> None:
        await self._conn.execute(
            "UPDATE users SET commands_role = ?, updated_at = ? WHERE id = ?",
            (role.value if role else None, to_db(self._clock()), user_id),
        )

    async def menus_out_of_date(self, channel: str) -> list[User]:
        """Users whose chat's command menu is not their role's, among those who wrote to us
        (a display name: a chat exists; a menu for a chat that does not is refused)."""
        rows = await self._conn.fetch_all(
            "SELECT * FROM users WHERE channel = ? AND display_name IS NOT NULL"
            " AND role != coalesce(commands_role, 'customer') ORDER BY id",
            (channel,),
        )
        return [_user(row) for row in rows]

    async def ensure(self, channel: str, external_id: str) -> User:
        """The user, created without a name if they never wrote to us (first setup)."""
        await self._conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, external_id) DO NOTHING",
            (channel, external_id, external_id, to_db(self._clock()), to_db(self._clock())),
        )
        user = await self.by_external_id(channel, external_id)
        assert user is not None
        return user

    async def matching(self, channel: str, who: str, limit: int = 10) -> list[User]:
        """By @username (every holder: one not seen since another took the name still
        has it) or by the channel's numeric id."""
        who = who.strip()
        if who.startswith("@"):
            rows = await self._conn.fetch_all(
                "SELECT * FROM users WHERE channel = ? AND lower(username) = lower(?)"
                " ORDER BY id LIMIT ?",
                (channel, who[1:], limit),
            )
            return [_user(row) for row in rows]
        if who.isdigit():
            user = await self.by_external_id(channel, who)
            return [] if user is None else [user]
        return []

    async def mark_undeliverable(self, user_id: int) -> None:
        await self._conn.execute(
            "UPDATE users SET undeliverable_at = ?, updated_at = ? WHERE id = ?",
            (to_db(self._clock()), to_db(self._clock()), user_id),
        )

    async def money_account(self, user_id: int) -> MoneyAccount | None:
        """The mobile-money wallet the user funded from last (offered next time)."""
        row = await self._conn.fetch_one(
            "SELECT money_method, money_number FROM users WHERE id = ?", (user_id,)
        )
        if row is None or row["money_method"] is None or row["money_number"] is None:
            return None
        return MoneyAccount(MoneyMethod(row["money_method"]), row["money_number"])

    async def set_money_account(self, user_id: int, account: MoneyAccount | None) -> None:
        """Remember (or, with None, forget) the user's mobile-money wallet; the table
        refuses a number that is not 9 digits."""
        await self._conn.execute(
            "UPDATE users SET money_method = ?, money_number = ?, updated_at = ? WHERE id = ?",
            (
                None if account is None else account.method.value,
                None if account is None else account.number,
                to_db(self._clock()),
                user_id,
            ),
        )

    async def with_role(self, role: Role) -> list[User]:
        rows = await self._conn.fetch_all(
            "SELECT * FROM users WHERE role = ? ORDER BY id", (role.value,)
        )
        return [_user(row) for row in rows]

    # --- channels that name a user two ways (WhatsApp: a BSUID and a phone number) ---------

    async def by_channel_identity(
        self, channel: str, channel_user_id: str | None, phone: str | None
    ) -> User | None:
        """The user known by this business-scoped id, or else by this phone number."""
        if channel_user_id:
            row = await self._conn.fetch_one(
                "SELECT * FROM users WHERE channel = ? AND channel_user_id = ?",
                (channel, channel_user_id),
            )
            if row is not None:
                return _user(row)
        if phone:
            row = await self._conn.fetch_one(
                "SELECT * FROM users WHERE channel = ? AND phone = ? ORDER BY id LIMIT 1",
                (channel, phone),
            )
            if row is not None:
                return _user(row)
        return None

    async def upsert_identity(
        self,
        channel: str,
        channel_user_id: str | None,
        phone: str | None,
        display_name: str | None,
        inbound_at: datetime | None,
    ) -> User:
        """The user who just wrote (created on first contact), with what Meta told of them
        kept fresh: their BSUID, their number, their name, when they wrote. Run it in a
        transaction (several statements)."""
        if not channel_user_id and not phone:
            raise ValueError("a user needs a business-scoped id or a phone number")
        now = to_db(self._clock())
        inbound = to_db(inbound_at) if inbound_at is not None else None
        found = await self.by_channel_identity(channel, channel_user_id, phone)
        if found is None:
            external_id = channel_user_id or phone
            assert external_id is not None
            await self._conn.execute(
                "INSERT INTO users (channel, external_id, chat_id, display_name, phone,"
                " channel_user_id, last_inbound_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (channel, external_id) DO NOTHING",
                (
                    channel,
                    external_id,
                    phone or external_id,
                    display_name,
                    phone,
                    channel_user_id,
                    inbound,
                    now,
                    now,
                ),
            )
            found = await self.by_external_id(channel, external_id)
            assert found is not None
            return found
        await self._conn.execute(
            "UPDATE users SET channel_user_id = coalesce(?, channel_user_id),"
            " phone = coalesce(?, phone), chat_id = coalesce(?, phone, chat_id),"
            " display_name = coalesce(?, display_name),"
            " last_inbound_at = CASE WHEN CAST(? AS TEXT) IS NOT NULL AND (last_inbound_at IS NULL"
            " OR last_inbound_at < ?) THEN ? ELSE last_inbound_at END,"
            " undeliverable_at = NULL, updated_at = ? WHERE id = ?",
            (channel_user_id, phone, phone, display_name, inbound, inbound, inbound, now, found.id),
        )
        user = await self.get(found.id)
        assert user is not None
        return user

    async def change_identity(
        self,
        channel: str,
        old_user_id: str | None,
        old_phone: str | None,
        new_user_id: str | None,
        new_phone: str | None,
    ) -> User | None:
        """A user's number or BSUID changed (Meta's system message): the same user, their
        conversation and their wallet, under the new one. None if we never knew them."""
        found = await self.by_channel_identity(channel, old_user_id, old_phone)
        if found is None:
            return None
        await self._conn.execute(
            "UPDATE users SET channel_user_id = coalesce(?, channel_user_id),"
            " phone = coalesce(?, phone), chat_id = coalesce(?, chat_id), updated_at = ?"
            " WHERE id = ?",
            (new_user_id, new_phone, new_phone, to_db(self._clock()), found.id),
        )
        return await self.get(found.id)
