// Package suggest finds the names a person probably meant when they typed
// one that does not exist.
package suggest

import (
	"sort"
	"strings"
)

// Closest returns the candidates within a small edit distance of name (a
// typo), or that contain it or are contained in it, closest first.
func Closest(name string, candidates []string) []string {
	type scored struct {
		name     string
		distance int
	}
	var matches []scored
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := distance(strings.ToLower(name), strings.ToLower(c))
		limit := 2
		if len(name) <= 4 {
			limit = 1
		}
		if d <= limit || strings.Contains(c, name) || strings.Contains(name, c) && len(c) >= 3 {
			matches = append(matches, scored{c, d})
		}
	}
	sort.SliceStable(matches, func(i, j int) bool {
		if matches[i].distance != matches[j].distance {
			return matches[i].distance < matches[j].distance
		}
		return matches[i].name < matches[j].name
	})
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		out = append(out, m.name)
	}
	return out
}

// distance is the optimal string alignment distance: Levenshtein plus the
// swap of two neighbouring letters, the commonest typo ("defualt").
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
