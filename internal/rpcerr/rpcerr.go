// Package rpcerr converts errors to gRPC statuses and back, once at each edge
// of a dynworker RPC, so that a JavaScript error keeps its name and message
// across processes.
package rpcerr

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// ScriptError is an error thrown by JavaScript, in a worker or in the code
// that loads one.
type ScriptError struct {
	Name    string
	Message string
	Stack   string
	// Code is the gRPC code the error maps to; zero means UNKNOWN. Invalid
	// worker code, for example, is INVALID_ARGUMENT.
	Code codes.Code
}

func (e *ScriptError) Error() string {
	if e.Name == "" {
		return e.Message
	}
	return e.Name + ": " + e.Message
}

// JSName returns the JavaScript error name, "Error" when it has none.
func (e *ScriptError) JSName() string {
	if e.Name == "" {
		return "Error"
	}
	return e.Name
}

// JSMessage returns the JavaScript error message.
func (e *ScriptError) JSMessage() string { return e.Message }

// Value returns the error as a Value message.
func (e *ScriptError) Value() *pb.ErrorValue {
	return &pb.ErrorValue{Name: e.Name, Message: e.Message, Stack: e.Stack}
}

// FromValue returns the error a Value message describes.
func FromValue(v *pb.ErrorValue) *ScriptError {
	return &ScriptError{Name: v.GetName(), Message: v.GetMessage(), Stack: v.GetStack()}
}

// CodedError is an error with the gRPC code it maps to.
type CodedError struct {
	Code codes.Code
	Err  error
}

func (e *CodedError) Error() string { return e.Err.Error() }
func (e *CodedError) Unwrap() error { return e.Err }

// WithCode returns err marked with a gRPC code.
func WithCode(c codes.Code, err error) error {
	return &CodedError{Code: c, Err: err}
}

// Errorf formats an error marked with a gRPC code.
func Errorf(c codes.Code, format string, args ...any) error {
	return &CodedError{Code: c, Err: fmt.Errorf(format, args...)}
}

// ToStatus converts err to a gRPC status error. A ScriptError becomes
// UNKNOWN with the error as a detail, so FromStatus restores it.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}

	var se *ScriptError
	if errors.As(err, &se) {
		code := se.Code
		if code == codes.OK {
			code = codes.Unknown
		}
		st := status.New(code, se.Error())
		if withDetail, derr := st.WithDetails(se.Value()); derr == nil {
			st = withDetail
		}
		return st.Err()
	}

	code := codes.Internal
	var ce *CodedError
	switch {
	case errors.As(err, &ce):
		code = ce.Code
	case errors.Is(err, context.Canceled):
		code = codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	}
	return status.Error(code, err.Error())
}

// FromStatus converts a gRPC status error back to a Go error: a ScriptError
// when the status carries one, else a CodedError with the status message.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, d := range st.Details() {
		if ev, ok := d.(*pb.ErrorValue); ok {
			se := FromValue(ev)
			if st.Code() != codes.Unknown {
				se.Code = st.Code()
			}
			return se
		}
	}
	switch st.Code() {
	case codes.Canceled:
		return fmt.Errorf("%s: %w", st.Message(), context.Canceled)
	case codes.DeadlineExceeded:
		return fmt.Errorf("%s: %w", st.Message(), context.DeadlineExceeded)
	}
	return &CodedError{Code: st.Code(), Err: errors.New(st.Message())}
}

// Code returns the gRPC code err maps to.
func Code(err error) codes.Code {
	return status.Code(ToStatus(err))
}
