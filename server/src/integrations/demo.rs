//! `--demo`: the four fake providers on loopback, configured through the real code paths.
