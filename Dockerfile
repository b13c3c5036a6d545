# gitops-bot as a container: `docker run --rm -v "$PWD:/repo" -w /repo gitops-bot plan remove-service service=x`
# The base is python:3.11-slim-bookworm pinned by the digest of its multi-platform index, as the
# Docker Official Images' repo-info lists it (github.com/docker-library/repo-info,
# repos/python/remote/3.11-slim-bookworm.md). To move it: read the new digest there (or
# `docker buildx imagetools inspect python:3.11-slim-bookworm`) and replace both lines.
# Build stage: wheels only; the runtime image carries no compiler or build tools.
FROM python:3.11-slim-bookworm@sha256:fe556eaffd0d96abd8685b83bb8a69addd0dc730fa193669a7df0d49ddcfac02 AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY gitops_bot ./gitops_bot
# The github extra (PyGithub, GitPython): the container runs `pr` and `action` too.
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[github]"

FROM python:3.11-slim-bookworm@sha256:fe556eaffd0d96abd8685b83bb8a69addd0dc730fa193669a7df0d49ddcfac02
# git: the pr command; make and bash: verifying edited Makefiles and scripts. Not pinned to
# Debian package versions: a point release replaces them and the pinned install stops working;
# the base image's digest fixes what the image starts from.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git make \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 gitops
USER 10001
WORKDIR /repo
ENTRYPOINT ["gitops-bot"]
CMD ["--help"]
