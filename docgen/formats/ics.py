"""Kick-off calendar invitations (RFC 5545 ``.ics``) that a rerun updates rather than duplicates.

Calendars match an invitation to the event they already hold by its UID, and accept a
changed one only when its SEQUENCE is higher; so the UID is derived from the migration
(:func:`stable_uid`) and the SEQUENCE from the file a previous run wrote
(:func:`next_sequence`). DTSTAMP comes from the caller, so a rerun gives the same bytes.

A national run writes thousands of these, and building each one as icalendar objects cost
more than everything else in the file put together (VTIMEZONE generation, then folding
character by character). So :func:`kickoff_event` writes the content lines itself, with
icalendar's own value and parameter encoders and in icalendar's property order: the event
is exactly what icalendar writes (``tests/test_invites.py`` checks this against an
icalendar-built calendar). The VTIMEZONE is one fixed block with yearly rules, as Outlook
and Google write Europe/London (see :data:`LONDON_VTIMEZONE`).

The same ICB people, places and meeting times recur in thousands of invitations, so the
pure helpers that encode them remember their answers (:func:`functools.lru_cache`): an
encoder still makes every value once, and a repeat costs a dictionary look-up.
"""

from __future__ import annotations

import datetime as dt
import functools
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


_SPACES = re.compile(r"\s+")
_LINK = re.compile(r"https?://\S+$")


@functools.lru_cache(maxsize=4096, typed=True)
def _one_line(text: str) -> str:
    """A workbook value fit for a parameter: one line, no double quotes (Outlook does not
    read RFC 6868's ``^'`` escape). Remembered: names, roles and places recur."""
    return _SPACES.sub(" ", str(text)).strip().replace('"', "'")


# The fixed parameters of every ATTENDEE. They sort after CN, which comes first, as in
# icalendar's (alphabetical) parameter order.
_ATTENDEE_PARAMS = "CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE"


def _fold(line: str) -> str:
    """``line`` folded exactly as icalendar folds it: at most 74 octets a line plus the
    space that continues it (RFC 5545 3.1), never parting a backslash or caret escape
    from the character it escapes.

    Nearly every line is ASCII and is sliced; only a line with other characters is
    walked character by character, to count their UTF-8 octets.
    """
    if line.isascii():
        if len(line) < 75:
            return line
        parts, start = [], 0
        while len(line) - start >= 75:
            cut = start + 74
            if line[cut - 1] in "\\^":  # carry the escape over to the next line
                cut -= 1
            parts.append(line[start:cut])
            start = cut
        parts.append(line[start:])
        return "\r\n ".join(parts)
    parts, size = [], 0
    current: list[str] = []
    for char in line:
        width = len(char.encode("utf-8"))
        if current and size + width >= 75:
            carried = [current.pop()] if len(current) > 1 and current[-1] in "\\^" else []
            parts.append("".join(current))
            current = carried
            size = len(carried[0].encode("utf-8")) if carried else 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _prop(name: str, value: bytes | str, params: bytes | str = "") -> str:
    """One content line ``NAME;PARAMS:VALUE``, folded, with its line end. ``value`` and
    ``params`` are already encoded, by icalendar's encoders."""
    value = value.decode("utf-8") if isinstance(value, bytes) else value
    params = params.decode("utf-8") if isinstance(params, bytes) else params
    return _fold(f"{name};{params}:{value}" if params else f"{name}:{value}") + "\r\n"


def _text(value: str) -> bytes:
    """A TEXT value escaped by icalendar (backslash, comma, semicolon, line breaks)."""
    return icalendar.vText(value).to_ical()


@functools.lru_cache(maxsize=4096, typed=True)
def _address(prop: str, name: str, email: str, extra: str = "") -> str:
    """An ORGANIZER or ATTENDEE line: the mailto: address, CN (quoted and RFC 6868-escaped
    by icalendar) when there is a name, then ``extra`` parameters.

    Remembered: an ICB's organiser and its people are on thousands of invitations, and
    icalendar's Parameters cost more than the rest of the line."""
    cn = _one_line(name)
    params = ";".join(p for p in (icalendar.Parameters(CN=cn).to_ical().decode("utf-8") if cn else "", extra) if p)
    return _prop(prop, f"mailto:{_one_line(email)}", params)


