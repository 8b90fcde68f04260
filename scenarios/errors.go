package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors.
var (
	// ErrInvalid wraps every load-time error (see Error and ErrorList).
	ErrInvalid = errors.New("scenarios: invalid scenario")
	// ErrUnknownActor reports a step or argument naming an actor the scenario does not declare.
	ErrUnknownActor = errors.New("scenarios: unknown actor")
	// ErrNotSaved reports a reference to a value no earlier step saved.
	ErrNotSaved = errors.New("scenarios: no saved value")
	// ErrRole reports an actor whose value lacks what a block needs.
	ErrRole = errors.New("scenarios: actor cannot do this")
	// ErrUnsupported reports an environment lacking an optional capability (restart, ...).
	ErrUnsupported = errors.New("scenarios: not supported by this environment")
	// ErrTimeout reports a wait that ran out.
	ErrTimeout = errors.New("scenarios: timed out")
	// ErrDuplicate reports a block or role registered twice.
	ErrDuplicate = errors.New("scenarios: already registered")
)

// Error is one load-time mistake with its position.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error formats FILE:LINE: message.
func (e *Error) Error() string {
	switch {
	case e.File == "":
		return e.Msg
	case e.Line <= 0:
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap makes every Error an ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// ErrorList is every mistake found in one or more files, in file and line order.
type ErrorList []*Error

// Error joins the messages, one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap makes an ErrorList an ErrInvalid.
func (l ErrorList) Unwrap() error { return ErrInvalid }

func (l ErrorList) sorted() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].File != l[j].File {
			return l[i].File < l[j].File
		}
		return l[i].Line < l[j].Line
	})
	return l
}

// errs collects positioned errors for one file.
type errs struct {
	file string
	list ErrorList
}

func (c *errs) add(line int, format string, args ...any) {
	c.list = append(c.list, &Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *errs) addErr(err error) {
	var el ErrorList
	var e *Error
	switch {
	case errors.As(err, &el):
		c.list = append(c.list, el...)
	case errors.As(err, &e):
		c.list = append(c.list, e)
	default:
		c.list = append(c.list, &Error{File: c.file, Msg: err.Error()})
	}
}
