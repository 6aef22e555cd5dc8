package reload

import "github.com/hotload-dev/hotload/pyruntime"

// Explain says in a user's words why Python could not be started and what
// to do about it, or returns "" if err is about something else (see
// pyruntime.Explain).
func Explain(err error) string { return pyruntime.Explain(err) }
