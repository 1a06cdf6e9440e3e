"""Named signals through which a lower domain tells higher ones that something happened.

`programmes` and `auth` send; `reminders` connects (in `reminders/planning.py`) and plans its
rows in the same transaction, so nothing below `reminders` imports it. Receivers flush and
never commit, like services. Signals that tell are sent with `now=` (the caller's clock); a
signal that asks collects its receivers' answers (`send` returns them), as Indico does.
"""

from blinker import Namespace

_signals = Namespace()

# sender: a ProgrammeSession that was planned, moved, edited, held or cancelled.
session_changed = _signals.signal("session-changed")
# sender: a Programme whose status changed; `previous` is the status before.
programme_changed = _signals.signal("programme-changed")
# sender: a Poll that a facilitator just opened (its Pokja are asked to answer).
poll_opened = _signals.signal("poll-opened")
# sender: a User who needs an e-mail with a one-time link to set their password.
password_link_requested = _signals.signal("password-link-requested")

# Asked, not told: sender is a topic; each receiver returns a statement selecting the ids of the
# cities on either side of an open programme on it (the city list's "no open programme" filter).
open_programme_cities = _signals.signal("open-programme-cities")
