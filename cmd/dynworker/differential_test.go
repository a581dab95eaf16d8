package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The differential test runs each file in testdata/conformance under
// `workerd test` and under `dynworker test` and compares the outcome of
// every test. The files assert what workerd does, so a test that fails
// under workerd is a bug in the file.

const (
	// workerdPackage is the npm package whose workerd the conformance files
	// were written against.
	workerdPackage = "workerd@1.20261123.1"
	// workerdVersion is what that package's `workerd --version` prints.
	workerdVersion = "workerd 2026-11-23"

	conformanceDir = "testdata/conformance"

	// conformanceService is the name of the parent worker in the generated
	// config. workerd prints each test as SERVICE:EXPORT.
	conformanceService = "conformance"

	// The differential test as a whole should stay under about two
	// minutes, so these bound its slowest steps.
	npmInstallTimeout = 3 * time.Minute
	workerdRunTimeout = 30 * time.Second
	dynworkerTimeout  = 90 * time.Second
)

// differentialExclusions lists the conformance tests whose outcomes are not
// compared, keyed by "FILE TEST", with the reason. Each has a TODO at its
// test in the JS file. The test still runs on both sides.
var differentialExclusions = map[string]string{
	"entrypoints.test.js getterReadOverRpc":              "the workerhost protocol has no property read, so `await stub.prop` gets a method stub",
	"getcode-errors.test.js loadChecksFlags":             "loader.Validate does not check compatibility flag names or experimental flags",
	"getcode-errors.test.js loadChecksAllowExperimental": "loader.Validate accepts allowExperimental from a parent without the experimental flag",
	"rpc-values.test.js functionArgument":                "functions cannot cross workers as stubs until capabilities do",
	"rpc-values.test.js rpcTargetResult":                 "RpcTarget instances cannot cross workers as stubs until capabilities do",
}

// outcome is how one test ended: "PASS" or "FAIL". detail holds the output
// that explains a failure.
type outcome struct {
	result string
	detail string
}

func TestDifferentialConformance(t *testing.T) {
	workerd := ensureWorkerd(t)
	files, err := filepath.Glob(filepath.Join(conformanceDir, "*.test.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no conformance files in %s", conformanceDir)
	}

	ctx, cancel := context.WithTimeout(t.Context(), dynworkerTimeout)
	defer cancel()
	dynworkerResults, output := runDynworkerTests(ctx, files)

	seen := make(map[string]bool)
	ran := make(map[string]bool)
	for _, file := range files {
		base := filepath.Base(file)
		t.Run(strings.TrimSuffix(base, ".test.js"), func(t *testing.T) {
			ran[base] = true
			workerdResults, workerdOutput := runWorkerdTest(t, workerd, file)
			if len(workerdResults) == 0 {
				t.Fatalf("workerd reported no tests for %s:\n%s", base, workerdOutput)
			}
			compareOutcomes(t, base, workerdResults, dynworkerResults[base], output, seen)
		})
	}
	for key := range differentialExclusions {
		file, _, _ := strings.Cut(key, " ")
		if ran[file] && !seen[key] {
			t.Errorf("differentialExclusions names %q, which no conformance file has", key)
		}
	}
}

// compareOutcomes fails t for each test of file that fails under workerd
// or whose outcome under dynworker differs, unless it is excluded.
func compareOutcomes(t *testing.T, file string, workerd, dynworker map[string]outcome, dynworkerOutput string, seen map[string]bool) {
	names := make([]string, 0, len(workerd))
	for name := range workerd {
		names = append(names, name)
	}
	for name := range dynworker {
		if _, ok := workerd[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)

	for _, name := range names {
		key := file + " " + name
		seen[key] = true
		want, wok := workerd[name]
		got, dok := dynworker[name]
		if reason, excluded := differentialExclusions[key]; excluded {
			t.Logf("%s: workerd %s, dynworker %s, excluded: %s", name, resultOf(want, wok), resultOf(got, dok), reason)
			switch {
			case wok && want.result != "PASS":
				t.Errorf("%s: fails under workerd, so the test asserts something workerd does not do:\n%s", name, want.detail)
			case wok && dok && got.result == "PASS":
				t.Errorf("%s: excluded, but now passes under both: remove it from differentialExclusions and its TODO from %s", name, file)
			}
			continue
		}
		t.Logf("%s: workerd %s, dynworker %s", name, resultOf(want, wok), resultOf(got, dok))
		switch {
		case !wok:
			t.Errorf("%s: workerd reported no outcome, dynworker %s", name, got.result)
		case want.result != "PASS":
			t.Errorf("%s: fails under workerd, so the test asserts something workerd does not do:\n%s", name, want.detail)
		case !dok:
			t.Errorf("%s: workerd PASS, dynworker reported no outcome; dynworker output:\n%s", name, dynworkerOutput)
		case got.result != want.result:
			t.Errorf("%s: workerd %s, dynworker %s:\n%s", name, want.result, got.result, got.detail)
		}
	}
}

func resultOf(o outcome, ok bool) string {
	if !ok {
		return "no outcome"
	}
	return o.result
}

// ensureWorkerd returns the path of the workerd binary in the repository's
// .cache directory, installing it with npm when it is missing.
func ensureWorkerd(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("find repository root: %v", err)
	}
	prefix := filepath.Join(root, ".cache", "workerd")
	bin := filepath.Join(prefix, "node_modules", ".bin", "workerd")
	if _, err := os.Stat(bin); errors.Is(err, os.ErrNotExist) {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Fatalf("npm is not on PATH, so %s cannot be installed for the differential test: install Node.js and npm (Debian: apt-get install npm), or install it by hand with `npm install --prefix %s %s`", workerdPackage, prefix, workerdPackage)
		}
		ctx, cancel := context.WithTimeout(t.Context(), npmInstallTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "install", "--prefix", prefix, workerdPackage)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install --prefix %s %s failed: %v\n%s", prefix, workerdPackage, err, out)
		}
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version failed: %v\n%s", bin, err, out)
	}
	if got := strings.TrimSpace(string(out)); got != workerdVersion {
		t.Fatalf("%s --version printed %q; want %q: remove %s so the test installs %s", bin, got, workerdVersion, prefix, workerdPackage)
	}
	return bin
}

