package reports

import (
	"encoding/json"
	"io"
)

// WriteJSON writes report.json.
func WriteJSON(w io.Writer, r *Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
