"""The SMTP transport's own flattening: the bytes the standard generator writes, parts shared."""

from email.message import EmailMessage, MIMEPart

from matchmaker.reminders.transport import Flattener, _standard, envelope


def _message(name: str, invite: MIMEPart) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "Pengingat (1 jam lagi): Sesi 3 L2T2 Kendari untuk Blitar, Senin 09:00 WIB"
    message.set_raw("From", "matchmaker@example.id")
    message["To"] = f"{name} <{name.lower()}@blitar.example.id>"
    message["Bcc"] = "arsip@example.id"
    message.set_raw("Message-ID", f"<reminder-{name}@matchmaker>")
    message["Content-Type"] = "multipart/alternative"
    for content, subtype in ((f"Halo {name},\nSesi besok.\r\nSampai jumpa\n", "plain"),
                             (f"<p>Halo {name} — ©</p>\n", "html")):
        part = MIMEPart()
        part.set_content(content, subtype=subtype)
        message.attach(part)
    message.attach(invite)
    return message


def _invite() -> MIMEPart:
    invite = MIMEPart()
    invite.set_content("BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n", subtype="calendar",
                       params={"method": "REQUEST"})
    return invite


def test_flattened_bytes_are_the_standard_generators_with_our_boundary():
    flattener = Flattener()
    invite = _invite()
    for name in ("Ani", "Budi"):
        message = _message(name, invite)
        ours = flattener.flatten(message)
        del message["Bcc"]  # as smtplib.send_message drops it before flattening
        theirs = _standard(message)
        boundary = message.get_boundary().encode()
        theirs = theirs.replace(b"alternative;\r\n boundary", b"alternative; boundary")  # folded
        assert theirs.replace(boundary, flattener.boundary.encode()) == ours
        assert b"Bcc" not in ours and b"arsip@" not in ours
    assert len(flattener.parts) == 5  # two bodies each, one invite for both


def test_a_body_containing_the_boundary_falls_back_to_the_standard_generator():
    flattener = Flattener()
    message = _message(flattener.boundary, _invite())
    flat = flattener.flatten(message)
    assert message.get_boundary() != flattener.boundary and flat == _standard(message)


def test_envelope_is_sender_and_every_recipient():
    assert envelope(_message("Ani", _invite())) == (
        "matchmaker@example.id", ["ani@blitar.example.id", "arsip@example.id"])
