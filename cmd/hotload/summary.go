package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/hotload-dev/hotload/reload"
)

// summary returns what the terminal shows on stderr after a run of a
// module, ending in a newline: a traceback if the code raised, then one
// line saying how the run went, with the value of the module's last
// expression if it had one. first tells the first run, which loads the
// module, from the reruns.
func summary(res *reload.Result, first bool) string {
	if res.Err != nil {
		return fmt.Sprintf("hotload: %v\n", res.Err)
	}
	var b strings.Builder
	if cause := res.Cause(); cause != "" {
		fmt.Fprintf(&b, "hotload: %s\n", cause)
	}
	if exc := res.Exception; exc != nil {
		b.WriteString(exc.Text)
		if !strings.HasSuffix(exc.Text, "\n") {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "hotload: %s raised %s after %s", res.Module, exc.Type, formatDuration(res.Duration))
		if res.RolledBack {
			b.WriteString("; the save was rolled back and the previous code still runs")
		}
		b.WriteByte('\n')
		writeExtras(&b, res)
		return b.String()
	}
	verb := "reloaded"
	if first {
		verb = "loaded"
	}
	fmt.Fprintf(&b, "hotload: %s %s in %s", res.Ran(), verb, formatDuration(res.Duration))
	if len(res.Reloaded) > 1 {
		fmt.Fprintf(&b, " (and %s)", strings.Join(res.Reloaded[1:], ", "))
	}
	if v := res.Value; v != nil {
		if strings.Contains(*v, "\n") {
			// A table's repr reads best from the left margin.
			fmt.Fprintf(&b, " =\n%s", strings.TrimSuffix(*v, "\n"))
		} else {
			fmt.Fprintf(&b, " = %s", *v)
		}
	}
	b.WriteByte('\n')
	writeExtras(&b, res)
	return b.String()
}

// writeExtras adds what a reload could not update in place and the
// afterReload hook's error, one line each.
func writeExtras(b *strings.Builder, res *reload.Result) {
	for _, note := range res.Notes {
		if note.Path != "" && note.Line > 0 {
			fmt.Fprintf(b, "hotload: note: %s:%d: %s\n", filepath.Base(note.Path), note.Line, note.Text)
			continue
		}
		fmt.Fprintf(b, "hotload: note: %s\n", note.Text)
	}
	if h := res.HookError; h != nil {
		b.WriteString(h.Text)
		if !strings.HasSuffix(h.Text, "\n") {
			b.WriteByte('\n')
		}
		fmt.Fprintf(b, "hotload: afterReload raised %s\n", h.Type)
	}
}

// formatDuration gives d to a tenth of a millisecond below a second, which
// is where warm reloads are, and to a hundredth of a second above it.
func formatDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
