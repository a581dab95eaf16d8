// Package workerhost is the child process that runs exactly one worker. It
// serves the Worker service to its supervisor over go-plugin, and everything
// else on a link the supervisor passes to it at start. The worker's code and
// calls come on that link, and the worker reaches the outside only through
// it and the direct links the supervisor sends on it.
package workerhost
