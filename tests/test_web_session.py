"""Each upload's private folder: made 0700 under the server's root, removed when the upload
is refused or replaced by newer ones, never while its run is going."""

from __future__ import annotations

import datetime as dt

from docgen.web.session import Generation, Sessions

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_the_oldest_idle_upload_makes_way_and_its_folder_goes(tmp_path):
    sessions = Sessions(tmp_path, keep=2)
    first = sessions.create("a.xlsx", T0)
    first.generation = Generation(started=T0, options={})  # still running
    second = sessions.create("b.xlsx", T0 + dt.timedelta(minutes=1))
    third = sessions.create("c.xlsx", T0 + dt.timedelta(minutes=2))
    assert sessions.get(first.id) is first, "a running upload is kept"
    assert sessions.get(second.id) is None and not second.folder.exists()
    assert sessions.get(third.id) is third
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.folder.name, third.folder.name])


def test_a_discarded_upload_leaves_nothing(tmp_path):
    sessions = Sessions(tmp_path)
    session = sessions.create("a.xlsx", T0)
    session.workbook.write_bytes(b"x")
    assert session.workbook.parent.parent == session.folder
    assert oct(session.folder.stat().st_mode)[-3:] == "700"
    sessions.discard(session)
    assert sessions.get(session.id) is None and list(tmp_path.iterdir()) == []


def test_messages_name_the_uploaded_file_not_the_private_folder(tmp_path):
    session = Sessions(tmp_path).create("Migrations 2026 (v2).xlsx", T0)
    message = f"{session.workbook}: is damaged. Could not write {session.out / 'QXY'}."
    assert session.tell(message) == "Migrations 2026 (v2).xlsx: is damaged. Could not write the pack/QXY."
