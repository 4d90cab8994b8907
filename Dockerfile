# The bot as a container image: `docker compose up` (compose.yaml) runs PostgreSQL, two bot
# processes behind nginx and the DEXCHANGE simulator from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (pinned in pyproject.toml), in a layer of their own: a code change
# does not reinstall them, only a change of pyproject.toml does.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && useradd --system --uid 10001 --home-dir /app senpay \
    && mkdir data && chown senpay:senpay data
COPY README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY fakes ./fakes
RUN pip install --no-cache-dir --no-deps .

# The code is root's; only data/ (DATABASE_URL's default SQLite file, backups) is the bot's.
# A volume mounted there (-v senpay-data:/app/data) starts with this owner.
USER senpay
# Inside a container the HTTP server listens on every interface; the proxy is the only way in.
ENV HTTP_HOST=0.0.0.0 HTTP_PORT=8080
EXPOSE 8080
# The port the process listens on, which HTTP_PORT may change (e.g. with --network host).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${HTTP_PORT:-8080}/healthz', timeout=2)"
# SIGTERM: the bot stops its workers, finishes what it committed to, and exits.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
