"""Kick-off invitations: what a calendar reads back from the .ics, and reruns that update."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from docgen.formats.ics import kickoff_event, next_sequence, stable_uid


def wall(*args: int) -> dt.datetime:
    """London wall-clock time, naive, as the invitation API takes it (and a workbook gives it)."""
    return dt.datetime(*args)  # noqa: DTZ001


ORGANISER = ("Jo Bloggs", "jo.bloggs@nhs.net")
ATTENDEES = [
    ("Siân O'Brien", "sian.obrien@nhs.net", "Practice manager"),
    ('Dr Ann "Nan" Jones', "ann.jones@nhs.net", "Lead GP"),
    ("Pat Supplier", "", "New supplier"),
]
STAMP = dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.UTC)
KICK_OFF = wall(2026, 6, 15, 10, 0)


def make(start=KICK_OFF, location="Room 2, Civic Centre", sequence=0, **kw) -> bytes:
    args = dict(
        uid=stable_uid("QXY", "MIG-001", "kick-off"),
        summary="Kick-off: Y90001 The Surgery\nmoves to SystmOne",
        start=start,
        minutes=90,
        location=location,
        description="Agenda:\n1. Introductions\n2. The supplier's schedule",
        organiser=ORGANISER,
        attendees=ATTENDEES,
        sequence=sequence,
        stamp=STAMP,
    )
    args.update(kw)
    return kickoff_event(**args)


def event_of(ics: bytes) -> icalendar.Event:
    cal = icalendar.Calendar.from_ical(ics)
    assert cal["METHOD"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    return event


def test_ics_parses_back_with_organiser_and_attendees():
    event = event_of(make())
    organiser = event["ORGANIZER"]
    assert str(organiser) == "mailto:jo.bloggs@nhs.net"
    assert organiser.params["CN"] == "Jo Bloggs"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:sian.obrien@nhs.net", "mailto:ann.jones@nhs.net"]
    assert [a.params["CN"] for a in attendees] == ["Siân O'Brien", "Dr Ann 'Nan' Jones"]
    assert {a.params["ROLE"] for a in attendees} == {"REQ-PARTICIPANT"}
    assert {a.params["RSVP"] for a in attendees} == {"TRUE"}


def test_roles_and_people_without_email_are_in_the_description():
    description = str(event_of(make())["DESCRIPTION"])
    assert description == (
        "Agenda:\n1. Introductions\n2. The supplier's schedule\n\nInvited:\n"
        "- Siân O'Brien, Practice manager\n"
        "- Dr Ann 'Nan' Jones, Lead GP\n"
        "- Pat Supplier, New supplier (no email address: invite them directly)"
    )


@pytest.mark.parametrize(
    ("start", "utc_hour"),
    [(wall(2026, 6, 15, 10, 0), 9), (wall(2026, 12, 7, 10, 0), 10)],
    ids=["summer-BST", "winter-GMT"],
)
def test_start_and_end_are_london_wall_clock_with_a_vtimezone(start, utc_hour):
    ics = make(start=start)
    assert f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}".encode() in ics
    cal = icalendar.Calendar.from_ical(ics)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    event = event_of(ics)
    begin, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert str(begin.tzinfo) == "Europe/London"
    assert begin.replace(tzinfo=None) == start
    assert end - begin == dt.timedelta(minutes=90)
    assert begin.astimezone(dt.UTC).hour == utc_hour


def test_summary_stays_one_line_and_uid_stamp_sequence_are_the_callers():
    event = event_of(make(sequence=4))
    assert str(event["SUMMARY"]) == "Kick-off: Y90001 The Surgery moves to SystmOne"
    assert str(event["UID"]) == stable_uid("QXY", "MIG-001", "kick-off")
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("SEQUENCE") == 4
    assert str(event["LOCATION"]) == "Room 2, Civic Centre"


def test_a_video_link_is_also_the_event_url():
    link = "https://teams.microsoft.com/l/meetup-join/19%3ameeting"
    event = event_of(make(location=link))
    assert str(event["LOCATION"]) == link
    assert str(event["URL"]) == link


def test_same_inputs_give_the_same_bytes():
    assert make() == make()


def test_stable_uid_is_the_same_across_calls_and_differs_per_migration():
    uid = stable_uid("QXY", "MIG-001", "kick-off")
    assert uid == stable_uid("QXY", "MIG-001", "kick-off")
    assert uid.endswith("@docgen")
    assert uid != stable_uid("QXY", "MIG-002", "kick-off")
    assert stable_uid("QX", "YMIG-001") != stable_uid("QXY", "MIG-001")


def test_sequence_starts_at_zero_and_stays_when_nothing_changed():
    start = wall(2026, 6, 15, 10, 0)
    end = start + dt.timedelta(minutes=90)
    assert next_sequence(None, start, end, "Room 2, Civic Centre") == 0
    previous = make(start=start, sequence=3)
    assert next_sequence(previous, start, end, "Room 2, Civic Centre") == 3


@pytest.mark.parametrize(
    ("start", "minutes", "location"),
    [
        (wall(2026, 6, 16, 10, 0), 90, "Room 2, Civic Centre"),
        (wall(2026, 6, 15, 14, 0), 90, "Room 2, Civic Centre"),
        (wall(2026, 6, 15, 10, 0), 60, "Room 2, Civic Centre"),
        (wall(2026, 6, 15, 10, 0), 90, "https://teams.microsoft.com/l/x"),
    ],
    ids=["date", "time", "length", "location"],
)
def test_sequence_goes_up_when_date_time_or_place_changed(start, minutes, location):
    previous = make(sequence=3)
    assert next_sequence(previous, start, start + dt.timedelta(minutes=minutes), location) == 4


def test_a_rerun_chain_updates_the_event():
    first = make()
    moved = wall(2026, 6, 22, 10, 0)
    seq = next_sequence(first, moved, moved + dt.timedelta(minutes=90), "Room 2, Civic Centre")
    second = make(start=moved, sequence=seq)
    assert event_of(second).decoded("SEQUENCE") == 1
    assert event_of(second)["UID"] == event_of(first)["UID"]
    again = next_sequence(second, moved, moved + dt.timedelta(minutes=90), "Room 2, Civic Centre")
    assert make(start=moved, sequence=again) == second


def test_an_unreadable_previous_file_starts_again_at_zero():
    start = wall(2026, 6, 15, 10, 0)
    assert next_sequence(b"not a calendar", start, start, "") == 0


# Europe/London as Outlook and Google write it: summer time by yearly rules (RFC 5545
# 3.6.5), from 01:00 GMT on the last Sunday of March to 02:00 BST on the last Sunday of
# October, and nothing else (no COMMENT, which RFC 5545 does not allow here).
LONDON_AS_OUTLOOK_WRITES_IT = (
    b"BEGIN:VTIMEZONE\r\n"
    b"TZID:Europe/London\r\n"
    b"BEGIN:STANDARD\r\n"
    b"DTSTART:19701025T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    b"TZNAME:GMT\r\n"
    b"TZOFFSETFROM:+0100\r\n"
    b"TZOFFSETTO:+0000\r\n"
    b"END:STANDARD\r\n"
    b"BEGIN:DAYLIGHT\r\n"
    b"DTSTART:19700329T010000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    b"TZNAME:BST\r\n"
    b"TZOFFSETFROM:+0000\r\n"
    b"TZOFFSETTO:+0100\r\n"
    b"END:DAYLIGHT\r\n"
    b"END:VTIMEZONE\r\n"
)


def test_the_time_zone_is_europe_london_with_yearly_rules_and_nothing_else():
    ics = make(start=wall(2031, 11, 3, 14, 0))  # any year: the rules are not one year's
    assert ics.count(b"BEGIN:VTIMEZONE") == 1
    start = ics.index(b"BEGIN:VTIMEZONE")
    assert ics[start : ics.index(b"END:VTIMEZONE\r\n") + len(b"END:VTIMEZONE\r\n")] == LONDON_AS_OUTLOOK_WRITES_IT


# Times either side of both changes, in other years too: a second parser that builds the
# zone from the file's own rules (vobject, with dateutil) reads each at its UTC offset.
OFFSETS = [
    (wall(2026, 7, 15, 10, 0), 1),
    (wall(2026, 12, 7, 10, 0), 0),
    (wall(2026, 3, 29, 10, 0), 1),  # the day summer time starts
    (wall(2026, 3, 28, 10, 0), 0),
    (wall(2026, 10, 25, 10, 0), 0),  # the day it ends
    (wall(2026, 10, 24, 10, 0), 1),
    (wall(2029, 7, 2, 9, 30), 1),
    (wall(2031, 1, 6, 9, 30), 0),
]


@pytest.mark.parametrize(("start", "hours"), OFFSETS, ids=[f"{s:%Y-%m-%d}" for s, _ in OFFSETS])
def test_a_second_parser_reads_summer_and_winter_kick_offs_at_the_right_utc_offset(start, hours):
    calendar = vobject.readOne(make(start=start).decode("utf-8"))
    begin = calendar.vevent.dtstart.value
    assert begin.replace(tzinfo=None) == start
    assert begin.utcoffset() == dt.timedelta(hours=hours)
    assert calendar.vevent.dtend.value - begin == dt.timedelta(minutes=90)
    # The offset comes from the file's VTIMEZONE, not from a zone the parser knows by name.
    assert type(begin.tzinfo).__module__.startswith("dateutil")


def icalendar_built(**kw) -> bytes:
    """The invitation built as icalendar objects and serialised by icalendar: what
    kickoff_event writes faster by itself, and must write byte for byte."""
    args = dict(
        uid=stable_uid("QXY", "MIG-001", "kick-off"),
        summary="Kick-off",
        start=KICK_OFF,
        minutes=90,
        location="Room 2, Civic Centre",
        description="Agenda",
        organiser=ORGANISER,
        attendees=ATTENDEES,
        sequence=0,
        stamp=STAMP,
    )
    args.update(kw)

    def one_line(text):
        return " ".join(str(text).split()).replace('"', "'")

    begin = args["start"].replace(tzinfo=ZoneInfo("Europe/London"))
    invited = [
        f"- {one_line(n)}"
        + (f", {one_line(r)}" if one_line(r) else "")
        + ("" if one_line(e) else " (no email address: invite them directly)")
        for n, e, r in args["attendees"]
    ]
    text = args["description"].rstrip()
    if invited:
        text = (text + "\n\n" if text else "") + "Invited:\n" + "\n".join(invited)

    def address(name, email, **params):
        address = icalendar.vCalAddress(f"mailto:{one_line(email)}")
        if one_line(name):
            address.params["CN"] = one_line(name)
        address.params.update(params)
        return address

    event = icalendar.Event()
    event.add("uid", args["uid"])
    event.add("dtstamp", args["stamp"])
    event.add("sequence", args["sequence"])
    event.add("dtstart", begin)
    event.add("dtend", begin + dt.timedelta(minutes=args["minutes"]))
    event.add("summary", one_line(args["summary"]))
    if args["location"].strip():
        event.add("location", one_line(args["location"]))
        if re.match(r"https?://\S+$", args["location"].strip()):
            event.add("url", args["location"].strip())
    event.add("description", text)
    event.add("organizer", address(*args["organiser"]))
    for name, email, _ in args["attendees"]:
        if one_line(email):
            extra = dict(CUTYPE="INDIVIDUAL", ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE")
            event.add("attendee", address(name, email, **extra))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Kick-off meeting tomorrow: bring leave and training dates")
    alarm.add("trigger", dt.timedelta(days=-1))
    event.add_component(alarm)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//NHS England ICB//docgen//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "REQUEST")
    cal.add_component(event)
    # The time zone is docgen's fixed block, where icalendar puts the one it makes.
    return cal.to_ical().replace(b"BEGIN:VEVENT", LONDON_AS_OUTLOOK_WRITES_IT + b"BEGIN:VEVENT", 1)


# Values that land escapes, multi-byte characters and carets on a fold (every 74 octets).
TRICKY = {
    "as-in-tests": {},
    "welsh-on-folds": dict(summary="Cyfarfod " + "ŵâ" * 50, description="x" * 73 + "ŵ" + "y" * 72 + "😀" * 9),
    "escapes-on-folds": dict(description="a" * 73 + ",b;c\\d\n" * 20, location="Room " + "x" * 68 + ", 2; 3"),
    "carets-and-quotes": dict(
        attendees=[
            ('Dr ^"Nan"^ ' + "J" * 70, "nan@nhs.net", "Lead GP"),
            ("^" * 90, "a@nhs.net", ""),
            ("ŵ^" * 40, "b@nhs.net", ""),
        ],
        description="ŵ\\," * 60,
    ),
    "video-link": dict(location="https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + "Z" * 90),
    "nobody-no-place": dict(location="  ", description="", attendees=[], organiser=("", "jo@nhs.net")),
    "winter-next-year": dict(start=wall(2027, 12, 7, 9, 15), minutes=600, sequence=12),
}


@pytest.mark.parametrize("changes", TRICKY.values(), ids=TRICKY.keys())
def test_the_bytes_are_what_icalendar_writes(changes):
    assert make(**{"summary": "Kick-off", "description": "Agenda", **changes}) == icalendar_built(**changes)


def test_a_previous_file_from_another_calendar_is_read_whole():
    """Times in another zone, defined by the file's own VTIMEZONE, and an alarm with its
    own properties: read as icalendar reads the whole file."""
    new_york = ZoneInfo("America/New_York")
    event = icalendar.Event()
    event.add("uid", "elsewhere")
    event.add("dtstamp", STAMP)
    event.add("dtstart", dt.datetime(2026, 6, 15, 5, 0, tzinfo=new_york))  # 10:00 in London
    event.add("dtend", dt.datetime(2026, 6, 15, 6, 30, tzinfo=new_york))
    event.add("sequence", 5)
    event.add("location", "Room 2, Civic Centre")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.timedelta(minutes=-15))
    alarm.add("location", "Somewhere else")
    event.add_component(alarm)
    cal = icalendar.Calendar()
    cal.add_component(event)
    cal.add_missing_timezones()
    start = wall(2026, 6, 15, 10, 0)
    end = start + dt.timedelta(minutes=90)
    assert next_sequence(cal.to_ical(), start, end, "Room 2, Civic Centre") == 5
    assert next_sequence(cal.to_ical(), start + dt.timedelta(hours=1), end, "Room 2, Civic Centre") == 6


def test_a_previous_file_saved_with_other_line_ends_still_counts():
    previous = make(sequence=3).replace(b"\r\n", b"\n")
    start = KICK_OFF
    assert next_sequence(previous, start, start + dt.timedelta(minutes=90), "Room 2, Civic Centre") == 3


# People and places as a workbook may hold them: quotes, commas, semicolons, colons,
# Welsh and emoji, stray spaces and line breaks, names long enough to fold.
PEOPLE = [
    ('Dr Ann "Nan" Jones', "ann.jones@nhs.net", "Lead GP"),
    ("Jones, Ann; Dr", "ann.jones@nhs.net", "Lead GP, partner"),
    ("Siân ap Dafydd 😀", "sian@nhs.net", "Rheolwr practis"),
    ("  Siân   ap\nDafydd 😀 ", " sian@nhs.net\n", " Rheolwr\tpractis "),
    ("Mailto: Person", "mailto.person@nhs.net", "Role: acting"),
    ("Ŵ" * 40 + " " + "x" * 60, "long.name@nhs.net", "r" * 90),
    ("", "no.name@nhs.net", ""),
    ("No Address", "", "Practice manager"),
]


@pytest.mark.parametrize("rounds", [1, 2], ids=["first-sight", "remembered"])
def test_people_recurring_across_invitations_are_written_as_icalendar_writes_them(rounds):
    """Address lines, description lines and times are remembered between invitations:
    a repeat must give the same bytes as the first sight, each person with any others."""
    for _ in range(rounds):
        for i in range(len(PEOPLE)):
            changes = dict(
                attendees=PEOPLE[i:] + PEOPLE[:i],
                organiser=PEOPLE[i][:2],
                location=["Room 2, Civic Centre", "  ", "Room 2,\nCivic Centre", "https://x.test/a"][i % 4],
                start=wall(2026, 6, 15, 10, 0) + dt.timedelta(days=7 * (i % 3)),
            )
            assert make(**{"summary": "Kick-off", "description": "Agenda", **changes}) == icalendar_built(**changes)


@pytest.mark.parametrize(
    "stamp",
    [
        dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC),  # the same instant as the start
        dt.datetime(2026, 6, 15, 10, 0),  # noqa: DTZ001 - the same wall-clock time, in UTC
        dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Europe/London")),
    ],
    ids=["same-instant", "same-wall-clock", "london-stamp"],
)
def test_start_and_stamp_that_look_alike_are_each_written_in_their_own_zone(stamp):
    """Times are remembered by wall-clock time and zone, not by instant: 10:00 in London
    in June and 09:00 UTC are equal datetimes, written differently."""
    start = wall(2026, 6, 15, 10, 0)
    ics = make(start=start, stamp=stamp, summary="Kick-off", description="Agenda")
    assert b"DTSTART;TZID=Europe/London:20260615T100000\r\n" in ics
    utc = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    assert f"DTSTAMP:{utc:%Y%m%dT%H%M%S}Z\r\n".encode() in ics
    assert ics == icalendar_built(start=start, stamp=utc)
