"""MkDocs hooks: the navigation of the generated catalog pages, by family (the atlas's order).

The pages themselves are written by gen_pages.py; this only lists them in the sidebar, and
adds the repository's ARCHITECTURE.md and CONTRIBUTING.md when they exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

ROOT = Path(__file__).resolve().parents[2]


def on_config(config: Any) -> Any:
    import actloss as al
    from actloss.atlas.data import grouped

    catalog: list[Any] = [{"Overview": "functions/index.md"}]
    for kind, title in (("activation", "Activations"), ("loss", "Losses")):
        families = [
            {family.title: [{fn.name: f"functions/{fn.name}.md"} for fn in members]}
            for family, members in grouped(al.catalog())
            if family.kind == kind
        ]
        catalog.append({title: families})
    nav = []
    for item in config["nav"]:
        if isinstance(item, dict) and "Catalog" in item:
            nav.append({"Catalog": catalog})
        elif isinstance(item, dict) and "Project" in item:
            extra = [
                {title: page}
                for title, source, page in (
                    ("Architecture", "ARCHITECTURE.md", "architecture.md"),
                    ("Contributing", "CONTRIBUTING.md", "contributing.md"),
                )
                if (ROOT / source).exists()
            ]
            nav.append({"Project": [*item["Project"], *extra]})
        else:
            nav.append(item)
    config["nav"] = _with_unlisted_guides(nav, Path(config["docs_dir"]))
    _add_doctest_extension(config)
    return config


def _listed(item: Any) -> list[str]:
    if isinstance(item, str):
        return [item]
    if isinstance(item, dict):
        return [p for value in item.values() for p in _listed(value)]
    if isinstance(item, list):
        return [p for value in item for p in _listed(value)]
    return []


def _with_unlisted_guides(nav: list[Any], docs: Path) -> list[Any]:
    """Markdown pages of docs/ that the navigation does not name (a guide added without
    editing mkdocs.yml) go to the end of "Guides", titled by their first heading."""
    listed = set(_listed(nav))
    extra = []
    for page in sorted(docs.glob("*.md")):
        if page.name not in listed:
            heading = next(
                (
                    ln[2:].strip()
                    for ln in page.read_text(encoding="utf-8").splitlines()
                    if ln.startswith("# ")
                ),
                page.stem,
            )
            extra.append({heading.replace("`", ""): page.name})
    if not extra:
        return nav
    for item in nav:
        if isinstance(item, dict) and "Guides" in item:
            item["Guides"] = [*(item["Guides"] or []), *extra]
            return nav
    return [nav[0], {"Guides": extra}, *nav[1:]]


class _DoctestFences(Preprocessor):
    """Docstrings show examples as doctests (``>>>`` lines and their output); Markdown would
    read them as nested quotes. Fence each such block as ``pycon`` code."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        in_block = False
        for line in lines:
            stripped = line.lstrip()
            if stripped.startswith(">>>") and not in_block:
                indent = line[: len(line) - len(stripped)]
                out += ([""] if out and out[-1].strip() else []) + [f"{indent}```pycon"]
                in_block = True
            elif in_block and not stripped:
                out.append(f"{indent}```")
                in_block = False
            out.append(line)
        if in_block:
            out.append(f"{indent}```")
        return out


class DoctestExtension(Extension):
    def extendMarkdown(self, md: Any) -> None:
        md.preprocessors.register(_DoctestFences(md), "actloss_doctest", 40)


def _add_doctest_extension(config: Any) -> None:
    extensions = config["markdown_extensions"]
    if not any(isinstance(e, DoctestExtension) for e in extensions):
        extensions.append(DoctestExtension())
