"""Fill empty msgstr entries of the English catalogue from a JSON {source: translation} file.

    .venv/bin/python scripts/fill_translations.py translations.json && scripts/translations.sh
Prints the source strings still untranslated afterwards.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "matchmaker/translations/en/LC_MESSAGES/messages.po"

with PO.open("rb") as fh:
    catalog = read_po(fh)
table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
missing = []
PLURAL_FORMS = {"hari": ("%(num)d day", "%(num)d days"), "jam": ("%(num)d hour", "%(num)d hours"),
                "menit": ("%(num)d minute", "%(num)d minutes"),
                "pelajaran": ("%(num)d lesson", "%(num)d lessons"),
                "jam lalu": ("%(num)d hour ago", "%(num)d hours ago"),
                "hari lalu": ("%(num)d day ago", "%(num)d days ago")}
for message in catalog:
    if not message.id:
        continue
    if message.pluralizable:
        if not all(message.string):
            key = message.id[0].removeprefix("%(num)d ")
            if key in PLURAL_FORMS:
                message.string = PLURAL_FORMS[key]
            else:
                missing.append(message.id[0])
        continue
    if message.string:
        continue
    if message.id in table:
        message.string = table[message.id]
    else:
        missing.append(message.id)
with PO.open("wb") as fh:
    write_po(fh, catalog, width=100)
print(json.dumps(missing, ensure_ascii=False, indent=0))
