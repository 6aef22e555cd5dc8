package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// probeID is the id of the request sent after a fuzz input to check the
// server still answers; inputs that contain it are not probed.
const probeID = "hotload-fuzz-probe"

// fuzzWait bounds each wait of a fuzz run. It is a hang guard: Serve
// normally returns in milliseconds, but one that stops a real Python
// runtime may take up to pyruntime's two-second wait delay.
const fuzzWait = 10 * time.Second

// FuzzServe feeds arbitrary bytes to Serve as what the editor writes to the
// server's stdin: bad Content-Length headers, bad JSON, wrong parameter
// types, unknown methods, requests before initialize, notifications after
// exit. The server must not panic (a panic in any of its goroutines crashes
// the test binary), must write only well-formed messages, must still answer
// a request after any input made of well-formed messages without exit, must
// return once the input ends, and must leave no Python process behind.
// The seed corpus is in testdata/fuzz/FuzzServe; plain go test runs it.
func FuzzServe(f *testing.F) {
	// A mutated "python" setting must not run an arbitrary program from
	// PATH: only python3 is there. The seeds set python to a file that does
	// not exist, so most inputs start no runtime and run fast.
	bin := f.TempDir()
	if python := realPython(); python != "" {
		if err := os.Symlink(python, filepath.Join(bin, "python3")); err != nil {
			f.Fatal(err)
		}
	}
	f.Setenv("PATH", bin)
	f.Setenv("VIRTUAL_ENV", "")

	f.Fuzz(func(t *testing.T, input []byte) {
		before := descendants(os.Getpid())
		probe := probeable(input)
		stream := newFuzzStream(input, probe)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		served := make(chan error, 1)
		go func() { served <- Serve(ctx, stream, zap.NewNop()) }()

		if probe {
			select {
			case <-stream.answered:
			case <-served:
				t.Fatalf("Serve returned before answering a request sent after the input %q\nserver wrote %q", input, stream.output())
			case <-time.After(fuzzWait):
				t.Fatalf("no answer to a request sent after the input %q\nserver wrote %q\n%s", input, stream.output(), goroutines())
			}
		}
		stream.end()
		select {
		case err := <-served:
			// Only a stream that cannot be read on ends in an error.
			_, framed := splitFrames(input)
			if err != nil && err != ErrExitWithoutShutdown && (framed || !errors.Is(err, ErrUnreadable)) {
				t.Errorf("Serve = %v", err)
			}
		case <-time.After(fuzzWait):
			t.Fatalf("Serve did not return after the input %q ended\n%s", input, goroutines())
		}

		out := stream.output()
		bodies, ok := splitFrames(out)
		if !ok {
			t.Fatalf("the server wrote malformed frames: %q", out)
		}
		for _, body := range bodies {
			if err := checkMessages(body); err != nil {
				t.Fatalf("the server wrote %q: %v", body, err)
			}
		}
		for pid := range descendants(os.Getpid()) {
			if !before[pid] && !pyruntimetest.Gone(pid) {
				t.Errorf("process %d is still running after Serve returned", pid)
			}
		}
	})
}

// fuzzStream is the server's side of the editor's pipe: reads return the
// input, then block until the test ends the stream; writes are recorded.
type fuzzStream struct {
	in       io.Reader
	ended    chan struct{} // closed by end or Close: reads past the input see EOF
	endOnce  sync.Once
	answered chan struct{} // closed once the server answered the probe

	mu  sync.Mutex // guards out and probed
	out bytes.Buffer
	// probed is true once answered is closed, or when there is no probe.
	probed bool
}

// newFuzzStream returns a stream that reads input, followed by a probe
// request if probe is set.
func newFuzzStream(input []byte, probe bool) *fuzzStream {
	s := &fuzzStream{in: bytes.NewReader(input), ended: make(chan struct{}), answered: make(chan struct{}), probed: !probe}
	if probe {
		body := `{"jsonrpc":"2.0","id":"` + probeID + `","method":"hotload/fuzzProbe"}`
		s.in = io.MultiReader(s.in, strings.NewReader(frame(body)))
	}
	return s
}

