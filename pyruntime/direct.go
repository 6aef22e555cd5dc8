package pyruntime

import (
	"context"

	"go.uber.org/zap"
)

// directLink is the pipe to an interpreter that runs the agent itself,
// without a zygote: for interpreters that cannot fork.
type directLink struct{ *agentCommand }

func (d directLink) send(line []byte) error { return d.write(line) }

// startDirect starts argv serving the agent directly and waits until it is ready.
func startDirect(ctx context.Context, argv []string, cfg *Config, logger *zap.Logger) (*process, error) {
	a, err := startAgent(ctx, argv, cfg, logger, nil)
	if err != nil {
		return nil, err
	}
	p := newProcess(directLink{a}, a.logger, cfg.OnOutput)
	p.pid = a.cmd.Process.Pid
	go func() { p.finish(a.readLines(p.receive)) }()
	if err := p.waitReady(ctx); err != nil {
		a.kill()
		<-p.done
		return nil, &StartError{Argv: argv, Err: err}
	}
	return p, nil
}
