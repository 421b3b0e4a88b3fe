//! WASI preview1 for wrun.
