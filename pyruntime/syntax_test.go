package pyruntime

import (
	"fmt"
	"testing"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// Regression: Python 3.9 to 3.12 give a SyntaxError in a file's bytes
// without a coding line its columns in bytes (3.13 fixed it), and the agent
// compiled the bytes, so on a line with accents an Error landed columns to
// the right of the fault.
func TestSyntaxErrorColumnsCountCharacters(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, Config{})
	path := writeModule(t, dir, "lib", "x = 1\nname = 'Zoë Ørsted' $ 1\n")
	reply, _, err := reload(t, r, "lib", path)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Error == nil || reply.Error.Syntax == nil {
		t.Fatalf("error = %+v, want a SyntaxError with a location", reply.Error)
	}
	// The $ is the 21st character (20 from 0) and the 23rd byte. Python
	// has an end column from 3.10.
	wantEnd := 21
	if !pyruntimetest.AtLeast(t, 3, 10) {
		wantEnd = -1
	}
	if s := reply.Error.Syntax; reply.Error.Message != "invalid syntax" || s.Line != 2 || deref(s.Col) != 20 || deref(s.EndCol) != wantEnd {
		t.Errorf("syntax error %q at line %d cols %d-%d, want %q at line 2 cols 20-%d", reply.Error.Message, s.Line, deref(s.Col), deref(s.EndCol), "invalid syntax", wantEnd)
	}
}

// A SyntaxError lands where the editor shows the fault, in code points of
// the line as the editor decodes it (by the coding line, without a BOM),
// whatever the file's encoding and whoever compiled it: the save of the
// file itself, or Python's import of it from a module the save runs. From
// Python 3.9 on, Python read the error's line from the file as UTF-8 and
// counted in it: a latin-1 file's accented letters and a BOM moved the
// Error one or two columns.
func TestSyntaxErrorColumnsInEveryEncoding(t *testing.T) {
	t.Parallel()
	const bom = "\xef\xbb\xbf"
	latin1 := "# -*- coding: latin-1 -*-\n"
	cases := []struct {
		name, content string // content: the file's bytes
		line, col     int    // where the error starts, col in code points from 0
		source        string // the line as decoded
	}{
		{"latin-1", latin1 + "s = \"\xe9\" + $\n", 2, 10, `s = "é" + $`},
		{"BOM, ASCII", bom + "s = \"ab\" + $\n", 1, 11, `s = "ab" + $`},
		{"BOM, accented letters", bom + "s = \"\xc3\xa9\xc3\xa9\" + $\n", 1, 11, `s = "éé" + $`},
		{"UTF-8, accented letters", "s = \"\xc3\xa9\xc3\xa9\" + $\n", 1, 11, `s = "éé" + $`},
		{"UTF-8, an astral character", "s = \"🐍\" + $\n", 1, 10, `s = "🐍" + $`},
		{"the compiler's error, latin-1", latin1 + "s = \"\xe9\xe9\"; return 5\n", 2, 10, `s = "éé"; return 5`},
	}
	r := newRuntime(t, Config{})
	for i, c := range cases {
		for _, imported := range []bool{false, true} {
			dir := t.TempDir()
			lib := fmt.Sprintf("enc%d", i)
			path := writeModule(t, dir, lib, c.content)
			how := "saved"
			if imported {
				how = "imported"
				path = writeModule(t, dir, lib+"_app", "import "+lib+"\n")
				lib += "_app"
			}
			reply, _, err := reload(t, r, lib, path)
			if err != nil {
				t.Fatal(err)
			}
			if reply.Error == nil || reply.Error.Syntax == nil {
				t.Errorf("%s, %s: error = %+v, want a SyntaxError with a location", c.name, how, reply.Error)
				continue
			}
			if s := reply.Error.Syntax; s.Line != c.line || deref(s.Col) != c.col || s.Source != c.source {
				t.Errorf("%s, %s: SyntaxError at line %d col %d of %q, want line %d col %d of %q",
					c.name, how, s.Line, deref(s.Col), s.Source, c.line, c.col, c.source)
			}
		}
	}
}
