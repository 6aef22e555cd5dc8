package pyruntimetest

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// httpTimeout bounds a test's request to a program it runs: long enough
// for a handler on a loaded 2-core machine, short enough that a hung
// server fails the test rather than the run.
const httpTimeout = 30 * time.Second

// Get requests url (a server a test started on the loopback) and returns
// the body, or the error: a handler that raises in http.server closes the
// connection unanswered.
func Get(url string) (string, error) {
	client := http.Client{Timeout: httpTimeout}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// MustGet is Get for a request that must succeed.
func MustGet(t testing.TB, url string) string {
	t.Helper()
	body, err := Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return body
}
