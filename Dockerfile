# gitops-bot as a container: `docker run --rm -v "$PWD:/repo" -w /repo gitops-bot plan remove-service service=x`
# Build stage: wheels only; the runtime image carries no compiler or build tools.
FROM python:3.11.10-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gitops_bot ./gitops_bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11.10-slim-bookworm
# git: the pr command; make and bash: verifying edited Makefiles and scripts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.39.5-0+deb12u3 make=4.3-4.1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 gitops
USER 10001
WORKDIR /repo
ENTRYPOINT ["gitops-bot"]
CMD ["--help"]
