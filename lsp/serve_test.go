package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// rawSession is an editor that writes bytes to the server and reads its
// messages one by one, for what a well-behaved client cannot send.
type rawSession struct {
	t      *testing.T
	conn   net.Conn
	in     jsonrpc2.Stream // the server's messages
	served chan error
	logs   *observer.ObservedLogs
}

func newRawSession(t *testing.T) *rawSession {
	t.Helper()
	serverSide, clientSide := net.Pipe()
	core, logs := observer.New(zapcore.DebugLevel)
	r := &rawSession{t: t, conn: clientSide, in: jsonrpc2.NewHeaderStream(clientSide), served: make(chan error, 1), logs: logs}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { r.served <- Serve(ctx, serverSide, zap.New(core)) }()
	t.Cleanup(func() {
		cancel()
		clientSide.Close()
		select {
		case <-r.served:
		case <-time.After(waitTimeout):
			t.Error("Serve did not return after the connection closed")
		}
	})
	return r
}

// write writes raw bytes as the editor would, in one write.
func (r *rawSession) write(data string) {
	r.t.Helper()
	go func() {
		// net.Pipe writes block until read; the server reads on its own.
		_, _ = r.conn.Write([]byte(data))
	}()
}

// read returns the server's next message, answering its requests to the
// editor (workspace/configuration and the like) with null.
func (r *rawSession) read() jsonrpc2.Message {
	r.t.Helper()
	type result struct {
		msg jsonrpc2.Message
		err error
	}
	got := make(chan result, 1)
	go func() {
		msg, _, err := r.in.Read(context.Background())
		got <- result{msg, err}
	}()
	select {
	case res := <-got:
		if res.err != nil {
			r.t.Fatalf("read from the server: %v", res.err)
		}
		if call, ok := res.msg.(*jsonrpc2.Call); ok {
			r.write(frame(fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"result":null}`, idJSON(call.ID()))))
		}
		return res.msg
	case <-time.After(waitTimeout):
		r.t.Fatal("no message from the server")
	}
	return nil
}

// next returns the server's next response, skipping its notifications.
func (r *rawSession) next() *jsonrpc2.Response {
	r.t.Helper()
	for {
		if resp, ok := r.read().(*jsonrpc2.Response); ok {
			return resp
		}
	}
}

// awaitNotification returns the params of the next notification of method
// for which cond is true.
func (r *rawSession) awaitNotification(method string, cond func(params json.RawMessage) bool) json.RawMessage {
	r.t.Helper()
	for {
		if n, ok := r.read().(*jsonrpc2.Notification); ok && n.Method() == method && cond(json.RawMessage(n.Params())) {
			return json.RawMessage(n.Params())
		}
	}
}

func idJSON(id jsonrpc2.ID) string {
	if n, ok := id.Number(); ok {
		return fmt.Sprint(n)
	}
	s, _ := id.StringValue()
	data, _ := json.Marshal(s)
	return string(data)
}

const (
	initializeFrame  = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{},"initializationOptions":{"python":"/nonexistent/python3"}}}`
	initializedFrame = `{"jsonrpc":"2.0","method":"initialized","params":{}}`
)

// errorCode returns the JSON-RPC error code of a response, 0 if none.
func errorCode(resp *jsonrpc2.Response) jsonrpc2.Code {
	var rpcErr *jsonrpc2.Error
	if errors.As(resp.Err(), &rpcErr) {
		return rpcErr.Code
	}
	return 0
}

// Regression: a well-framed body that is not JSON ended the connection at
// once, with no reply and no log, and the exit code was 0.
func TestMalformedMessagesAreAnsweredAndTheSessionGoesOn(t *testing.T) {
	t.Parallel()
	r := newRawSession(t)
	r.write(frame(initializeFrame) + frame(initializedFrame))
	if resp := r.next(); resp.Err() != nil {
		t.Fatalf("initialize: %v", resp.Err())
	}
	tests := []struct {
		name, body string
		wantCode   jsonrpc2.Code
		wantID     string // as JSON
	}{
		{"not JSON", `{{{{{`, jsonrpc2.ParseError, "null"},
		{"truncated JSON", `{"jsonrpc":"2.0","id":4,"method":`, jsonrpc2.ParseError, "null"},
		{"a method that is not a string", `{"jsonrpc":"2.0","id":5,"method":5}`, jsonrpc2.InvalidRequest, "5"},
		{"no jsonrpc version", `{"id":"six","method":"shutdown"}`, jsonrpc2.InvalidRequest, `"six"`},
		{"a number", `42`, jsonrpc2.InvalidRequest, "null"},
	}
	for _, tt := range tests {
		r.write(frame(tt.body))
		resp := r.next()
		if code := errorCode(resp); code != tt.wantCode || idJSON(resp.ID()) != tt.wantID && !(tt.wantID == "null" && !resp.ID().IsValid()) {
			t.Errorf("%s: answered %v with id %v, want code %d with id %s", tt.name, resp.Err(), resp.ID(), tt.wantCode, tt.wantID)
		}
	}
	// Still serving: a request gets its answer.
	r.write(frame(`{"jsonrpc":"2.0","id":9,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///x/lib.py"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"context":{"diagnostics":[]}}}`))
	if resp := r.next(); resp.Err() != nil || idJSON(resp.ID()) != "9" {
		t.Errorf("codeAction after malformed messages = %v (id %v), want an answer", resp.Err(), resp.ID())
	}
	if n := r.logs.FilterMessage("malformed message from the editor").Len(); n != len(tests) {
		t.Errorf("%d malformed messages logged, want %d", n, len(tests))
	}
}

// Regression: a header that cannot be parsed ended the session silently,
// with exit code 0; now Serve says why, and the log does too.
func TestABrokenHeaderEndsTheSessionWithAReason(t *testing.T) {
	t.Parallel()
	for _, input := range []string{
		"Content-Length: five\r\n\r\n{}",
		"Content-Length: 10\r\nno colon here\r\n\r\n",
		"Content-Type: application/json\r\n\r\n{}",
	} {
		r := newRawSession(t)
		r.write(frame(initializeFrame))
		r.next()
		r.write(input)
		select {
		case err := <-r.served:
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "header") {
				t.Errorf("%q: Serve = %v, want ErrUnreadable naming the header", input, err)
			}
			r.served <- err // for the cleanup
		case <-time.After(waitTimeout):
			t.Fatalf("%q: Serve did not return", input)
		}
		if r.logs.FilterMessage("the connection to the editor is broken; stopping").Len() != 1 {
			t.Errorf("%q: the reason was not logged: %v", input, r.logs.All())
		}
	}
}

// LSP 3.17: before initialize a request gets ServerNotInitialized (-32002);
// after shutdown, "If a server receives requests after a shutdown request
// those requests should error with InvalidRequest" (-32600). Both apply to
// every request, known or not.
func TestRequestsOutsideTheSessionGetTheLifecycleErrors(t *testing.T) {
	t.Parallel()
	r := newRawSession(t)
	execute := `{"jsonrpc":"2.0","id":%d,"method":"workspace/executeCommand","params":{"command":"hotload.interruptRuntime","arguments":[]}}`
	unknown := `{"jsonrpc":"2.0","id":%d,"method":"hotload/unknown"}`
	check := func(when string, id int, body string, want jsonrpc2.Code) {
		t.Helper()
		r.write(frame(fmt.Sprintf(body, id)))
		if resp := r.next(); errorCode(resp) != want {
			t.Errorf("%s: %s answered %v, want code %d", when, body[40:70], resp.Err(), want)
		}
	}
	check("before initialize", 2, execute, jsonrpc2.ServerNotInitialized)
	check("before initialize", 3, unknown, jsonrpc2.ServerNotInitialized)
	r.write(frame(initializeFrame) + frame(initializedFrame))
	if resp := r.next(); resp.Err() != nil {
		t.Fatalf("initialize: %v", resp.Err())
	}
	r.write(frame(`{"jsonrpc":"2.0","id":4,"method":"shutdown"}`))
	if resp := r.next(); resp.Err() != nil {
		t.Fatalf("shutdown: %v", resp.Err())
	}
	check("after shutdown", 5, execute, jsonrpc2.InvalidRequest)
	check("after shutdown", 6, unknown, jsonrpc2.InvalidRequest)
	check("after shutdown", 7, `{"jsonrpc":"2.0","id":%d,"method":"shutdown"}`, jsonrpc2.InvalidRequest)
}

// Regression: every request ran concurrently, initialize included; sent
// together, initialized could find initialize not done and be dropped, so
// Python was never started (4 times in 8). Many sessions, each sending both
// in one write, must each start the runtime.
func TestInitializeAndInitializedTogetherAlwaysStartTheRuntime(t *testing.T) {
	t.Parallel()
	for i := range 40 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			r := newRawSession(t)
			r.write(frame(initializeFrame) + frame(initializedFrame))
			if resp := r.next(); resp.Err() != nil {
				t.Fatalf("initialize: %v", resp.Err())
			}
			// The settings name a Python that does not exist, so the start
			// fails at once; that it was tried is what counts.
			r.awaitNotification(methodStatus, func(params json.RawMessage) bool {
				return strings.Contains(string(params), `"state":"starting"`)
			})
			if r.logs.FilterMessage("initialized out of order").Len() == 0 {
				return
			}
			t.Fatal("initialized was handled before initialize")
		})
	}
}
