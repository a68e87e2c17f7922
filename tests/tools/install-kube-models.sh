#!/usr/bin/env bash
# Installs the npm packages kubernetes-models and @kubernetes-models/prometheus-operator into .tools/node (schema
# validation of the chart's rendered manifests: tests/tools/validate-manifests.mjs). Idempotent.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prefix="$repo_root/.tools/node"
if [[ -f "$prefix/node_modules/kubernetes-models/package.json" && -f "$prefix/node_modules/@kubernetes-models/prometheus-operator/package.json" ]]; then
  echo "kubernetes-models already in $prefix"
  exit 0
fi
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --silent kubernetes-models@5.1.0 @kubernetes-models/prometheus-operator@6.0.0