@functools.lru_cache(maxsize=4096, typed=True)
def _invited(name: str, email: str, role: str) -> str:
    """Someone's line under "Invited:" in the description: name, role, and a note when
    there is no email address to invite them at. Remembered, as :func:`_address`."""
    line = f"- {_one_line(name)}" + (f", {_one_line(role)}" if _one_line(role) else "")
    return line if _one_line(email) else line + " (no email address: invite them directly)"


def _datetime(when: dt.datetime) -> bytes:
    """``when`` as icalendar writes a DATE-TIME (``Z`` after a UTC time, nothing after a
    local one): remembered per wall-clock time and zone, since kick-offs share times.

    The key is not ``when`` itself: aware datetimes that are the same instant are equal
    (10:00 in London in June is 09:00 UTC), but are written differently."""
    return _datetime_in(when.replace(tzinfo=None), when.tzinfo)


@functools.lru_cache(maxsize=1024)
def _datetime_in(wall: dt.datetime, zone: dt.tzinfo | None) -> bytes:
    return icalendar.vDatetime(wall.replace(tzinfo=zone)).to_ical()


@functools.lru_cache(maxsize=1024)
def _place(location: str) -> tuple[str, str]:
    """The LOCATION line, and the URL line when the place is a video link ("" when
    there is no place): remembered, since most kick-offs share a few rooms and links."""
    place = location.strip()
    if not place:
        return "", ""
    url = _prop("URL", icalendar.vUri(place).to_ical()) if _LINK.match(place) else ""
    return _prop("LOCATION", _text(_one_line(location))), url


@functools.lru_cache(maxsize=64)
def _sequence(sequence: int) -> str:
    """The SEQUENCE line (remembered: nearly every invitation has 0 or 1)."""
    return _prop("SEQUENCE", icalendar.vInt(sequence).to_ical())


# Europe/London with its yearly rules (RFC 5545 3.6.5): summer time from 01:00 GMT on the
# last Sunday of March to 02:00 BST on the last Sunday of October, as Outlook and Google
# write it. Not icalendar's block, which lists one year's changes without a rule (and a
# COMMENT where RFC 5545 allows none): Outlook desktop is reported to put summer events an
# hour out with such blocks. 1970 is the usual start of the rules; it only has to come
# before any meeting.
LONDON_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/London\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:19701025T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "TZNAME:GMT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0000\r\n"
    "END:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:19700329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZNAME:BST\r\n"
    "TZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
)


# The last lines of every VEVENT before its URL, if any (see kickoff_event).
_STATUS = _prop("STATUS", _text("CONFIRMED")) + _prop("TRANSP", _text("OPAQUE"))
_CANCELLED = _prop("STATUS", _text("CANCELLED")) + _prop("TRANSP", _text("TRANSPARENT"))
# A reminder the day before, so people prepare what the invitation asks them to bring.
_ALARM = (
    "BEGIN:VALARM\r\n"
    + _prop("ACTION", "DISPLAY")
    + _prop("DESCRIPTION", _text("Kick-off meeting tomorrow: bring leave and training dates"))
    + _prop("TRIGGER", "-P1D")
    + "END:VALARM\r\n"
)

