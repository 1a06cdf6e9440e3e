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
for message in catalog:
    if not message.id or message.string:
        continue
    if message.id in table:
        message.string = table[message.id]
    else:
        missing.append(message.id)
with PO.open("wb") as fh:
    write_po(fh, catalog, width=100)
print(json.dumps(missing, ensure_ascii=False, indent=0))
