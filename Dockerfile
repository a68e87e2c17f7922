# syntax=docker/dockerfile:1
# The directory-connector executable (CLI verbs and the operator) on Debian 12.
# Microsoft ships no Debian images for .NET 10, so the SDK stage publishes a self-contained app
# and the runtime stage is plain debian:12-slim with the native libraries .NET and S.DS.P need.

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN case "$TARGETARCH" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac \
 && dotnet publish src/DirectoryConnector.Cli/DirectoryConnector.Cli.csproj -c Release -r "$rid" --self-contained \
      -p:DebugType=none -o /app

FROM debian:12-slim AS runtime
# libldap-2.5-0: System.DirectoryServices.Protocols on Linux; libicu72: Unicode normalization of directory names;
# the rest: the .NET runtime.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libldap-2.5-0 libicu72 ca-certificates libssl3 libstdc++6 libgcc-s1 zlib1g tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 connector \
 && useradd --system --uid 65532 --gid connector --home-dir /nonexistent --shell /usr/sbin/nologin connector
COPY --from=build /app /opt/directory-connector
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
USER 65532:65532
ENTRYPOINT ["/opt/directory-connector/directory-connector"]
CMD ["--help"]
