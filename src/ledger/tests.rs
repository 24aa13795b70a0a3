//! Unit tests of the lock file reader and writer.
