//! The versions of the starter that rustc refuses, as the lesson text shows them
//! (lessons/sharing.md, steps 1 and 2). Each is a doc test that must fail to compile with
//! the error code the text quotes, so the text cannot drift from what rustc says:
//! `cargo test -p sharing-kit --doc`.
//!
//! Step 1: many tasks adding to one `&mut` table at once. rayon's `for_each` takes a `Fn`
//! closure, which may run on many threads at the same time, so it may not change what it
//! borrows (E0596):
//!
//! ```compile_fail,E0596
//! use rayon::prelude::*;
//! use sharing_kit::{BINS, bin};
//!
//! let mut counts = vec![0u64; BINS];
//! (0..1_000u64).into_par_iter().for_each(|index| counts[bin(index)] += 1);
//! ```
//!
//! Step 2: a table that allows changes through a shared reference, but only on one thread.
//! `Cell` is not `Sync`: a `&Cell` may not be shared between threads (E0277):
//!
//! ```compile_fail,E0277
//! use std::cell::Cell;
//! use rayon::prelude::*;
//! use sharing_kit::{BINS, bin};
//!
//! let counts: Vec<Cell<u64>> = (0..BINS).map(|_| Cell::new(0)).collect();
//! (0..1_000u64).into_par_iter().for_each(|index| {
//!     let count = &counts[bin(index)];
//!     count.set(count.get() + 1);
//! });
//! ```
//!
//! And `Rc`, whose reference count is not atomic, is not `Send`: it may not be moved to
//! another thread (E0277):
//!
//! ```compile_fail,E0277
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use sharing_kit::{BINS, bin};
//!
//! let counts = Rc::new(RefCell::new(vec![0u64; BINS]));
//! std::thread::scope(|scope| {
//!     let counts = Rc::clone(&counts);
//!     scope.spawn(move || {
//!         for index in 0..1_000u64 {
//!             counts.borrow_mut()[bin(index)] += 1;
//!         }
//!     });
//! });
//! ```
//!
//! The same code with the thread-safe types compiles: `Mutex` for `RefCell`, atomics for
//! `Cell`, `Arc` for `Rc` (or, with scoped threads, a plain reference):
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use rayon::prelude::*;
//! use sharing_kit::{BINS, bin};
//!
//! let counts: Vec<AtomicU64> = (0..BINS).map(|_| AtomicU64::new(0)).collect();
//! (0..1_000u64).into_par_iter().for_each(|index| {
//!     counts[bin(index)].fetch_add(1, Ordering::Relaxed);
//! });
//! let total: u64 = counts.iter().map(|count| count.load(Ordering::Relaxed)).sum();
//! assert_eq!(total, 1_000);
//! ```
