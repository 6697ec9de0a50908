package suggest

import (
	"reflect"
	"testing"
)

func TestClosest(t *testing.T) {
	tests := []struct {
		name       string
		typed      string
		candidates []string
		want       []string
	}{
		{"swapped letters", "defualt", []string{"default", "payments"}, []string{"default"}},
		{"one letter off", "paymants", []string{"default", "payments", "payment-gw"}, []string{"payments"}},
		{"contained", "guestbook", []string{"guestbook-prd", "other"}, []string{"guestbook-prd"}},
		{"nothing close", "foo-project", []string{"default", "payments"}, []string{}},
		{"exact match is not a suggestion", "default", []string{"default"}, []string{}},
		{"short names need a closer match", "ab", []string{"xy", "ac"}, []string{"ac"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Closest(tt.typed, tt.candidates); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Closest(%q) = %v, want %v", tt.typed, got, tt.want)
			}
		})
	}
}
