#!/usr/bin/env bash
# Builds krew v0.5.0 (the krew binary and its validate-krew-manifest) and
# kubectl into $1/bin (default ../..), for the krew-install and completion
# tests of `make test`. A module of its own keeps them out of the plugin's
# go.mod; kubectl comes from the same k8s.io/kubernetes pins as test/tools,
# so the Go build cache is shared. A stamp of go.sum's hash lets later runs
# skip the build while the pins are unchanged.
set -euo pipefail
cd "$(dirname "$0")"
out="$(cd "${1:-../..}" && pwd)/bin"
mkdir -p "$out"
stamp="$out/.krew-$(sha256sum go.mod go.sum build.sh | sha256sum | cut -c1-16)"
if [[ -f "$stamp" ]]; then
  exit 0
fi
k8s_version=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
major=$(echo "${k8s_version#v}" | cut -d. -f1)
minor=$(echo "${k8s_version#v}" | cut -d. -f2)
vpkg=k8s.io/component-base/version
export CGO_ENABLED=0
echo "building kubectl $k8s_version" >&2
go build -trimpath -ldflags "-s -w -X $vpkg.gitVersion=$k8s_version -X $vpkg.gitMajor=$major -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean" \
  -o "$out/kubectl" k8s.io/kubernetes/cmd/kubectl
krew_version=$(go list -m -f '{{.Version}}' sigs.k8s.io/krew)
echo "building krew $krew_version" >&2
go build -trimpath -ldflags "-s -w -X sigs.k8s.io/krew/internal/version.gitTag=$krew_version" -o "$out/krew" sigs.k8s.io/krew/cmd/krew
go build -trimpath -ldflags "-s -w" -o "$out/validate-krew-manifest" sigs.k8s.io/krew/cmd/validate-krew-manifest
rm -f "$out"/.krew-*
touch "$stamp"
