package argocd

import "testing"

func TestWatchingInstallation(t *testing.T) {
	installations := []Installation{
		{Namespace: "argocd", Settings: Settings{ApplicationNamespaces: []string{"team-*"}}},
		{Namespace: "team-b", Settings: Settings{}},
		{Namespace: "platform", Settings: Settings{ApplicationNamespaces: []string{"/^prod-[0-9]+$/", "team-b"}}},
	}
	for _, tc := range []struct {
		ns     string
		want   int
		wantOK bool
	}{
		{ns: "argocd", want: 0, wantOK: true},
		{ns: "team-a", want: 0, wantOK: true},
		// An installation's own namespace wins over another's pattern.
		{ns: "team-b", want: 1, wantOK: true},
		{ns: "platform", want: 2, wantOK: true},
		{ns: "prod-7", want: 2, wantOK: true},
		{ns: "prod-x", want: -1},
		{ns: "default", want: -1},
	} {
		got, ok := WatchingInstallation(tc.ns, installations)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("WatchingInstallation(%q) = %d, %v; want %d, %v", tc.ns, got, ok, tc.want, tc.wantOK)
		}
	}
	if _, ok := WatchingInstallation("argocd", nil); ok {
		t.Error("no installation watches anything")
	}
}
