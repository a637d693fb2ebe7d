"""Every setting is documented in the README's settings table, with its default."""

from __future__ import annotations

import re
from pathlib import Path

from web.settings import DEFAULTS

README = Path(__file__).resolve().parents[2] / "README.md"


def documented() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    rows = re.findall(r"^\| `(SCORETRAIL_[A-Z_]+)` \| `([^`]*)` \|", table, flags=re.M)
    return dict(rows)


def test_every_setting_is_in_the_readme_table_with_its_default() -> None:
    table = documented()

    assert set(DEFAULTS) <= set(table)
    assert {key: str(value) for key, value in DEFAULTS.items()} == {
        key: table[key] for key in DEFAULTS
    }
