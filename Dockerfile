# papo: the studio built with Node, then a small Python runtime image that runs as a non-root user.
#   docker build -t papo .
#   docker run -p 8080:8080 -e REDIS_URL=redis://redis:6379/0 papo serve examples/clinic --host 0.0.0.0
# compose.yaml runs the clinic with Redis and one process per role; deploy/k8s/ does the same on Kubernetes.

FROM node:20-bookworm-slim AS studio
WORKDIR /src/studio
COPY studio/package.json studio/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY studio/ ./
RUN npm run build
# the build lands in /src/runtime/studio_static (studio/vite.config.ts)

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY flows flows
COPY nlu nlu
COPY connectors connectors
COPY runtime runtime
COPY --from=studio /src/runtime/studio_static runtime/studio_static
# the runtime's dependencies at the versions the tests ran with (the lock also pins test tools; -c only
# constrains, so those are not installed)
RUN python -m venv /opt/papo \
 && /opt/papo/bin/pip install --no-cache-dir --disable-pip-version-check -c requirements.lock .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /srv papo
COPY --from=build /opt/papo /opt/papo
COPY --chown=papo:papo examples /srv/examples
ENV PATH=/opt/papo/bin:$PATH PYTHONUNBUFFERED=1 PAPO_LOG_FORMAT=json
USER papo
WORKDIR /srv
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["papo"]
CMD ["serve", "examples/clinic", "--host", "0.0.0.0", "--port", "8080"]
