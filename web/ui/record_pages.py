"""The evaluator's pages: open an evaluation, import a sheet with a preview, record figures.

Each form is one application call (an uploaded evidence file rides along in the same unit of
work, `EvidenceFiles.citing`), under the same permission table as the API.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Response, request

from application.evidence import INLINE_MEDIA_TYPES
from application.sheets import Download
from web.context import actor, service, sheets
from web.sheets import download
from web.ui import errors, forms, labels, pages
from web.ui.actions import back
from web.ui.blueprint import bp
from web.ui.forms import FormInvalid
from web.ui.uploads import citing, files, uploaded

EVALUATION = pages.EVALUATION


# ------------------------------------------------------------------ opening
@bp.route("/evaluations/new", methods=["GET"])
def new_evaluation(form_error: pages.FormError | None = None, status: int = 200) -> Response:
    return pages.page("new.html", status, kinds=labels.KIND_CHOICES, form_error=form_error)


@bp.route("/evaluations/new", methods=["POST"])
def open_evaluation() -> Response:
    form = forms.load(forms.NewEvaluationForm, request.form)
    opened = service().create_evaluation(**form, by=actor())
    return back("ui.sheet", "opened", evaluation_id=opened.id)


# ------------------------------------------------------------------ importing
def import_page(
    preview: dict[str, Any] | None = None,
    carried: dict[str, str] | None = None,
    form_error: pages.FormError | None = None,
    status: int = 200,
) -> Response:
    return pages.page(
        "import.html",
        status,
        preview=preview,
        carried=carried,
        kinds=labels.KIND_CHOICES,
        form_error=form_error,
    )


@bp.route("/evaluations/import", methods=["GET"])
def import_form() -> Response:
    return import_page()


@bp.route("/evaluations/import", methods=["POST"])
def import_sheet() -> Response:
    """First the preview (nothing recorded); the preview's confirmation records it."""
    form = forms.load(forms.ImportForm, request.form)
    confirmed, carried = form.pop("confirm"), form.pop("content")
    name, content = sheet_in(carried, form.pop("filename"))
    result = sheets().import_sheet(content, name, form, by=actor(), dry_run=not confirmed)
    if confirmed:
        return back("ui.sheet", "imported", evaluation_id=result["id"])
    keep = {"filename": name, "content": base64.b64encode(content).decode("ascii")}
    keep.update({k: str(v) for k, v in form.items()})
    return import_page(preview=result, carried=keep)


def sheet_in(carried: str | None, filename: str | None) -> tuple[str, bytes]:
    """The uploaded sheet, or on confirmation the one the preview carried."""
    file = uploaded()
    if file is not None:
        return file.name, file.content
    if carried:
        try:
            return filename or "sheet.xlsx", base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            pass
    raise FormInvalid({"file": ["请选择要导入的评分表文件。"]})


# ------------------------------------------------------------------ recording
@bp.route(EVALUATION + "/data-entries", methods=["POST"])
def record_data_entry(evaluation_id: Any) -> Response:
    schema = forms.DataEntryForm()
    form = forms.load(forms.DataEntryForm, request.form)
    evidence = schema.evidence(form)
    citing(
        str(evaluation_id),
        evidence,
        lambda cited: service().record_data_entry(
            str(evaluation_id), **form, evidence=cited, by=actor()
        ),
    )
    return back("ui.sheet", "entered", "data", evaluation_id=evaluation_id)


@bp.route(EVALUATION + "/indicators/<code>/checklist", methods=["POST"])
def assess_checklist(evaluation_id: Any, code: str) -> Response:
    form = forms.load(forms.ChecklistForm, request.form)
    form["met"] = forms.marks(request.form.getlist("met"))
    service().assess_checklist(str(evaluation_id), code, **form, by=actor())
    return back("ui.indicator", "assessed", "why", evaluation_id=evaluation_id, code=code)


@bp.route(EVALUATION + "/indicators/<code>/score", methods=["POST"])
def record_score(evaluation_id: Any, code: str) -> Response:
    schema = forms.ScoreForm()
    form = forms.load(forms.ScoreForm, request.form)
    evidence = schema.evidence(form)
    citing(
        str(evaluation_id),
        evidence,
        lambda cited: service().record_score(
            str(evaluation_id), code, **form, evidence=cited, by=actor()
        ),
    )
    return back("ui.indicator", "scored", "why", evaluation_id=evaluation_id, code=code)


# ------------------------------------------------------------------ evidence
@bp.route(EVALUATION + "/evidence/<evidence_id>", methods=["GET"])
def evidence_file(evaluation_id: Any, evidence_id: str) -> Response:
    """The file's bytes, re-hashed first: shown in the browser when that is safe (PDF and
    images), otherwise offered as a download."""
    found, content = files().download(str(evaluation_id), evidence_id)
    inline = found["media_type"] in INLINE_MEDIA_TYPES
    response = download(
        Download(content, found["media_type"], found["name"], f"evidence-{found['id']}", inline)
    )
    response.headers["X-Content-SHA256"] = found["sha256"]
    # Nothing in the file runs or loads anything (a PDF keeps its viewer).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
    )
    return response


def _on_new(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
    return new_evaluation(error, status)


def _on_import(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
    return import_page(form_error=error, status=status)


def _on_sheet(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
    return pages.sheet_page(str(args["evaluation_id"]), status, error)


def _on_indicator(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
    return pages.indicator_page(str(args["evaluation_id"]), str(args["code"]), status, error)


errors.ORIGINS.update(
    {
        "ui.open_evaluation": ("new", _on_new),
        "ui.import_sheet": ("import", _on_import),
        "ui.record_data_entry": ("data", _on_sheet),
        "ui.assess_checklist": ("checklist", _on_indicator),
        "ui.record_score": ("score", _on_indicator),
    }
)
