package lsp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

// previewLines and previewRunes bound the output shown in a message: a
// message is a glance, the full text goes to the log.
const (
	previewLines = 3
	previewRunes = 200
)

// reportReload tells the editor what a reload did: diagnostics replace the
// module's previous ones, a message sums it up, the log gets the details.
// The engine calls it for one module's reloads in the order they ran.
func (s *server) reportReload(res *reload.Result) {
	ctx := s.ctx
	if res.Fresh && res.Err == nil {
		// The process of the runs before is gone: the notes about its
		// objects are moot (saves made in place before the strategy
		// changed left them).
		s.forgetProcessNotes(ctx)
	}
	s.setDiagnostics(ctx, res.Module, s.issueDiagnostics(res))
	s.ranWith(res)
	s.setDiagnostics(ctx, notesOwner(res.Module), s.noteDiagnostics(res))
	s.setDiagnostics(ctx, evaluationOwner(res.Module), nil) // a reload supersedes them
	if res.OK() {
		// The importers re-ran cleanly: an error an importer's own save
		// reported earlier (say, before this fix to its dependency) is gone.
		for _, importer := range res.Reloaded[min(1, len(res.Reloaded)):] {
			s.setDiagnostics(ctx, importer, nil)
			s.setDiagnostics(ctx, notesOwner(importer), nil)
		}
		// The running program's failures through the saved file may be
		// fixed; those reported since the run began may be its own (a
		// thread it started), however late this result is reported.
		s.clearFailures(ctx, []string{res.Path}, res.Started)
		// The save watches again the old code of the file that ran since.
		s.clearStale(ctx, res.Path)
		// What the modules that ran kept is new; what others kept is not.
		s.clearKept(ctx, res.Reloaded)
		s.keepNotes(ctx, res)
		if res.Fresh {
			s.outdateFailures(ctx, res.Module, res.Path)
		}
	}

	cause := ""
	if c := res.Cause(); c != "" {
		cause = c + ": "
	}
	s.logSetAside(ctx, res)
	if !errors.Is(res.Err, reload.ErrClosed) {
		s.sendResult(res)
	}
	switch {
	case res.Err != nil:
		kind := protocol.MessageTypeError
		if errors.Is(res.Err, reload.ErrInterrupted) {
			kind = protocol.MessageTypeWarning
		}
		if errors.Is(res.Err, reload.ErrClosed) {
			return // the server is going away; nobody is waiting for this
		}
		s.show(ctx, kind, fmt.Sprintf("%s%s: %s", cause, res.Module, describeFailure(res.Err)))
		s.log(ctx, protocol.MessageTypeError, fmt.Sprintf("%s: %v", res.Module, res.Err))
	case res.Exception != nil:
		undone := ""
		if res.RolledBack {
			// A save or Evaluate Module: the module is as before this run.
			undone = "; rolled back: the module keeps the code and state it had before this run"
		}
		s.show(ctx, protocol.MessageTypeError, fmt.Sprintf("%s%s: %s%s%s", cause, res.Module, res.Exception.Summary(), where(res.Exception), undone))
		s.log(ctx, protocol.MessageTypeError, fmt.Sprintf("%s%s failed after %s%s\n%s", cause, res.Module, formatDuration(res.Duration), undone, res.Exception.Text))
	default:
		msg := fmt.Sprintf("%s%s reloaded in %s%s", cause, res.Ran(), formatDuration(res.Duration), importers(res))
		s.show(ctx, protocol.MessageTypeInfo, msg+preview(res))
		if res.Value != nil {
			msg += "\n" + *res.Value
		}
		s.log(ctx, protocol.MessageTypeInfo, msg)
	}
	s.showNotes(ctx, res)
	if h := res.HookError; h != nil {
		s.show(ctx, protocol.MessageTypeError, fmt.Sprintf("%s: afterReload raised %s%s", res.Module, h.Summary(), where(h)))
		s.log(ctx, protocol.MessageTypeError, "afterReload failed\n"+h.Text)
	}
}

// showNotes shows and logs the notes of a run, all in one Warning.
func (s *server) showNotes(ctx context.Context, res *reload.Result) {
	if len(res.Notes) == 0 {
		return
	}
	texts := make([]string, len(res.Notes))
	for i, n := range res.Notes {
		texts[i] = n.Text
	}
	notes := strings.Join(texts, "; ")
	s.show(ctx, protocol.MessageTypeWarning, res.Module+": "+notes)
	s.log(ctx, protocol.MessageTypeWarning, res.Module+": "+notes)
}

// importers names the importers a reload re-ran after the module, if any.
func importers(res *reload.Result) string {
	if len(res.Reloaded) < 2 {
		return ""
	}
	return " (and " + strings.Join(res.Reloaded[1:], ", ") + ")"
}

// notesOwnerPrefix starts the diagnostics owner of a reload's notes, which
// are about the objects of the process it ran in: a new process (a restart,
// a crash's spare, a fresh run) takes them off.
const notesOwnerPrefix = "notes:"

