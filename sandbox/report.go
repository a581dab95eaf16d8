package sandbox

// Layer is one isolation measure for workerhost processes.
type Layer struct {
	Name   string
	Active bool
	// Reason is the cause when the layer is not applied.
	Reason string
}

// Layers lists the isolation measures and whether dynworker applies them
// on this system, for the supervisor to report at start.
func Layers() []Layer {
	return []Layer{
		{Name: "empty environment", Active: true},
		{Name: "no inherited descriptors", Active: true},
		{Name: "dies with the supervisor", Active: pdeathsigSupported, Reason: "not supported on this system"},
		{Name: "memory limit", Active: true},
		{Name: "no file system or process APIs in JavaScript", Active: true},
		{Name: "outbound fetch through the supervisor", Active: true},
		{Name: "user, network, PID, IPC and mount namespaces", Reason: "not implemented yet"},
		{Name: "seccomp filter", Reason: "not implemented yet"},
		{Name: "cgroup memory and CPU limits", Reason: "not implemented yet"},
		{Name: "no_new_privs", Active: noNewPrivsSupported, Reason: "not supported on this system"},
	}
}
