package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// frameStream is the raw-frame side of jsonrpc2's header stream. A stream
// that has it is read frame by frame by the connection, which then decodes
// the frame itself: that is where tolerantStream steps in.
type frameStream interface {
	ReadFrame(ctx context.Context) ([]byte, int64, error)
	WriteFrame(ctx context.Context, data []byte) (int64, error)
}

// tolerantStream is jsonrpc2's LSP header framing, except that a
// well-framed body that is not a JSON-RPC message is answered as JSON-RPC
// asks (-32700 Parse error for a body that is not JSON, -32600 Invalid
// Request for JSON that is not a request; id null unless the request's id
// can be read) and the session goes on. jsonrpc2 would end the connection
// instead, and with it the user's runtime. A broken header leaves no way to
// find where the next message starts, so that still ends the connection:
// Err then says why.
type tolerantStream struct {
	jsonrpc2.Stream             // writes and Close
	frames          frameStream // the same stream, frame by frame
	logger          *zap.Logger

	endOnce sync.Once
	ended   chan struct{} // closed when reading stopped
	readErr error         // why reading stopped; set before ended is closed
}

func newTolerantStream(rw io.ReadWriteCloser, logger *zap.Logger) *tolerantStream {
	inner := jsonrpc2.NewHeaderStream(rw)
	frames, ok := inner.(frameStream)
	if !ok {
		// jsonrpc2's header stream has always had frame access; a version
		// without it could not batch either.
		panic("lsp: jsonrpc2's header stream has no ReadFrame")
	}
	return &tolerantStream{Stream: inner, frames: frames, logger: logger, ended: make(chan struct{})}
}

// ReadFrame returns the next frame that holds a JSON-RPC message or batch,
// answering the malformed ones before it.
func (s *tolerantStream) ReadFrame(ctx context.Context) ([]byte, int64, error) {
	for {
		body, n, err := s.frames.ReadFrame(ctx)
		if err != nil {
			s.end(err)
			return nil, 0, err
		}
		rpcErr, id, answer := malformed(body)
		if rpcErr == nil {
			return body, n, nil
		}
		s.logger.Warn("malformed message from the editor", zap.Error(rpcErr), zap.Bool("answered", answer), zap.ByteString("body", clip(body, 200)))
		if !answer {
			continue
		}
		if _, err := s.frames.WriteFrame(ctx, jsonrpc2.AppendResponse(nil, id, nil, rpcErr)); err != nil {
			s.end(err)
			return nil, 0, err
		}
	}
}

func (s *tolerantStream) WriteFrame(ctx context.Context, data []byte) (int64, error) {
	return s.frames.WriteFrame(ctx, data)
}

// Read is the message-at-a-time read of jsonrpc2.Stream, for callers that
// do not read frames.
func (s *tolerantStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	body, n, err := s.ReadFrame(ctx)
	if err != nil {
		return nil, 0, err
	}
	msg, err := jsonrpc2.DecodeMessage(body)
	return msg, n, err
}

func (s *tolerantStream) end(err error) {
	s.endOnce.Do(func() {
		s.readErr = err
		close(s.ended)
	})
}

// Err returns why reading stopped, once ended is closed: nil for the end of
// the editor's stream or a stop the server asked for, else a broken header,
// a frame cut short, or a read error.
func (s *tolerantStream) Err() error {
	select {
	case <-s.ended:
	default:
		return nil
	}
	switch err := s.readErr; {
	case errors.Is(err, io.EOF), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("the editor's stream ended in the middle of a message: %w", err)
	case errors.Is(err, jsonrpc2.ErrInvalidHeader):
		return fmt.Errorf("cannot find where the next message starts: %w", err)
	default:
		return err
	}
}

// malformed returns the error a frame's body deserves if it is not a
// JSON-RPC message or batch, with the id to answer it under, and whether
// to answer at all: a malformed response is not answered, as JSON-RPC
// never answers responses. A nil error means the connection can take the
// body; batches are left to it, which answers their bad members itself.
func malformed(body []byte) (err *jsonrpc2.Error, id jsonrpc2.ID, answer bool) {
	if i := skipSpace(body); i < len(body) && body[i] == '[' {
		if _, perr := jsonrpc2.ParseRequests(body); perr != nil {
			return asRPCError(perr), jsonrpc2.ID{}, true
		}
		return nil, jsonrpc2.ID{}, false
	}
	_, verr := jsonrpc2.ScanMessageView(body)
	if verr == nil {
		return nil, jsonrpc2.ID{}, false
	}
	rpcErr := asRPCError(verr)
	if rpcErr.Code == jsonrpc2.ParseError && json.Valid(body) {
		// JSON, but not an object: "an invalid Request object".
		return jsonrpc2.NewError(jsonrpc2.InvalidRequest, "JSON-RPC invalid request: not an object"), jsonrpc2.ID{}, true
	}
	var fields struct {
		ID     json.RawMessage `json:"id"`
		Method json.RawMessage `json:"method"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if rpcErr.Code == jsonrpc2.ParseError || json.Unmarshal(body, &fields) != nil {
		return rpcErr, jsonrpc2.ID{}, true
	}
	if fields.Method == nil && fields.ID != nil && (fields.Result != nil || fields.Error != nil) {
		return rpcErr, jsonrpc2.ID{}, false // a response
	}
	var n int64
	var str string
	switch {
	case json.Unmarshal(fields.ID, &n) == nil:
		id = jsonrpc2.NewNumberID(n)
	case json.Unmarshal(fields.ID, &str) == nil:
		id = jsonrpc2.NewStringID(str)
	}
	return rpcErr, id, true
}

func asRPCError(err error) *jsonrpc2.Error {
	var rpcErr *jsonrpc2.Error
	if errors.As(err, &rpcErr) {
		return rpcErr
	}
	return jsonrpc2.NewError(jsonrpc2.ParseError, err.Error())
}

func skipSpace(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
