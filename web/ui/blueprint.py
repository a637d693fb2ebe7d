"""The `ui` blueprint: templates and static files ship inside the package."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "ui",
    __name__,
    url_prefix="/ui",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
