"""The English catalogue covers every source string and keeps its placeholders."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

import matchmaker

PO = Path(matchmaker.__file__).parent / "translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def test_every_string_has_an_english_translation_with_the_same_placeholders():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    untranslated, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        sources = message.id if message.pluralizable else (message.id,)
        targets = message.string if message.pluralizable else (message.string,)
        if not all(targets):
            untranslated.append(sources[0])
            continue
        if any(sorted(PLACEHOLDER.findall(sources[0])) != sorted(PLACEHOLDER.findall(t))
               for t in targets):
            broken.append(sources[0])
    assert untranslated == [] and broken == []
    assert len(catalog) > 500

