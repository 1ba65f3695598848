//! Unit tests of the rules and of the suggestions.
