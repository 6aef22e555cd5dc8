package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

func TestInboxAwaitsAfterMark(t *testing.T) {
	in := newInbox()
	ctx := context.Background()
	in.ShowMessage(ctx, &protocol.ShowMessageParams{Message: "lib reloaded in 0.4 ms: 1"})
	m := in.mark()
	go in.ShowMessage(ctx, &protocol.ShowMessageParams{Message: "lib reloaded in 0.4 ms: 1"})
	got, err := in.awaitMessage(ctx, m, "the second message", reloadMessage("lib", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.At.IsZero() {
		t.Error("awaitMessage returned a message without its arrival time")
	}
	if in.mark().messages != 2 {
		t.Errorf("inbox holds %d messages, want 2", in.mark().messages)
	}
}

func TestInboxFailsWhenServerIsGone(t *testing.T) {
	in := newInbox()
	gone := errors.New("the server exited (exit status 2)")
	go in.closeWith(gone)
	_, err := in.awaitStatus(context.Background(), mark{}, "a status", func(status) bool { return true })
	if !errors.Is(err, gone) || !strings.Contains(err.Error(), "waiting for a status") {
		t.Errorf("awaitStatus after the server exited = %v, want it to wrap %v", err, gone)
	}
}

func TestInboxRuntimePids(t *testing.T) {
	in := newInbox()
	for _, st := range []status{{State: "starting"}, {State: "ready", Pid: 10}, {State: "running", Pid: 10}, {State: "dead"}, {State: "ready", Pid: 11}} {
		add(in, &in.statuses, st)
	}
	if got := in.runtimePids(); len(got) != 2 || got[0] != 10 || got[1] != 11 {
		t.Errorf("runtimePids() = %v, want [10 11]", got)
	}
	if got := in.runtimePid(); got != 11 {
		t.Errorf("runtimePid() = %d, want 11", got)
	}
}
