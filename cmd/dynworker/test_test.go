package main

import (
	"strings"
	"testing"
)

func TestTestCommandPasses(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"test", "testdata/tests/loader.test.js"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code = %d; want 0\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
	for _, name := range []string{"rpcCall", "fetchCall", "propsReachWorker", "rejectsAssertion", "namedEntrypoints", "rpcErrors", "rpcValues", "typeScriptModule", "unknownCodeKey", "customErrorName"} {
		if !strings.Contains(stdout.String(), "PASS testdata/tests/loader.test.js "+name) {
			t.Errorf("stdout has no PASS line for %s:\n%s", name, stdout.String())
		}
	}
	if !strings.HasSuffix(stdout.String(), "10 passed, 0 failed\n") {
		t.Errorf("stdout does not end with the count:\n%s", stdout.String())
	}
}

func TestTestCommandFails(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"test", "testdata/failing/failing.test.js"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d; want 1", code)
	}
	out := stdout.String()
	if !strings.Contains(out, "FAIL testdata/failing/failing.test.js fails") {
		t.Errorf("stdout has no FAIL line:\n%s", out)
	}
	if !strings.Contains(out, "Expected values to be strictly equal") {
		t.Errorf("stdout does not show the assertion message:\n%s", out)
	}
	if !strings.HasSuffix(out, "1 passed, 1 failed\n") {
		t.Errorf("stdout does not end with the count:\n%s", out)
	}
}

func TestTestCommandUsage(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run(t.Context(), []string{"test"}, &stdout, &stderr); code != 2 {
		t.Errorf("exit code = %d; want 2", code)
	}
	if !strings.Contains(stderr.String(), "usage: dynworker test [--timeout DURATION] FILE...") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestTestCommandTimeout(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/hang.test.js", `export const hangs = { test() { return new Promise(() => {}); } };
export const passes = { test() {} };`)
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"test", "--timeout", "300ms", dir + "/hang.test.js"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d; want 1", code)
	}
	out := stdout.String()
	if !strings.Contains(out, "test did not finish within 300ms (set --timeout to change the limit)") {
		t.Errorf("stdout has no timeout message:\n%s", out)
	}
	if !strings.HasSuffix(out, "1 passed, 1 failed\n") {
		t.Errorf("stdout does not end with the count:\n%s", out)
	}
}
