package reload

import (
	"os"
	"testing"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// TestMain runs the tests with the Python $HOTLOAD_TEST_PYTHON names, if set.
func TestMain(m *testing.M) {
	os.Exit(pyruntimetest.Main(m))
}
