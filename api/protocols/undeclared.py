"""Refusing, by name, the fields a protocol has that the gateway does not take: never dropped in silence."""

from pydantic import BaseModel

from api.errors import OpenAIError


def refused(param: str, message: str) -> OpenAIError:
    """The 400 for one field the gateway cannot honour."""
    return OpenAIError(400, f"{param}: {message}", param=param, code="unsupported_parameter")


def refuse_undeclared(model: BaseModel, where: str) -> None:
    """A field the request model keeps as extra (the protocol has it, the gateway does not take it) is a 400
    naming it; a null asks for nothing (SDKs send back `citations: null` on the blocks they received)."""
    for name, value in (model.model_extra or {}).items():
        if value is not None:
            raise refused(f"{where}{name}", "not supported by this gateway")
