package pyruntime

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// agentFiles holds the agent: the _hotload_agent package and the loader
// that serves it to import from memory.
//
//go:embed agent/loader.py agent/_hotload_agent/*.py agent/_hotload_agent/frameworks/*.py
var agentFiles embed.FS

// agentPackage is the folder of agentFiles that is the Python package.
const agentPackage = "agent/_hotload_agent"

// AgentSource returns the agent as one Python program with no dependencies:
// the package's files as a dict of strings, then the loader that imports
// them from it. The bootstrap runs it as a runtime; an app saves it as
// hotload_agent.py to serve hotload on a Unix socket (see Config.Attach).
func AgentSource() string {
	sources := make(map[string]string)
	err := fs.WalkDir(agentFiles, agentPackage, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".py" {
			return err
		}
		data, err := agentFiles.ReadFile(name)
		if err != nil {
			return err
		}
		sources[name[len("agent/"):]] = string(data)
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("pyruntime: read the embedded agent: %v", err)) // the files are compiled in
	}
	loader, err := agentFiles.ReadFile("agent/loader.py")
	if err != nil {
		panic(fmt.Sprintf("pyruntime: read the embedded agent: %v", err))
	}
	var b bytes.Buffer
	b.WriteString("# hotload's agent (`hotload agent`): one file, no dependencies.\n")
	b.WriteString("SOURCES = {\n")
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		// A JSON string is a Python string literal: Go escapes only what
		// both read alike (\", \\, \n, \t, \uXXXX), never "\/".
		fmt.Fprintf(&b, "    %s: %s,\n", quotePython(name), quotePython(sources[name]))
	}
	b.WriteString("}\n\n")
	b.Write(loader)
	return b.String()
}

// quotePython returns s as a Python string literal.
func quotePython(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
