package lsp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"
)

// pyprojectSettings reads [tool.hotload] from the pyproject.toml in folder.
// It returns nil when there is no such file or table.
func pyprojectSettings(folder string) (json.RawMessage, error) {
	path := filepath.Join(folder, "pyproject.toml")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var doc struct {
		Tool struct {
			Hotload map[string]any `toml:"hotload"`
		} `toml:"tool"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Tool.Hotload == nil {
		return nil, nil
	}
	raw, err := json.Marshal(doc.Tool.Hotload)
	if err != nil {
		return nil, fmt.Errorf("%s [tool.hotload]: %w", path, err)
	}
	return raw, nil
}
