"""The dashboard's SVG charts (docgen.formats.svg_charts): safe to inline under a strict
CSP, readable without the bars, escaped, and the same bytes for the same series."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree

from docgen.formats.svg_charts import MAX_LABEL, NHS_BLUE, RAG_COLOURS, bar_chart

SVG = "{http://www.w3.org/2000/svg}"
SERIES = (("Planning", 15), ("Ordered", 2), ("Live", 0), ("Big", 12345))


def parse(svg: str):
    return ElementTree.fromstring(svg)


def texts(root) -> list[str]:
    """What each <text> element shows, as a reader sees it (a <title> tooltip aside)."""
    return ["".join([t.text or ""] + [child.tail or "" for child in t]) for t in root.iter(f"{SVG}text")]


def test_every_label_and_count_is_written_as_text():
    root = parse(bar_chart("Migrations by status", SERIES))
    shown = texts(root)
    assert shown[0] == "Migrations by status"
    for label, _ in SERIES:
        assert label in shown
    assert {"15", "2", "0", "12,345"} <= set(shown)  # counts beside the bars, zero too
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 3  # no bar for the zero


def test_accessible_name_and_description():
    root = parse(bar_chart("Go-lives per month", (("Mar 2027", 3), ("Apr 2027", 0))))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Go-lives per month"
    assert desc.text == "Mar 2027: 3; Apr 2027: 0"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_nothing_a_strict_csp_would_block():
    svg = bar_chart("RAG", (("Red", 1), ("Amber", 2), ("Green", 3)), colours=RAG_COLOURS)
    for element in parse(svg).iter():
        assert not element.tag.endswith(("script", "foreignObject", "style"))
        for name in element.attrib:
            assert name != "style" and not name.casefold().startswith("on"), (element.tag, name)
    assert "javascript:" not in svg and "href" not in svg


def test_rag_colours_and_nhs_blue():
    root = parse(bar_chart("RAG", (("Red", 1), ("Amber", 2), ("Green", 3), ("Other", 1)), colours=RAG_COLOURS))
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    assert fills == ["#d5281b", "#ffb81c", "#007f3b", NHS_BLUE]


def test_workbook_text_is_escaped():
    name = "A&B <Systems> \"Ltd\" \u2192 'S1'"
    svg = bar_chart('Moves & "more" <by> supplier', ((name, 2),))
    assert "<Systems>" not in svg and "A&B" not in svg and "&amp;" in svg
    root = parse(svg)
    assert name in texts(root)
    assert root.find(f"{SVG}title").text == 'Moves & "more" <by> supplier'
    assert name in root.find(f"{SVG}desc").text


def test_control_characters_cannot_break_the_xml():
    root = parse(bar_chart("Status\x0b", (("Plan\x00ning\x1f", 1),)))
    assert "Planning" in texts(root)


def test_long_label_cut_with_an_ellipsis_and_kept_whole_in_its_title():
    long = "Cegedim Healthcare Solutions Vision 3 " * 3
    root = parse(bar_chart("Moves", ((long, 4), ("Short", 1))))
    label = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    assert label.find(f"{SVG}title").text == long.strip()
    shown = texts(root)
    cut = next(s for s in shown if s.endswith("\u2026"))
    assert len(cut) <= MAX_LABEL and long.startswith(cut[:-1])
    assert int(root.get("width")) < 900  # the width follows the cut label, not the whole one


def test_empty_series_says_no_migrations():
    root = parse(bar_chart("Moves by system", ()))
    assert "No migrations" in texts(root)
    assert root.find(f"{SVG}desc").text == "No migrations"
    assert root.find(f"{SVG}rect") is None


def test_all_zero_series_draws_no_bars_but_every_count():
    root = parse(bar_chart("RAG", (("Red", 0), ("Amber", 0), ("Green", 0))))
    assert root.find(f".//{SVG}rect") is None
    assert texts(root).count("0") == 3


def test_same_series_same_bytes():
    assert bar_chart("Status", SERIES) == bar_chart("Status", list(SERIES))


def test_ids_differ_by_chart():
    first, second = parse(bar_chart("Status", SERIES)), parse(bar_chart("Status", SERIES, chart_id="other"))
    assert first.find(f"{SVG}title").get("id") != second.find(f"{SVG}title").get("id")
    assert parse(bar_chart("2027 <go-lives>", SERIES)).find(f"{SVG}title").get("id")[0].isalpha()


@pytest.mark.parametrize("colour", ["red", '#fff" onload="alert(1)', "url(#x)"])
def test_a_colour_that_is_not_hex_is_refused(colour):
    with pytest.raises(ValueError, match="colour"):
        bar_chart("RAG", (("Red", 1),), colours={"Red": colour})


@pytest.mark.parametrize("count", [-1, 1.5, True, "3"])
def test_a_count_that_is_not_a_whole_number_is_refused(count):
    with pytest.raises(ValueError, match="whole number"):
        bar_chart("Status", (("Planning", count),))
