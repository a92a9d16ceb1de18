# Interview Coach: one image for the app; the database and judge are separate services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY coach ./coach
COPY rubrics ./rubrics
COPY migrations ./migrations
# Editable, so the package finds alembic.ini, migrations/ and rubrics/ beside it in /app.
RUN pip install -e . && useradd --create-home --uid 1000 coach && mkdir -p /app/data \
    && chown coach /app/data
USER coach

ENV COACH_DATABASE_URL=sqlite:////app/data/coach.db \
    COACH_RUBRICS_DIR=/app/rubrics
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health')"
CMD ["sh", "-c", "coach db upgrade && coach serve --host 0.0.0.0 --port 8000"]
