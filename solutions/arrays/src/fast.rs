//! Beyond the challenges: eight chunks' generators side by side in vector registers, near
//! what a core can do, with the very numbers (and the answer bits) of the starter.
//!
//! A chunk's numbers come from one xoshiro256++ generator, and each draw needs the state
//! the one before left: one chunk cannot be drawn in parallel. But eight chunks can, one
//! in each lane of a vector register: the generator is adds, shifts, rotations and xors
//! of 64-bit words, which AVX-512 does on eight words at once (AVX2 on four, twice). Each
//! lane starts from its chunk's own state (`chunk_rng`), draws its numbers in the same
//! order and adds each to its own column's sum in the same order: the same partial results
//! as `reduce_chunk`, eight chunks at a time.
//!
//! With `--materialize` this is the `fused` variant: a stored array is bound by memory,
//! not by drawing numbers.

use arrays_kit::{Chunk, Summary, chunk_grid, chunk_rng, sizes};
use rayon::prelude::*;
use workbook::Params;

use crate::{Partial, combine};

/// Chunks drawn together: eight 64-bit words fill an AVX-512 register.
const LANES: usize = 8;

pub fn run(params: &Params) -> Summary {
    let (n, size, seed) = sizes(params);
    if params.switch("materialize") {
        return crate::fused::run(params);
    }
    let chunks = chunk_grid(n, size);
    let reduce = group_reducer();
    // Groups of up to eight chunks of one shape, in chunk order; `collect` keeps that order.
    let partials: Vec<Partial> = groups(&chunks)
        .par_iter()
        .map(|group| reduce(seed, group))
        .collect::<Vec<Vec<Partial>>>()
        .into_iter()
        .flatten()
        .collect();
    combine(n, &chunks, &partials)
}

/// Consecutive chunks of the same height and width, at most eight together. (Chunks at
/// the right and bottom edges are smaller, so they start groups of their own.)
fn groups(chunks: &[Chunk]) -> Vec<&[Chunk]> {
    let shape = |chunk: &Chunk| (chunk.rows.len(), chunk.cols.len());
    let mut groups = Vec::new();
    let mut start = 0;
    for end in 1..=chunks.len() {
        let full = end - start == LANES;
        if end == chunks.len() || full || shape(&chunks[end]) != shape(&chunks[start]) {
            groups.push(&chunks[start..end]);
            start = end;
        }
    }
    groups
}

type Reducer = fn(u64, &[Chunk]) -> Vec<Partial>;

/// The widest vector instructions this CPU has (AVX-512 with its 64-bit integer to float
/// conversion, else AVX2, else whatever the build's target has).
fn group_reducer() -> Reducer {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq") {
            return x86::reduce_group_avx512;
        }
        if std::is_x86_feature_detected!("avx2") {
            return x86::reduce_group_avx2;
        }
    }
    reduce_group
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Chunk, Partial, reduce_group};

    #[target_feature(enable = "avx512f,avx512dq")]
    fn avx512(seed: u64, group: &[Chunk]) -> Vec<Partial> {
        reduce_group(seed, group)
    }

    pub fn reduce_group_avx512(seed: u64, group: &[Chunk]) -> Vec<Partial> {
        // SAFETY: chosen only when the CPU reports AVX-512F and AVX-512DQ.
        unsafe { avx512(seed, group) }
    }

    #[target_feature(enable = "avx2")]
    fn avx2(seed: u64, group: &[Chunk]) -> Vec<Partial> {
        reduce_group(seed, group)
    }

    pub fn reduce_group_avx2(seed: u64, group: &[Chunk]) -> Vec<Partial> {
        // SAFETY: chosen only when the CPU reports AVX2.
        unsafe { avx2(seed, group) }
    }
}

