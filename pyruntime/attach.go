package pyruntime

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"go.uber.org/zap"
)

// ErrDetached reports that an attached app closed the connection: it exited,
// or its session ended. hotload never restarts an app it attached to; the
// next request tries to attach again.
var ErrDetached = errors.New("pyruntime: the attached app closed the connection")

// ErrNoRestart is what Restart returns for an attached app: hotload never
// restarts a process it did not start.
var ErrNoRestart = errors.New("pyruntime: hotload does not restart an app it attached to; restart the app, and the next save attaches again")

// ErrCannotAttach reports that hotload could not attach to the app: it is
// not serving (not started, exited), or its socket or token is not the
// user's alone. Nothing is started in its place; the next request tries
// again.
var ErrCannotAttach = errors.New("pyruntime: cannot attach to the app")

// cannotAttach is an error of attach: its text is the cause's, and it is
// ErrCannotAttach.
type cannotAttach struct{ error }

func (e cannotAttach) Is(target error) bool { return target == ErrCannotAttach }
func (e cannotAttach) Unwrap() error        { return e.error }

// attachLink is a connection to an app serving the agent.
type attachLink struct {
	mu   sync.Mutex // serializes writes
	conn net.Conn
}

func (l *attachLink) send(line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.conn.Write(line)
	return err
}

// kill closes the connection: the app is not ours to kill. Code still
// running in it goes on until it returns.
func (l *attachLink) kill() { _ = l.conn.Close() }

// attach connects to the app serving the agent on the Unix socket at path,
// authenticates with the token in path + ".token", and waits until the
// agent is ready. Both files must belong to the user and be closed to
// everyone else.
func attach(ctx context.Context, path string, cfg *Config, logger *zap.Logger) (*process, error) {
	p, err := connect(ctx, path, cfg, logger)
	if err != nil {
		return nil, cannotAttach{err}
	}
	return p, nil
}

// connect is attach's work.
func connect(ctx context.Context, path string, cfg *Config, logger *zap.Logger) (*process, error) {
	tokenPath := path + ".token"
	for _, f := range []string{path, tokenPath} {
		if err := checkPrivate(f); err != nil {
			return nil, fmt.Errorf("pyruntime: attach: %w", err)
		}
	}
	token, err := os.ReadFile(tokenPath)
	if err != nil {
		return nil, fmt.Errorf("pyruntime: attach: read token: %w", err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("pyruntime: attach %s: %w (is the app running and serving?)", path, err)
	}
	hello, err := json.Marshal(map[string]string{"token": strings.TrimSpace(string(token))})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("pyruntime: attach: %w", err)
	}
	l := &attachLink{conn: conn}
	if err := l.send(append(hello, '\n')); err != nil {
		conn.Close()
		return nil, fmt.Errorf("pyruntime: attach %s: send token: %w", path, err)
	}
	p := newProcess(l, logger.With(zap.String("attach", path)), cfg.OnOutput)
	refused := make(chan string, 1)
	go func() {
		r := bufio.NewReaderSize(conn, 64*1024)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 && line[len(line)-1] == '\n' {
				var ev struct{ Event, Text string }
				if json.Unmarshal(line, &ev) == nil && ev.Event == "refused" {
					refused <- ev.Text
				} else {
					p.receive(line[:len(line)-1])
				}
			}
			if err != nil {
				break
			}
		}
		conn.Close()
		p.finish(ErrDetached)
	}()
	if err := p.waitReady(ctx); err != nil {
		conn.Close()
		select {
		case why := <-refused:
			return nil, fmt.Errorf("pyruntime: attach %s: the app refused the connection: %s", path, why)
		default:
		}
		return nil, fmt.Errorf("pyruntime: attach %s: %w", path, err)
	}
	return p, nil
}
