package catalogue

import (
	"embed"
	"io/fs"
)

//go:embed */*.yaml
var files embed.FS

// FS returns the catalogue: suite folders of YAML files.
func FS() fs.FS { return files }

// Path is where the catalogue lives in the repository (for messages).
const Path = "scenarios/catalogue/"
