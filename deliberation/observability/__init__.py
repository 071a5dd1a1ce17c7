"""What operators watch: health and readiness, Prometheus metrics, JSON logs with a
request id that follows the work into Celery (docs/deploy.md, "Watching Torget")."""
