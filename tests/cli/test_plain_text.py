"""Catalog text reaches the terminal as written (issue 13, item 20): rich read "[-1, 1]" and
"[min_val, max_val]" as markup tags and dropped them (hard_tanh's range printed empty and its
summary as "Clip to : ..."; notes of rrelu and cosface lost text)."""

from __future__ import annotations

import actloss as al
from actloss.cli.listing import range_text


def _texts(fn: al.Function) -> list[str]:
    info = fn.info
    return [info.summary, range_text(info), *info.pros, *info.cons, *info.conventions,
            *info.notes, *info.references]  # fmt: skip


BRACKETED = [fn.name for fn in al.catalog() if any("[" in t for t in _texts(fn))]


def test_the_entries_of_the_issue_have_bracketed_text() -> None:
    assert {"hard_tanh", "rrelu", "cosface"} <= set(BRACKETED)


def test_show_prints_bracketed_catalog_text(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "5000")  # no wrapping: each text is on one line
    for name in BRACKETED:
        out = cli("show", name, "--no-plot", "--at", "0.5").stdout
        for text in _texts(al.get(name)):
            if text:
                assert " ".join(text.split()) in out, (name, text)


def test_list_prints_ranges_with_brackets(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "5000")
    out = cli("list").stdout
    for fn in al.catalog():
        if "[" in range_text(fn.info):
            assert range_text(fn.info) in out, fn.name
