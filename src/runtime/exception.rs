//! Exception handling (wasm 3.0; ARCHITECTURE.md "Exceptions"): tags, exception objects and
//! the store's arena of exceptions that wasm holds as `exnref` values.
//!
//! - A **tag** is a [`TagRecord`] behind an `Arc`; its identity is the `Arc`'s address. Every
//!   tag a module defines gets a new record at instantiation, an imported tag is the
//!   exporter's record (so `catch $t` in the importer catches what the exporter throws).
//! - An **exception** is an [`ExceptionObject`]: the tag, the payload slots (in the tag's
//!   parameter layout, as on the value stack) and, through its address, its identity, which
//!   `throw_ref` keeps. An exception in flight is an `Arc<ExceptionObject>` carried by a
//!   [`Trap`](super::Trap) of code `UncaughtException` (that is how it passes compiled frames
//!   and tier boundaries: exactly as a trap does).
//! - An **exnref** in a slot is the object's address (0 = null). `catch_ref` and
//!   `catch_all_ref` put the exception into the store's [`ExnArena`], which keeps it alive
//!   until the store is dropped (wrun has no garbage collector; an exception caught without
//!   `_ref` is freed when its handler is entered).

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::module::{FuncType, ValType};

/// A tag: the payload types, its type's identity (for import matching) and a name for
/// messages.
#[derive(Debug)]
pub struct TagRecord {
    pub params: Box<[ValType]>,
    /// The tag type's recursion group and position in it (`ModuleInfo::type_identity`).
    pub identity: (Box<[FuncType]>, u32),
    /// How messages name the tag: its name-section name, else its export name, else its
    /// index, with the module's name when it has one.
    pub name: String,
}

impl TagRecord {
    /// A tag with the payload `params` whose type is alone in its recursion group (a host
    /// tag, or a module's tag of such a type).
    pub fn new(params: Vec<ValType>, name: String) -> TagRecord {
        let ty = FuncType::new(params.clone(), Vec::new());
        TagRecord {
            params: params.into_boxed_slice(),
            identity: (Box::new([ty]), 0),
            name,
        }
    }

    /// Slots of the payload (a v128 takes two).
    pub fn payload_slots(&self) -> usize {
        self.params.iter().map(|t| t.slots()).sum()
    }
}

/// A thrown exception (see the module docs).
#[derive(Debug)]
pub struct ExceptionObject {
    pub tag: Arc<TagRecord>,
    pub payload: Box<[u64]>,
    /// Set once the object is in its store's arena (it may be caught by reference again).
    captured: AtomicBool,
}

impl ExceptionObject {
    pub fn new(tag: Arc<TagRecord>, payload: Box<[u64]>) -> Arc<ExceptionObject> {
        Arc::new(ExceptionObject {
            tag,
            payload,
            captured: AtomicBool::new(false),
        })
    }
}

/// The exceptions wasm of one store holds by reference (see the module docs).
#[derive(Debug, Default)]
pub struct ExnArena {
    held: RefCell<Vec<Arc<ExceptionObject>>>,
}

impl ExnArena {
    /// The exnref slot of `exception`, kept alive from now on by this arena.
    pub fn capture(&self, exception: &Arc<ExceptionObject>) -> u64 {
        if !exception.captured.swap(true, Ordering::Relaxed) {
            self.held.borrow_mut().push(exception.clone());
        }
        Arc::as_ptr(exception) as u64
    }

    /// The exception an exnref slot of this store refers to; `None` for null.
    ///
    /// # Safety
    /// `slot` is null or was returned by [`ExnArena::capture`] of this store's arena (every
    /// non-null exnref slot of the store is: only `capture` makes them, and the embedding API
    /// checks the store of every exnref it passes in).
    pub unsafe fn get(&self, slot: u64) -> Option<Arc<ExceptionObject>> {
        let ptr = slot as usize as *const ExceptionObject;
        if ptr.is_null() {
            return None;
        }
        // SAFETY: per the contract the arena holds a strong count of `ptr`, so it is a live
        // `Arc` allocation; taking one more count and building an `Arc` from it is balanced.
        unsafe {
            Arc::increment_strong_count(ptr);
            Some(Arc::from_raw(ptr))
        }
    }

    /// How many exceptions the arena keeps alive.
    pub fn len(&self) -> usize {
        self.held.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A new exception of tag `tag` of `vmctx`'s instance, its payload read from `payload`
/// (`throw` on every tier).
///
/// # Safety
/// `vmctx` is a live instance context, `tag` a valid tag index of it, and `payload` has
/// the tag's payload slots.
pub unsafe fn new_exception(
    vmctx: *mut super::VmCtx,
    tag: u32,
    payload: *const u64,
) -> Arc<ExceptionObject> {
    // SAFETY: per the contract.
    unsafe {
        let instance = super::instance::InstanceData::of_vmctx(vmctx);
        let tag = (*instance).tags[tag as usize].clone();
        let payload = std::slice::from_raw_parts(payload, tag.payload_slots()).into();
        ExceptionObject::new(tag, payload)
    }
}

/// One catch clause of a handler on every tier: whether the clause of tag index `tag`
/// (`None`: `catch_all`/`catch_all_ref`) of `vmctx`'s instance catches `exception` (tags
/// by identity); if so, writes the payload (tag clauses) and then the exnref (`by_ref`,
/// the exception captured in the store's arena) to `dst`.
///
/// # Safety
/// `vmctx` is a live instance context and `dst` has room for the clause's values (the
/// tag's payload slots, plus one with `by_ref`).
pub unsafe fn catch_clause(
    vmctx: *mut super::VmCtx,
    tag: Option<u32>,
    by_ref: bool,
    exception: &Arc<ExceptionObject>,
    dst: *mut u64,
) -> bool {
    // SAFETY: per the contract.
    unsafe {
        let instance = super::instance::InstanceData::of_vmctx(vmctx);
        let tags = &(*instance).tags;
        let matches = match tag {
            None => true,
            Some(tag) => tags
                .get(tag as usize)
                .is_some_and(|t| Arc::ptr_eq(t, &exception.tag)),
        };
        if !matches {
            return false;
        }
        let mut dst = dst;
        if tag.is_some() {
            for &slot in exception.payload.iter() {
                *dst = slot;
                dst = dst.add(1);
            }
        }
        if by_ref {
            *dst = (*(*instance).exceptions).capture(exception);
        }
        true
    }
}
