// Package loader implements the Worker Loader semantics of dynworker:
// validation of WorkerCode, namespaces of workers keyed by ID, the cached code
// of each worker, and the rule that a worker's code is supplied once however
// many callers race. Starting processes is left to the caller through the
// StartFunc given to New.
package loader
