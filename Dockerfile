# Kairos container image: docker build -t kairos . && docker run -d -p 8080:8080 -v kairos-data:/app/data kairos
# Two stages: the builder makes a wheel of Kairos and installs it with its dependencies into /opt/venv; the final
# image holds only that venv on python:3.11-slim (no compiler, no pip cache, no sources).

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kairos ./kairos
RUN python -m pip wheel --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install /wheels/kairos-*.whl

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    KAIROS_DATA_DIR=/app/data \
    KAIROS_HOST=0.0.0.0 \
    KAIROS_PORT=8080
# A fixed uid/gid, so volume and Kubernetes fsGroup permissions can be set ahead of time.
RUN groupadd --system --gid 10001 kairos \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin kairos \
 && mkdir -p /app/data && chown -R 10001:10001 /app && chmod 0700 /app/data
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
VOLUME /app/data
EXPOSE 8080
# slim has no curl: ask /actuator/health with the Python that is there anyway (UP answers 200, DOWN 503).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/actuator/health' % os.environ.get('KAIROS_PORT', '8080'), timeout=4)"]
CMD ["kairos", "serve"]
