"""The forms that change something: form in, one application call, back to the page."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, request, url_for

from web.context import actor, reviews, service
from web.target_api import self_evaluation
from web.ui import errors, forms, pages
from web.ui.blueprint import bp
from web.ui.uploads import citing

EVALUATION = pages.EVALUATION


def back(endpoint: str, notice: str, anchor: str | None = None, **values: Any) -> Response:
    """Post/redirect/get: a reload never sends the form twice. Notices are fixed texts."""
    target = url_for(endpoint, notice=notice, **values)
    return redirect(target + (f"#{anchor}" if anchor else ""), code=303)  # type: ignore[return-value]


@bp.route(EVALUATION + "/indicators/<code>/deductions", methods=["POST"])
def record_deduction(evaluation_id: Any, code: str) -> Response:
    schema = forms.DeductionForm()
    form = forms.load(forms.DeductionForm, request.form)
    citing(
        str(evaluation_id),
        schema.evidence(form),
        lambda cited: service().record_deduction(
            str(evaluation_id), code, **form, evidence=cited, by=actor()
        ),
    )
    return back("ui.indicator", "deducted", "timeline", evaluation_id=evaluation_id, code=code)


@bp.route(EVALUATION + "/indicators/<code>/target-values", methods=["POST"])
def record_target_value(evaluation_id: Any, code: str) -> Response:
    schema = forms.TargetValueForm()
    form = forms.load(forms.TargetValueForm, request.form)
    citing(
        str(evaluation_id),
        schema.evidence(form) or [],
        lambda cited: self_evaluation().record_target_value(
            str(evaluation_id), code, **form, evidence=cited or [], by=actor()
        ),
    )
    return back("ui.indicator", "target", "timeline", evaluation_id=evaluation_id, code=code)


@bp.route(EVALUATION + "/deductions/<deduction_id>/withdrawal", methods=["POST"])
def withdraw_deduction(evaluation_id: Any, deduction_id: str) -> Response:
    form = forms.load(forms.WithdrawalForm, request.form)
    code = form.pop("indicator")  # the page the button sits on, to go back to
    service().withdraw_deduction(str(evaluation_id), deduction_id, **form, by=actor())
    if not code:
        return back("ui.sheet", "withdrawn", "sheet", evaluation_id=evaluation_id)
    return back("ui.indicator", "withdrawn", "timeline", evaluation_id=evaluation_id, code=code)


@bp.route(EVALUATION + "/sign-offs", methods=["POST"])
def sign_off(evaluation_id: Any) -> Response:
    form = forms.load(forms.SignOffForm, request.form)
    self_evaluation().sign_off(str(evaluation_id), **form, by=actor())
    return back("ui.sheet", "signed", "sign-offs", evaluation_id=evaluation_id)


@bp.route(EVALUATION + "/disputes", methods=["POST"])
def raise_dispute(evaluation_id: Any) -> Response:
    schema = forms.DisputeForm()
    form = forms.load(forms.DisputeForm, request.form)
    if form.get("deduction_id"):
        form.pop("indicator", None)  # a deduction names its indicator itself
    dispute = citing(
        str(evaluation_id),
        schema.evidence(form),
        lambda cited: reviews().raise_dispute(
            str(evaluation_id), **form, evidence=cited, by=actor()
        ),
    )
    code = dispute["indicator"]
    return back("ui.indicator", "disputed", "disputes", evaluation_id=evaluation_id, code=code)


@bp.route(EVALUATION + "/disputes/<dispute_id>/decision", methods=["POST"])
def decide_dispute(evaluation_id: Any, dispute_id: str) -> Response:
    form = forms.load(forms.DecisionForm, request.form)
    reviews().decide_dispute(str(evaluation_id), dispute_id, **form, by=actor())
    return back("ui.disputes", "decided", status="decided")


@bp.route(EVALUATION + "/indicators/<code>/notes", methods=["POST"])
def add_note(evaluation_id: Any, code: str) -> Response:
    form = forms.load(forms.NoteForm, request.form)
    reviews().add_note(str(evaluation_id), code, **form, by=actor())
    return back("ui.indicator", "noted", "note", evaluation_id=evaluation_id, code=code)


@bp.route(EVALUATION + "/submission", methods=["POST"])
def submit(evaluation_id: Any) -> Response:
    service().submit(str(evaluation_id), by=actor())
    return back("ui.sheet", "submitted", evaluation_id=evaluation_id)


@bp.route(EVALUATION + "/finalization", methods=["POST"])
def finalize(evaluation_id: Any) -> Response:
    service().finalize(str(evaluation_id), by=actor())
    return back("ui.sheet", "finalized", evaluation_id=evaluation_id)


@bp.route(EVALUATION + "/reopening", methods=["POST"])
def reopen(evaluation_id: Any) -> Response:
    form = forms.load(forms.ReasonForm, request.form)
    service().reopen(str(evaluation_id), **form, by=actor())
    return back("ui.sheet", "reopened", evaluation_id=evaluation_id)


def _on_indicator(form: str) -> errors.Origin:
    def render(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
        code = args.get("code") or request.form.get("indicator", "")
        return pages.indicator_page(str(args["evaluation_id"]), code, status, error)

    return render


def _on_sheet(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
    return pages.sheet_page(str(args["evaluation_id"]), status, error)


def _on_queue(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
    return pages.queue_page(status, error)


def _dispute_origin(args: dict[str, Any], error: dict[str, Any], status: int) -> Response:
    if request.form.get("indicator"):
        return _on_indicator("dispute")(args, error, status)
    return _on_sheet(args, error, status)


# A refused form is shown again on its page, with the reason beside it (nothing recorded).
errors.ORIGINS.update(
    {
        "ui.record_deduction": ("deduct", _on_indicator("deduct")),
        "ui.raise_dispute": ("dispute", _dispute_origin),
        "ui.decide_dispute": ("decide", _on_queue),
        "ui.add_note": ("note", _on_indicator("note")),
        "ui.record_target_value": ("target", _on_indicator("target")),
        "ui.withdraw_deduction": ("withdraw", _on_indicator("withdraw")),
        "ui.sign_off": ("sign", _on_sheet),
        "ui.submit": ("transition", _on_sheet),
        "ui.finalize": ("transition", _on_sheet),
        "ui.reopen": ("transition", _on_sheet),
    }
)
