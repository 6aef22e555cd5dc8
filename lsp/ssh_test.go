package lsp

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// TestRuntimeOverSSH runs the runtime through a real OpenSSH server on
// loopback, as a user with `"python": ["ssh", "box", "python3"]` does: the
// agent travels over ssh's stdin, its bootstrap through the remote shell,
// and pathMap translates the workspace to the folder the remote side sees
// (here a symlink to it).
func TestRuntimeOverSSH(t *testing.T) {
	t.Parallel()
	ssh := startSSHD(t)
	// A marker on the remote command line finds every process of this
	// runtime, on either side, once the server is gone.
	marker := fmt.Sprintf("hotload_ssh_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	// The remote shell searches its own PATH: the tests' Python goes by its path.
	python := append(ssh, pyruntimetest.Python(t), "-X", marker)

	e := newEditor(t, twoFiles)
	remote := filepath.Join(t.TempDir(), "remote-proj")
	if err := os.Symlink(e.dir, remote); err != nil {
		t.Fatal(err)
	}
	e.initialize(map[string]any{"python": python, "pathMap": map[string]string{e.dir: remote}})
	pid := e.waitReady()

	// A reload runs, and the module sees the remote path.
	e.save("lib.py", "from mymath import square\n\nprint(square(5))\n")
	if msg := e.awaitMessage(0, "lib reloaded in "); !strings.HasSuffix(msg.Message, " ms: 25") {
		t.Errorf("message = %q, want `lib reloaded in … ms: 25`", msg.Message)
	}
	for _, tt := range []struct{ code, want string }{
		{"square(6)", "36"},
		{"__file__", "'" + filepath.Join(remote, "lib.py") + "'"},
	} {
		var got evaluation
		if err := e.command("hotload.evaluate", &got, string(e.uri("lib.py")), tt.code); err != nil {
			t.Fatal(err)
		}
		if deref(got.Value) != tt.want {
			t.Errorf("evaluate %s = %v (error %v), want %s", tt.code, deref(got.Value), deref(got.Error), tt.want)
		}
	}

	// A traceback from the remote side lands on the local files.
	writeFile(t, e.path("calc.py"), "def divide(x):\n    return x / 0\n")
	e.save("lib.py", "from calc import divide\n\nvalue = divide(5)\n")
	raised := e.awaitDiagnostics("calc.py", "an Error", func(d []protocol.Diagnostic) bool { return len(d) == 1 })[0]
	raisedAt := span(1, 11, 16)
	if !pyruntimetest.AtLeast(t, 3, 11) {
		raisedAt = span(1, 4, 16) // the line: no column positions before Python 3.11
	}
	if message(raised) != "ZeroDivisionError: division by zero" || raised.Range != raisedAt {
		t.Errorf("diagnostic = %q %v, want ZeroDivisionError on line 2", message(raised), raised.Range)
	}
	e.awaitDiagnostics("lib.py", "an Information", func(d []protocol.Diagnostic) bool { return len(d) == 1 })
	e.awaitLog("lib failed after")
	e.mu.Lock()
	for rel := range e.diagnostics {
		if strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
			t.Errorf("diagnostics published for %s, outside the workspace", rel)
		}
	}
	for _, l := range e.logs {
		if strings.Contains(l.Message, "lib failed after") {
			if !strings.Contains(l.Message, fmt.Sprintf("File %q", e.path("calc.py"))) || strings.Contains(l.Message, remote) {
				t.Errorf("traceback = %q, want it to name the local %s, not %s", l.Message, e.path("calc.py"), remote)
			}
		}
	}
	e.mu.Unlock()

	// An interrupt reaches the remote code through the protocol channel.
	n := e.messageCount()
	e.save("lib.py", "print('looping')\nwhile True:\n    pass\n")
	e.awaitLog("lib: looping")
	var reply struct{ Interrupted bool }
	if err := e.command("hotload.interruptRuntime", &reply); err != nil || !reply.Interrupted {
		t.Fatalf("interruptRuntime = %+v, %v; want interrupted", reply, err)
	}
	e.awaitMessage(n, "lib: KeyboardInterrupt")

	// After shutdown nothing is left: not the worker, not the zygote, not
	// the ssh client.
	e.shutdown()
	pyruntimetest.WaitGone(t, pid, waitTimeout)
	deadline := time.Now().Add(waitTimeout)
	for {
		left := processesWith(marker)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running after shutdown: %q", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPathMapSetting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw string
		want      map[string]string
		problems  string
	}{
		{"folders", `{"pathMap": {"/home/me/proj": "/srv/proj"}}`, map[string]string{"/home/me/proj": "/srv/proj"}, ""},
		{"relative local", `{"pathMap": {"proj": "/srv/proj"}}`, nil, `pathMap: want absolute folders, got "proj": "/srv/proj"`},
		{"relative remote", `{"pathMap": {"/proj": "srv"}}`, nil, `pathMap: want absolute folders, got "/proj": "srv"`},
		{"not an object", `{"pathMap": ["/a", "/b"]}`, nil, "pathMap: want an object of folders to folders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := parseSettings([]byte(tt.raw))
			if !reflect.DeepEqual(got.PathMap, tt.want) || strings.Join(problems, "; ") != tt.problems {
				t.Errorf("parseSettings(%s) = %v, problems %q; want %v, %q", tt.raw, got.PathMap, problems, tt.want, tt.problems)
			}
		})
	}
	a := Settings{PathMap: map[string]string{"/a": "/b"}}
	if b := (Settings{PathMap: map[string]string{"/a": "/c"}}); a.sameRuntime(b) {
		t.Errorf("sameRuntime with pathMap %v and %v = true, want false: the runtime must restart", a.PathMap, b.PathMap)
	}
}

