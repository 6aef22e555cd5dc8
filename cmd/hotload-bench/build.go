package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// modulePath is hotload's module, whose repository the bench builds from.
const modulePath = "github.com/hotload-dev/hotload"

// buildTimeout bounds the server's build: a first build with an empty
// cache compiles every dependency.
const buildTimeout = 5 * time.Minute

// findRoot returns the root of the hotload repository the working directory
// is in, as the go command sees it.
func findRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the repository: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("find the repository: the working directory is not in a Go module; run the bench from the hotload repository")
	}
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("find the repository: %w", err)
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if got := strings.TrimSpace(strings.TrimPrefix(string(first), "module")); got != modulePath {
		return "", fmt.Errorf("find the repository: %s is module %q, not %s", gomod, got, modulePath)
	}
	return filepath.Dir(gomod), nil
}

// buildServer builds cmd/hotload from root into dir and returns the binary.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	bin := filepath.Join(dir, "hotload")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/hotload")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the server: go build: %w\n%s", err, out)
	}
	return bin, nil
}
