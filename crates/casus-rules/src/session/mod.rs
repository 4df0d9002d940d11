//! The analysis session: one entry point for every client.
