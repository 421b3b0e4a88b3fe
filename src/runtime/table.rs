//! Tables: a growable vector of slots (`*const FuncRecord` or encoded externref, 0 = null).

use super::vmctx::TableDef;
use super::{Limits, TableType};
use super::{Resource, ResourceError};

/// Tables may declare up to 2^32-1 elements; growth (and the initial size) stops at this many,
/// so a hostile module cannot make the store allocate gigabytes for a table.
pub const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// One table, owned by the store at a stable address; `def` is what `VmCtx::tables` points to.
#[derive(Debug)]
pub struct TableInstance {
    pub def: TableDef,
    pub ty: TableType,
    elements: Vec<u64>,
    /// Growth limit: the declared maximum, [`MAX_TABLE_ELEMENTS`] and the store's limit.
    max_elements: u64,
}

impl TableInstance {
    /// A table of `ty.limits.min` elements, each `init`.
    pub fn new(ty: TableType, init: u64) -> Result<TableInstance, ResourceError> {
        Self::with_limit(ty, init, None)
    }

    /// Like [`TableInstance::new`], never growing past `limit` elements (the store's
    /// `max_table_elements`): `table.grow` past it returns -1, and a minimum above it is an
    /// error naming the limit.
    pub fn with_limit(
        ty: TableType,
        init: u64,
        limit: Option<u64>,
    ) -> Result<TableInstance, ResourceError> {
        if let Some(limit) = limit
            && ty.limits.min > limit
        {
            return Err(ResourceError::StoreLimit {
                resource: Resource::Table,
                requested: ty.limits.min,
                limit,
            });
        }
        if ty.limits.min > MAX_TABLE_ELEMENTS {
            return Err(ResourceError::Unsupported {
                resource: Resource::Table,
                requested: ty.limits.min,
                maximum: MAX_TABLE_ELEMENTS,
            });
        }
        let mut elements = vec![init; ty.limits.min as usize];
        let def = TableDef {
            base: elements.as_mut_ptr(),
            len: elements.len() as u32,
        };
        let max_elements = ty
            .limits
            .max
            .unwrap_or(u32::MAX as u64)
            .min(MAX_TABLE_ELEMENTS)
            .min(limit.unwrap_or(u64::MAX));
        Ok(TableInstance {
            def,
            ty,
            elements,
            max_elements,
        })
    }

    pub fn len(&self) -> u32 {
        self.elements.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// The type as an importer sees it: the current size as minimum, the declared maximum.
    pub fn current_type(&self) -> TableType {
        TableType {
            elem: self.ty.elem,
            limits: Limits {
                min: self.elements.len() as u64,
                max: self.ty.limits.max,
            },
        }
    }

    pub fn elements(&self) -> &[u64] {
        &self.elements
    }

    pub fn elements_mut(&mut self) -> &mut [u64] {
        &mut self.elements
    }

    /// `table.grow`: the old size, or `u32::MAX` past the maximum (or the store's limit).
    pub fn grow(&mut self, delta: u32, init: u64) -> u32 {
        let old = self.elements.len() as u64;
        let new = old + delta as u64;
        if new > self.max_elements {
            return u32::MAX;
        }
        if self.elements.try_reserve(delta as usize).is_err() {
            return u32::MAX;
        }
        self.elements.resize(new as usize, init);
        self.def = TableDef {
            base: self.elements.as_mut_ptr(),
            len: new as u32,
        };
        old as u32
    }
}
