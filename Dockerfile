FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext xmlsec1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/base.lock requirements/base.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/base.lock
COPY . .
RUN DJANGO_DEBUG=1 python manage.py compilemessages --ignore .venv \
    && DJANGO_DEBUG=1 python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 app && mkdir -p /srv/media && chown -R app /srv/media /app/var
USER app
EXPOSE 8000
