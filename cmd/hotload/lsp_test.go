package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// Regression: hotload lsp exited 0, silently, when the editor's stream
// broke. A header it cannot parse leaves no way to find the next message:
// hotload lsp says why, in the log and on stderr, and exits 1. A stream
// that ends between messages is a clean end: exit 0.
func TestLSPExitCodeSaysWhetherTheStreamBroke(t *testing.T) {
	t.Parallel()
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`
	framed := "Content-Length: " + strconv.Itoa(len(initialize)) + "\r\n\r\n" + initialize
	for _, tt := range []struct {
		name, stdin string
		code        int
		stderr      string
	}{
		{"a broken header", framed + "Content-Length: many\r\n\r\n{}", 1, "cannot read from the editor: cannot find where the next message starts"},
		{"a message cut short", framed + "Content-Length: 100\r\n\r\n{}", 1, "ended in the middle of a message"},
		{"the end of the stream", framed, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"lsp"}, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit code %d, stderr:\n%s\nwant %d and %q", code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
}
