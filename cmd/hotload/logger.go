package main

import (
	"fmt"
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// logLevel is a flag.Value for the levels hotload logs at. The zero value is
// info.
type logLevel zapcore.Level

func (l *logLevel) String() string { return zapcore.Level(*l).String() }

// Set accepts debug, info, warn and error; zap's panic and fatal levels make
// no sense for a flag.
func (l *logLevel) Set(s string) error {
	switch lvl, err := zapcore.ParseLevel(s); {
	// ParseLevel takes "" for info, which would hide a mistyped flag.
	case err != nil, s == "", lvl < zapcore.DebugLevel, lvl > zapcore.ErrorLevel:
		return fmt.Errorf("unknown level %q (want debug, info, warn or error)", s)
	default:
		*l = logLevel(lvl)
		return nil
	}
}

// newLogger returns a logger writing entries at level and above to w, as
// JSON lines when json is set (for log files that tools read) and else in
// zap's console form (for a person reading stderr). Writes to w are
// serialized, so w may be shared with other writers that write whole lines.
func newLogger(level logLevel, w io.Writer, json bool) *zap.Logger {
	cfg := zap.NewProductionEncoderConfig()
	cfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if json {
		enc = zapcore.NewJSONEncoder(cfg)
	} else {
		cfg.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(cfg)
	}
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), zapcore.Level(level))
	return zap.New(core)
}
