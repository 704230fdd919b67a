"""Checking the workbook: every check names the cell, says what is wrong and how to fix it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import wb

from docgen.errors import ValidationFailed
from docgen.workbook.validate import check_workbook, load_batch


def check(tmp_path, change=None):
    return check_workbook(wb.make(tmp_path, change))


def lines(tmp_path, change=None) -> list[str]:
    return [f"{p.severity}: {p}" for p in check(tmp_path, change).problems]


def setter(*edits):
    """A change that puts each (sheet, row, header, value)."""

    def change(s):
        for sheet, row, header, value in edits:
            wb.put(s, sheet, row, header, value)

    return change


def copy_row(sheet, source, target, **headers):
    """A change that copies row ``source`` of ``sheet`` to ``target`` and then sets ``headers``."""

    def change(s):
        rows = s[sheet]
        while len(rows) < target:
            rows.append([None] * len(rows[0]))
        rows[target - 1] = list(rows[source - 1])
        for header, value in headers.items():
            wb.put(s, sheet, target, header.replace("_", " "), value)

    return change


def test_the_base_workbook_is_valid(tmp_path):
    report = check(tmp_path)
    assert report.problems == []
    assert report.invalid_migrations == set()
    assert [m.migration_id for m in report.batch.migrations] == ["MIG-001"]


# --- types ---------------------------------------------------------------------------


def test_an_impossible_date_is_rejected(tmp_path):
    change = setter(("Migrations", 2, "Provisional go-live date", "31/02/2026"))
    assert lines(tmp_path, change) == [
        "error: Migrations!L2 (Provisional go-live date): '31/02/2026' is not a date. Enter a date such as 15/06/2026."
    ]


@pytest.mark.parametrize("typed", ["2027-05-11", "11/05/2027", "11/5/2027", dt.datetime(2027, 5, 11)])  # noqa: DTZ001 - Excel date cells are naive
def test_dates_may_be_real_date_cells_iso_or_uk_text(tmp_path, typed):
    report = check(tmp_path, setter(("Migrations", 2, "Provisional go-live date", typed)))
    assert report.problems == []
    assert report.batch.migrations[0].go_live == dt.date(2027, 5, 11)


def test_text_that_is_not_a_date_is_rejected(tmp_path):
    change = setter(("Migrations", 2, "Order date", "next week"))
    assert lines(tmp_path, change) == [
        "error: Migrations!K2 (Order date): 'next week' is not a date. Enter a date such as 15/06/2026."
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10:00", dt.time(10)),
        ("10.30", dt.time(10, 30)),
        ("2pm", dt.time(14)),
        ("2:15 pm", dt.time(14, 15)),
        (dt.time(9, 45), dt.time(9, 45)),
    ],
)
def test_times_are_read_from_time_cells_and_text(tmp_path, typed, expected):
    report = check(tmp_path, setter(("Migrations", 2, "Kick-off time", typed)))
    assert report.problems == []
    assert report.batch.migrations[0].kickoff_time == expected


def test_an_impossible_time_is_rejected(tmp_path):
    assert lines(tmp_path, setter(("Migrations", 2, "Kick-off time", "25:00"))) == [
        "error: Migrations!P2 (Kick-off time): '25:00' is not a time. Enter a 24-hour time such as 10:00."
    ]


def test_whole_numbers(tmp_path):
    report = check(tmp_path, setter(("Practices", 2, "List size", "6,500")))
    assert report.batch.practices[0].list_size == 6500
    assert lines(tmp_path, setter(("Practices", 2, "List size", "lots"))) == [
        "error: Practices!L2 (List size): 'lots' is not a whole number. Enter a whole number such as 12."
    ]


def test_money_in_pounds_and_pence(tmp_path):
    report = check(tmp_path, setter(("Costs", 2, "Amount (£)", "£1,250.75")))
    assert report.batch.costs[0].amount == Decimal("1250.75")
    assert lines(tmp_path, setter(("Costs", 2, "Amount (£)", 12.345))) == [
        "error: Costs!D2 (Amount (£)): '12.345' has fractions of a penny. Round it to pounds and pence, such as 1250.00."
    ]


def test_yes_no(tmp_path):
    report = check(tmp_path, setter(("Contacts", 2, "Kick-off invitee", "n")))
    assert report.batch.contacts[0].invitee is False
    assert lines(tmp_path, setter(("Contacts", 2, "Kick-off invitee", "maybe"))) == [
        "error: Contacts!G2 (Kick-off invitee): 'maybe' is not Yes or No. Choose Yes or No."
    ]


def test_a_choice_matches_ignoring_case_and_gives_the_list_otherwise(tmp_path):
    report = check(tmp_path, setter(("Migrations", 2, "Status", "kick-off HELD")))
    assert report.batch.migrations[0].status == "Kick-off held"
    assert lines(tmp_path, setter(("Migrations", 2, "Status", "Done"))) == [
        "error: Migrations!T2 (Status): 'Done' is not one of: Planning, Ordered, Extract requested, Kick-off held, "
        "In progress, Live, On hold, Cancelled. Choose one from the list."
    ]


def test_a_required_cell_left_empty(tmp_path):
    assert lines(tmp_path, setter(("Migrations", 2, "Reason for change", None))) == [
        "error: Migrations!I2 (Reason for change): This cell is empty but required. Fill it in: why the practice is "
        "moving (goes in the business case)."
    ]


def test_a_required_column_missing_is_reported_and_no_batch_is_built(tmp_path):
    def change(s):
        for row in s["Practices"]:
            del row[wb.headers("Practices").index("Town")]

    report = check(tmp_path, change)
    assert [f"{p.severity}: {p}" for p in report.problems] == [
        "error: Practices!1: The required column 'Town' is missing. Add it to the header row (row 1)."
    ]
    assert report.batch is None
    assert report.invalid_migrations == {"MIG-001"}


# --- formats ---------------------------------------------------------------------------


def test_ods_codes_are_upper_cased_and_checked(tmp_path):
    report = check(tmp_path, setter(("Practices", 2, "ODS code", "y90001"), ("Migrations", 2, "ODS code", "y90001")))
    assert report.problems == []
    assert report.batch.practices[0].ods_code == "Y90001"
    assert lines(tmp_path, setter(("Migrations", 2, "ODS code", "Y9001"))) == [
        "error: Migrations!B2 (ODS code): 'Y9001' is not an ODS code. Enter the practice's ODS code: one letter and "
        "five digits, such as A81001."
    ]


def test_an_ods_code_outside_england_is_a_warning(tmp_path):
    change = setter(
        ("Practices", 2, "ODS code", "W90001"),
        ("Migrations", 2, "ODS code", "W90001"),
        ("Contacts", 2, "Organisation", "W90001"),
    )
    assert lines(tmp_path, change) == [
        "warning: Practices!A2 (ODS code): W90001 does not start with A to P or Y, as English GP practice codes do. "
        "Check the code."
    ]


def test_icb_sub_icb_postcode_and_email_formats(tmp_path):
    change = setter(
        ("ICBs", 2, "ICB code", "X12"),
        ("Practices", 2, "Sub-ICB code", "00KK"),
        ("Practices", 2, "Postcode", "TS1 1C"),
        ("Practices", 2, "Email", "surgery at nhs.net"),
    )
    assert lines(tmp_path, change) == [
        "error: ICBs!A2 (ICB code): 'X12' is not an ICB code. Enter three characters starting with Q, such as QHM.",
        "error: Practices!G2 (Postcode): 'TS1 1C' is not a UK postcode. Enter a UK postcode such as TS18 1HU.",
        "error: Practices!I2 (Email): 'surgery at nhs.net' is not an email address. Enter an email address such as "
        "name@nhs.net.",
        "error: Practices!J2 (ICB code): QXY is not on the ICBs sheet. Add the ICB there, or correct the code.",
        "error: Practices!K2 (Sub-ICB code): '00KK' is not a sub-ICB location code. Enter three characters (00K) or "
        "five (D9Y0V).",
    ]


def test_postcodes_are_tidied(tmp_path):
    report = check(tmp_path, setter(("Practices", 2, "Postcode", "ts11ab")))
    assert report.batch.practices[0].postcode == "TS1 1AB"


def test_a_short_phone_number_is_a_warning(tmp_path):
    assert lines(tmp_path, setter(("Contacts", 2, "Phone", "2345"))) == [
        "warning: Contacts!F2 (Phone): '2345' does not look like a UK phone number. Enter a phone number with its "
        "area code, such as 01642 672351."
    ]


# --- duplicates --------------------------------------------------------------------


def test_duplicate_migration_ids_invalidate_both_rows(tmp_path):
    report = check(tmp_path, copy_row("Migrations", 2, 3))
    assert [f"{p.severity}: {p}" for p in report.problems] == [
        "error: Migrations!A3 (Migration ID): 'MIG-001' is also on row 2. Give each migration its own ID."
    ]
    assert report.problems[0].migration_id == "MIG-001"
    assert report.invalid_migrations == {"MIG-001"}
    assert report.batch.migrations == ()


def test_duplicate_practices_icbs_and_suppliers(tmp_path):
    def change(s):
        copy_row("Practices", 2, 3)(s)
        copy_row("ICBs", 2, 3)(s)
        copy_row("Suppliers", 3, 5, Product="systmone")(s)

    assert lines(tmp_path, change) == [
        "error: ICBs!A3 (ICB code): QXY is also on row 2. Each ICB goes on one row.",
        "error: Practices!A3 (ODS code): Y90001 is also on row 2. Each practice goes on one row.",
        "error: Suppliers!B5 (Product): TPP systmone is also on row 3. Delete one of the two rows.",
    ]


# --- references ----------------------------------------------------------------------


def test_a_migration_for_a_practice_not_on_the_practices_sheet(tmp_path):
    report = check(tmp_path, setter(("Migrations", 2, "ODS code", "Y90002")))
    assert [f"{p.severity}: {p}" for p in report.problems] == [
        "error: Migrations!B2 (ODS code): Y90002 is not on the Practices sheet. Add the practice there, or correct "
        "the code."
    ]
    assert report.invalid_migrations == {"MIG-001"}


def test_suppliers_and_products_must_be_on_the_suppliers_sheet(tmp_path):
    change = setter(("Migrations", 2, "Current supplier", "EMIS"), ("Migrations", 2, "New system", "EMIS Web"))
    assert lines(tmp_path, change) == [
        "error: Migrations!C2 (Current supplier): 'EMIS' is not on the Suppliers sheet (listed: Optum, TPP, Cegedim). "
        "Choose a supplier from the list, or add it to the Suppliers sheet first.",
        "error: Migrations!F2 (New system): 'EMIS Web' is not a product of TPP on the Suppliers sheet (TPP: SystmOne). "
        "Choose the product that goes with the supplier.",
    ]


def test_supplier_names_take_the_spelling_of_the_suppliers_sheet(tmp_path):
    report = check(
        tmp_path, setter(("Migrations", 2, "New supplier", "tpp"), ("Migrations", 2, "New system", "SYSTMONE"))
    )
    assert report.problems == []
    assert (report.batch.migrations[0].new_supplier, report.batch.migrations[0].new_system) == ("TPP", "SystmOne")


def test_the_new_system_must_differ_from_the_current_one(tmp_path):
    change = setter(("Migrations", 2, "New supplier", "Optum"), ("Migrations", 2, "New system", "EMIS Web"))
    assert lines(tmp_path, change) == [
        "error: Migrations!F2 (New system): The new system is the same as the current one (Optum EMIS Web). Enter the "
        "system the practice is moving to."
    ]


def test_the_order_date_must_not_be_after_go_live(tmp_path):
    change = setter(("Migrations", 2, "Order date", dt.date(2027, 5, 12)))
    assert lines(tmp_path, change) == [
        "error: Migrations!K2 (Order date): The order date 12/05/2027 is after the provisional go-live date "
        "11/05/2027. Correct one of the two dates."
    ]


def test_a_practice_without_a_practice_manager_is_a_warning(tmp_path):
    report = check(tmp_path, setter(("Contacts", 2, "Role", "Lead GP")))
    assert [f"{p.severity}: {p}" for p in report.problems] == [
        "warning: Migrations!B2 (ODS code): Practice Y90001 has no Practice manager on the Contacts sheet. Add one: "
        "the letters and the kick-off invitation are addressed to the practice manager."
    ]
    assert report.invalid_migrations == set()


def test_no_migrations_is_a_warning(tmp_path):
    def change(s):
        del s["Migrations"][1:]
        del s["Costs"][1:]

    assert lines(tmp_path, change) == ["warning: Migrations: There are no migrations. Add one row per migration."]


def test_contact_organisations_that_look_like_codes_must_exist(tmp_path):
    def change(s):
        copy_row("Contacts", 2, 3, Organisation="Y90009")(s)
        copy_row("Contacts", 2, 4, Organisation="QAB", Role="ICB lead")(s)
        copy_row("Contacts", 2, 5, Organisation="Acme Ltd", Role="New supplier")(s)
        copy_row("Contacts", 2, 6, Organisation="Dale IT Partnership", Role="IT delivery partner")(s)
        copy_row("Contacts", 2, 7, Organisation="tpp", Role="New supplier")(s)

    assert lines(tmp_path, change) == [
        "error: Contacts!A3 (Organisation): 'Y90009' looks like an ODS code but is not on the Practices sheet. "
        "Correct the code, or add the practice.",
        "error: Contacts!A4 (Organisation): 'QAB' looks like an ICB code but is not on the ICBs sheet. Correct the "
        "code, or add the ICB.",
        "warning: Contacts!A5 (Organisation): 'Acme Ltd' is not a practice's ODS code, an ICB code, a supplier on the "
        "Suppliers sheet or the IT delivery partner in Settings, so this contact is on no letter or invitation. "
        "Correct the organisation.",
    ]


def test_a_cost_for_an_unknown_migration(tmp_path):
    assert lines(tmp_path, setter(("Costs", 2, "Migration ID", "MIG-099"))) == [
        "error: Costs!A2 (Migration ID): 'MIG-099' is not a Migration ID on the Migrations sheet. Correct it, or "
        "delete the line."
    ]


def test_blackouts_need_a_real_period_and_a_known_scope(tmp_path):
    change = setter(("Blackouts", 2, "End", dt.date(2027, 2, 1)), ("Blackouts", 2, "Scope", "Y99999"))
    assert lines(tmp_path, change) == [
        "error: Blackouts!B2 (End): The end 01/02/2027 is before the start 01/03/2027. Swap or correct the dates.",
        "error: Blackouts!D2 (Scope): 'Y99999' is not All, an ICB code on the ICBs sheet or an ODS code on the "
        "Practices sheet. Enter one of those.",
    ]


def test_blackout_scopes_are_tidied(tmp_path):
    def change(s):
        wb.put(s, "Blackouts", 2, "Scope", "all")
        copy_row("Blackouts", 2, 3, Scope="qxy")(s)
        copy_row("Blackouts", 2, 4, Scope="y90001")(s)

    report = check(tmp_path, change)
    assert report.problems == []
    assert [b.scope for b in report.batch.blackouts] == ["All", "QXY", "Y90001"]


# --- settings ----------------------------------------------------------------------------


def test_settings_are_read_by_label_with_defaults_for_the_rest(tmp_path):
    def change(s):
        s["Settings"] += [
            ["Letter date", "01/12/2026"],
            ["extract allowance (working days)", 10],
            ["Kick-off default time", "9.30"],
        ]

    report = check(tmp_path, change)
    assert report.problems == []
    settings = report.batch.settings
    assert (settings.letter_date, settings.extract_allowance_days, settings.kickoff_time) == (
        dt.date(2026, 12, 1),
        10,
        dt.time(9, 30),
    )
    assert settings.it_delivery_partner == "Dale IT Partnership"
    assert settings.legacy_access_days == 90


def test_a_bad_setting_invalidates_every_migration(tmp_path):
    def change(s):
        s["Settings"] += [["Extract allowance (working days)", "fifteen"], ["Favourite colour", "blue"]]

    report = check(tmp_path, change)
    assert [f"{p.severity}: {p}" for p in report.problems] == [
        "error: Settings!B3 (Extract allowance (working days)): 'fifteen' is not a whole number. Enter a whole number "
        "from 1 to 60.",
        "warning: Settings!A4 (Setting): 'Favourite colour' is not a setting docgen knows; it is ignored. Known "
        "settings: Letter date, As-at date, IT delivery partner, Extract allowance (working days), Order to kick-off (working "
        "days), Kick-off to technical survey (working days), Pre-migration tasks (working days), Data checking "
        "(working days), Data sign-off (working days), Cut-over (working days), Cut-over planning before FDP (weeks), "
        "Third-party links off before FDP (working days), Post go-live support (working days), Old system read-only "
        "(days), Order to go-live minimum (weeks), Order to go-live maximum (weeks), Order to go-live proposed "
        "(weeks), Kick-off length (minutes), Kick-off default time, Business justification lead time (weeks), "
        "Kick-off invitation notice (working days), Calendar invitation before the place is confirmed.",
    ]
    assert report.invalid_migrations == {"MIG-001"}


def test_the_settings_sheet_is_optional(tmp_path):
    def change(s):
        del s["Settings"], s["Blackouts"]

    report = check(tmp_path, change)
    assert report.batch.settings.extract_allowance_days == 15
    assert report.batch.blackouts == ()
    assert report.problems == []


# --- dependencies, ordering and load_batch --------------------------------------------


def test_an_error_on_a_practice_invalidates_only_its_migrations(tmp_path):
    def change(s):
        copy_row("Practices", 2, 3, ODS_code="Y90002", Postcode="nowhere")(s)
        copy_row("Migrations", 2, 3, Migration_ID="MIG-002", ODS_code="Y90002")(s)
        copy_row("Contacts", 2, 3, Organisation="Y90002")(s)
        copy_row("Costs", 2, 3, Migration_ID="MIG-002")(s)

    report = check(tmp_path, change)
    assert [str(p) for p in report.errors] == [
        "Practices!G3 (Postcode): 'nowhere' is not a UK postcode. Enter a UK postcode such as TS18 1HU."
    ]
    assert report.invalid_migrations == {"MIG-002"}
    assert [m.migration_id for m in report.batch.migrations] == ["MIG-001"]
    assert [c.migration_id for c in report.batch.costs] == ["MIG-001"]
    assert [p.ods_code for p in report.batch.practices] == ["Y90001"]


def test_an_error_on_a_cost_line_invalidates_its_migration(tmp_path):
    report = check(tmp_path, setter(("Costs", 2, "Amount (£)", "a lot")))
    assert report.invalid_migrations == {"MIG-001"}
    assert report.problems[0].migration_id == "MIG-001"


def test_a_total_row_under_the_table_fails_the_ods_check(tmp_path):
    def change(s):
        s["Practices"].append(["Total", None, None, None, None, None, None, None, None, None, None, 5000])

    messages = lines(tmp_path, change)
    assert messages[0] == (
        "error: Practices!A3 (ODS code): 'Total' is not an ODS code. Enter the practice's ODS code: one letter and "
        "five digits, such as A81001."
    )
    assert all(m.startswith("error: Practices!") and "3 (" in m for m in messages)


def test_problems_come_in_sheet_then_row_then_column_order(tmp_path):
    change = setter(
        ("Costs", 2, "Amount (£)", "x"),
        ("Migrations", 2, "Status", "x"),
        ("Migrations", 2, "Order date", "x"),
        ("ICBs", 2, "Sender email", "x"),
    )
    assert [p.cell for p in check(tmp_path, change).problems] == [
        "ICBs!F2",
        "Migrations!K2",
        "Migrations!T2",
        "Costs!D2",
    ]


def test_load_batch_raises_with_every_error(tmp_path):
    path = wb.make(tmp_path, setter(("Migrations", 2, "Provisional go-live date", "31/02/2026")))
    with pytest.raises(ValidationFailed) as err:
        load_batch(path)
    assert str(err.value) == (
        "The workbook has 1 error(s); nothing was written. Fix them and run again:\n"
        "  Migrations!L2 (Provisional go-live date): '31/02/2026' is not a date. Enter a date such as 15/06/2026."
    )


def test_load_batch_returns_the_typed_records(tmp_path):
    from docgen import load_batch as package_load_batch

    batch = package_load_batch(wb.make(tmp_path))
    assert batch.practice(batch.migrations[0]).name == "Test Surgery"
    assert batch.icb(batch.migrations[0]).sender_name == "Ann Sender"
    assert batch.costs_for(batch.migrations[0])[0].amount == Decimal("1250.50")


def test_a_value_repeated_on_many_rows_is_checked_on_each(tmp_path):
    # Values are typed once per column and remembered; every row still gets its own problem.
    def change(s):
        for row in (3, 4):
            copy_row("Contacts", 2, row, Name=f"Person {row}")(s)
            copy_row("Costs", 2, row)(s)
        for row in (2, 3, 4):
            wb.put(s, "Contacts", row, "Email", "pat at nhs.net")
            wb.put(s, "Costs", row, "Category", "Trainign")

    problems = check(tmp_path, change).problems
    assert [(p.sheet, p.cell, p.migration_id) for p in problems] == [
        ("Contacts", "Contacts!E2", None),
        ("Contacts", "Contacts!E3", None),
        ("Contacts", "Contacts!E4", None),
        ("Costs", "Costs!B2", "MIG-001"),
        ("Costs", "Costs!B3", "MIG-001"),
        ("Costs", "Costs!B4", "MIG-001"),
    ]
    assert len({p.message for p in problems if p.sheet == "Costs"}) == 1
