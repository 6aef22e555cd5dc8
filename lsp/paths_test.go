package lsp

import (
	"testing"

	"go.lsp.dev/uri"
)

// A traceback's path gets the URI of the document the editor has open, on
// Windows as on Unix: whatever the drive letter's case or the separator,
// and whichever way the editor spelled the document's URI.
func TestFileURIFor(t *testing.T) {
	for _, tt := range []struct {
		platform uri.Platform
		path     string // as Python reports it
		want     string
		editors  []string // URIs editors send for the same file
	}{
		{uri.PlatformWindows, `C:\Users\me\proj\lib.py`, "file:///c%3A/Users/me/proj/lib.py",
			[]string{"file:///c%3A/Users/me/proj/lib.py" /* VS Code */, "file:///C:/Users/me/proj/lib.py" /* Neovim */}},
		{uri.PlatformWindows, `c:\Users\me\proj\lib.py`, "file:///c%3A/Users/me/proj/lib.py", nil},
		{uri.PlatformWindows, `C:/Users/me/proj/lib.py`, "file:///c%3A/Users/me/proj/lib.py", nil},
		{uri.PlatformWindows, `C:\Users\me\proj\pkg\..\lib.py`, "file:///c%3A/Users/me/proj/lib.py", nil},
		{uri.PlatformWindows, `D:\My Projects\a#b\lib.py`, "file:///d%3A/My%20Projects/a%23b/lib.py",
			[]string{"file:///d%3A/My%20Projects/a%23b/lib.py", "file:///D:/My%20Projects/a%23b/lib.py"}},
		{uri.PlatformWindows, `\\server\share\proj\lib.py`, "file://server/share/proj/lib.py",
			[]string{"file://server/share/proj/lib.py"}},
		{uri.PlatformWindows, `\\\\ws\m.py`, "file://ws/m.py", nil}, // never a panic
		{uri.PlatformPOSIX, "/home/me/proj/lib.py", "file:///home/me/proj/lib.py",
			[]string{"file:///home/me/proj/lib.py"}},
		{uri.PlatformPOSIX, "/home/me/My Projects/lib.py", "file:///home/me/My%20Projects/lib.py", nil},
		{uri.PlatformPOSIX, "////ws/m.py", "file:///ws/m.py", nil}, // never a panic
	} {
		got := fileURIFor(tt.platform, tt.path)
		if string(got) != tt.want {
			t.Errorf("fileURIFor(%v, %q) = %q, want %q", tt.platform, tt.path, got, tt.want)
		}
		for _, sent := range tt.editors {
			// The server keys documents by the URI as decoded from JSON.
			var u uri.URI
			if err := u.UnmarshalText([]byte(sent)); err != nil {
				t.Fatal(err)
			}
			if u != got {
				t.Errorf("editor's %q decodes to %q, not the traceback's %q: diagnostics would miss the document", sent, u, got)
			}
		}
	}
}

func TestIsLibraryPath(t *testing.T) {
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"/home/me/proj/.venv/lib/python3.12/site-packages/flask/app.py", true},
		{"/usr/lib/python3/dist-packages/numpy/core.py", true},
		{`C:\Users\me\proj\.venv\Lib\site-packages\flask\app.py`, true},
		{`C:\Python312\Lib\site-packages\numpy\core.py`, true},
		{"/home/me/proj/lib.py", false},
		{`C:\Users\me\proj\lib.py`, false},
		{"/home/me/site-packages-notes/lib.py", false},
	} {
		if got := isLibraryPath(tt.path); got != tt.want {
			t.Errorf("isLibraryPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
