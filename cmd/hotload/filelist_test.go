package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadFileList(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\n\n", nil},
		{"/p/lib.py\n", []string{"/p/lib.py"}},
		{"/p/a.py\r\n/p/b.py", []string{"/p/a.py", "/p/b.py"}},
		{"./pkg/mod.py\n", []string{filepath.Join(wd, "pkg", "mod.py")}},
	} {
		got, err := readFileList(strings.NewReader(tt.in))
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("readFileList(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if got, err := readFileList(nil); got != nil || err != nil {
		t.Errorf("readFileList(nil) = %q, %v; want nothing", got, err)
	}
}
