package pyruntime

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestShellQuoteRoundTripsThroughSh(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "''"},
		{"plain", "zygote", "'zygote'"},
		{"flag", "-c", "'-c'"},
		{"spaces", "a b  c", "'a b  c'"},
		{"single quote", "it's", `'it'\''s'`},
		{"only quotes", "''", `''\'''\'''`},
		{"double quotes", `say "hi"`, `'say "hi"'`},
		{"dollar and backquote", "$HOME $(id) `id` ${x}", "'$HOME $(id) `id` ${x}'"},
		{"backslashes", `a\b\\c\n\'`, `'a\b\\c\n\'\'''`},
		{"newlines and tabs", "a\n\tb\n", "'a\n\tb\n'"},
		{"glob and operators", "*.py; rm -rf x | y & z > w", "'*.py; rm -rf x | y & z > w'"},
		{"bootstrap", bootstrap, ""},
		{"bootstrap with everything", bootstrap + "x = '$HOME' \"\\n\" `id` \\\n# it's\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shellQuote(tt.in)
			if tt.want != "" && got != tt.want {
				t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// As ssh does: the quoted word joined into a command line that a
			// shell runs. printf %s prints the word the shell saw, unchanged.
			out, err := exec.Command(sh, "-c", "printf %s "+got).Output()
			if err != nil {
				t.Fatalf("sh -c printf %%s %s: %v", got, err)
			}
			if string(out) != tt.in {
				t.Errorf("sh -c 'printf %%s '%s = %q, want %q", got, out, tt.in)
			}
		})
	}
}

func TestRemoteArgs(t *testing.T) {
	t.Parallel()
	args := []string{"-c", "print('hi $USER')\n", "zygote"}
	tests := []struct {
		command string
		want    []string
	}{
		{"ssh", []string{`'-c'`, `'print('\''hi $USER'\'')` + "\n'", `'zygote'`}},
		{"/usr/bin/ssh", []string{`'-c'`, `'print('\''hi $USER'\'')` + "\n'", `'zygote'`}},
		{"docker", args},
		{"python3", args},
		{"/opt/sshpass", args},
		{"ssh-wrapper", args},
	}
	for _, tt := range tests {
		if got := remoteArgs(tt.command, args); !slices.Equal(got, tt.want) {
			t.Errorf("remoteArgs(%q, %q) = %q, want %q", tt.command, args, got, tt.want)
		}
	}
}

// TestQuotedArgsSurviveARemoteShell runs the arguments as ssh would hand
// them to the remote shell: joined with spaces after the user's own words.
func TestQuotedArgsSurviveARemoteShell(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh on PATH")
	}
	args := []string{"-c", bootstrap, "zygote"}
	line := "printf '%s\\0' " + strings.Join(remoteArgs("ssh", args), " ")
	out, err := exec.Command("sh", "-c", line).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if !slices.Equal(got, args) {
		t.Errorf("the remote shell saw %q, want %q", got, args)
	}
}
