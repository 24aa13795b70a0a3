//! Tests of the audit checks.
