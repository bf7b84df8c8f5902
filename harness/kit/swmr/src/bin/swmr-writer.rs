//! A simulated detector for the SWMR lesson: writes a scan into an HDF5 file in SWMR mode,
//! one frame every --interval-ms, while followers read it.
//!
//!     cargo run --release --bin swmr-writer -- --out scan.h5 --frames 25 --interval-ms 100

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    swmr_kit::writer::main_with(&args)
}
