// Package sandbox starts workerhost child processes with as little as they
// need: an empty environment, no inherited descriptors beyond their own
// pipes and the Host socket, and death with the supervisor. It implements
// go-plugin's runner.Runner so go-plugin drives the handshake.
package sandbox
