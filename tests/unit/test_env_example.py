"""`.env.example` lists every setting, each with a comment, and nothing else."""

from pathlib import Path

from bot.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_every_setting_is_listed_with_a_comment() -> None:
    lines = EXAMPLE.read_text().splitlines()
    listed = {}
    for number, line in enumerate(lines):
        if line and not line.startswith("#") and "=" in line:
            name = line.split("=", 1)[0]
            listed[name] = number
            assert lines[number - 1].startswith("#"), f"{name} has no comment above it"
    assert set(listed) == set(Settings.model_fields)


def test_the_example_values_load() -> None:
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            if value:
                values[name] = value
    Settings(_env_file=None, **values)  # type: ignore[arg-type]
