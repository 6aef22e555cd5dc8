package pyruntime

import "errors"

// errAttachWindows is why hotload cannot attach on Windows: the agent in
// the app would have to listen on an AF_UNIX socket, and CPython on Windows
// has none (python/cpython#77589), though Windows 10 does.
var errAttachWindows = errors.New("attaching to a running app needs a Unix socket, which Python on Windows cannot open; start the code with hotload instead")

// checkPrivate refuses every socket: see errAttachWindows.
func checkPrivate(string) error { return errAttachWindows }
