package nvim_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// fixture is a project where saving lib.py fails in mymath.py. Line 4 has
// characters outside ASCII, the BMP among them, for the UTF-16 columns of a
// selection.
const fixture = `
-- pyproject.toml --
[project]
name = "fixture"
-- lib.py --
from mymath import square

value = square(5)
pair = ("🙂", "é"); size = len(pair)
-- mymath.py --
def square(x):
    return x / 0
-- prog.py --
import time
print("prog started", flush=True)
while True:
    time.sleep(0.2)
`

// editorTimeout bounds the whole editor session. It guards against a hang
// (spec.lua's own waits are 20 s each); it is not a claim about speed.
const editorTimeout = 2 * time.Minute

var (
	// runtimePid matches spec.lua's report of a Python runtime.
	runtimePid = regexp.MustCompile(`(?m)^PID (\d+)$`)
	// serverPid matches the server's first log entry (JSON, with --log-file).
	serverPid = regexp.MustCompile(`"msg":"hotload lsp starting".*"pid":(\d+)`)
)

// TestNeovim runs the plugin in a real, headless Neovim against the built
// server: testdata/spec.lua saves files, waits for diagnostics, evaluates
// code and restarts the runtime. Afterwards neither the server nor any Python
// it started may be left running.
func TestNeovim(t *testing.T) {
	nvim := findNvim(t)
	pluginDir, root := pluginAndRoot(t)
	bin := buildServer(t, root)

	project := t.TempDir()
	for _, f := range txtar.Parse([]byte(fixture)).Files {
		if err := os.WriteFile(filepath.Join(project, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// testdata/init.lua stands in for the user's init.lua; Neovim's own
	// files (LSP log, swap) go to throwaway XDG folders, so no user
	// configuration or plugin takes part.
	state := t.TempDir()
	serverLogPath := filepath.Join(state, "hotload-server.log")
	ctx, cancel := context.WithTimeout(context.Background(), editorTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-n", "-i", "NONE",
		"-u", filepath.Join(pluginDir, "testdata", "init.lua"),
		// A spec that does not even load must end Neovim too.
		"-c", `lua local ok, err = pcall(dofile, os.getenv("HOTLOAD_NVIM_SPEC")) if not ok then io.stdout:write("FAIL spec.lua: " .. tostring(err) .. "\n") vim.cmd("cquit") end`)
	cmd.Dir = project
	cmd.Env = editorEnv(bin, state,
		"HOTLOAD_NVIM_PLUGIN="+pluginDir,
		"HOTLOAD_NVIM_SPEC="+filepath.Join(pluginDir, "testdata", "spec.lua"),
		"HOTLOAD_TEST_SERVER_LOG="+serverLogPath,
	)
	// spec.lua reports on stdout; Neovim's messages go to stderr.
	var report, messages bytes.Buffer
	cmd.Stdout, cmd.Stderr = &report, &messages
	cmd.WaitDelay = 10 * time.Second // if a child keeps an output pipe open
	runErr := cmd.Run()
	t.Logf("spec.lua:\n%s", report.String())
	t.Logf("nvim messages:\n%s", messages.String())

	// Whatever happened in the editor, the server and the runtimes it
	// started must be gone once the editor is.
	serverLog, _ := os.ReadFile(serverLogPath) // missing if the server never started
	for _, m := range serverPid.FindAllSubmatch(serverLog, -1) {
		pid, _ := strconv.Atoi(string(m[1])) // the pattern only matches digits
		waitGone(t, "the hotload server", pid)
	}
	for _, m := range runtimePid.FindAllStringSubmatch(report.String(), -1) {
		pid, _ := strconv.Atoi(m[1])
		waitGone(t, "the Python runtime", pid)
	}

	if runErr != nil {
		t.Logf("server log:\n%s", serverLog)
		if ctx.Err() != nil {
			t.Fatalf("nvim did not finish within %v", editorTimeout)
		}
		t.Fatalf("nvim: %v (the FAIL lines above say which check failed)", runErr)
	}
	if !runtimePid.MatchString(report.String()) || !serverPid.Match(serverLog) {
		t.Error("want the server's pid (from its log) and at least one runtime's (from spec.lua) to check that none is left running")
	}
}

// waitGone fails the test if process pid is still running after a while.
// The timeout guards against a hang; it is not a claim about speed.
func waitGone(t *testing.T, what string, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !pyruntimetest.Gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("%s (pid %d) is still running after Neovim exited", what, pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