_CALENDAR_HEAD = (
    "BEGIN:VCALENDAR\r\n"
    + _prop("VERSION", "2.0")
    + _prop("PRODID", _text(PRODID))
    + _prop("CALSCALE", "GREGORIAN")
    + _prop("METHOD", "REQUEST")
)
_CANCEL_HEAD = _CALENDAR_HEAD.replace(_prop("METHOD", "REQUEST"), _prop("METHOD", "CANCEL"))


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
    cancelled: bool = False,
) -> bytes:
    """The kick-off meeting as an ``.ics`` invitation (METHOD:REQUEST) that Outlook and other
    calendars open as a meeting to send or accept; with ``cancelled``, its cancellation
    (METHOD:CANCEL, STATUS:CANCELLED), which calendars match to the meeting they hold by
    the same UID and apply because its SEQUENCE is higher.

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

    invited = [_invited(name, email, role) for name, email, role in attendees]
    text = description.rstrip()
    if invited:
        text = (text + "\n\n" if text else "") + "Invited:\n" + "\n".join(invited)

    # icalendar's order for a VEVENT: its canonical properties first, then the rest
    # alphabetically; the test against an icalendar-built event keeps the two in step.
    tzid = f"TZID={LONDON.key}"
    lines = [
        _prop("SUMMARY", _text(_one_line(summary))),
        _prop("DTSTART", _datetime(begin), tzid),
        _prop("DTEND", _datetime(end), tzid),
        _prop("DTSTAMP", _datetime(stamp)),
        _prop("UID", _text(uid)),
        _sequence(sequence),
    ]
    lines += [
        _address("ATTENDEE", name, email, _ATTENDEE_PARAMS) for name, email, _role in attendees if _one_line(email)
    ]
    lines.append(_prop("DESCRIPTION", _text(text)))
    place, url = _place(location)
    lines += [place, _address("ORGANIZER", *organiser), _CANCELLED if cancelled else _STATUS, url]
    event = "BEGIN:VEVENT\r\n" + "".join(lines) + ("" if cancelled else _ALARM) + "END:VEVENT\r\n"
    head = _CANCEL_HEAD if cancelled else _CALENDAR_HEAD
    return (head + LONDON_VTIMEZONE + event + "END:VCALENDAR\r\n").encode("utf-8")


# What next_sequence reads of the previous invitation, and the line folds to undo first.
_COMPARED = frozenset({b"SEQUENCE", b"DTSTART", b"DTEND", b"LOCATION"})
_FOLD = re.compile(rb"\r?\n[ \t]")
_NAME = re.compile(rb"[^;:]*")
_OTHER_TZID = re.compile(rb";TZID=(?!Europe/London[;:])", re.IGNORECASE)


def _first_event(ics: bytes) -> icalendar.Component:
    """The first VEVENT of ``ics``, parsed by icalendar, with at least the properties
    :func:`next_sequence` compares. Raises ``IndexError`` when there is none.

    Parsing a whole invitation took about as long as writing one (its VTIMEZONE and
    attendees are most of the lines), which made a rerun of the country many seconds
    slower; so icalendar parses only the event's own SEQUENCE, DTSTART, DTEND and LOCATION
    lines. Anything else, such as a file not laid out as docgen writes them or with times in
    another TZID (its own VTIMEZONE may define it), is parsed whole as before.
    """
    ics.decode("utf-8")  # as the whole parse would, refuse a file that is not UTF-8
    lines = _FOLD.sub(b"", ics).split(b"\r\n")
    plain = lines[0] == b"BEGIN:VCALENDAR" and lines[-2:] == [b"END:VCALENDAR", b""]
    first = lines.index(b"BEGIN:VEVENT") if plain and b"BEGIN:VEVENT" in lines else len(lines)
    kept, depth = [b"BEGIN:VEVENT"], 0
    for line in lines[first + 1 :]:
        upper = line.upper()
        if upper.startswith(b"BEGIN:"):
            depth += 1  # a VALARM or the like: not the event's own properties
        elif upper.startswith(b"END:"):
            if depth == 0:
                kept.append(b"END:VEVENT")
                break
            depth -= 1
        elif depth == 0 and _NAME.match(upper).group() in _COMPARED:  # type: ignore[union-attr]  # [^;:]* always matches
            if _OTHER_TZID.search(line):
                break
            kept.append(line)
    if kept[-1] != b"END:VEVENT":
        return icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    return icalendar.Event.from_ical(b"\r\n".join(kept) + b"\r\n")


def issued_event(ics: bytes) -> tuple[int, dt.datetime] | None:
    """(SEQUENCE, start as London time) of the invitation in ``ics``, or None when it
    cannot be read: what a cancellation must match and outnumber."""
    try:
        event = _first_event(ics)
        start = event.decoded("dtstart")
        sequence = int(event.get("sequence", 0))
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return (sequence, _local(start)) if isinstance(start, dt.datetime) else None


def next_sequence(previous_ics: bytes | None, start: dt.datetime, end: dt.datetime, location: str) -> int:
    """The SEQUENCE for a new invitation: the previous file's, plus one when the date, time or
    place changed, so calendars take the update; the same when nothing did, so a rerun is a no-op.

    ``start`` and ``end`` are London wall-clock (naive) or aware. No previous file, or one
    that cannot be read, starts again at 0.
    """
    if not previous_ics:
        return 0
    try:
        event = _first_event(previous_ics)
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
