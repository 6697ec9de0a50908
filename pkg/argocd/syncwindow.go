package argocd

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxWindowScan bounds how far back an active window is searched.
const maxWindowScan = 31 * 24 * time.Hour

// Matches tells whether the window applies to the app, by its
// applications, namespaces and clusters globs (any list, or all lists set
// with andOperator).
func (w SyncWindow) Matches(app *Application) bool {
	d := app.Spec.Destination
	matchAny := func(patterns []string, values ...string) bool {
		for _, p := range patterns {
			for _, v := range values {
				if v != "" && Glob(p, v) {
					return true
				}
			}
		}
		return false
	}
	tests := []struct {
		set bool
		ok  bool
	}{
		{len(w.Applications) > 0, matchAny(w.Applications, app.Name)},
		{len(w.Namespaces) > 0, matchAny(w.Namespaces, d.Namespace)},
		{len(w.Clusters) > 0, matchAny(w.Clusters, d.Server, d.Name)},
	}
	any, all, set := false, true, false
	for _, t := range tests {
		if !t.set {
			continue
		}
		set = true
		any = any || t.ok
		all = all && t.ok
	}
	if !set {
		return false
	}
	if w.AndOperator {
		return all
	}
	return any
}

// ActiveAt tells whether the window is open at now, and when it closes:
// it is open if its schedule fired within the last duration.
func (w SyncWindow) ActiveAt(now time.Time) (active bool, ends time.Time, err error) {
	dur, err := time.ParseDuration(w.Duration)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("duration %q: %w", w.Duration, err)
	}
	loc := time.UTC
	if w.TimeZone != "" {
		if loc, err = time.LoadLocation(w.TimeZone); err != nil {
			return false, time.Time{}, fmt.Errorf("timeZone %q: %w", w.TimeZone, err)
		}
	}
	sched, err := parseCron(w.Schedule)
	if err != nil {
		return false, time.Time{}, err
	}
	if dur > maxWindowScan {
		dur = maxWindowScan
	}
	t := now.In(loc).Truncate(time.Minute)
	for start := t; now.Sub(start) < dur; start = start.Add(-time.Minute) {
		if sched.matches(start) {
			return true, start.Add(dur), nil
		}
	}
	return false, time.Time{}, nil
}

// cron is a parsed five-field cron schedule.
type cron struct {
	minute, hour, dom, month, dow []bool
	domStar, dowStar              bool
}

func (c cron) matches(t time.Time) bool {
	if !c.minute[t.Minute()] || !c.hour[t.Hour()] || !c.month[int(t.Month())] {
		return false
	}
	dom, dow := c.dom[t.Day()], c.dow[int(t.Weekday())]
	if c.domStar || c.dowStar {
		return dom && dow
	}
	return dom || dow
}

var cronDescriptors = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

func parseCron(spec string) (cron, error) {
	if d, ok := cronDescriptors[strings.TrimSpace(spec)]; ok {
		spec = d
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return cron{}, fmt.Errorf("schedule %q: want 5 fields", spec)
	}
	var c cron
	var err error
	ranges := []struct {
		dst      *[]bool
		lo, hi   int
		field    string
		starFlag *bool
	}{
		{&c.minute, 0, 59, f[0], nil}, {&c.hour, 0, 23, f[1], nil}, {&c.dom, 1, 31, f[2], &c.domStar},
		{&c.month, 1, 12, f[3], nil}, {&c.dow, 0, 7, f[4], &c.dowStar},
	}
	for _, r := range ranges {
		if *r.dst, err = parseCronField(r.field, r.lo, r.hi); err != nil {
			return cron{}, fmt.Errorf("schedule %q: %w", spec, err)
		}
		if r.starFlag != nil {
			*r.starFlag = strings.HasPrefix(r.field, "*") || r.field == "?"
		}
	}
	if c.dow[7] {
		c.dow[0] = true
	}
	return c, nil
}

func parseCronField(field string, lo, hi int) ([]bool, error) {
	set := make([]bool, hi+1)
	for _, part := range strings.Split(field, ",") {
		step := 1
		if base, s, ok := strings.Cut(part, "/"); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("bad step in %q", part)
			}
			step, part = n, base
		}
		from, to := lo, hi
		switch {
		case part == "*" || part == "?":
		case strings.Contains(part, "-"):
			a, b, _ := strings.Cut(part, "-")
			var err1, err2 error
			from, err1 = strconv.Atoi(a)
			to, err2 = strconv.Atoi(b)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("bad range %q", part)
			}
		default:
			n, err := strconv.Atoi(part)
			if err != nil {
				return nil, fmt.Errorf("bad value %q", part)
			}
			from, to = n, n
			if step > 1 {
				to = hi
			}
		}
		if from < lo || to > hi || from > to {
			return nil, fmt.Errorf("%q out of range %d-%d", part, lo, hi)
		}
		for i := from; i <= to; i += step {
			set[i] = true
		}
	}
	return set, nil
}
