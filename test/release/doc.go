// Package release tests what users install before they run a single
// command: the release archives of `make dist`, the krew manifest rendered
// by `make krew-manifest` (validated by krew v0.5.0's own validator and
// installed for real with the krew binary into a temporary KREW_ROOT, then
// run through kubectl's plugin discovery), `make install`'s two names, and
// the k9s plugin file. It needs bin/krew, bin/validate-krew-manifest and
// bin/kubectl from `make krewbin`; no control plane.
package release
