"""The OpenAPI document made browsable at /api/v1/docs with a pip-installed Swagger UI."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("apidocs", __name__, url_prefix="/api/v1", template_folder="templates")
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})
# Swagger UI sets styles from script (allowed) and draws icons from data: URIs.
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"


@bp.route("/docs", methods=["GET"])
def swagger_ui() -> Response:
    html = render_template("ui/apidocs.html", spec_url=url_for("api-docs.openapi_json"))
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    return response


@bp.route("/docs/assets/<name>", methods=["GET"])
def swagger_asset(name: str) -> Response:
    if name not in ASSETS:
        return Response("not found", status=404, mimetype="text/plain")
    response = send_from_directory(swagger_ui_path, name, max_age=86400)
    response.headers["Content-Security-Policy"] = CSP
    return response
