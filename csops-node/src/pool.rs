//! Memory for result columns, kept for the next batch.
//!
//! A million scores are a dozen buffers of up to 8 MB. Handed to JavaScript as typed arrays,
//! their memory is freed when the garbage collector drops them, and the allocator gives it back
//! to the system: the next batch would fault in fresh pages, costing about as much as the scoring
//! itself. So a buffer's memory, once JavaScript lets go of it (or the binding is done with it),
//! is kept here, and the next batch's buffers are made in it — what the core's
//! `score_columns_into` does for a Rust caller that reuses its result. At most [`MAX_BYTES`] of
//! numbers (and a sixteenth of that in band codes) stay held.

use std::sync::{Mutex, PoisonError};

use napi::bindgen_prelude::{Float64Array, Uint8Array};

/// The most memory kept for reuse in numbers: room for the scores, coverage and contributions
/// of one batch of a million accounts scored by a dozen measures.
pub const MAX_BYTES: usize = 128 << 20;

/// Buffers of `T` let go of, the most recent last, holding at most `max` bytes.
#[derive(Debug)]
pub(crate) struct Pool<T> {
    free: Mutex<Vec<Vec<T>>>,
    max: usize,
}

/// Buffers of scores, coverage and contributions.
pub(crate) static F64: Pool<f64> = Pool::new(MAX_BYTES);
/// Buffers of band codes (a byte per account).
pub(crate) static U8: Pool<u8> = Pool::new(MAX_BYTES / 16);

impl<T> Pool<T> {
    const fn new(max: usize) -> Self {
        Pool {
            free: Mutex::new(Vec::new()),
            max,
        }
    }

    /// An empty buffer with room for `n` values: a kept one (the smallest that fits, and not
    /// more than twice as large), or a new one.
    pub(crate) fn take(&self, n: usize) -> Vec<T> {
        if n == 0 {
            return Vec::new();
        }
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        let fit = free
            .iter()
            .enumerate()
            .filter(|(_, v)| (n..=n.saturating_mul(2)).contains(&v.capacity()))
            .min_by_key(|(_, v)| v.capacity())
            .map(|(i, _)| i);
        match fit {
            Some(i) => {
                let mut v = free.swap_remove(i);
                v.clear();
                v
            }
            None => Vec::with_capacity(n),
        }
    }

    /// Keep `v` for a later batch, letting go of the oldest buffers kept if it needs their
    /// room (the sizes of recent batches are the likely ones).
    pub(crate) fn give(&self, v: Vec<T>) {
        let bytes = |v: &Vec<T>| v.capacity() * std::mem::size_of::<T>();
        if v.capacity() == 0 || bytes(&v) > self.max {
            return;
        }
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        let mut held: usize = free.iter().map(bytes).sum();
        while held + bytes(&v) > self.max && !free.is_empty() {
            held -= bytes(&free.remove(0));
        }
        free.push(v);
    }
}

/// Hand a `Vec` to a typed array without copying it, its memory going back to `pool` when
/// JavaScript drops the array.
macro_rules! typed_array {
    ($(#[$doc:meta])* $name:ident, $array:ty, $t:ty, $pool:expr) => {
        $(#[$doc])*
        pub(crate) fn $name(values: Vec<$t>) -> $array {
            if values.is_empty() {
                return <$array>::new(values);
            }
            let mut values = std::mem::ManuallyDrop::new(values);
            let (data, len, capacity) = (values.as_mut_ptr(), values.len(), values.capacity());
            let given_back = move |data: *mut $t, len: usize| {
                // SAFETY: the parts of the `Vec` taken apart below, given back once, when the
                // array is dropped.
                $pool.give(unsafe { Vec::from_raw_parts(data, len, capacity) });
            };
            // SAFETY: `data` is the buffer of a `Vec` of `len` values, owned by the array from
            // here on; `given_back` rebuilds that `Vec` from the same parts.
            unsafe { <$array>::with_external_data(data, len, given_back) }
        }
    };
}

typed_array!(
    /// `values` as a `Float64Array` (not copied); its memory comes back to [`F64`].
    column,
    Float64Array,
    f64,
    F64
);
typed_array!(
    /// `values` as a `Uint8Array` (not copied); its memory comes back to [`U8`].
    codes,
    Uint8Array,
    u8,
    U8
);
