package main

import (
	"testing"

	"go.uber.org/zap/zapcore"
)

func TestLogLevelSet(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		want    zapcore.Level
		wantErr bool
	}{
		{"debug", zapcore.DebugLevel, false},
		{"info", zapcore.InfoLevel, false},
		{"WARN", zapcore.WarnLevel, false},
		{"error", zapcore.ErrorLevel, false},
		{"fatal", 0, true},
		{"bogus", 0, true},
		{"", 0, true},
	} {
		var l logLevel
		err := l.Set(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && zapcore.Level(l) != tt.want) {
			t.Errorf("Set(%q) = %v, level %v; want level %v, error %v", tt.in, err, zapcore.Level(l), tt.want, tt.wantErr)
		}
	}
}
