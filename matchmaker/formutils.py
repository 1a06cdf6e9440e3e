"""Small helpers shared by every package's forms."""

from wtforms import SelectChoice


def choices(table: dict, blank: str | None = None) -> list[SelectChoice]:
    """Select options from a vocabulary table {value: label}, optionally led by a blank option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(value, label) for value, label in table.items()]
