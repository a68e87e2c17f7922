#!/usr/bin/env bash
# The one publish of the directory-connector executable: Native AOT (the Cli project turns it on for a runtime), one
# native file needing only libc, OpenSSL, ICU and libldap. The Dockerfile's build stage, tests/run.sh (which runs the CLI's
# process tests against it) and the benchmarks all run this script, so what is tested and measured is what ships.
# Usage: bash build/publish.sh <output-folder> [linux-x64|linux-arm64]   (default: this machine's architecture)
set -euo pipefail
out="$1"
rid="${2:-}"
if [[ -z "$rid" ]]; then
  case "$(uname -m)" in aarch64 | arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
fi
cd "$(dirname "$0")/.."

# Native AOT links with clang (the SDK's -aot container images carry it); a Debian machine with only gcc and
# zlib1g-dev (the test machines) links with gcc.
linker=()
command -v clang >/dev/null 2>&1 || linker=(-p:CppCompilerAndLinker=gcc)

dotnet publish src/DirectoryConnector.Cli/DirectoryConnector.Cli.csproj -c Release -r "$rid" \
  -p:DebugType=none -p:StripSymbols=true "${linker[@]}" -o "$out" -nologo
