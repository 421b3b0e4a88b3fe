//! The host's stdin as the guest's fd 0.

use std::any::Any;
use std::io::IoSliceMut;

use wasi_common::file::{FileType, WasiFile};
use wasi_common::{Error, SystemTimeSpec};

/// `wasi-common`'s stdin, except that when the number of bytes ready can't be read (`FIONREAD`
/// fails on `/dev/null` with `ENOTTY`) it says 0 instead of failing: that error would otherwise
/// turn a `poll_oneoff` on a readable stdin into a trap.
pub(crate) struct Stdin(pub(crate) wasi_common::sync::stdio::Stdin);

#[wiggle::async_trait]
impl WasiFile for Stdin {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn pollable(&self) -> Option<std::os::fd::BorrowedFd<'_>> {
        self.0.pollable()
    }

    async fn get_filetype(&self) -> Result<FileType, Error> {
        self.0.get_filetype().await
    }

    async fn read_vectored<'a>(&self, bufs: &mut [IoSliceMut<'a>]) -> Result<u64, Error> {
        self.0.read_vectored(bufs).await
    }

    async fn read_vectored_at<'a>(
        &self,
        bufs: &mut [IoSliceMut<'a>],
        offset: u64,
    ) -> Result<u64, Error> {
        self.0.read_vectored_at(bufs, offset).await
    }

    async fn seek(&self, pos: std::io::SeekFrom) -> Result<u64, Error> {
        self.0.seek(pos).await
    }

    async fn peek(&self, buf: &mut [u8]) -> Result<u64, Error> {
        self.0.peek(buf).await
    }

    async fn set_times(
        &self,
        atime: Option<SystemTimeSpec>,
        mtime: Option<SystemTimeSpec>,
    ) -> Result<(), Error> {
        self.0.set_times(atime, mtime).await
    }

    fn num_ready_bytes(&self) -> Result<u64, Error> {
        Ok(self.0.num_ready_bytes().unwrap_or(0))
    }

    fn isatty(&self) -> bool {
        self.0.isatty()
    }
}