/// One group's partial results: its chunks drawn together, lane by lane. A group of
/// fewer than eight fills the other lanes with copies of its last chunk, and drops them.
/// Inlined into each caller, so that it is compiled for that caller's instructions.
#[inline(always)]
fn reduce_group(seed: u64, group: &[Chunk]) -> Vec<Partial> {
    let last = group.len() - 1;
    let mut rng = Lanes::new(std::array::from_fn(|lane| {
        chunk_rng(seed, &group[lane.min(last)]).state()
    }));
    let (height, width) = (group[0].rows.len(), group[0].cols.len());
    // Column c's sums for the eight chunks sit side by side.
    let mut sums = vec![[0.0f64; LANES]; width];
    for _ in 0..height {
        for column in &mut sums {
            let draws = rng.next();
            for lane in 0..LANES {
                column[lane] += uniform(draws[lane]);
            }
        }
    }
    (0..group.len())
        .map(|lane| Partial {
            column_sums: sums.iter().map(|column| column[lane]).collect(),
        })
        .collect()
}

/// `arrays_kit::uniform` of one draw: its top 53 bits, scaled to [0, 1).
#[inline(always)]
fn uniform(draw: u64) -> f64 {
    (draw >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Eight xoshiro256++ generators, word i of every state side by side.
struct Lanes {
    s: [[u64; LANES]; 4],
}

impl Lanes {
    /// From eight states as `Xoshiro256PlusPlus::state` gives them: four little-endian words.
    fn new(states: [[u8; 32]; LANES]) -> Lanes {
        let word = |lane: usize, i: usize| {
            let bytes = &states[lane][8 * i..8 * i + 8];
            u64::from_le_bytes(bytes.try_into().expect("eight bytes"))
        };
        Lanes {
            s: std::array::from_fn(|i| std::array::from_fn(|lane| word(lane, i))),
        }
    }

    /// The next draw of every lane: xoshiro256++'s step, as rand_xoshiro takes it.
    #[inline(always)]
    fn next(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut draws = [0u64; LANES];
        for lane in 0..LANES {
            draws[lane] = s0[lane]
                .wrapping_add(s3[lane])
                .rotate_left(23)
                .wrapping_add(s0[lane]);
            let t = s1[lane] << 17;
            s2[lane] ^= s0[lane];
            s3[lane] ^= s1[lane];
            s1[lane] ^= s2[lane];
            s0[lane] ^= s3[lane];
            s2[lane] ^= t;
            s3[lane] = s3[lane].rotate_left(45);
        }
        draws
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    /// Every lane draws what its chunk's own generator draws.
    #[test]
    fn each_lane_draws_its_chunks_numbers() {
        let chunks = chunk_grid(50, 7);
        let group = &chunks[3..11];
        let mut lanes = Lanes::new(std::array::from_fn(|l| chunk_rng(9, &group[l]).state()));
        let mut own: Vec<_> = group.iter().map(|chunk| chunk_rng(9, chunk)).collect();
        for _ in 0..1000 {
            let draws = lanes.next();
            for (lane, rng) in own.iter_mut().enumerate() {
                assert_eq!(draws[lane], rng.next_u64());
            }
        }
    }

    /// Groups cover the chunks once, in order, one shape each.
    #[test]
    fn groups_keep_chunk_order_and_one_shape() {
        let chunks = chunk_grid(23, 5);
        let grouped: Vec<&Chunk> = groups(&chunks).into_iter().flatten().collect();
        assert_eq!(grouped, chunks.iter().collect::<Vec<_>>());
        for group in groups(&chunks) {
            assert!(!group.is_empty() && group.len() <= LANES);
            let shape = (group[0].rows.len(), group[0].cols.len());
            assert!(group.iter().all(|c| (c.rows.len(), c.cols.len()) == shape));
        }
    }

    /// Every instruction set this CPU has gives `reduce_chunk`'s partials, bit for bit.
    #[test]
    fn groups_reduce_to_the_starters_partials() {
        let chunks = chunk_grid(45, 10);
        let mut reducers: Vec<Reducer> = vec![reduce_group, group_reducer()];
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            reducers.push(x86::reduce_group_avx2);
        }
        for reduce in reducers {
            for group in groups(&chunks) {
                let partials = reduce(3, group);
                for (chunk, partial) in group.iter().zip(&partials) {
                    let expected = crate::reduce_chunk(3, chunk);
                    let bits = |p: &Partial| {
                        p.column_sums
                            .iter()
                            .map(|x| x.to_bits())
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(bits(partial), bits(&expected));
                }
            }
        }
    }
}
