"""Kick-off invitations: what a calendar reads back from the .ics, and reruns that update."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from docgen.invites import kickoff_event, next_sequence, stable_uid


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
