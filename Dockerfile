# syntax=docker/dockerfile:1
# The directory-connector executable (CLI verbs and the operator) on Debian 12, compiled ahead of time (Native AOT):
# one native file, no JIT, a tenth of a second to start and about half the resident memory of the JIT runtime
# (README "Benchmarks"). Microsoft ships no Debian images for .NET 10, so the build stage is Debian 12 with the SDK from
# Microsoft's install script: the executable links against the C library of the runtime stage, and the tests link
# exactly so (build/publish.sh with gcc). It runs on the target architecture (for arm64: an arm64 builder or
# emulation), as Native AOT compiles for the machine it runs on.

FROM debian:12 AS build
ARG TARGETARCH
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gcc libc6-dev zlib1g-dev libicu72 \
 && rm -rf /var/lib/apt/lists/* \
 && curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh \
 && bash /tmp/dotnet-install.sh --channel 10.0 --install-dir /usr/share/dotnet \
 && ln -s /usr/share/dotnet/dotnet /usr/local/bin/dotnet
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY build/publish.sh build/
COPY src/ src/
RUN case "$TARGETARCH" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac \
 && bash build/publish.sh /app "$rid"

FROM debian:12-slim AS runtime
# libldap-2.5-0: System.DirectoryServices.Protocols on Linux; libicu72: Unicode normalization of directory names;
# libssl3 and ca-certificates: TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libldap-2.5-0 libicu72 ca-certificates libssl3 tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 connector \
 && useradd --system --uid 65532 --gid connector --home-dir /nonexistent --shell /usr/sbin/nologin connector
COPY --from=build /app /opt/directory-connector
USER 65532:65532
ENTRYPOINT ["/opt/directory-connector/directory-connector"]
CMD ["--help"]
