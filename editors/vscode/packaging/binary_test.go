package packaging

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ReadBinary tells each format and architecture hotload ships from a real
// executable of it, cross-built here.
func TestReadBinary(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs go on PATH")
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		goos, goarch string
		want         Binary
	}{
		{"linux", "amd64", Binary{"ELF", "amd64"}},
		{"linux", "arm64", Binary{"ELF", "arm64"}},
		{"darwin", "amd64", Binary{"Mach-O", "amd64"}},
		{"darwin", "arm64", Binary{"Mach-O", "arm64"}},
		{"windows", "amd64", Binary{"PE", "amd64"}},
		{"windows", "arm64", Binary{"PE", "arm64"}},
	} {
		out := filepath.Join(dir, tt.goos+"-"+tt.goarch)
		cmd := exec.Command("go", "build", "-o", out, "./testdata/hello")
		cmd.Env = append(os.Environ(), "GOOS="+tt.goos, "GOARCH="+tt.goarch, "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build for %s/%s: %v\n%s", tt.goos, tt.goarch, err, msg)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadBinary(f)
		f.Close()
		if err != nil || got != tt.want {
			t.Errorf("ReadBinary(%s/%s binary) = %v, %v; want %v", tt.goos, tt.goarch, got, err, tt.want)
		}
	}
	if _, err := ReadBinary(bytes.NewReader([]byte("#!/bin/sh\necho hi\n"))); err == nil {
		t.Error("ReadBinary(a shell script) succeeded, want an error")
	}
}
