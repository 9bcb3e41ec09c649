"""JSON bodies serialized once: a response model straight to bytes by pydantic-core, not dumped to a dict and then
encoded again by `JSONResponse`."""

from collections.abc import Mapping

from fastapi.responses import Response
from pydantic import BaseModel


def model_json(model: BaseModel, *, headers: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    """`model` as an `application/json` response, its fields as `model_dump` would give them."""
    return Response(model.model_dump_json(), status_code=status_code, headers=headers, media_type="application/json")
