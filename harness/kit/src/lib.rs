//! What the lesson programs share but the timing harness does not need. Each lesson turns on
//! its own feature (`arrays`, `mandelbrot`, ...), so building one lesson compiles only its share.

#[cfg(feature = "arrays")]
pub mod arrays;
pub mod digest;
#[cfg(feature = "mandelbrot")]
pub mod mandelbrot;
