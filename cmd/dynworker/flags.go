package main

import (
	"flag"
	"fmt"

	"github.com/dynworker/dynworker/supervisor"
)

// supervisorFlags are the flags serve and run share to configure their
// supervisor.
type supervisorFlags struct {
	warmPool     *int
	allowPrivate *bool
}

func addSupervisorFlags(fs *flag.FlagSet) supervisorFlags {
	return supervisorFlags{
		warmPool:     fs.Int("warm-pool", 2, "number of started, blank workerhosts kept ready"),
		allowPrivate: fs.Bool("allow-private-network", false, "let workers' fetch() reach loopback and private addresses"),
	}
}

// config returns the supervisor configuration the parsed flags give, or an
// error naming the flag whose value is invalid.
func (f supervisorFlags) config() (supervisor.Config, error) {
	if *f.warmPool < 0 {
		return supervisor.Config{}, fmt.Errorf("--warm-pool %d: must not be negative", *f.warmPool)
	}
	return supervisor.Config{WarmPool: *f.warmPool, AllowPrivateNetwork: *f.allowPrivate}, nil
}
