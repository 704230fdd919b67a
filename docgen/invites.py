"""Kick-off calendar invitations (RFC 5545 ``.ics``) that a rerun updates rather than duplicates.

Calendars match an invitation to the event they already hold by its UID, and accept a
changed one only when its SEQUENCE is higher; so the UID is derived from the migration
(:func:`stable_uid`) and the SEQUENCE from the file a previous run wrote
(:func:`next_sequence`). DTSTAMP comes from the caller, so a rerun gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import icalendar

LONDON = ZoneInfo("Europe/London")
PRODID = "-//NHS England ICB//docgen//EN"

# Fixed, so the same parts give the same UID on every computer and every run.
_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:docgen")


def stable_uid(*parts: object) -> str:
    """The same UID for the same parts (e.g. ICB code, migration ID), so a rerun's invitation
    replaces the event in everyone's calendar instead of adding a second one."""
    key = "\x1f".join(str(p).strip() for p in parts)
    return f"{uuid.uuid5(_UID_NAMESPACE, key)}@docgen"


def _one_line(text: str) -> str:
    """A workbook value fit for a parameter: one line, no double quotes (Outlook does not
    read RFC 6868's ``^'`` escape)."""
    return re.sub(r"\s+", " ", str(text)).strip().replace('"', "'")


def _address(name: str, email: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{_one_line(email)}")
    if _one_line(name):
        address.params["CN"] = _one_line(name)
    address.params.update(params)
    return address


def _local(when: dt.datetime) -> dt.datetime:
    """``when`` as an aware Europe/London time (naive values are London wall-clock time)."""
    return when.replace(tzinfo=LONDON) if when.tzinfo is None else when.astimezone(LONDON)


def kickoff_event(
    *,
    uid: str,
    summary: str,
    start: dt.datetime,
    minutes: int,
    location: str,
    description: str,
    organiser: tuple[str, str],
    attendees: list[tuple[str, str, str]],
    sequence: int = 0,
    stamp: dt.datetime,
) -> bytes:
    """The kick-off meeting as an ``.ics`` invitation (METHOD:REQUEST) that Outlook and other
    calendars open as a meeting to send or accept.

    ``start`` is London wall-clock time (naive) and is written with TZID Europe/London and
    its VTIMEZONE. ``organiser`` is (name, email); ``attendees`` are (name, email, role):
    each with an email becomes a required ATTENDEE, and everyone is listed with their role
    under "Invited:" at the end of the description, since calendars do not show roles
    (someone without an email address is listed there only, marked so).
    ``stamp`` (naive means UTC) is the DTSTAMP, so the same inputs give the same bytes.
    """
    begin = _local(start)
    end = begin + dt.timedelta(minutes=minutes)
    stamp = stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)

    invited = []
    for name, email, role in attendees:
        line = f"- {_one_line(name)}" + (f", {_one_line(role)}" if _one_line(role) else "")
        invited.append(line if _one_line(email) else line + " (no email address: invite them directly)")
    text = description.rstrip()
    if invited:
        text = (text + "\n\n" if text else "") + "Invited:\n" + "\n".join(invited)

    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", begin)
    event.add("dtend", end)
    event.add("summary", _one_line(summary))
    if location.strip():
        event.add("location", _one_line(location))
        if re.match(r"https?://\S+$", location.strip()):
            event.add("url", location.strip())
    event.add("description", text)
    event.add("organizer", _address(*organiser))
    for name, email, _role in attendees:
        if _one_line(email):
            event.add(
                "attendee",
                _address(
                    name, email, CUTYPE="INDIVIDUAL", ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"
                ),
            )
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "REQUEST")
    cal.add_component(event)
    # Only the rules around the meeting's year: enough for any calendar, and stable bytes.
    cal.add_missing_timezones(first_date=dt.date(begin.year, 1, 1), last_date=dt.date(begin.year + 1, 1, 1))
    return cal.to_ical()


def next_sequence(previous_ics: bytes | None, start: dt.datetime, end: dt.datetime, location: str) -> int:
    """The SEQUENCE for a new invitation: the previous file's, plus one when the date, time or
    place changed, so calendars take the update; the same when nothing did, so a rerun is a no-op.

    ``start`` and ``end`` are London wall-clock (naive) or aware. No previous file, or one
    that cannot be read, starts again at 0.
    """
    if not previous_ics:
        return 0
    try:
        events = icalendar.Calendar.from_ical(previous_ics).walk("VEVENT")
        event = events[0]
        sequence = int(event.get("sequence", 0))
        old_start, old_end = event.decoded("dtstart"), event.decoded("dtend")
        old_location = str(event.get("location", ""))
    except (ValueError, IndexError, KeyError, TypeError):
        return 0
    if not isinstance(old_start, dt.datetime) or not isinstance(old_end, dt.datetime):
        return sequence + 1
    same = (
        _local(old_start) == _local(start)
        and _local(old_end) == _local(end)
        and _one_line(old_location) == _one_line(location)
    )
    return sequence if same else sequence + 1
