package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// FieldError is an input value the store refuses: Field names it (as the
// admin API's JSON and the CLI's flags name it) and Reason says why.
type FieldError struct {
	Field, Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// ErrConflict is wrapped by every *ConflictError.
var ErrConflict = errors.New("conflict")

// ConflictError is a change refused because of the state of other rows: a
// duplicate, or the last admin of a tenant. Message is safe to show.
type ConflictError struct {
	Message string
}

func (e *ConflictError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// UniqueViolation reports whether err is PostgreSQL's unique_violation on
// the named constraint or index ("" for any).
func UniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (constraint == "" || pe.ConstraintName == constraint)
}
