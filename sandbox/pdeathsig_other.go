//go:build !linux

package sandbox

const pdeathsigSupported = false
