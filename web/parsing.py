"""Request parsing that keeps JSON numbers exact."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import flask
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request


class DecimalJSONParser(FlaskParser):
    """Parse JSON floats as Decimal so 0.1 stays 0.1; malformed JSON is a 400."""

    def load_json(self, req: flask.Request, schema: Schema) -> Any:
        if not is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        try:
            return json.loads(data.decode("utf-8"), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError):
            abort(400, message="The request body is not valid UTF-8 JSON.")
            raise  # pragma: no cover - abort raises
