package reload

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/hotload-dev/hotload/pyruntime"
)

// Result is what one run of Python code did: a reload of a module or an
// evaluation in its namespace.
type Result struct {
	Module string // dotted module name
	Path   string // the module's file
	// Code is the evaluated source; empty for a reload.
	Code string
	// Started is when the request was sent: whatever the runtime reported
	// after it may come from this run. Zero when nothing ran.
	Started time.Time
	// Duration is the time from sending the request to its reply.
	Duration time.Duration
	// Output is everything the code wrote to stdout and stderr, in order;
	// beyond 1 MiB, its first and last 512 KiB with a line between them
	// saying how much was left out.
	Output string
	// Value is the repr of the value the code produced: a module's last
	// top-level expression statement or an evaluated expression. Nil when the
	// code produced None, ended in a statement, or did not finish.
	Value *string
	// Exception is what the code raised; nil if it ran to the end.
	Exception *Exception
	// Skipped reports that nothing ran: ReloadIfLoaded found the module
	// not loaded.
	Skipped bool
	// Prepared reports a reload that ran code compiled from the editor's
	// text before the save (Engine.Prepare), the file's very bytes, rather
	// than compiling it after the save.
	Prepared bool
	// Fresh reports a run in a new process forked from the zygote (the
	// Fresh strategy), which replaced the process of the runs before it.
	Fresh bool
	// Reloaded lists the modules a reload ran, in order: the module, then
	// the importers it re-ran. Empty for an evaluation.
	Reloaded []string
	// Notes say what a reload could not make as a fresh run would, such as
	// a class rebuilt because its dataclass fields changed: existing
	// instances still use the old class.
	Notes []Note
	// Because lists the data files whose change ran this reload (see
	// Config.NewWatcher); empty for a save.
	Because []string
	// DataReads says, for each module the reload ran (or an evaluation
	// loaded for the first time) that reads data files as it runs or did
	// before, what its run read now.
	DataReads []DataRead
	// RolledBack reports that the Exception undid every change the reload
	// had made: all the modules it touched are as they were before.
	RolledBack bool
	// FailedWith lists, for a reload that failed, the files of the user
	// modules loaded when it did.
	FailedWith []string
	// SetAside lists the files whose modules the run set aside, because
	// the run's file is in another folder that has modules of their
	// names: `python b/main.py` imports b/tool.py, not a/tool.py. They
	// come back, with their state, when a file of their folder runs.
	SetAside []string
	// HookError is what the afterReload function raised; the reload stands.
	HookError *Exception
	// Warnings are the warnings the code issued, each as a one-line frame
	// (Function is the category, e.g. "UserWarning") with its message.
	Warnings []Warning
	// TimedOut reports that the code ran for the Timeout and was
	// interrupted: Exception is then its KeyboardInterrupt, or Err says it
	// was killed for not stopping.
	TimedOut bool
	// Err reports that the code could not run or finish for a reason outside
	// it: the runtime could not start, died, or was killed after an
	// interrupt. When Err is set, Exception is nil.
	Err error
}

// Cause says why a reload ran when it was not a save: "settings.json
// changed", naming the data files of Because by their base names. Empty
// for a save.
func (r *Result) Cause() string {
	if len(r.Because) == 0 {
		return ""
	}
	names := make([]string, len(r.Because))
	for i, file := range r.Because {
		names[i] = filepath.Base(file)
	}
	return strings.Join(names, ", ") + " changed"
}

// OK reports whether the code ran to the end.
func (r *Result) OK() bool { return r.Exception == nil && r.Err == nil }

// Ran is the name of the module a reload ran, for messages: the first of
// Reloaded, which differs from Module when user code loaded the file
// under another name (a namespace package's "app.utils", for the file
// hotload names "utils"). Module when nothing is listed (an evaluation,
// a failure) and for a program's "__main__", which users know by its
// file's name.
func (r *Result) Ran() string {
	if len(r.Reloaded) == 0 || r.Reloaded[0] == "__main__" {
		return r.Module
	}
	return r.Reloaded[0]
}

// Exception is a Python exception with its traceback.
type Exception struct {
	Type    string // e.g. "ZeroDivisionError"
	Message string // e.g. "division by zero"
	// Frames are the traceback's entries, outermost call first.
	Frames []Frame
	// Syntax is where a SyntaxError points; nil for other exceptions.
	Syntax *Frame
	// Text is the traceback as Python prints it.
	Text string
}

// Summary returns the one-line form Python ends a traceback with.
func (e *Exception) Summary() string {
	if e.Message == "" {
		return e.Type
	}
	return e.Type + ": " + e.Message
}

// Innermost returns where the exception was raised: the SyntaxError
// location, else the last frame. It returns nil if there is neither.
func (e *Exception) Innermost() *Frame {
	if e.Syntax != nil {
		return e.Syntax
	}
	if len(e.Frames) == 0 {
		return nil
	}
	return &e.Frames[len(e.Frames)-1]
}

// Note is what a reload could not make as a fresh run of the new code
// would, and what to do, at the object it names: Path and Line (1-based)
// are where that object is defined; Path is empty when no line fits.
type Note struct {
	Text   string // "mymath.f: its free variables changed; existing references run the old code"
	Path   string
	Line   int
	Source string // the line's text, without its newline
	// Until is the module whose next run makes the note untrue, when saves
	// of other modules do not; "": the note is about this reload only.
	Until string
}

func newNote(n pyruntime.Note) Note {
	return Note{Text: n.Text, Path: n.File, Line: n.Line, Source: n.Source, Until: n.Until}
}

// Warning is a Python warning issued by the code.
type Warning struct {
	Frame           // where it points: a whole line
	Category string // e.g. "DeprecationWarning"
	Message  string
}

// Summary returns the warning as "Category: message".
func (w Warning) Summary() string { return w.Category + ": " + w.Message }

// Frame is a place in a source file. Lines are 1-based; columns are 0-based
// code point offsets into the line, -1 when Python gave none (then the frame
// covers the whole line).
type Frame struct {
	Path     string
	Line     int
	EndLine  int
	Col      int
	EndCol   int
	Function string // "<module>" for top-level code, "" for a SyntaxError
	Source   string // the source line, without its newline
}

func newException(e *pyruntime.Exception) *Exception {
	if e == nil {
		return nil
	}
	x := &Exception{Type: e.Type, Message: e.Message, Text: e.Text}
	for _, f := range e.Frames {
		x.Frames = append(x.Frames, newFrame(f))
	}
	if e.Syntax != nil {
		f := newFrame(*e.Syntax)
		x.Syntax = &f
	}
	return x
}

func newFrame(f pyruntime.Frame) Frame {
	col := func(p *int) int {
		if p == nil {
			return -1
		}
		return *p
	}
	end := f.EndLine
	if end < f.Line {
		end = f.Line
	}
	return Frame{Path: f.File, Line: f.Line, EndLine: end, Col: col(f.Col), EndCol: col(f.EndCol), Function: f.Function, Source: f.Source}
}
