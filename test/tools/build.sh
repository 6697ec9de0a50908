#!/usr/bin/env bash
# Builds the control-plane binaries pinned in go.mod into $1 (default ../../bin).
# A stamp of go.sum's hash lets later runs skip the build while the pins are unchanged.
set -euo pipefail
cd "$(dirname "$0")"
out="$(cd "${1:-../..}" && pwd)/bin"
mkdir -p "$out"
stamp="$out/.tools-$(sha256sum go.mod go.sum build.sh | sha256sum | cut -c1-16)"
if [[ -f "$stamp" ]]; then
  exit 0
fi
k8s_version=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
major=$(echo "${k8s_version#v}" | cut -d. -f1)
minor=$(echo "${k8s_version#v}" | cut -d. -f2)
vpkg=k8s.io/component-base/version
ldflags="-s -w -X $vpkg.gitVersion=$k8s_version -X $vpkg.gitMajor=$major -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
export CGO_ENABLED=0
for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
  echo "building $cmd $k8s_version" >&2
  go build -trimpath -ldflags "$ldflags" -o "$out/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
echo "building etcd" >&2
go build -trimpath -ldflags "-s -w" -o "$out/etcd" ./etcd
echo "building kwok" >&2
go build -trimpath -ldflags "-s -w" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok
rm -f "$out"/.tools-*
touch "$stamp"
