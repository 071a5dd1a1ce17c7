"""gunicorn settings for the production profile (deploy/Procfile, docs/deploy.md)."""

import os

timeout = 60
graceful_timeout = 20
accesslog = None  # requests are counted in /metrics and logged by Django on errors
# The workers' heartbeat files in memory, not on a (container's overlay) disk; gunicorn
# makes them with mkstemp (own name, mode 0600).
SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(SHM):
    worker_tmp_dir = SHM
# gunicorn's control socket (gunicornc) is one path per user by default, so a second
# gunicorn on the machine takes it over; off unless GUNICORN_CONTROL_SOCKET names one.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

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
