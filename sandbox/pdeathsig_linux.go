package sandbox

const pdeathsigSupported = true
