"""Small helpers shared by every package's forms."""

from wtforms import HiddenField, SelectChoice


def choices(table: dict, blank: str | None = None) -> list[SelectChoice]:
    """Select options from a vocabulary table {value: label}, optionally led by a blank option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(value, label) for value, label in table.items()]


class VersionField(HiddenField):
    """The version of the record the form was filled from, so a stale save is caught (409)."""

    def process_formdata(self, valuelist) -> None:
        raw = valuelist[0] if valuelist else ""
        self.data = int(raw) if raw.isdigit() and len(raw) <= 9 else None
