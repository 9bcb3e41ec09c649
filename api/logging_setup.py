"""Log configuration: every line carries the request id (`X-Request-Id`), and nothing sensitive at INFO.

The gateway logs what happened (route, status, timings, component names), never request bodies, prompts or keys;
uvicorn's access log shows the path only, and keys travel in headers, which are not logged.
"""

from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"
ACCESS_FORMAT = (
    '%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(client_addr)s - "%(request_line)s" %(status_code)s'
)


def log_config(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` (also uvicorn's `log_config`) with the request-id filter on every handler."""
    request_id = {"()": "asgi_correlation_id.CorrelationIdFilter", "uuid_length": 32, "default_value": "-"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": request_id},
        "formatters": {
            "default": {"format": LOG_FORMAT},
            "access": {"()": "uvicorn.logging.AccessFormatter", "fmt": ACCESS_FORMAT, "use_colors": False},
        },
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"]},
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["request_id"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["access"], "level": level.upper(), "propagate": False},
        },
        "root": {"handlers": ["default"], "level": level.upper()},
    }
