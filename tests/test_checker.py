"""Typing each sheet's rows: the outcome of a value seen before is remembered, never confused."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from docgen.workbook import schema
from docgen.workbook.checker import Checker
from docgen.workbook.tables import RawRow, Table


def test_equal_amounts_of_either_sign_are_not_confused():
    # 0.0 == -0.0, but they are different amounts: the remembered outcome must not mix them.
    spec = schema.sheet("Costs")
    letters = {c.key: get_column_letter(i) for i, c in enumerate(spec.columns, start=1)}
    line = {"migration_id": "MIG-001", "category": "Training", "description": "Staff", "recurrence": "One-off"}
    amounts = (0.0, -0.0, 12.5, 12.5, 3, True)
    table = Table(
        spec, "Costs", 1, letters, [RawRow("Costs", n, {**line, "amount": a}) for n, a in enumerate(amounts, 2)]
    )
    check = Checker({"Costs": table})
    typed = [r.values["amount"] for r in check.rows("Costs")]
    assert [str(a) for a in typed] == ["0.00", "-0.00", "12.50", "12.50", "3.00", "None"]
    assert [p.cell for p in check.problems] == ["Costs!D7"]
