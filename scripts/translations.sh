#!/usr/bin/env bash
# Refresh the English catalogue from the Bahasa Indonesia source strings, then compile it.
#   scripts/translations.sh            extract + update + compile
# Edit matchmaker/translations/en/LC_MESSAGES/messages.po to translate new strings.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -q -F babel.cfg -k _l -k lazy_gettext -o /tmp/matchmaker.pot . 2>/dev/null \
  || .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o /tmp/matchmaker.pot . >/dev/null
if [ -f matchmaker/translations/en/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update -i /tmp/matchmaker.pot -d matchmaker/translations -l en --no-fuzzy-matching
else
  .venv/bin/pybabel init -i /tmp/matchmaker.pot -d matchmaker/translations -l en
fi
.venv/bin/pybabel compile -d matchmaker/translations
