"""The message templates the fake's business account has approved, and the check of a
template message against them.

A registry maps a name to its languages: `{"senpay_notice": {"fr": ("Message de SenPay :
{{1}}. …", 1)}}`. The bot's registry (`bot.channels.whatsapp.templates.by_name()`, objects
with `.texts` and `.parameters`) is accepted as it is; the fake never imports it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import GraphError, invalid
from .limits import TEMPLATE_BODY, keys, units

PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


class TemplateLike(Protocol):
    @property
    def texts(self) -> Mapping[str, str]: ...

    @property
    def parameters(self) -> int: ...


TemplatesArg = Mapping[str, Mapping[str, tuple[str, int]] | TemplateLike]


@dataclass(frozen=True, slots=True)
class Approved:
    name: str
    language: str
    text: str
    parameters: int

    def fill(self, values: tuple[str, ...]) -> str:
        return PLACEHOLDER.sub(lambda match: values[int(match[1]) - 1], self.text)


def registry(templates: TemplatesArg | None) -> dict[tuple[str, str], Approved]:
    """(name, language) → the approved template, from either shape of registry."""
    found: dict[tuple[str, str], Approved] = {}
    for name, entry in (templates or {}).items():
        if isinstance(entry, Mapping):
            languages = {lang: (text, int(count)) for lang, (text, count) in entry.items()}
        else:
            languages = {lang: (text, int(entry.parameters)) for lang, text in entry.texts.items()}
        for language, (text, count) in languages.items():
            used = {int(n) for n in PLACEHOLDER.findall(text)}
            if used != set(range(1, count + 1)):
                raise ValueError(f"template {name}/{language}: {{{{1}}}}..{{{{{count}}}}} expected")
            found[(name, language)] = Approved(name, language, text, count)
    return found


def check_template(
    value: Any, approved: Mapping[tuple[str, str], Approved]
) -> tuple[Approved, tuple[str, ...]]:
    """The approved template a `template` object names and its parameters, or GraphError."""
    if not isinstance(value, dict):
        raise invalid("template must be an object")
    keys("template", value, {"name", "language"}, {"components"})
    name, language = value["name"], value["language"]
    if not isinstance(name, str) or not name:
        raise invalid("template.name must be a non-empty string")
    if not isinstance(language, dict):
        raise invalid("template.language must be an object")
    keys("template.language", language, {"code"}, {"policy"})
    code = language["code"]
    if language.get("policy", "deterministic") != "deterministic":
        raise invalid("template.language.policy must be 'deterministic'")
    if not any(key[0] == name for key in approved):
        raise GraphError(132001, f"template name ({name}) does not exist in {code}")
    template = approved.get((name, code)) if isinstance(code, str) else None
    if template is None:
        raise GraphError(132001, f"template name ({name}) does not exist in {code}")
    values = _parameters(name, value.get("components", []))
    if len(values) != template.parameters:
        raise GraphError(
            132000,
            f"body: number of localizable_params ({len(values)}) does not match the expected "
            f"number of params ({template.parameters})",
        )
    filled = template.fill(values)
    if units(filled) > TEMPLATE_BODY:
        raise GraphError(132005, f"{name}: the filled body is {units(filled)} characters long")
    return template, values


def _parameters(name: str, components: Any) -> tuple[str, ...]:
    if not isinstance(components, list):
        raise invalid("template.components must be a list")
    values: list[str] = []
    bodies = 0
    for component in components:
        if not isinstance(component, dict):
            raise invalid("template.components[] must be objects")
        keys("template component", component, {"type"}, {"parameters"})
        if component["type"] != "body":
            raise GraphError(132000, f"{name} has no {component['type']} component")
        bodies += 1
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list):
            raise invalid("template body parameters must be a list")
        for number, parameter in enumerate(parameters, 1):
            values.append(_parameter(number, parameter))
    if bodies > 1:
        raise invalid("template: more than one body component")
    return tuple(values)


def _parameter(number: int, parameter: Any) -> str:
    if not isinstance(parameter, dict) or parameter.get("type") != "text":
        raise GraphError(132012, f"parameter {number} is not a text parameter: {parameter!r}")
    keys(f"template parameter {number}", parameter, {"type", "text"}, set())
    text = parameter["text"]
    if not isinstance(text, str) or not text.strip():
        raise GraphError(131008, f"parameter {number}: text is required")
    if "\n" in text or "\t" in text or "    " in text:
        raise GraphError(
            132018,
            f"parameter {number}: Param text cannot have new-line/tab characters or 4 "
            "consecutive spaces or more",
        )
    return text
