"""Telegram's text formatting, close enough to catch a bot's formatting bugs.

`render` turns a text and its parse_mode (HTML, MarkdownV2, legacy Markdown) into the plain text
and entities Telegram stores, raising `FormatError` with tdlib's wording (the API prefixes it
with "can't parse entities: "). Entity offsets and lengths count UTF-16 code units, as in the
Bot API. `detect_entities` finds what Telegram marks by itself in a user's text.
"""

import re
from typing import Any

Entity = dict[str, Any]


class FormatError(Exception):
    """A text that Telegram would refuse to parse."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


class _Builder:
    """The plain text being built, with its length in UTF-16 code units."""

    __slots__ = ("length16", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length16 = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length16 += utf16_len(text) if not text.isascii() else len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --- HTML -------------------------------------------------------------------------------------

_HTML_TEXT_RE = re.compile(r"[^<&]+")
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_END_RE = re.compile(r"[\s>]")
_ATTR_RE = re.compile(r"""([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_HTML_TAGS = frozenset(_HTML_SIMPLE) | {"a", "blockquote", "tg-emoji"}


def _html_unescape(text: str) -> str:
    if "&" not in text:
        return text
    return _HTML_ENTITY_RE.sub(_entity_char, text)


def _entity_char(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _HTML_NAMED[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return match.group()


class _OpenTag:
    __slots__ = ("attrs", "language", "name", "start")

    def __init__(self, name: str, start: int, attrs: dict[str, str]) -> None:
        self.name = name
        self.start = start
        self.attrs = attrs
        self.language: str | None = None


def parse_html(source: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[_OpenTag] = []
    entities: list[Entity] = []
    i, n = 0, len(source)
    while i < n:
        text = _HTML_TEXT_RE.match(source, i)
        if text is not None:
            out.add(text.group())
            i = text.end()
            continue
        if source[i] == "&":
            entity = _HTML_ENTITY_RE.match(source, i)
            if entity is None:
                out.add("&")
                i += 1
            else:
                out.add(_entity_char(entity))
                i = entity.end()
            continue
        begin = i
        if source.startswith("</", i):
            close = source.find(">", i)
            if close == -1:
                raise FormatError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
            name = source[i + 2 : close].strip().lower()
            if not stack:
                raise FormatError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, begin)}"
                )
            tag = stack.pop()
            if name != tag.name:
                raise FormatError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            _close_html_tag(tag, out.length16, stack, entities)
            i = close + 1
            continue
        name_end = _TAG_NAME_END_RE.search(source, i + 1)
        j = name_end.start() if name_end else n
        name = source[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise FormatError(
                f'Unsupported start tag "{source[i + 1 : j]}" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and source[j].isspace():
                j += 1
            if j >= n:
                raise FormatError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                )
            if source[j] == ">":
                j += 1
                break
            attr = _ATTR_RE.match(source, j)
            if attr is None:
                raise FormatError(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {_byte_offset(source, begin)}"
                )
            value = next((g for g in attr.group(2, 3, 4) if g is not None), "")
            attrs[attr.group(1).lower()] = _html_unescape(value)
            j = attr.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise FormatError('Tag "span" must have class "tg-spoiler"')
        stack.append(_OpenTag(name, out.length16, attrs))
        i = j
    if stack:
        raise FormatError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.text(), _sorted(entities)


def _close_html_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], out: list[Entity]) -> None:
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language
        css = tag.attrs.get("class", "")
        if css.startswith("language-"):
            stack[-1].language = css.removeprefix("language-")
        return
    length = end - tag.start
    if length <= 0:
        return
    entity: Entity = {"offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        if href.startswith("tg://user?id=") and href[13:].isdigit():
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(href[13:]), "is_bot": False, "first_name": ""}
        else:
            entity["type"] = "text_link"
            entity["url"] = href
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif tag.name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    else:
        entity["type"] = _HTML_SIMPLE[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    out.append(entity)


# --- MarkdownV2 -------------------------------------------------------------------------------

_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


class _Open:
    __slots__ = ("begin", "kind", "language", "start")

    def __init__(self, kind: str, start: int, begin: int, language: str | None = None) -> None:
        self.kind = kind
        self.start = start
        self.begin = begin
        self.language = language


def _char16(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[_Open] = []
    entities: list[Entity] = []
    quote_start: int | None = None
    quote_end = 0
    line_start = True
    i, n = 0, len(source)

    def close(item: _Open, extra: dict[str, Any] | None = None) -> None:
        length = out.length16 - item.start
        if length > 0:
            entity: Entity = {"type": item.kind, "offset": item.start, "length": length}
            if item.language:
                entity["language"] = item.language
            entity.update(extra or {})
            entities.append(entity)

    while i < n:
        c = source[i]
        if line_start:
            line_start = False
            if c == ">" and not stack:
                if quote_start is None:
                    quote_start = out.length16
                i += 1
                continue
            if quote_start is not None:
                if quote_end > quote_start:
                    entities.append(
                        {
                            "type": "blockquote",
                            "offset": quote_start,
                            "length": quote_end - quote_start,
                        }
                    )
                quote_start = None
        if c == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            out.add(source[i + 1])
            i += 2
            continue
        top = stack[-1] if stack else None
        if top is not None and top.kind in ("code", "pre"):
            if top.kind == "code" and c == "`":
                stack.pop()
                close(top)
                i += 1
            elif top.kind == "pre" and source.startswith("```", i):
                stack.pop()
                close(top)
                i += 3
            else:
                out.add(c)
                i += 1
            continue
        if c == "\n":
            if quote_start is not None:
                quote_end = out.length16
            out.add(c)
            i += 1
            line_start = True
            continue
        if c not in _MD2_RESERVED:
            out.add(c)
            i += 1
            continue
        kind: str | None = None
        width = 1
        if c == "_" and source.startswith("__", i):
            kind, width = "underline", 2
        elif c == "_":
            kind = "italic"
        elif c == "*":
            kind = "bold"
        elif c == "~":
            kind = "strikethrough"
        elif c == "|" and source.startswith("||", i):
            kind, width = "spoiler", 2
        elif c == "`":
            if source.startswith("```", i):
                newline = source.find("\n", i + 3)
                header = source[i + 3 : newline] if newline != -1 else ""
                if newline != -1 and (not header or re.fullmatch(r"[\w+#.-]+", header)):
                    stack.append(_Open("pre", out.length16, i, header or None))
                    i = newline + 1
                else:
                    stack.append(_Open("pre", out.length16, i))
                    i += 3
            else:
                stack.append(_Open("code", out.length16, i))
                i += 1
            continue
        elif c == "[" or (c == "!" and source.startswith("![", i)):
            stack.append(_Open("text_link" if c == "[" else "custom_emoji", out.length16, i))
            i += 1 if c == "[" else 2
            continue
        elif c == "]" and top is not None and top.kind in ("text_link", "custom_emoji"):
            if not source.startswith("(", i + 1):
                raise FormatError(
                    f"Can't find end of {_MD2_NAMES[top.kind]} entity at byte offset "
                    f"{_byte_offset(source, top.begin)}"
                )
            j = i + 2
            url: list[str] = []
            while j < n and source[j] != ")":
                if source[j] == "\\" and j + 1 < n:
                    j += 1
                url.append(source[j])
                j += 1
            if j >= n:
                raise FormatError(
                    f"Can't find end of a URL at byte offset {_byte_offset(source, i)}"
                )
            stack.pop()
            target = "".join(url)
            if top.kind == "custom_emoji":
                close(top, {"custom_emoji_id": target.rpartition("id=")[2]})
            else:
                close(top, {"url": target})
            i = j + 1
            continue
        if kind is None:
            raise FormatError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        opened = next((item for item in reversed(stack) if item.kind == kind), None)
        if opened is None:
            stack.append(_Open(kind, out.length16, i))
        else:
            stack.remove(opened)
            close(opened)
        i += width
    if quote_start is not None and out.length16 > quote_start:
        entities.append(
            {"type": "blockquote", "offset": quote_start, "length": out.length16 - quote_start}
        )
    if stack:
        item = stack[-1]
        raise FormatError(
            f"Can't find end of {_MD2_NAMES[item.kind]} entity at byte offset "
            f"{_byte_offset(source, item.begin)}"
        )
    return out.text(), _sorted(entities)


# --- legacy Markdown --------------------------------------------------------------------------

_MD1_KINDS = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    entities: list[Entity] = []
    i, n = 0, len(source)

    def unclosed(at: int) -> FormatError:
        return FormatError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(source, at)}"
        )

    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if c not in "*_`[":
            out.add(c)
            i += 1
            continue
        start = out.length16
        if source.startswith("```", i):
            end = source.find("```", i + 3)
            if end == -1:
                raise unclosed(i)
            body = source[i + 3 : end]
            language, newline, rest = body.partition("\n")
            if newline and language and " " not in language:
                body = rest
            else:
                language = ""
            out.add(body)
            entity: Entity = {"type": "pre", "offset": start, "length": out.length16 - start}
            if language:
                entity["language"] = language
            entities.append(entity)
            i = end + 3
            continue
        if c == "[":
            end = source.find("]", i + 1)
            if end == -1:
                raise unclosed(i)
            out.add(source[i + 1 : end])
            if source.startswith("(", end + 1):
                close = source.find(")", end + 2)
                if close == -1:
                    raise unclosed(i)
                url = source[end + 2 : close]
                i = close + 1
                if out.length16 > start and url:
                    entities.append(
                        {
                            "type": "text_link",
                            "offset": start,
                            "length": out.length16 - start,
                            "url": url,
                        }
                    )
            else:
                i = end + 1
            continue
        end = source.find(c, i + 1)
        if end == -1:
            raise unclosed(i)
        out.add(source[i + 1 : end])
        if out.length16 > start:
            entities.append(
                {"type": _MD1_KINDS[c], "offset": start, "length": out.length16 - start}
            )
        i = end + 1
    return out.text(), _sorted(entities)


# --- shared -----------------------------------------------------------------------------------


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace as Telegram does, keeping the entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead16 = utf16_len(text[: len(text) - len(text.lstrip())])
    size16 = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead16)
        end = min(size16, entity["offset"] + entity["length"] - lead16)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def parse(source: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities of `source`; raises FormatError or ValueError (parse_mode)."""
    mode = (parse_mode or "").strip().lower()
    entities: list[Entity]
    if mode == "":
        text, entities = source, []
    elif mode == "html":
        text, entities = parse_html(source)
    elif mode == "markdownv2":
        text, entities = parse_markdown_v2(source)
    elif mode == "markdown":
        text, entities = parse_markdown(source)
    else:
        raise ValueError(parse_mode)
    return trim(text, entities)


_AUTO_RE = re.compile(
    r"(?P<bot_command>(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{5,32}\b)"
    r"|(?P<url>\bhttps?://[^\s<>\"]+)"
    r"|(?P<hashtag>(?<![\w#])#[^\W\d]\w*)"
)


def detect_entities(text: str) -> list[Entity]:
    """The entities Telegram adds to a user's message: commands, mentions, URLs, hashtags."""
    entities: list[Entity] = []
    position = 0
    offset16 = 0
    for match in _AUTO_RE.finditer(text):
        offset16 += utf16_len(text[position : match.start()])
        length16 = utf16_len(match.group())
        kind = match.lastgroup
        assert kind is not None
        entities.append({"type": kind, "offset": offset16, "length": length16})
        offset16 += length16
        position = match.end()
    return entities
