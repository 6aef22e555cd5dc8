package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// fileListSource returns where `hotload run` reads its list of files to
// watch: stdin when it is a pipe or a file, as in
// `find . -name '*.py' | hotload run lib.py`, and nil when it is a terminal
// (or /dev/null, another character device) or not open at all, as in CI.
// Readers other than *os.File are returned as they are.
func fileListSource(stdin io.Reader) io.Reader {
	f, ok := stdin.(*os.File)
	if !ok {
		return stdin
	}
	if f == nil {
		return nil
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice != 0 {
		return nil // closed or a terminal: nothing to read
	}
	return f
}

// readFileList reads one path per line from r until EOF and returns them
// absolute and cleaned, relative ones taken from the working directory.
// Blank lines are skipped. A nil r gives no paths.
func readFileList(r io.Reader) ([]string, error) {
	if r == nil {
		return nil, nil
	}
	var paths []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		p, err := filepath.Abs(line)
		if err != nil {
			return nil, fmt.Errorf("read file list: %w", err)
		}
		paths = append(paths, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read file list: %w", err)
	}
	return paths, nil
}

// existingPaths splits paths into those that exist and those that do not
// (or cannot be looked at), keeping their order.
func existingPaths(paths []string) (existing, missing []string) {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
			continue
		}
		existing = append(existing, p)
	}
	return existing, missing
}
