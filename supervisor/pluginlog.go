package supervisor

import (
	"io"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// newPluginLogger returns the hclog logger go-plugin needs, writing to
// the supervisor's slog logger. Only warnings and errors pass, because
// go-plugin logs its lifecycle steps, which the supervisor logs itself.
// go-plugin raises a Go panic on a workerhost's stderr to an error.
func newPluginLogger(l *slog.Logger) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:   "workerhost",
		Level:  hclog.Warn,
		Output: &slogWriter{l: l},
	})
}

// slogWriter re-emits hclog's formatted lines as slog warnings.
type slogWriter struct{ l *slog.Logger }

func (w *slogWriter) Write(p []byte) (int, error) {
	msg := string(p)
	if n := len(msg); n > 0 && msg[n-1] == '\n' {
		msg = msg[:n-1]
	}
	w.l.Warn("workerhost output", "line", msg)
	return len(p), nil
}

var _ io.Writer = (*slogWriter)(nil)
