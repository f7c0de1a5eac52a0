//! Memory for result columns, kept for the next call.
//!
//! A million scores are a dozen buffers of up to 8 MB. Handed to Python as numpy arrays or
//! Arrow columns (pandas, polars, pyarrow), their memory is freed when the result is dropped,
//! and the allocator gives it back to the system: the next call would fault in fresh pages,
//! which costs about as much as the scoring itself. So a buffer's memory, once Python lets go
//! of it (or the binding is done with it), is kept here, and the next call's buffers are made
//! in it: what the core's `score_columns_into` does for a Rust caller that reuses its result,
//! and what the Node binding does for typed arrays.
//!
//! Only buffers of at least [`MIN_BYTES`] are kept, and at most [`MAX_BYTES`] of numbers (and a
//! sixteenth of that in band codes) stay held, the oldest let go first.

use std::any::Any;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, PoisonError};

use arrow_buffer::{Buffer, ScalarBuffer};
use numpy::ndarray::ArrayViewMut1;
use numpy::{Element, PyArray1};
use pyo3::prelude::*;

/// The most memory kept for reuse in numbers: room for the scores, coverage and contributions
/// of one batch of a million accounts scored by a dozen measures.
pub const MAX_BYTES: usize = 128 << 20;

/// Smaller buffers are not worth keeping: the allocator serves them from memory it keeps.
pub const MIN_BYTES: usize = 64 << 10;

/// Buffers of `T` let go of, the most recent last, holding at most `max` bytes.
#[derive(Debug)]
pub struct Pool<T> {
    free: Mutex<Vec<Vec<T>>>,
    max: usize,
}

/// Buffers of scores, coverage, contributions, and input columns converted to float64.
pub static F64: Pool<f64> = Pool::new(MAX_BYTES);
/// Buffers of band codes (a byte per account), as the core writes them.
pub static U8: Pool<u8> = Pool::new(MAX_BYTES / 16);

impl<T> Pool<T> {
    const fn new(max: usize) -> Self {
        Pool {
            free: Mutex::new(Vec::new()),
            max,
        }
    }

    /// An empty buffer with room for `n` values: a kept one (the smallest that fits, and not
    /// more than twice as large), or a new one.
    pub fn take(&self, n: usize) -> Vec<T> {
        if n.saturating_mul(std::mem::size_of::<T>()) < MIN_BYTES {
            return Vec::with_capacity(n);
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

    /// Keep `v` for a later call, letting go of the oldest buffers kept if it needs their
    /// room (the sizes of recent calls are the likely ones).
    pub fn give(&self, v: Vec<T>) {
        let bytes = |v: &Vec<T>| v.capacity() * std::mem::size_of::<T>();
        if bytes(&v) < MIN_BYTES || bytes(&v) > self.max {
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

/// A `Vec` whose memory goes back to its pool when dropped.
#[derive(Debug)]
pub struct Recycled<T: 'static> {
    values: Vec<T>,
    pool: &'static Pool<T>,
}

impl<T> Recycled<T> {
    /// `values`, to be given back to `pool`.
    pub fn new(values: Vec<T>, pool: &'static Pool<T>) -> Self {
        Recycled { values, pool }
    }
}

impl<T> std::ops::Deref for Recycled<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.values
    }
}

impl<T> std::ops::DerefMut for Recycled<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.values
    }
}

impl<T> Drop for Recycled<T> {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.values));
    }
}

/// The owner of a numpy array's memory (its `base`): a buffer that goes back to its pool
/// when the array and every view of it are gone.
#[pyclass(frozen, name = "ResultMemory", module = "csops._csops")]
struct ResultMemory {
    _owner: Box<dyn Any + Send + Sync>,
}

/// `values` as a writable 1-D numpy array, without a copy; the memory goes back to `pool`
/// when Python drops the array.
pub fn numpy<'py, T: Element + Send + Sync>(
    py: Python<'py>,
    values: Vec<T>,
    pool: &'static Pool<T>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut owner = Recycled::new(values, pool);
    let (data, len) = (owner.as_mut_ptr(), owner.len());
    let owner = Bound::new(
        py,
        ResultMemory {
            _owner: Box::new(owner),
        },
    )?;
    // SAFETY: `data` points at `len` initialised values of a `Vec` that `owner` holds and
    // never touches again until it is dropped; moving the `Vec` into `owner` did not move
    // its heap memory. `owner` becomes the array's base object, so it outlives the array and
    // every view of it, and the array is the only way to the values meanwhile.
    let array = unsafe {
        let view = ArrayViewMut1::from_shape_ptr(len, data);
        PyArray1::<T>::borrow_from_array(&view, owner.into_any())
    };
    Ok(array.into_any())
}

/// `values` as an Arrow buffer, without a copy; the memory goes back to `pool` when the
/// last Arrow array using it (in Rust, pyarrow or polars) is released.
pub fn arrow<T>(values: Vec<T>, pool: &'static Pool<T>) -> ScalarBuffer<T>
where
    T: arrow_buffer::ArrowNativeType + Send + Sync + std::panic::RefUnwindSafe,
{
    let len = values.len();
    if values.capacity() == 0 {
        return ScalarBuffer::from(values);
    }
    let mut owner = Recycled::new(values, pool);
    let data = NonNull::new(owner.as_mut_ptr().cast::<u8>());
    let Some(data) = data else {
        return ScalarBuffer::from(std::mem::take(&mut owner.values));
    };
    // SAFETY: `data` points at the `len` initialised values of a `Vec` (its heap memory,
    // which moving `owner` into the `Arc` does not move) that `owner` holds unchanged until
    // the buffer, its last user, drops it.
    let buffer = unsafe {
        Buffer::from_custom_allocation(data, len * std::mem::size_of::<T>(), Arc::new(owner))
    };
    ScalarBuffer::new(buffer, 0, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_buffer_is_taken_again_when_it_fits() {
        let pool: Pool<f64> = Pool::new(1 << 20);
        let v = pool.take(20_000);
        let at = v.as_ptr();
        pool.give(v);
        let again = pool.take(15_000);
        assert_eq!(again.as_ptr(), at, "the same memory");
        assert!(again.is_empty());
        // Too small a request for it (more than twice smaller): a new buffer.
        pool.give(again);
        let small = pool.take(9_000);
        assert_ne!(small.as_ptr(), at);
    }

    #[test]
    fn the_pool_holds_at_most_its_bytes_and_no_small_buffers() {
        let pool: Pool<f64> = Pool::new(1 << 20);
        for _ in 0..10 {
            pool.give(Vec::with_capacity(50_000)); // 400 kB each
        }
        pool.give(Vec::with_capacity(100)); // too small to keep
        let free = pool.free.lock().unwrap();
        assert_eq!(free.len(), 2);
        assert!(free.iter().all(|v| v.capacity() == 50_000));
    }

    #[test]
    fn an_arrow_buffer_gives_its_memory_back_when_released() {
        static POOL: Pool<f64> = Pool::new(1 << 20);
        let values: Vec<f64> = (0..10_000).map(f64::from).collect();
        let at = values.as_ptr();
        let buffer = arrow(values, &POOL);
        assert_eq!(buffer[9_999], 9_999.0);
        assert_eq!(buffer.as_ptr(), at, "not copied");
        assert!(POOL.free.lock().unwrap().is_empty());
        drop(buffer);
        let again = POOL.take(10_000);
        assert_eq!(again.as_ptr(), at);
    }
}
