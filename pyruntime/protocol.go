package pyruntime

import (
	"encoding/json"
	"time"
)

// Request is one request to the agent. Op selects the handler; the other
// fields are the handler's arguments and are omitted when empty.
type Request struct {
	ID int64  `json:"id"`
	Op string `json:"op"` // "setup", "reload", "evaluate", "ping", "interrupt", "app", "signal", "inspect", "loaded", "prepare", "warm", "changed"

	// Module is the dotted module name and Path its file, for reload and evaluate.
	Module string `json:"module,omitempty"`
	Path   string `json:"path,omitempty"`
	// PathEntry is put at the front of sys.path before the module loads; empty
	// means the module is importable from the roots given at setup.
	PathEntry string `json:"path_entry,omitempty"`
	// IfLoaded makes a reload run only if the module is loaded already;
	// otherwise the reply says Skipped and nothing runs.
	IfLoaded bool `json:"if_loaded,omitempty"`
	// NoDependents stops a reload from re-running the loaded workspace
	// modules that import the module; by default they re-run after it, in
	// dependency order.
	NoDependents bool `json:"no_dependents,omitempty"`
	// AfterReload names a function, as "pkg.mod:func", called after every
	// successful reload; empty means none.
	AfterReload string `json:"after_reload,omitempty"`

	// Code is the source to evaluate in the module's namespace, compiled under
	// Filename ("<evaluate>" when empty); for prepare, the module's text as
	// the editor has it.
	Code     string `json:"code,omitempty"`
	Filename string `json:"filename,omitempty"`

	// Timeout, if positive, is how long the code may run before it is
	// interrupted; the reply then says TimedOut. Zero means no limit.
	Timeout Seconds `json:"timeout,omitempty"`
	// Target is the id of the one request an interrupt stops; zero stops
	// the running request and every one queued behind it.
	Target int64 `json:"target,omitempty"`
	// Stopped sends a request already interrupted: it raises
	// KeyboardInterrupt as it starts (see Ticket).
	Stopped bool `json:"stopped,omitempty"`

	// Ticket, if taken, is when the caller decided on the request: an
	// Interrupt made after it stops the request even if it reaches the
	// process later. The zero Ticket is taken when Call is called.
	Ticket Ticket `json:"-"`
	// Stop, if not nil, interrupts the request when it is closed; Call
	// still waits for the reply. Nil means only ctx and Interrupt stop it.
	Stop <-chan struct{} `json:"-"`
	// Sent, if not nil, is called once the request is on its way to the
	// process, before Call waits for the reply: whatever the caller tells
	// its own client then (a "running" status) no longer delays the run.
	// Not called if the request could not be sent.
	Sent func() `json:"-"`

	// SysPath, Preload and Cwd configure the process at setup.
	SysPath []string `json:"sys_path,omitempty"`
	// WorkspaceRoots are the folders whose modules are the user's: only
	// they are re-run as importers of a reloaded module.
	WorkspaceRoots []string `json:"workspace_roots,omitempty"`
	Preload        []string `json:"preload,omitempty"`
	Cwd            string   `json:"cwd,omitempty"`
	// Handoff is the token a zygote finds first on its fd 3 if that is
	// the server's handoff socket (see handoff); empty: there is none.
	Handoff string `json:"handoff,omitempty"`

	// Args are the arguments of `python ARGS…` for an app request: a
	// script and its arguments, or -m module, or -c code (see StartApp).
	Args []string `json:"args,omitempty"`
	// Signal is the signal number a signal request sends the app.
	Signal int `json:"signal,omitempty"`
	// Expr is the name or dotted attribute chain an inspect request
	// describes, in the namespace of Module; Line and Col (1-based line,
	// 0-based column) are where it stands in Path, to tell a module
	// global from a local of the same name. Zero Line skips that check.
	Expr string `json:"expr,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	// Paths are the files of the workspace, not Python code, that a
	// changed request says changed (a template saved).
	Paths []string `json:"paths,omitempty"`
}

// Reply is the agent's answer to a request with the same ID.
type Reply struct {
	ID int64 `json:"id"`
	OK bool  `json:"ok"`

	// Value is the repr of the value the code produced (a module's last
	// top-level expression, an evaluated expression); nil for None or a statement.
	Value *string `json:"value"`
	// Error is the exception the code raised, nil if it ran to the end.
	Error *Exception `json:"error"`
	// Seconds is how long the agent spent on the request (and, in a
	// timeout event, the request's Timeout).
	Seconds float64 `json:"seconds"`

	// PreloadErrors maps each preload module that failed to import to its error.
	PreloadErrors map[string]*Exception `json:"preload_errors,omitempty"`
	// PreloadedFiles lists the files of the workspace modules loaded by
	// the end of setup: the preloads and the workspace modules they import.
	PreloadedFiles []string `json:"preloaded_files,omitempty"`
	// PreloadedMtimes gives the mtime (ns) of each of PreloadedFiles as
	// the interpreter saw it once the preloads were imported.
	PreloadedMtimes map[string]int64 `json:"preloaded_mtimes,omitempty"`
	// Skipped reports a reload with IfLoaded of a module that was not loaded.
	Skipped bool `json:"skipped,omitempty"`
	// Reloaded lists the modules a reload ran, in order: the module itself,
	// then the importers it re-ran.
	Reloaded []string `json:"reloaded,omitempty"`
	// Notes say what a reload could not make as a fresh run would, such as
	// "mymath.f: its free variables changed; existing references run the
	// old code", each with the place of the object it names.
	Notes []Note `json:"notes,omitempty"`
	// DataReads names, for each module a reload ran (or an evaluation
	// loaded for the first time) that reads data files as it runs or did
	// in its previous run, the files its run read now
	// (see the agent's reads.py); a module whose run read nothing now has
	// an empty Data. Nil when no module that ran reads or read any.
	DataReads []DataRead `json:"data_reads,omitempty"`
	// RolledBack reports that an error undid every change the reload made.
	RolledBack bool `json:"rolled_back,omitempty"`
	// FailedWith lists, for a reload that failed, the files of the user
	// modules loaded when it did: the files its failure may come from.
	FailedWith []string `json:"failed_with,omitempty"`
	// SetAside lists the files whose modules a reload or evaluation set
	// aside: another import root provided their names, and the request's
	// file is in that root (see the agent's folders.py). They come back,
	// with their state, when a file of their own root runs.
	SetAside []string `json:"set_aside,omitempty"`
	// HookError is what the AfterReload function raised; the reload itself
	// stands.
	HookError *Exception `json:"hook_error,omitempty"`
	// Warnings are the warnings.warn calls the code made, in order.
	Warnings []Warning `json:"warnings,omitempty"`
	// Interrupted reports, for an interrupt request, whether it found a
	// request to stop, and Running whether that one was running (not queued).
	Interrupted bool `json:"interrupted,omitempty"`
	Running     bool `json:"running,omitempty"`
	// TimedOut reports a request that its Timeout interrupted.
	TimedOut bool `json:"timed_out,omitempty"`
	// Worker is the channel of the worker a fork request started.
	Worker int `json:"worker,omitempty"`
	// ProtocolError is set when the agent did not understand the request.
	ProtocolError string `json:"protocol_error,omitempty"`
	// Inspection is an inspect request's description of the value; nil
	// when the name is not a global of a loaded module.
	Inspection *Inspection `json:"inspection,omitempty"`
	// Loaded reports, for a loaded request, whether the module is loaded.
	Loaded bool `json:"loaded,omitempty"`
	// Prepared reports, for a prepare request, that the code was kept; for
	// a reload, that it ran code prepared from the very bytes of the file.
	Prepared bool `json:"prepared,omitempty"`
	// Dropped says, for a changed request, what the framework adapters
	// emptied for the files ("Django's cached templates"), and Failed
	// which adapters failed to, and why.
	Dropped []string `json:"dropped,omitempty"`
	Failed  []string `json:"failed,omitempty"`
}

// DataRead is what one module's run read: files it opened for reading, not
// Python code, under the workspace roots.
type DataRead struct {
	Module string   `json:"module"`
	File   string   `json:"file"` // the module's file
	Data   []string `json:"data"` // absolute paths, sorted
}

// Inspection describes a live value for a hover. Every field may be empty.
type Inspection struct {
	Type    string `json:"type"`    // e.g. "int", "pandas.DataFrame"
	Size    string `json:"size"`    // e.g. "len 3", "shape (3, 2)"
	Details string `json:"details"` // e.g. a DataFrame's dtypes
	Repr    string `json:"repr"`    // the repr, cut to a screenful
	// Cut says how much of the repr was left out, e.g. "40 of 1000 lines, …".
	Cut string `json:"cut"`
	// Language is the Markdown code block language the repr reads best
	// in: "python" for builtin types, else "text".
	Language string `json:"language"`
	// Note says why the value is not shown (the runtime is busy, the repr
	// took too long or raised); empty when Repr is the value.
	Note string `json:"note"`
}

// Exception is a Python exception as the agent describes it.
type Exception struct {
	Type    string `json:"type"`    // e.g. "ZeroDivisionError"
	Message string `json:"message"` // str(exc), or a SyntaxError's msg
	// Frames are the traceback's frames, outermost first, without the agent's own.
	Frames []Frame `json:"frames"`
	// Syntax is where a SyntaxError points; nil for other exceptions.
	Syntax *Frame `json:"syntax"`
	// Text is the traceback as Python prints it.
	Text string `json:"text"`
}

// Frame is one traceback entry. Lines are 1-based. Columns are 0-based code
// point offsets into the line; nil when Python did not give one.
type Frame struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	EndLine  int    `json:"end_line"`
	Col      *int   `json:"col"`
	EndCol   *int   `json:"end_col"`
	Function string `json:"function"`
	Source   string `json:"source"` // the whole source line, without its newline
}

// Warning is a Python warning and the line it points at (1-based).
type Warning struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Category string `json:"category"` // e.g. "UserWarning"
	Message  string `json:"message"`
	Source   string `json:"source"` // the line's text, without its newline
}

// Note is what a reload could not make as a fresh run of the new code
// would, and what to do. File and Line (1-based) are where the object it
// names is defined; File is empty when no line fits (a note about the
// module as a whole). Until names the module whose next run makes the note
// untrue, when later saves of other modules do not (a global it filled
// with what old code computed); empty, the note is about this run only.
type Note struct {
	Text   string `json:"text"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Source string `json:"source,omitempty"` // the line's text, without its newline
	Until  string `json:"until,omitempty"`
}

