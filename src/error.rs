//! The embedding API's error type: what went wrong, as data a caller can match on (the
//! offset and function of a validation error, the import of a link error, the types of a
//! mismatch), with a `Display` for people.

use std::path::PathBuf;

use crate::jit::CompileError;
use crate::module::ModuleError;
use crate::runtime::{ResourceError, Trap};

/// Any failure of loading, linking, instantiating or calling, other than what the guest did
/// (which is a [`Error::Trap`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The module is malformed or invalid: wasmparser's reason, the byte offset, and the
    /// function whose body it is in (when it is in one).
    Validation {
        message: String,
        offset: usize,
        function: Option<u32>,
    },
    /// Import `module::name` could not be satisfied.
    Link {
        module: String,
        name: String,
        reason: LinkReason,
    },
    /// The module and the store (or the linker's items) belong to different engines.
    EngineMismatch,
    /// A value of the wrong type or count where a type is fixed: `what` names the place
    /// (an argument, a global's or a table's initial value).
    TypeMismatch {
        what: String,
        expected: String,
        found: String,
    },
    /// An AOT sidecar that was required could not be used, or could not be written.
    Sidecar { path: PathBuf, reason: String },
    /// The guest trapped (instantiation's start function or segments, or a call).
    Trap(Trap),
    /// A memory, table or instance could not be created: a limit, or the system's refusal.
    Resource(ResourceError),
    /// The JIT could not compile a function of a valid module (a limit of the JIT, executable
    /// memory, or a bug in wrun reported instead of a crash).
    Compile(CompileError),
    /// wrun could not do what a valid input asks: a bug in wrun, reported instead of a crash.
    Internal(String),
    /// A fuel operation on a store whose engine does not consume fuel (`Config::consume_fuel`).
    FuelNotEnabled,
}

/// Why an import could not be satisfied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkReason {
    /// Nothing of that name is defined.
    Unknown,
    /// Something of another kind or type is (the text says how it differs).
    Incompatible(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Validation {
                message,
                offset,
                function,
            } => {
                f.write_str("invalid module: ")?;
                if let Some(function) = function {
                    write!(f, "function {function}: ")?;
                }
                write!(f, "{message} (at offset {offset:#x})")
            }
            Error::Link {
                module,
                name,
                reason: LinkReason::Unknown,
            } => write!(
                f,
                "link error: unknown import: `{module}::{name}` has not been defined"
            ),
            Error::Link {
                module,
                name,
                reason: LinkReason::Incompatible(why),
            } => write!(
                f,
                "link error: incompatible import type for `{module}::{name}`: {why}"
            ),
            Error::EngineMismatch => {
                f.write_str("link error: the module and the store belong to different engines")
            }
            Error::TypeMismatch {
                what,
                expected,
                found,
            } => write!(f, "type mismatch: {what} must be {expected}, got {found}"),
            Error::Sidecar { path, reason } => write!(f, "sidecar {}: {reason}", path.display()),
            Error::Trap(trap) => write!(f, "{trap}"),
            Error::Resource(message) => write!(f, "resource error: {message}"),
            Error::Compile(error) => write!(f, "{error}"),
            Error::Internal(message) => write!(f, "internal error: {message}"),
            Error::FuelNotEnabled => f.write_str("fuel is not configured in this store"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The trap, when this is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(trap) => Some(trap),
            _ => None,
        }
    }

    /// The trap, when this is one; else the error itself.
    pub fn into_trap(self) -> Result<Trap, Error> {
        match self {
            Error::Trap(trap) => Ok(trap),
            other => Err(other),
        }
    }
}

impl From<ModuleError> for Error {
    fn from(e: ModuleError) -> Error {
        Error::Validation {
            message: e.message,
            offset: e.offset,
            function: e.function,
        }
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(t)
    }
}
