//! The `loop` variant: a parallel loop over the data, and nothing more. Each x's inc,
//! double and add still run one after another on one thread, so every x takes three tasks'
//! time even when threads sit idle: with as many threads as x's, 3 x --work-ms, where join
//! and scope take 2 x --work-ms.

use rayon::prelude::*;

use delayed_kit::Work;

use crate::{add, double, inc, sum};

pub fn total(data: &[u64], work: &Work) -> u64 {
    let output: Vec<u64> = data
        .par_iter()
        .map(|&x| {
            let a = inc(x, work);
            let b = double(x, work);
            add(a, b, work)
        })
        .collect();
    sum(&output, work)
}