// UnmarshalJSON reads a note as an object or, as agents before notes had
// places sent them (an app may serve an older saved agent), a string.
func (n *Note) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		*n = Note{}
		return json.Unmarshal(data, &n.Text)
	}
	type plain Note // without this method
	return json.Unmarshal(data, (*plain)(n))
}

// Event is a message the agent sends while a request runs, such as output,
// or between requests, such as a failure of the running program.
type Event struct {
	Kind   string // "output", "failure" or "stale"
	Stream string // "stdout" or "stderr", for output
	// Text is the output; for a failure the program logged, the log
	// message, else empty.
	Text string
	// App reports an event of the process that runs an app (StartApp).
	App bool
	// Origin, Where and Exception describe a failure: an exception that
	// escaped a thread (Origin "thread", Where the thread's name) or the
	// app's main thread ("main"), that the program logged with its
	// traceback ("log", Where the logger's name), or that it printed with
	// traceback.print_exc ("printed", Where the module that printed it).
	Origin    string
	Where     string
	Exception *Exception
	// Note is a "stale" event's: old code that a save replaced ran again
	// (a generator made before the save), on the def line of its function.
	Note *Note
}

// message is any line the agent sends: an event when Event is set, else a reply.
type message struct {
	Reply
	RequestID *int64 `json:"id"`
	Event     string `json:"event"`
	Stream    string `json:"stream"`
	Text      string `json:"text"`
	Pid       int    `json:"pid"`
	Version   string `json:"version"`
	// Fork is false in the ready event of a zygote whose Python cannot fork.
	Fork *bool `json:"fork"`
	// Origin and Where are a failure event's.
	Origin string `json:"origin"`
	Where  string `json:"where"`
	// Note is a stale event's.
	Note *Note `json:"note"`
}

// Seconds is a duration that travels as a number of seconds.
type Seconds float64

// SecondsOf returns d as Seconds.
func SecondsOf(d time.Duration) Seconds { return Seconds(d.Seconds()) }

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(float64(s) * float64(time.Second)) }
