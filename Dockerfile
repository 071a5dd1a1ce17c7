# One image for every Torget process (docs/deploy.md, "Containers"): the command picks
# the role — gunicorn (HTTP), uvicorn (/ws/), celery worker, celery beat, migrate.
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 \
    TORGET_ENV=production DATA_DIR=/var/lib/torget STATIC_ROOT=/srv/torget/staticfiles
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /srv/torget --uid 10001 torget
WORKDIR /srv/torget/app
COPY . .
RUN true \
    && pip install . \
    && DJANGO_SECRET_KEY=build-only-key-not-used-at-run-time-000000000 \
       python manage.py compilemessages --ignore '*/site-packages/*' \
    && DJANGO_SECRET_KEY=build-only-key-not-used-at-run-time-000000000 \
       python manage.py collectstatic --noinput -v 0 \
    && mkdir -p "$DATA_DIR" && chown torget "$DATA_DIR"
USER torget
EXPOSE 8000 8001
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "deliberation.wsgi:application", "-c", "deploy/gunicorn.conf.py", "-b", "0.0.0.0:8000", "-w", "3"]
