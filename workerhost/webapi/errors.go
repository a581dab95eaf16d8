package webapi

import "errors"

var (
	// ErrNotInstalled is returned when Install was not called on the runtime.
	ErrNotInstalled = errors.New("webapi: globals are not installed on this runtime")

	// ErrNotRequest is returned by ExportRequest for a value that is not a Request.
	ErrNotRequest = errors.New("value is not a Request")

	// ErrNotResponse is returned by ExportResponse for a value that is not a Response.
	ErrNotResponse = errors.New("value is not a Response")

	// ErrLoopStopped is returned by a body Read when the event loop no longer runs jobs.
	ErrLoopStopped = errors.New("event loop stopped")

	// ErrBodyClosed is returned by a body Read after Close.
	ErrBodyClosed = errors.New("body closed")
)
