//! The node each rank runs on, for the record: gathered on rank 0 like any other result.

use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

/// Node names are cut to this many bytes, so that every rank sends the same count.
const LONGEST: usize = 64;

/// The node of every rank, in rank order, on rank 0; nothing on the other ranks.
pub fn of_every_rank(world: &SimpleCommunicator) -> Vec<String> {
    // Slurm's name for the node, where Slurm started the rank (two Slurm nodes can share a
    // host); else MPI's, the host name.
    let name = match std::env::var("SLURMD_NODENAME") {
        Ok(name) if !name.is_empty() => name,
        _ => mpi::environment::processor_name().unwrap_or_default(),
    };
    let mut mine = [0u8; LONGEST];
    let length = name.len().min(LONGEST);
    mine[..length].copy_from_slice(&name.as_bytes()[..length]);
    let root = world.process_at_rank(0);
    if world.rank() != 0 {
        root.gather_into(&mine[..]);
        return Vec::new();
    }
    let mut all = vec![0u8; LONGEST * world.size() as usize];
    root.gather_into_root(&mine[..], &mut all[..]);
    all.chunks(LONGEST)
        .map(|name| {
            String::from_utf8_lossy(name)
                .trim_end_matches('\0')
                .to_string()
        })
        .collect()
}
