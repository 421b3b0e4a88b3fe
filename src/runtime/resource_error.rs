//! Why a memory, a table or an instance could not be created.

use std::fmt;

/// What a [`ResourceError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// A linear memory (sizes in 64 KiB pages, store limit in bytes).
    Memory,
    /// A table (sizes in elements).
    Table,
    /// Another instance in the store.
    Instance,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceError {
    /// The store's limit on `resource` (`StoreLimits`: max_memory_size in bytes,
    /// max_table_elements, max_instances) is below what is asked for.
    StoreLimit {
        resource: Resource,
        requested: u64,
        limit: u64,
    },
    /// More than wrun or wasm allows at all (`maximum`, in pages or elements).
    Unsupported {
        resource: Resource,
        requested: u64,
        maximum: u64,
    },
    /// The system refused memory (reserving address space, committing pages).
    System(String),
}

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Resource::*;
        match *self {
            ResourceError::StoreLimit {
                resource: Memory,
                requested,
                limit,
            } => write!(
                f,
                "memory minimum size of {requested} pages exceeds the memory limit of {limit} \
                 bytes (max_memory_size)"
            ),
            ResourceError::StoreLimit {
                resource: Table,
                requested,
                limit,
            } => write!(
                f,
                "table minimum size of {requested} elements exceeds the table limit of {limit} \
                 elements (max_table_elements)"
            ),
            ResourceError::StoreLimit {
                resource: Instance,
                limit,
                ..
            } => write!(
                f,
                "instance limit of {limit} reached (max_instances): the store cannot hold another \
                 instance"
            ),
            ResourceError::Unsupported {
                resource: Memory,
                requested,
                maximum,
            } => write!(
                f,
                "memory minimum of {requested} pages exceeds the limit of {maximum} pages"
            ),
            ResourceError::Unsupported {
                resource: Table,
                requested,
                maximum,
            } => write!(
                f,
                "table minimum of {requested} elements exceeds wrun's limit of {maximum}"
            ),
            ResourceError::Unsupported {
                resource: Instance,
                requested,
                maximum,
            } => write!(f, "{requested} instances exceed wrun's limit of {maximum}"),
            ResourceError::System(ref message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ResourceError {}
