//! Translator tests (end-to-end tests go through the public API in `tests/`).
