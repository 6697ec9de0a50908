package diagnose

import "slices"

// ChecksOf are the registered checks of the given categories, in
// registry order: what `diagnose install` and `diagnose security` run.
func ChecksOf(categories ...Category) []Check {
	var out []Check
	for _, c := range Checks() {
		if slices.Contains(categories, c.Category) {
			out = append(out, c)
		}
	}
	return out
}

// CategoryOf is the category of a finding id; "" for an unknown id.
func CategoryOf(id string) Category {
	for _, c := range Checks() {
		if c.ID == id {
			return c.Category
		}
	}
	return ""
}
