// Package workerhost is the child process that runs exactly one worker. It
// serves the Worker service to its supervisor over go-plugin and reaches the
// outside only through the Host service, on a socket the supervisor passed
// to it at start.
package workerhost
