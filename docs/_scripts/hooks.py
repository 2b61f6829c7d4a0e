"""MkDocs hooks: the navigation of the generated catalog pages, by family (the atlas's order).

The pages themselves are written by gen_pages.py; this only lists them in the sidebar, and
adds the repository's ARCHITECTURE.md and CONTRIBUTING.md when they exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    config["nav"] = nav
    return config
