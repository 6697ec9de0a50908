package diagnose

import (
	"fmt"
	"time"
)

// olderThan tells whether t lies more than d before now.
func olderThan(now, t time.Time, d time.Duration) bool { return now.Sub(t) > d }

// timePtr points at a copy of t, for a finding's Since.
func timePtr(t time.Time) *time.Time { return &t }

// formatAge prints a duration the way kubectl's AGE column does: 45s, 7m,
// 3h12m, 2d4h.
func formatAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		if m := int(d.Minutes()) - 60*h; m > 0 {
			return fmt.Sprintf("%dh%dm", h, m)
		}
		return fmt.Sprintf("%dh", h)
	default:
		days := int(d.Hours()) / 24
		if h := int(d.Hours()) - 24*days; h > 0 {
			return fmt.Sprintf("%dd%dh", days, h)
		}
		return fmt.Sprintf("%dd", days)
	}
}
