//! What a message between two ranks costs: rank 0 sends a message to rank 1, which sends
//! it straight back, many times, for sizes from 8 bytes to 64 MB. Half a round trip is one
//! message's time; the small ones give the latency, the large ones the bandwidth.
//!
//!     cargo build --release --features mpi --bin ping-pong
//!     mpirun -n 2 target/release/ping-pong
//!
//! (As root, and in containers, Open MPI's mpirun also wants --allow-run-as-root.)

use std::time::Instant;

use mpi::traits::*;

/// Messages from 8 bytes to 64 MB, four times bigger each step.
const SIZES: [usize; 13] = [
    8,
    32,
    128,
    512,
    2 << 10,
    8 << 10,
    32 << 10,
    128 << 10,
    512 << 10,
    2 << 20,
    8 << 20,
    32 << 20,
    64 << 20,
];

fn main() {
    let Some(universe) = mpi::initialize() else {
        eprintln!("ping-pong: error: MPI could not be started");
        std::process::exit(1);
    };
    let world = universe.world();
    if world.size() != 2 {
        if world.rank() == 0 {
            eprintln!(
                "ping-pong: error: start it on 2 ranks (mpirun -n 2), not {}",
                world.size()
            );
        }
        drop(universe);
        std::process::exit(2);
    }
    let (rank, other) = (world.rank(), world.process_at_rank(1 - world.rank()));
    if rank == 0 {
        println!("{:>12}  {:>10}  {:>14}", "bytes", "one way", "bandwidth");
    }
    for size in SIZES {
        let mut message = vec![1u8; size];
        // Enough round trips to take a measurable time, fewer for big messages.
        let trips = (1 << 26) / size.max(1 << 12) + 10;
        let round = |message: &mut [u8]| {
            if rank == 0 {
                other.send(&message[..]);
                other.receive_into(&mut message[..]);
            } else {
                other.receive_into(&mut message[..]);
                other.send(&message[..]);
            }
        };
        // Warm up: the first messages of a size set up buffers.
        for _ in 0..5 {
            round(&mut message[..]);
        }
        world.barrier();
        let start = Instant::now();
        for _ in 0..trips {
            round(&mut message[..]);
        }
        let one_way = start.elapsed().as_secs_f64() / trips as f64 / 2.0;
        if rank == 0 {
            println!(
                "{size:>12}  {:>10}  {:>9.2} GB/s",
                workbook::stats::format_seconds(one_way),
                size as f64 / one_way / 1e9
            );
        }
    }
}