func notesOwner(module string) string { return notesOwnerPrefix + module }

// forgetProcessNotes takes off what was said about the objects of a process
// that is gone: the notes of its reloads, the old code that ran again in it,
// what its modules kept.
func (s *server) forgetProcessNotes(ctx context.Context) {
	s.clearOwners(ctx, notesOwnerPrefix)
	s.clearStale(ctx, "") // no old code runs in a new process
	s.clearKept(ctx, nil) // and nothing it computed is kept
}

// resultDiagnostics is issueDiagnostics and noteDiagnostics together.
func (s *server) resultDiagnostics(res *reload.Result) map[uri.URI][]protocol.Diagnostic {
	diags := s.issueDiagnostics(res)
	for u, ds := range s.noteDiagnostics(res) {
		if diags == nil {
			diags = make(map[uri.URI][]protocol.Diagnostic)
		}
		diags[u] = append(diags[u], ds...)
	}
	return diags
}

// noteDiagnostics puts each note of res on the object it names, so the
// editor shows what still runs old code where that code is (the notes that
// hold until a module runs again: keepNotes).
func (s *server) noteDiagnostics(res *reload.Result) map[uri.URI][]protocol.Diagnostic {
	if len(res.Notes) == 0 {
		return nil
	}
	users := s.userCode(filepath.Dir(res.Path))
	diags := make(map[uri.URI][]protocol.Diagnostic)
	for _, n := range res.Notes {
		if n.Until == "" && n.Path != "" && n.Line > 0 && users(n.Path) {
			u := fileURI(n.Path)
			diags[u] = append(diags[u], noteDiagnostic(n))
		}
	}
	return diags
}

// issueDiagnostics maps a result's exception and warnings to diagnostics on
// the user's files: those in the workspace folders (or, with none, the
// module's own folder) and extra paths, but not installed libraries, even
// ones in a virtual environment inside the workspace.
func (s *server) issueDiagnostics(res *reload.Result) map[uri.URI][]protocol.Diagnostic {
	if res.Exception == nil && res.HookError == nil && len(res.Warnings) == 0 {
		return nil
	}
	users := s.userCode(filepath.Dir(res.Path))
	diags := make(map[uri.URI][]protocol.Diagnostic)
	for _, exc := range []*reload.Exception{res.Exception, res.HookError} {
		if exc == nil {
			continue
		}
		for u, ds := range exceptionDiagnostics(exc, users) {
			diags[u] = append(diags[u], ds...)
		}
	}
	for _, w := range res.Warnings {
		if users(w.Path) {
			u := fileURI(w.Path)
			diags[u] = append(diags[u], protocol.Diagnostic{
				Range:    frameRange(w.Frame),
				Severity: protocol.DiagnosticSeverityWarning,
				Source:   protocol.NewOptional(diagnosticSource),
				Message:  protocol.String(w.Summary()),
			})
		}
	}
	return diags
}

// noteDiagnostic is a Warning with n's text on the whole line n names.
func noteDiagnostic(n reload.Note) protocol.Diagnostic {
	return protocol.Diagnostic{
		Range:    frameRange(reload.Frame{Line: n.Line, EndLine: n.Line, Col: -1, EndCol: -1, Source: n.Source}),
		Severity: protocol.DiagnosticSeverityWarning,
		Source:   protocol.NewOptional(diagnosticSource),
		Message:  protocol.String(n.Text),
	}
}

// describeFailure says in a user's words why code did not finish.
func describeFailure(err error) string {
	if why := reload.Explain(err); why != "" {
		return "cannot start Python. " + why
	}
	switch {
	case errors.Is(err, reload.ErrTimedOut):
		return "the code ran over the timeout setting and did not stop after the interrupt, so the runtime was killed and restarted; module state is lost"
	case errors.Is(err, reload.ErrInterrupted):
		return "the code did not stop after the interrupt, so the runtime was killed and restarted; module state is lost"
	case errors.Is(err, reload.ErrRestarted):
		return "the runtime was restarted while the code ran"
	case errors.Is(err, reload.ErrClosed):
		return "the runtime was stopped (settings changed or the server is stopping) while the code ran"
	case errors.Is(err, reload.ErrDetached):
		return "the attached app closed the connection (did it exit?); hotload does not restart it, and the next save attaches again"
	case errors.Is(err, reload.ErrCannotAttach):
		return strings.TrimPrefix(err.Error(), "pyruntime: ") + "; no runtime runs in its place: start the app (serving hotload), and the next save attaches"
	}
	return strings.TrimPrefix(err.Error(), "pyruntime: ") + "; started a fresh runtime (module state is lost)"
}

// where names the file and line the exception was raised at, if known.
func where(exc *reload.Exception) string {
	f := exc.Innermost()
	if f == nil {
		return ""
	}
	return fmt.Sprintf(" (%s:%d)", filepath.Base(f.Path), f.Line)
}

