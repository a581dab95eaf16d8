package loader

import "errors"

var (
	// ErrWorkerNotFound means no worker has the requested ID in the namespace.
	ErrWorkerNotFound = errors.New("worker not found")

	// ErrHandleNotFound means a handle is unknown or was released.
	ErrHandleNotFound = errors.New("worker handle not found")

	// ErrClosed means the loader has been closed.
	ErrClosed = errors.New("loader closed")
)
