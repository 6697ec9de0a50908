#!/usr/bin/env bash
# Builds Argo CD v2.14.21 (the version pinned in go.mod) into $1/bin (default
# <repo>/bin) as one multi-call binary `argocd`; its role comes from argv[0],
# so the controller and repo-server are symlinks to it. Next to it,
# `argocd-redis` (./redis): miniredis at the version Argo CD pins, the Redis
# the controller and repo-server need, so no redis-server package is needed.
# A stamp of the hash of go.mod, go.sum, build.sh and redis/main.go lets later
# runs skip the build while none of them changes.
set -euo pipefail
cd "$(dirname "$0")"
out="$(cd "${1:-../..}" && pwd)/bin"
mkdir -p "$out"
stamp="$out/.argocd-$(sha256sum go.mod go.sum build.sh redis/main.go | sha256sum | cut -c1-16)"
if [[ -f "$stamp" && -x "$out/argocd" && -x "$out/argocd-redis" ]]; then
  exit 0
fi
export CGO_ENABLED=0
echo "building argocd-redis (miniredis $(go list -m -f '{{.Version}}' github.com/alicebob/miniredis/v2))" >&2
go build -trimpath -ldflags "-s -w" -o "$out/argocd-redis" ./redis
version=$(go list -m -f '{{.Version}}' github.com/argoproj/argo-cd/v2)
echo "building argocd $version" >&2
# Argo CD reads its version from common.version; without it the controller
# reports v99.99.99 and the plugin's version checks would see nonsense.
ldflags="-s -w -X github.com/argoproj/argo-cd/v2/common.version=${version#v}"
go build -trimpath -ldflags "$ldflags" -o "$out/argocd" github.com/argoproj/argo-cd/v2/cmd
for role in argocd-application-controller argocd-repo-server; do
  ln -sfn argocd "$out/$role"
done
rm -f "$out"/.argocd-*
touch "$stamp"
