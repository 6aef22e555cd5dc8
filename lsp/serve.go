// Package lsp is hotload's language server: it turns saves into reloads and
// reload results into diagnostics and messages. It runs beside the user's
// usual Python language server and offers nothing but run-time feedback.
package lsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// ErrExitWithoutShutdown is what Serve returns when the client sent exit
// without shutdown first; the LSP asks the server to exit with code 1 then.
var ErrExitWithoutShutdown = errors.New("lsp: exit without shutdown")

// ErrUnreadable is what Serve returns when the editor's stream cannot be
// read any further: a header it cannot parse, so there is no way to find
// where the next message starts, or a stream that ends inside a message.
var ErrUnreadable = errors.New("lsp: cannot read from the editor")

// closeWait bounds how long Serve waits for the connection to close after
// the session ended: long enough for an in-process pipe, short enough that
// an editor does not notice.
const closeWait = 200 * time.Millisecond

// Serve speaks LSP over stream until the client exits, the stream closes or
// ctx is done. When it returns, the Python runtime is gone.
//
// A message it cannot parse is answered with an error and the session goes
// on; a header it cannot parse leaves no way to find the next message, so
// Serve logs why and returns an error saying so.
func Serve(ctx context.Context, rw io.ReadWriteCloser, logger *zap.Logger) error {
	stream := newTolerantStream(rw, logger)
	conn := jsonrpc2.NewConn(stream, jsonrpc2.WithCodec(Codec{}))
	s := newServer(conn, logger)
	conn.Go(ctx, tolerant(s.gate(ordered(protocol.ServerHandler(s, jsonrpc2.MethodNotFoundHandler))), logger))

	// readErr is why reading stopped, if the session ended because it did:
	// the connection ends after the stream does, so stream.Err is set by
	// then; after exit or cancellation, reads that fail are ours.
	var readErr error
	select {
	case <-conn.Done():
		readErr = stream.Err()
	case <-stream.ended:
		// Nothing more can come: stop the runtime now rather than wait
		// for the requests in flight, which stopping it ends.
		readErr = stream.Err()
	case <-s.exited:
	case <-ctx.Done():
	}
	s.close()
	// Close waits for the read loop, which a blocking stdin keeps in read(2)
	// until the editor closes its end, and closing our end does not wake it.
	// The caller exits once Serve returns, which ends that read anyway.
	closed := make(chan struct{})
	go func() {
		_ = conn.Close() // the stream may already be gone
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(closeWait):
		logger.Debug("the client's stream is still open; not waiting for it")
	}
	if s.exitedWithoutShutdown() {
		return ErrExitWithoutShutdown
	}
	if readErr != nil {
		logger.Error("the connection to the editor is broken; stopping", zap.Error(readErr))
		return fmt.Errorf("%w: %w", ErrUnreadable, readErr)
	}
	return nil
}

// ordered handles notifications and the lifecycle requests (initialize,
// shutdown) on the read loop, in the order they were sent, and releases the
// other requests to run concurrently, cancellable by $/cancelRequest.
// Document sync depends on notification order, and initialized must find
// initialize done; these handlers only record state and hand work on, so
// they never hold the read loop up for long. A request still sees the
// effects of every notification sent before it: their handlers have
// returned by the time it starts.
//
// The lifecycle requests bypass the cancel handler: it derives a context
// from the request's, which jsonrpc2 recycles as soon as a request handled
// on the read loop returns, and a derived context that outlives it panics.
func ordered(handler jsonrpc2.Handler) jsonrpc2.Handler {
	cancellable := protocol.CancelHandler(func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if req.IsCall() {
			jsonrpc2.Async(ctx)
		}
		return handler(ctx, req)
	})
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if req.IsCall() && lifecycleMethod(req.Method()) {
			return handler(ctx, req)
		}
		return cancellable(ctx, req)
	}
}

func lifecycleMethod(method string) bool {
	return method == protocol.MethodInitialize || method == protocol.MethodShutdown
}

// tolerant logs and drops the error of a notification's handler: jsonrpc2
// closes the connection when one fails, so a notification the server does
// not know (an editor's own, or "$/" ones the LSP says servers may ignore)
// or one with malformed params would end the session. A notification has
// no reply to carry the error. Calls are answered with theirs as usual.
func tolerant(handler jsonrpc2.Handler, logger *zap.Logger) jsonrpc2.Handler {
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		result, err := handler(ctx, req)
		if err != nil && !req.IsCall() {
			logger.Warn("notification ignored", zap.String("method", req.Method()), zap.Error(err))
			return nil, nil
		}
		return result, err
	}
}

// Codec is the jsonrpc2 codec of hotload's connections: it marshals LSP
// payloads with the protocol package's union-aware encoder and passes raw
// messages through. The protocol package has the same codec unexported;
// clients of hotload (the benchmark, tests) use this one.
// (protocol.NewServer would install it too, but also makes every
// notification concurrent, which would reorder didChange and didSave.)
type Codec struct{}

func (Codec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case jsonrpc2.RawMessage:
		if m == nil {
			return []byte("null"), nil
		}
		return m, nil
	case *jsonrpc2.RawMessage:
		if m == nil || *m == nil {
			return []byte("null"), nil
		}
		return *m, nil
	}
	return protocol.Marshal(v)
}

func (Codec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		*p = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	}
	return protocol.Unmarshal(data, v)
}
