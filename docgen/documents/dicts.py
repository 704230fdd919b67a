"""Each record as the plain dict a template reads (see :func:`docgen.documents.context.build_context`).

Plain ``str``, ``int``, ``bool``, ``Decimal``, dates and lists of them, every key always
present: so contexts pickle cheaply to worker processes and ``StrictUndefined`` never
meets a missing key.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import lru_cache

from docgen.documents.catalogue import find_document
from docgen.plan.milestones import Milestone
from docgen.records import Contact, Cost, Icb, Practice, Settings, Supplier


def document_dict(key: str | None) -> dict:
    """The ``document`` entry: key, title and file stem ("" each when no document is given)."""
    if key is None:
        return {"key": "", "title": "", "stem": ""}
    d = find_document(key)
    return {"key": d.key, "title": d.title, "stem": d.stem}


def milestone_dict(m: Milestone) -> dict:
    """One row of the ``milestones`` table, with "Planned" or "Proposed" for its status."""
    return {
        "key": m.key,
        "label": m.label,
        "start": m.start,
        "end": m.end,
        "owner": m.owner,
        "given": m.given,
        "status": "Planned" if m.given else "Proposed",
    }


def icb_dict(icb: Icb) -> dict:
    """The ``icb`` entry: the letter's sender, with the address as lines and joined."""
    return {
        "code": icb.code,
        "name": icb.name,
        "address_lines": list(icb.address),
        "address": "\n".join(icb.address),
        "sender_name": icb.sender_name,
        "sender_title": icb.sender_title,
        "sender_email": icb.sender_email,
        "sender_phone": icb.sender_phone,
    }


def practice_dict(practice: Practice, icb: Icb) -> dict:
    """The ``practice`` entry: filled address lines only, and its ICB's name."""
    full = [line for line in practice.full_address if line]
    return {
        "name": practice.name,
        "ods_code": practice.ods_code,
        "address_lines": [line for line in practice.address if line],
        "town": practice.town,
        "postcode": practice.postcode,
        "full_address_lines": full,
        "address": "\n".join(full),
        "phone": practice.phone,
        "email": practice.email,
        "icb_code": practice.icb_code,
        "icb_name": icb.name,
        "sub_icb_code": practice.sub_icb_code,
        "list_size": practice.list_size,
    }


def supplier_dict(supplier: Supplier | None, name: str, product: str) -> dict:
    """A ``supplier_*`` entry: the Suppliers row, or blanks when the supplier is not listed."""
    s = supplier or Supplier(name, product)
    return {
        "name": name,
        "product": product,
        "extract_contact_name": s.extract_contact_name,
        "extract_contact_email": s.extract_contact_email,
        "address_lines": list(s.address),
        "address": "\n".join(s.address),
        "notice_days": s.notice_days,
    }


def cost_dict(cost: Cost) -> dict:
    """One row of the ``costs`` table."""
    return {
        "category": cost.category,
        "description": cost.description,
        "recurrence": cost.recurrence,
        "amount": Decimal(cost.amount),
        "funding_source": cost.funding_source,
    }


def contact_dict(contact: Contact, practice: Practice, icb: Icb) -> dict:
    """One person, the organisation named as the letter would (practice and ICB codes become names)."""
    code = contact.organisation.strip()
    names = {practice.ods_code.casefold(): practice.name, icb.code.casefold(): icb.name}
    return {
        "role": contact.role,
        "name": contact.name,
        "job_title": contact.job_title,
        "organisation": names.get(code.casefold(), code),
        "organisation_code": code,
        "email": contact.email,
        "phone": contact.phone,
        "invitee": contact.invitee,
    }


_NOBODY = {
    "role": "",
    "name": "",
    "job_title": "",
    "organisation": "",
    "organisation_code": "",
    "email": "",
    "phone": "",
    "invitee": False,
}


def first_role(contacts: list[dict], practice: Practice, role: str) -> dict:
    """The practice's first contact in ``role`` (a copy), or one with every value blank."""
    for c in contacts:
        if (
            c["role"].casefold() == role.casefold()
            and c["organisation_code"].casefold() == practice.ods_code.casefold()
        ):
            return dict(c)
    return dict(_NOBODY)


@lru_cache(maxsize=1024)
def settings_dict(settings: Settings) -> dict:
    """Every Settings value (shared: callers copy it before handing it to a template)."""
    return dataclasses.asdict(settings)


@lru_cache(maxsize=8)
def migration_fields(cls: type) -> tuple[str, ...]:
    """The Migrations columns, asked of dataclasses once (it walks the class each call)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "row")
