package supervisor

import "errors"

// ErrWorkerExited means a worker's process exited during a call. The next
// call starts a new process.
var ErrWorkerExited = errors.New("worker process exited")
