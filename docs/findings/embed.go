// Package findings embeds the pages of docs/findings into the plugin, so
// that `kubectl argofix explain ID` works offline and matches the version
// that found it.
package findings

import "embed"

// Pages holds <id>.md for every finding id.
//
//go:embed *.md
var Pages embed.FS
