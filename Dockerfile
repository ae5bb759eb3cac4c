# One image for every CarePulse role; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CAREPULSE_VAR_DIR=/var/lib/carepulse
WORKDIR /app
COPY pyproject.toml README.md celeryconfig.py ./
COPY carepulse ./carepulse
COPY ingest ./ingest
COPY workers ./workers
COPY pipelines ./pipelines
COPY models ./models
COPY schedules ./schedules
RUN pip install --no-cache-dir . \
    && useradd --system --home /var/lib/carepulse --create-home carepulse
USER carepulse
EXPOSE 8000
CMD ["carepulse", "serve", "ingest", "--bind", "0.0.0.0:8000"]
