//! Beyond the challenges: eight points at a time in one core's vector registers, near what
//! the machine can do, with the starter's exact answer.
//!
//! `modulus` does one point at a time: each multiply uses one of a vector register's
//! eight (AVX-512) or four (AVX2) lanes. Here a row is taken eight points at a time, and
//! every step is written as a loop over the eight lanes, so that the compiler turns each
//! into one vector instruction. Three things keep the answer the starter's to the last bit:
//! - the same operations in the same order: re' = (re·re − im·im) + cr and
//!   im' = (re·im + re·im) + ci, as num-complex's z * z + c rounds them (no fused
//!   multiply-adds: Rust never fuses on its own);
//! - `modulus`'s test, |z|² against R² with hypot inside the thin band where rounding
//!   could matter, so the verdict is `z.norm() > R`'s;
//! - a lane that has left keeps its time; the group stops when all eight have left.
//!
//! The vector instructions are chosen when the program starts (`is_x86_feature_detected!`):
//! AVX-512, else AVX2, else whatever the build's target has (SSE2 on any x86-64).

use crate::R;
use crate::axes;
use ndarray::Array2;
use ndarray::parallel::prelude::*;

/// Points computed together: one AVX-512 register of f64, two of AVX2.
const LANES: usize = 8;

/// The band around R² where |z|² is not trusted (`modulus` explains it).
const BAND: f64 = R * R * 1e-12;

pub fn mandelbrot(h: usize, w: usize, maxit: u32) -> Array2<u32> {
    let (x, y) = axes(h, w);
    let x = x.to_vec();
    let (rows, cols) = (y.len(), x.len());
    let mut divtime = Array2::from_shape_vec((rows, cols), times_buffer(rows * cols))
        .expect("as many times as points");
    let fill = row_filler();
    divtime
        .outer_iter_mut()
        .into_par_iter()
        .enumerate()
        .for_each(|(j, mut row)| {
            let row = row
                .as_slice_mut()
                .expect("a row of a standard-layout array");
            fill(row, &x, y[j], maxit);
        });
    divtime
}

/// The grid's times, zeroed. At h = w = 2000 it is 192 MB, and the first write to each of
/// its 4 KB pages stops the thread while the kernel finds it a page: 47,000 stops, a third
/// of a serial run. Asking for 2 MB pages where the kernel has them makes it 96.
fn times_buffer(len: usize) -> Vec<u32> {
    // A zeroed buffer this large comes straight from the kernel, its pages not yet there.
    let times = vec![0u32; len];
    #[cfg(target_os = "linux")]
    ask_for_huge_pages(&times);
    times
}

#[cfg(target_os = "linux")]
fn ask_for_huge_pages(buffer: &[u32]) {
    const PAGE: usize = 4096;
    let start = (buffer.as_ptr() as usize).next_multiple_of(PAGE);
    let end = (buffer.as_ptr() as usize + size_of_val(buffer)) / PAGE * PAGE;
    if end > start {
        // SAFETY: advice about whole pages inside this buffer; it changes no byte of it, and
        // a kernel without huge pages ignores it (the result is not needed).
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

type Filler = fn(&mut [u32], &[f64], f64, u32);

/// The widest vector instructions this CPU has.
fn row_filler() -> Filler {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            return x86::fill_row_avx512;
        }
        if std::is_x86_feature_detected!("avx2") {
            return x86::fill_row_avx2;
        }
    }
    fill_row
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    #[target_feature(enable = "avx512f")]
    fn avx512(times: &mut [u32], x: &[f64], y: f64, maxit: u32) {
        super::fill_row(times, x, y, maxit)
    }

    pub fn fill_row_avx512(times: &mut [u32], x: &[f64], y: f64, maxit: u32) {
        // SAFETY: chosen only when the CPU reports AVX-512F.
        unsafe { avx512(times, x, y, maxit) }
    }

    #[target_feature(enable = "avx2")]
    fn avx2(times: &mut [u32], x: &[f64], y: f64, maxit: u32) {
        super::fill_row(times, x, y, maxit)
    }

    pub fn fill_row_avx2(times: &mut [u32], x: &[f64], y: f64, maxit: u32) {
        // SAFETY: chosen only when the CPU reports AVX2.
        unsafe { avx2(times, x, y, maxit) }
    }
}

