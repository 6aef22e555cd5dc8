package lsp

import (
	"fmt"

	"go.lsp.dev/protocol"
)

// Notifications is the notifications setting: which of the server's messages
// become window/showMessage, the popups of most editors. Whatever is not
// shown is still in window/logMessage and, for reloads, hotload/result.
type Notifications string

const (
	// NotifyAll shows every message, a successful reload's result too. It
	// is what the zero value means: an editor that knows nothing of hotload
	// shows what a save did.
	NotifyAll Notifications = "all"
	// NotifyErrors shows warnings and errors only; hotload's own editor
	// plugins show successes in their status line instead.
	NotifyErrors Notifications = "errors"
	// NotifyOff shows nothing: failures are still diagnostics and in the log.
	NotifyOff Notifications = "off"
)

// decodeNotifications checks the setting's value.
func decodeNotifications(value string) (Notifications, error) {
	switch n := Notifications(value); n {
	case NotifyAll, NotifyErrors, NotifyOff:
		return n, nil
	}
	return "", fmt.Errorf(`want "errors", "all" or "off"`)
}

// shows reports whether a message of kind becomes a popup.
func (n Notifications) shows(kind protocol.MessageType) bool {
	switch n {
	case NotifyOff:
		return false
	case NotifyErrors:
		return kind == protocol.MessageTypeError || kind == protocol.MessageTypeWarning
	}
	return true
}
