package argocd

import "testing"

func TestImageVersion(t *testing.T) {
	tests := []struct {
		image string
		want  string
		ok    bool
	}{
		{"quay.io/argoproj/argocd:v2.14.21", "v2.14.21", true},
		{"registry.example.com:5000/mirror/argocd:v3.0.1", "v3.0.1", true},
		{"quay.io/argoproj/argocd:v2.14.21@sha256:abc", "v2.14.21", true},
		{"quay.io/argoproj/argocd:latest", "", false},
		{"quay.io/argoproj/argocd", "", false},
		{"redis:7.2.11-alpine", "", false},
		{"ghcr.io/dexidp/dex:v2.41.1", "", false},
	}
	for _, tt := range tests {
		v, ok := ImageVersion(tt.image)
		if ok != tt.ok || ok && v.String() != tt.want {
			t.Errorf("ImageVersion(%q) = %v, %v; want %s, %v", tt.image, v, ok, tt.want, tt.ok)
		}
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{"v1.37.2": "v1.37.2", "v1.30.4+k3s1": "v1.30.4", "v1.31.0-eks-1": "v1.31.0", "2.14": "v2.14.0"} {
		if v, ok := ParseVersion(in); !ok || v.String() != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %s", in, v, ok, want)
		}
	}
	for _, bad := range []string{"", "v1", "vX.Y", "1.2.3.4"} {
		if _, ok := ParseVersion(bad); ok {
			t.Errorf("ParseVersion(%q) should fail", bad)
		}
	}
	if lo, hi, ok := TestedKubernetes(Version{Major: 2, Minor: 14}); !ok || lo != 28 || hi != 31 {
		t.Errorf("2.14 tested with 1.%d-1.%d (%v), want 1.28-1.31", lo, hi, ok)
	}
}
