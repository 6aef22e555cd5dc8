package pyruntime

import (
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
