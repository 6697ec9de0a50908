#!/usr/bin/env bash
# Builds Argo CD v2.14.21 (the version pinned in go.mod) into $1/bin (default
# <repo>/bin) as one multi-call binary `argocd`; its role comes from argv[0],
# so the controller and repo-server are symlinks to it.
# A stamp of go.mod/go.sum/build.sh's hash lets later runs skip the build
# while the pin is unchanged.
set -euo pipefail
cd "$(dirname "$0")"
out="$(cd "${1:-../..}" && pwd)/bin"
mkdir -p "$out"
stamp="$out/.argocd-$(sha256sum go.mod go.sum build.sh | sha256sum | cut -c1-16)"
if [[ -f "$stamp" && -x "$out/argocd" ]]; then
  exit 0
fi
version=$(go list -m -f '{{.Version}}' github.com/argoproj/argo-cd/v2)
echo "building argocd $version" >&2
# Argo CD reads its version from common.version; without it the controller
# reports v99.99.99 and the plugin's version checks would see nonsense.
ldflags="-s -w -X github.com/argoproj/argo-cd/v2/common.version=${version#v}"
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/argocd" github.com/argoproj/argo-cd/v2/cmd
for role in argocd-application-controller argocd-repo-server; do
  ln -sfn argocd "$out/$role"
done
rm -f "$out"/.argocd-*
touch "$stamp"
