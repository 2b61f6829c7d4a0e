"""Catalog text reaches the terminal as written (issue 13, item 20): rich read "[-1, 1]" and
"[min_val, max_val]" as markup tags and dropped them (hard_tanh's range printed empty and its
summary as "Clip to : ..."; notes of rrelu and cosface lost text)."""

from __future__ import annotations

import actloss as al
from actloss.cli.listing import range_text


def _texts(fn: al.Function) -> list[str]:
    info = fn.info
    return [
        info.summary,
        range_text(info),
        *info.pros,
        *info.cons,
        *info.conventions,
        *info.notes,
        *info.references,
    ]


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


def test_show_takes_several_parameters_and_says_so(cli) -> None:
    # Issue 13, item 21: --help said --param repeats (to compare values), show rejected it.
    import typer

    from actloss.cli import app

    show = typer.main.get_command(app).commands["show"]  # type: ignore[attr-defined]
    (option,) = [p for p in show.params if p.name == "param"]
    assert "repeat for other parameters, one value each" in option.help
    out = cli("show", "rrelu", "--param", "lower=0.1", "--param", "upper=0.2", "--json").stdout
    assert '"lower": 0.1' in out and '"upper": 0.2' in out
    err = cli("show", "elu", "--param", "alpha=0.5", "--param", "alpha=1", code=2).stderr
    assert "alpha got several" in err and "actloss plot elu" in err


def test_without_the_cli_extra_the_command_names_it() -> None:
    # Issue 13, item 22: a raw "ModuleNotFoundError: typer" traceback.
    import subprocess
    import sys

    for missing in ("typer", "rich"):
        code = f"import sys; sys.modules[{missing!r}] = None; from actloss.cli import main; main()"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "pip install 'actloss[cli]'" in done.stderr
        assert missing in done.stderr and "Traceback" not in done.stderr
