package workerhost

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/dynworker/dynworker/sandbox"
)

// Main runs this process as a workerhost with the arguments the supervisor
// gives after the "workerhost" subcommand, and returns the exit code.
//
//	--memory-limit BYTES   hard cap on the process's memory above its start
//	--cpuprofile PREFIX    write a CPU profile to PREFIX.PID.prof at exit
func Main(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("workerhost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	memory := fs.Int64("memory-limit", 0, "hard cap on memory in bytes; 0 for none")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this path prefix")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// One JavaScript thread runs a worker. With one P, handing a call
	// from the link's reader to the event loop and back stays on one
	// thread, where more Ps would wake idle threads for each hand-off.
	runtime.GOMAXPROCS(1)
	if err := sandbox.DropPrivileges(); err != nil {
		fmt.Fprintf(stderr, "workerhost: set no_new_privs: %v\n", err)
		return 1
	}
	if err := sandbox.LimitMemory(*memory); err != nil {
		fmt.Fprintf(stderr, "workerhost: %v\n", err)
		return 1
	}
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			fmt.Fprintf(stderr, "workerhost: %v\n", err)
			return 1
		}
		defer stop()
	}
	if err := Serve(); err != nil {
		fmt.Fprintf(stderr, "workerhost: %v\n", err)
		return 1
	}
	return 0
}

func startProfile(prefix string) (stop func(), err error) {
	f, err := os.Create(fmt.Sprintf("%s.%d.prof", prefix, os.Getpid()))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