/// One row, eight points at a time; the last group is padded with copies of its last point
/// and only its real points are kept. Inlined into each caller, so that it is compiled
/// for that caller's vector instructions.
#[inline(always)]
fn fill_row(times: &mut [u32], x: &[f64], y: f64, maxit: u32) {
    for (times, x) in times.chunks_mut(LANES).zip(x.chunks(LANES)) {
        let mut cr = [x[x.len() - 1]; LANES];
        cr[..x.len()].copy_from_slice(x);
        let group = escape_times(cr, y, maxit);
        times.copy_from_slice(&group[..times.len()]);
    }
}

// ANCHOR: lanes
/// The escape times of eight points of one row, each as the starter's `escape_time` gives it.
///
/// A point's time is how many steps it stayed inside, so each lane counts its steps while
/// inside: whole numbers and masks of one 64-bit lane each, like the f64s beside them, so
/// that the compiler keeps all of it in vector registers and never branches per lane.
#[inline(always)]
fn escape_times(cr: [f64; LANES], ci: f64, maxit: u32) -> [u32; LANES] {
    let (mut re, mut im) = ([0.0f64; LANES], [0.0f64; LANES]);
    let (mut re2, mut im2) = ([0.0f64; LANES], [0.0f64; LANES]);
    // 1 while a point has not left, 0 after.
    let mut inside = [1u64; LANES];
    let mut steps = [0u64; LANES];
    for _ in 0..maxit {
        let mut squared = [0.0f64; LANES];
        for lane in 0..LANES {
            let product = re[lane] * im[lane];
            im[lane] = (product + product) + ci;
            re[lane] = (re2[lane] - im2[lane]) + cr[lane];
            re2[lane] = re[lane] * re[lane];
            im2[lane] = im[lane] * im[lane];
            squared[lane] = re2[lane] + im2[lane];
        }
        // Clearly out leaves; a point still in but inside the band needs hypot's verdict.
        let mut unsure = 0;
        for lane in 0..LANES {
            inside[lane] &= u64::from(squared[lane] <= R * R + BAND);
            unsure |= inside[lane] & u64::from(squared[lane] >= R * R - BAND);
        }
        if unsure != 0 {
            for lane in 0..LANES {
                if inside[lane] == 1 && squared[lane] >= R * R - BAND {
                    inside[lane] = u64::from(re[lane].hypot(im[lane]) <= R);
                }
            }
        }
        let mut any_inside = 0;
        for lane in 0..LANES {
            steps[lane] += inside[lane];
            any_inside |= inside[lane];
        }
        if any_inside == 0 {
            break;
        }
    }
    steps.map(|steps| steps as u32)
}
// ANCHOR_END: lanes

/// The starter's `escape_time`, for the tests.
#[cfg(test)]
fn escape_time(c: num_complex::Complex64, maxit: u32) -> u32 {
    let mut z = num_complex::Complex64::new(0.0, 0.0);
    for i in 0..maxit {
        z = z * z + c;
        if z.norm() > R {
            return i;
        }
    }
    maxit
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_complex::Complex64;

    /// Every instruction set this CPU has gives the starter's time for every point of a
    /// grid, with rows whose length eight does not divide.
    #[test]
    fn every_lane_gives_the_starters_escape_time() {
        let (h, w, maxit) = (37, 23, 60);
        let (x, y) = axes(h, w);
        let x = x.to_vec();
        let mut fillers: Vec<Filler> = vec![fill_row];
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                fillers.push(x86::fill_row_avx512);
            }
            if std::is_x86_feature_detected!("avx2") {
                fillers.push(x86::fill_row_avx2);
            }
        }
        for fill in fillers {
            for &y in &y {
                let mut times = vec![0; x.len()];
                fill(&mut times, &x, y, maxit);
                for (k, &time) in times.iter().enumerate() {
                    assert_eq!(time, escape_time(Complex64::new(x[k], y), maxit), "{k} {y}");
                }
            }
        }
    }

    /// Points on the circle |c| = 2 and just off it, where the band's hypot decides.
    #[test]
    fn points_near_the_circle_leave_when_the_starters_do() {
        for step in 0..2_000 {
            let angle = f64::from(step) * 0.003_141_6;
            let mut cr = [0.0; LANES];
            let mut ci = 0.0;
            for (lane, scale) in [1.0 - 1e-15, 1.0, 1.0 + 1e-15, 1.0 + 1e-13]
                .iter()
                .enumerate()
            {
                let c = Complex64::from_polar(R * scale, angle);
                cr[lane] = c.re;
                ci = c.im;
            }
            // One row shares its imaginary part: give every lane this step's last one.
            let times = escape_times(cr, ci, 20);
            for lane in 0..LANES {
                assert_eq!(times[lane], escape_time(Complex64::new(cr[lane], ci), 20));
            }
        }
    }
}