func (s *fuzzStream) Read(p []byte) (int, error) {
	n, err := s.in.Read(p)
	if err == io.EOF {
		<-s.ended
	}
	return n, err
}

func (s *fuzzStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.Write(p)
	if !s.probed && bytes.Contains(s.out.Bytes(), []byte(`"`+probeID+`"`)) {
		s.probed = true
		close(s.answered)
	}
	return len(p), nil
}

// end makes reads past the input return EOF, as when the editor closes
// the server's stdin.
func (s *fuzzStream) end() { s.endOnce.Do(func() { close(s.ended) }) }

func (s *fuzzStream) Close() error {
	s.end()
	return nil
}

func (s *fuzzStream) output() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.out.Bytes())
}

// checkMessages checks that body is a JSON-RPC message, or a batch of
// them: the server answers a batch with one.
func checkMessages(body []byte) error {
	var batch []json.RawMessage
	if err := json.Unmarshal(body, &batch); err != nil {
		_, err := jsonrpc2.DecodeMessage(body)
		return err
	}
	if len(batch) == 0 {
		return fmt.Errorf("an empty batch")
	}
	for _, msg := range batch {
		if _, err := jsonrpc2.DecodeMessage(msg); err != nil {
			return err
		}
	}
	return nil
}

// probeable reports whether the server must still answer a request after
// input: when input is a sequence of complete frames, whatever their bodies
// hold (JSON or not, messages or not: a malformed one is answered with an
// error and the session goes on), none of them exit, alone or in a batch,
// after which the server stops, and none using the probe's id.
func probeable(input []byte) bool {
	if bytes.Contains(input, []byte(probeID)) {
		return false
	}
	bodies, ok := splitFrames(input)
	if !ok {
		return false
	}
	for _, body := range bodies {
		requests, err := jsonrpc2.ParseRequests(body)
		if err != nil {
			continue // not a request: answered as malformed
		}
		for _, r := range requests {
			if r.Err == nil && r.Msg.Method() == "exit" {
				return false
			}
		}
	}
	return true
}

// splitFrames splits data into LSP frame bodies. It is stricter than the
// jsonrpc2 package: it reports false unless data is nothing but frames
// whose header lines end in CRLF and hold one "Content-Length: n".
func splitFrames(data []byte) ([][]byte, bool) {
	var bodies [][]byte
	for len(data) > 0 {
		length := -1
		for {
			line, rest, ok := bytes.Cut(data, []byte("\r\n"))
			if !ok || bytes.IndexByte(line, '\n') >= 0 {
				return nil, false
			}
			data = rest
			if len(line) == 0 {
				break
			}
			name, value, ok := strings.Cut(string(line), ":")
			if !ok {
				return nil, false
			}
			if strings.EqualFold(name, "Content-Length") {
				digits, ok := strings.CutPrefix(value, " ")
				n, err := strconv.Atoi(digits)
				if !ok || length >= 0 || err != nil || n <= 0 || strings.Trim(digits, "0123456789") != "" {
					return nil, false
				}
				length = n
			}
		}
		if length < 0 || length > len(data) {
			return nil, false
		}
		bodies = append(bodies, data[:length])
		data = data[length:]
	}
	return bodies, true
}

// frame wraps a JSON body in an LSP header.
func frame(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

// descendants returns the processes below pid, read from /proc.
func descendants(pid int) map[int]bool {
	children := make(map[int][]int)
	entries, _ := os.ReadDir("/proc") // no /proc: nothing to check
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // it exited meanwhile
		}
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 {
			continue
		}
		if parent, err := strconv.Atoi(fields[1]); err == nil {
			children[parent] = append(children[parent], child)
		}
	}
	found := make(map[int]bool)
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !found[c] {
				found[c] = true
				queue = append(queue, c)
			}
		}
	}
	return found
}

// realPython returns the interpreter python3 on PATH runs, resolving
// wrappers such as pyenv's shims, which need the rest of PATH; "" if none.
func realPython() string {
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// goroutines returns every goroutine's stack, to show where a hang is.
func goroutines() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}
