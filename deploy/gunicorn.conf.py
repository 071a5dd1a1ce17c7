"""gunicorn settings for the production profile (deploy/Procfile, docs/deploy.md)."""

import os

timeout = 60
graceful_timeout = 20
accesslog = None  # requests are counted in /metrics and logged by Django on errors

# gunicorn's own lines as JSON too (LOG_FORMAT=text keeps its default format)
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level"},
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json"}
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["console"],
                "level": "INFO",
                "propagate": False,
            }
        },
    }


def child_exit(server, worker):
    """A worker that exits leaves no stale live gauges in the shared metrics dir."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
