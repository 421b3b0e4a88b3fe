//! Traps: a code plus a wasm backtrace (ARCHITECTURE.md, "Traps").

use std::fmt;
use std::sync::Arc;

use super::exception::ExceptionObject;

/// Why execution stopped. `#[repr(u32)]` because compiled code stores it in `VmCtx::trap_code`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable = 1,
    IntegerOverflow,
    IntegerDivideByZero,
    InvalidConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallTypeMismatch,
    /// `call_indirect` through a null table entry.
    UninitializedElement,
    /// An element index outside the table in `call_indirect`.
    UndefinedElement,
    NullReference,
    CallStackExhausted,
    /// A host function failed; the message is in `Trap::message`.
    Host,
    /// WASI `proc_exit(status)`: not an error, the run ends with this status (`Trap::exit_status`).
    Exit,
    /// The store's epoch deadline passed (`--timeout`, `Store::set_epoch_deadline`).
    Interrupt,
    /// The store's fuel ran out (`Config::consume_fuel`; ARCHITECTURE.md "Fuel").
    OutOfFuel,
    /// A wasm exception no handler caught (`Trap::exception` holds it; ARCHITECTURE.md
    /// "Exceptions"). Inside wasm it is still in flight: the interpreter catches it.
    UncaughtException,
}

impl TrapCode {
    /// The message every tier prints; the spec suite's `assert_trap` texts start with these.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::NullReference => "null reference",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::Host => "host function error",
            TrapCode::Exit => "exit",
            TrapCode::Interrupt => "interrupt",
            TrapCode::OutOfFuel => "all fuel consumed by WebAssembly",
            TrapCode::UncaughtException => "uncaught wasm exception",
        }
    }

    /// Inverse of `as u32`, for codes read back from `VmCtx::trap_code`.
    pub fn from_u32(raw: u32) -> Option<TrapCode> {
        use TrapCode::*;
        const ALL: [TrapCode; 16] = [
            Unreachable,
            IntegerOverflow,
            IntegerDivideByZero,
            InvalidConversionToInteger,
            MemoryOutOfBounds,
            TableOutOfBounds,
            IndirectCallTypeMismatch,
            UninitializedElement,
            UndefinedElement,
            NullReference,
            CallStackExhausted,
            Host,
            Exit,
            Interrupt,
            OutOfFuel,
            UncaughtException,
        ];
        ALL.into_iter().find(|c| *c as u32 == raw)
    }
}

/// One frame of a wasm backtrace, innermost first in `Trap::backtrace`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// Function index within its module (imports counted).
    pub func_index: u32,
    /// Name from the name section, if any.
    pub func_name: Option<String>,
    /// Name of the module (from the name section), if any.
    pub module_name: Option<String>,
    /// Byte offset of the trapping / calling instruction in the module binary.
    pub code_offset: usize,
}

/// A trap: a value, never a panic.
#[derive(Clone, Debug)]
pub struct Trap {
    pub code: TrapCode,
    /// Extra text for `Host` traps; empty otherwise.
    pub message: String,
    /// For `Exit`: the status passed to `proc_exit`.
    pub exit_status: i32,
    pub backtrace: Vec<FrameInfo>,
    /// For `UncaughtException`: the exception in flight.
    pub exception: Option<Arc<ExceptionObject>>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            message: String::new(),
            exit_status: 0,
            backtrace: Vec::new(),
            exception: None,
        }
    }

    /// `exception` in flight (a `throw`, `throw_ref` or a rethrow from the embedder).
    pub fn exception(exception: Arc<ExceptionObject>) -> Trap {
        Trap {
            exception: Some(exception),
            ..Trap::new(TrapCode::UncaughtException)
        }
    }

    pub fn host(message: impl Into<String>) -> Trap {
        Trap {
            message: message.into(),
            ..Trap::new(TrapCode::Host)
        }
    }

    pub fn exit(status: i32) -> Trap {
        Trap {
            exit_status: status,
            ..Trap::new(TrapCode::Exit)
        }
    }

    /// The one-line message (without backtrace).
    pub fn message(&self) -> String {
        match self.code {
            TrapCode::Host if !self.message.is_empty() => self.message.clone(),
            TrapCode::Exit => format!("exit with status {}", self.exit_status),
            TrapCode::UncaughtException => match &self.exception {
                Some(exception) => format!("uncaught wasm exception (tag {})", exception.tag.name),
                None => TrapCode::UncaughtException.message().to_string(),
            },
            code => code.message().to_string(),
        }
    }
}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Trap {
        Trap::new(code)
    }
}

/// A printed backtrace longer than this shows its innermost [`BACKTRACE_SHOWN_INNER`] and
/// outermost [`BACKTRACE_SHOWN_OUTER`] frames around one "... N frames omitted" line, as
/// wasmtime does: a runaway recursion would otherwise print every frame (50,000 lines). The
/// `backtrace` vector itself stays whole for embedders.
pub const BACKTRACE_SHOWN_MAX: usize = 50;
pub const BACKTRACE_SHOWN_INNER: usize = 30;
pub const BACKTRACE_SHOWN_OUTER: usize = 20;

impl Trap {
    /// `wasm backtrace:` and one line per frame (trimmed past [`BACKTRACE_SHOWN_MAX`]), each
    /// line starting with a newline; nothing for an empty backtrace.
    pub fn fmt_backtrace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.backtrace.is_empty() {
            return Ok(());
        }
        write!(f, "\nwasm backtrace:")?;
        let frames = self.backtrace.len();
        let omitted = if frames > BACKTRACE_SHOWN_MAX {
            BACKTRACE_SHOWN_INNER..frames - BACKTRACE_SHOWN_OUTER
        } else {
            frames..frames
        };
        for (i, frame) in self.backtrace.iter().enumerate() {
            if omitted.contains(&i) {
                if i == omitted.start {
                    write!(f, "\n  ... {} frames omitted ...", omitted.len())?;
                }
                continue;
            }
            let module = frame.module_name.as_deref().unwrap_or("<module>");
            match &frame.func_name {
                Some(name) => write!(
                    f,
                    "\n  {i:>3}: {:#08x} - {module}!{name}",
                    frame.code_offset
                )?,
                None => write!(
                    f,
                    "\n  {i:>3}: {:#08x} - {module}!<wasm function {}>",
                    frame.code_offset, frame.func_index
                )?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Trap {
    /// `wasm trap: MESSAGE` followed by the backtrace, one frame a line, as wasmtime prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.message())?;
        self.fmt_backtrace(f)
    }
}

impl std::error::Error for Trap {}
