"""The shared jinja environment: every value printed escaped once, as WordprocessingML text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from markupsafe import Markup

from docgen.formats.docx.environment import make_environment


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("Marsh & Co <Main> \"Tŷ\" 'Gwyn'", "Marsh &amp; Co &lt;Main&gt; &#34;Tŷ&#34; &#39;Gwyn&#39;"),
        ("Plain text", "Plain text"),
        (Markup("<w:br/>"), "<w:br/>"),
        (Markup("kept\nas it is\x00"), "kept\nas it is"),
        (None, ""),
        (6250, "6250"),
        (Decimal("1.50"), "1.50"),
        (dt.date(2026, 3, 31), "2026-03-31"),
        ("two\r\nlines & more", 'two</w:t><w:br/><w:t xml:space="preserve">lines &amp; more'),
        ("bad\x00\x0bchars\ufffe", "badchars"),
    ],
)
def test_every_kind_of_value_is_printed_escaped_once(value, printed):
    # The engine's code generator leaves jinja's escape() out and finalize escapes: the
    # same text as escape(finalize(value)) gave, with autoescape on or switched off.
    env = make_environment()
    assert env.from_string("{{ v }}").render(v=value) == printed
    assert env.from_string("{% autoescape false %}{{ v }}{% endautoescape %}").render(v=value) == printed


def test_a_field_is_a_key_of_its_dict_but_a_dict_method_still_wins():
    env = make_environment()
    d = {"name": "Marsh", "keys": "shadowed", "items": "also shadowed"}
    template = env.from_string("{{ d.name }} {{ d['keys'] }} {{ d.keys()|sort|join(',') }} {{ d.items is callable }}")
    assert template.render(d=d) == "Marsh shadowed items,keys,name True"