// startSSHD starts a throw-away OpenSSH server on a free loopback port, as
// the current user, with throw-away keys, and returns the ssh command line
// that logs in to it without asking anything. Without OpenSSH the test is
// skipped, or fails in CI, which installs it (.ci/run).
func startSSHD(t *testing.T) []string {
	t.Helper()
	var missing []string
	sshd := "/usr/sbin/sshd" // sshd wants an absolute path, to re-execute itself
	if _, err := os.Stat(sshd); err != nil {
		missing = append(missing, sshd)
	}
	for _, tool := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("OpenSSH is not installed (missing %s): apt-get install openssh-server openssh-client", strings.Join(missing, ", "))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// The privilege separation directory; Debian's service creates it at boot.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Logf("create /run/sshd: %v (sshd may refuse to start)", err)
	}
	dir := t.TempDir()
	hostKey, userKey := filepath.Join(dir, "host_key"), filepath.Join(dir, "user_key")
	for _, key := range []string{hostKey, userKey} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hotload-test", "-f", key).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	authorized := filepath.Join(dir, "authorized_keys")
	pub, err := os.ReadFile(userKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, authorized, string(pub))

	// A port that was free a moment ago may be taken by the time sshd binds
	// it; another one then does.
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		config := filepath.Join(dir, "sshd_config")
		writeFile(t, config, strings.Join([]string{
			"Port " + strconv.Itoa(port),
			"ListenAddress 127.0.0.1",
			"HostKey " + hostKey,
			"AuthorizedKeysFile " + authorized,
			"PubkeyAuthentication yes",
			"PasswordAuthentication no",
			"KbdInteractiveAuthentication no",
			"PermitRootLogin prohibit-password", // CI runs as root
			"StrictModes no",                    // keys in a temp folder
			"UsePAM no",
			"PidFile none",
			"UseDNS no",
			"",
		}, "\n"))
		if lastErr = serveSSH(t, sshd, config, port); lastErr == nil {
			return []string{"ssh", "-F", "/dev/null", "-i", userKey, "-p", strconv.Itoa(port),
				"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
				"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "127.0.0.1"}
		}
	}
	t.Fatal(lastErr)
	return nil
}

// serveSSH starts sshd with config and waits until it greets on port. The
// server is killed when the test ends.
func serveSSH(t *testing.T, sshd, config string, port int) error {
	t.Helper()
	var log pyruntimetest.Buffer
	cmd := exec.Command(sshd, "-D", "-e", "-f", config)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start sshd: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // its end is seen through exited
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill() // fails only if sshd already exited
		<-exited
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		select {
		case <-exited:
			return fmt.Errorf("sshd exited at start:\n%s", log.String())
		default:
		}
		if greets(port) {
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("sshd log:\n%s", log.String())
				}
			})
			return nil
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("sshd did not listen on port %d:\n%s", port, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// greets reports whether an SSH server answers on port.
func greets(port int) bool {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second)) // a fresh conn takes it
	buf := make([]byte, 4)
	_, err = conn.Read(buf)
	return err == nil && string(buf) == "SSH-"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// processesWith returns the command lines of the running processes whose
// command line contains marker.
func processesWith(marker string) []string {
	entries, _ := os.ReadDir("/proc") // an unreadable /proc finds nothing; WaitGone still checks
	var found []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pyruntimetest.Gone(pid) {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(marker)) {
			continue
		}
		found = append(found, fmt.Sprintf("%d: %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
	}
	return found
}
