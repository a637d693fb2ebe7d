"""Indicator codes: one spelling per code, and only characters that survive URLs and sheets."""

from __future__ import annotations

import unicodedata


def normal_code(raw: object) -> str:
    """The code in NFKC form, trimmed: full-width digits and decomposed accents become one
    spelling, so look-alikes cannot define distinct indicators."""
    return unicodedata.normalize("NFKC", str(raw)).strip()


def code_problem(code: str) -> str | None:
    """Why a (normalised) code cannot be used, or None.

    Format characters (zero-width spaces, joiners, direction marks) and controls make codes
    that look alike but differ; `/` and `..` make codes no URL path can reach.
    """
    for char in code:
        category = unicodedata.category(char)
        if category in ("Cf", "Cc", "Cs", "Co", "Cn"):
            return f"code must not contain the invisible character U+{ord(char):04X}"
        if category.startswith("Z") and char != " ":
            return f"code must not contain the space character U+{ord(char):04X}"
    if "/" in code or "\\" in code:
        return "code must not contain / or \\"
    if ".." in code:
        return "code must not contain .."
    return None
