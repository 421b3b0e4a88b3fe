//! Why a tier (the interpreter's translator or the JIT) could not prepare a function, shared
//! by both. A validated module gives none of these but [`CompileError::Limit`] and
//! [`CompileError::CodeMemory`]; the others mean a bug in wrun, reported (the function then
//! stays interpreted, the call traps, or the error reaches the caller) instead of run wrong.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The function is beyond what the tier lays out (`what`: too many locals, a frame too
    /// large).
    Limit { function: u32, what: &'static str },
    /// An operator this tier does not implement.
    Unsupported {
        function: Option<u32>,
        offset: u32,
        operator: String,
    },
    /// The operator stream or the compiler's own state is not what validation promises.
    Internal {
        function: Option<u32>,
        message: String,
    },
    /// Executable memory could not be mapped or protected (the JIT).
    CodeMemory(String),
}

impl CompileError {
    /// `operator` (at wasm `offset`) is not implemented by the tier.
    pub fn unsupported(offset: u32, operator: &dyn fmt::Debug) -> CompileError {
        CompileError::Unsupported {
            function: None,
            offset,
            operator: format!("{operator:?}"),
        }
    }

    /// The same error, naming `function` when it does not name one yet.
    pub fn in_function(self, func_index: u32) -> CompileError {
        match self {
            CompileError::Unsupported {
                function: None,
                offset,
                operator,
            } => CompileError::Unsupported {
                function: Some(func_index),
                offset,
                operator,
            },
            CompileError::Internal {
                function: None,
                message,
            } => CompileError::Internal {
                function: Some(func_index),
                message,
            },
            other => other,
        }
    }
}

/// The compiler's internal consistency failures are written as text where they happen.
impl From<String> for CompileError {
    fn from(message: String) -> CompileError {
        CompileError::Internal {
            function: None,
            message,
        }
    }
}

impl From<&str> for CompileError {
    fn from(message: &str) -> CompileError {
        CompileError::from(message.to_string())
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let function = |f: &mut fmt::Formatter<'_>, function: &Option<u32>| match function {
            Some(index) => write!(f, "function {index}: "),
            None => Ok(()),
        };
        match self {
            CompileError::Limit { function, what } => write!(f, "function {function}: {what}"),
            CompileError::Unsupported {
                function: index,
                offset,
                operator,
            } => {
                function(f, index)?;
                write!(f, "unsupported operator {operator} at {offset:#x}")
            }
            CompileError::Internal {
                function: index,
                message,
            } => {
                function(f, index)?;
                f.write_str(message)
            }
            CompileError::CodeMemory(message) => write!(f, "code memory: {message}"),
        }
    }
}

impl std::error::Error for CompileError {}