// runWorkerdTest runs file under `workerd test` and returns the outcome of
// each test by export name, and workerd's output.
func runWorkerdTest(t *testing.T, workerd, file string) (map[string]outcome, string) {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	module := filepath.Base(file)
	if err := os.WriteFile(filepath.Join(dir, module), src, 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "conformance.wd-test")
	if err := os.WriteFile(config, []byte(workerdTestConfig(module)), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), workerdRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, workerd, "test", config, "--experimental")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("workerd test %s did not finish within %s:\n%s", module, workerdRunTimeout, out.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run workerd test %s: %v", module, err)
	}
	return parseWorkerdOutput(out.String()), out.String()
}

// workerdTestConfig returns a workerd config with one parent worker whose
// main module is module, with the nodejs_compat flag (for node:assert)
// and a workerLoader binding named LOADER.
func workerdTestConfig(module string) string {
	return fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";

const unitTests :Workerd.Config = (
  services = [
    (name = %q, worker = (
      compatibilityDate = %q,
      compatibilityFlags = ["nodejs_compat"],
      modules = [ (name = %q, esModule = embed %q) ],
      bindings = [ (name = "LOADER", workerLoader = ()) ],
    )),
  ],
);
`, conformanceService, defaultCompatibilityDate, module, module)
}

// workerdTestLine matches workerd test's line for a started or finished
// test, such as "[ PASS ] conformance:name (1.2ms)". The default export is
// printed as the service name alone.
var workerdTestLine = regexp.MustCompile(`\[ (TEST|PASS|FAIL) \] ` + conformanceService + `(?::(\S+))?`)

func parseWorkerdOutput(out string) map[string]outcome {
	results := make(map[string]outcome)
	var detail strings.Builder
	for line := range strings.SplitSeq(out, "\n") {
		m := workerdTestLine.FindStringSubmatch(line)
		if m == nil {
			detail.WriteString(line + "\n")
			continue
		}
		name := m[2]
		if name == "" {
			name = "default"
		}
		if m[1] == "TEST" {
			detail.Reset()
			continue
		}
		results[name] = outcome{result: m[1], detail: detail.String()}
	}
	return results
}

// runDynworkerTests runs files under `dynworker test` in this process and
// returns the outcomes keyed by file base name and then test name, and
// dynworker's output.
func runDynworkerTests(ctx context.Context, files []string) (map[string]map[string]outcome, string) {
	var stdout, stderr lockedBuffer
	run(ctx, append([]string{"test"}, files...), &stdout, &stderr)
	out := stdout.String()
	if ctx.Err() != nil {
		out += fmt.Sprintf("\n(dynworker test did not finish within %s)\n", dynworkerTimeout)
	}
	return parseDynworkerOutput(out), out + stderr.String()
}

// dynworkerTestLine matches the line dynworker test prints for each test:
// "PASS FILE NAME (1ms)" or "FAIL FILE NAME (1ms)". The lines after a FAIL
// line, up to the next test or the closing count, explain it.
var (
	dynworkerTestLine  = regexp.MustCompile(`^(PASS|FAIL) (\S+) (\S+) \(`)
	dynworkerCountLine = regexp.MustCompile(`^\d+ passed, \d+ failed$`)
)

func parseDynworkerOutput(out string) map[string]map[string]outcome {
	results := make(map[string]map[string]outcome)
	var file, name string
	for line := range strings.SplitSeq(out, "\n") {
		m := dynworkerTestLine.FindStringSubmatch(line)
		if m == nil {
			if dynworkerCountLine.MatchString(line) {
				name = ""
			}
			if name != "" {
				o := results[file][name]
				o.detail += line + "\n"
				results[file][name] = o
			}
			continue
		}
		file, name = filepath.Base(m[2]), m[3]
		if results[file] == nil {
			results[file] = make(map[string]outcome)
		}
		results[file][name] = outcome{result: m[1]}
	}
	return results
}