// preview returns ": " and the first lines of output and the value, or "".
func preview(res *reload.Result) string {
	parts := outputLines(res.Output)
	if res.Value != nil {
		parts = append(parts, *res.Value)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + cut(strings.Join(parts, " | "))
}

// outputPreview is the first lines of output, cut to a glance.
func outputPreview(output string) string {
	return cut(strings.Join(outputLines(output), "\n"))
}

// outputLines is the first previewLines lines of output, and "…" if there
// are more; nil for no output.
func outputLines(output string) []string {
	out := strings.TrimRight(output, "\n")
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	if len(lines) > previewLines {
		lines = append(lines[:previewLines], "…")
	}
	return lines
}

// cut shortens text to previewRunes code points and an ellipsis.
func cut(text string) string {
	if utf8.RuneCountInString(text) > previewRunes {
		return string([]rune(text)[:previewRunes]) + "…"
	}
	return text
}

// formatDuration prints a duration the way people read reload times:
// "0.8 ms", "12 ms", "1.3 s".
func formatDuration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	default:
		return fmt.Sprintf("%.1f s", ms/1000)
	}
}

// logOutput streams the code's output to the client's log as it is written.
func (s *server) logOutput(module, text string) {
	if module == "" {
		module = "background"
	}
	s.log(s.ctx, protocol.MessageTypeLog, module+": "+strings.TrimRight(text, "\n"))
}

func (s *server) runtimeStarted(info reload.RuntimeInfo) {
	s.setStatus(func(st *status) {
		st.State, st.Pid = stateReady, info.Pid
		if st.noRuntime {
			st.LastError, st.noRuntime = "", false // the run failed for want of this runtime
		}
	})
	s.forgetProcessNotes(s.ctx)
	how := strings.Join(info.Argv, " ")
	if info.Forked {
		how = "forked from the preloaded " + how
	}
	s.log(s.ctx, protocol.MessageTypeInfo, fmt.Sprintf("hotload: Python ready in %s (pid %d, %s)", formatDuration(info.Duration), info.Pid, how))
	for name, exc := range info.PreloadErrors {
		s.show(s.ctx, protocol.MessageTypeWarning, fmt.Sprintf("hotload: preload %s failed: %s", name, exc.Summary()))
		s.log(s.ctx, protocol.MessageTypeWarning, exc.Text)
	}
}

// preloadsRenewed tells the user whether the processes started from now
// on have the preloaded file just saved as it is now.
func (s *server) preloadsRenewed(r reload.PreloadRenewal) {
	name := filepath.Base(r.Path)
	what := name + " is imported by the preloads"
	if !strings.HasSuffix(name, ".py") {
		// A file a preload read as it ran, or a site-packages folder
		// (a pip install), changed outside the editor.
		what = name + ", which the preloads use, changed"
	}
	if r.Err == nil {
		s.log(s.ctx, protocol.MessageTypeInfo, "hotload: "+what+": they were imported again with it, for fresh runs and restarts")
		return
	}
	why := r.Err.Error()
	if failed := slices.Sorted(maps.Keys(r.PreloadErrors)); len(failed) > 0 {
		exc := r.PreloadErrors[failed[0]] // one is enough to say what to fix
		why = fmt.Sprintf("preload %s failed: %s", failed[0], exc.Summary())
		s.log(s.ctx, protocol.MessageTypeWarning, exc.Text)
	}
	msg := fmt.Sprintf("hotload: %s, and importing them again with it failed (%s): fresh runs, restarts and crash recoveries still start with %s as it was when they were imported before. Fix it and save again.", what, why, name)
	s.show(s.ctx, protocol.MessageTypeWarning, msg)
	s.log(s.ctx, protocol.MessageTypeWarning, msg)
}

func (s *server) runtimeExited(err error) {
	s.setStatus(func(st *status) { st.State, st.Pid, st.Message = stateDead, 0, describeFailure(err) })
	what := "the Python runtime died between reloads: "
	if errors.Is(err, reload.ErrDetached) {
		what = ""
	}
	s.show(s.ctx, protocol.MessageTypeWarning, "hotload: "+what+describeFailure(err))
	s.log(s.ctx, protocol.MessageTypeWarning, err.Error())
}

// show sends window/showMessage if the notifications setting lets it (the
// caller logs what matters); a failure only means the client is gone.
func (s *server) show(ctx context.Context, kind protocol.MessageType, msg string) {
	s.stateMu.Lock()
	shown := s.notifications.shows(kind)
	s.stateMu.Unlock()
	if !shown {
		return
	}
	if err := s.client.ShowMessage(ctx, &protocol.ShowMessageParams{Type: kind, Message: msg}); err != nil {
		s.logger.Debug("showMessage", zap.Error(err))
	}
}

// log sends window/logMessage; a failure only means the client is gone.
func (s *server) log(ctx context.Context, kind protocol.MessageType, msg string) {
	if err := s.client.LogMessage(ctx, &protocol.LogMessageParams{Type: kind, Message: msg}); err != nil {
		s.logger.Debug("logMessage", zap.Error(err))
	}
}
