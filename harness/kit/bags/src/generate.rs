//! A seeded generator of people as JSON lines, one record a line, like the accounts data of
//! Dask's bag tutorial: a name, sometimes an age and a city, and a list of transactions of
//! any length, itself sometimes missing. The same seed and count give the same bytes.

use std::io::{self, Write};

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Names, how common each is, and a typical transaction in cents.
const NAMES: [(&str, u64, i64); 16] = [
    ("Alice", 90, 2500),
    ("Bob", 80, 1800),
    ("Charlie", 60, 4200),
    ("Dan", 55, 900),
    ("Edith", 50, 3100),
    ("Frank", 45, 5200),
    ("George", 40, 1500),
    ("Hannah", 40, 2700),
    ("Ingrid", 30, 6100),
    ("Jerry", 30, 1200),
    ("Kate", 25, 3300),
    ("Laura", 20, 800),
    ("Michael", 20, 4700),
    ("Norbert", 12, 9900),
    ("Oliver", 10, 2100),
    ("Patricia", 8, 3800),
];

const CITIES: [&str; 8] = [
    "Leeds", "Oxford", "Didcot", "Bristol", "Glasgow", "Cardiff", "Belfast", "York",
];

/// Out of 1000 records: no age, no city, no transactions field.
const WITHOUT_AGE: u64 = 60;
const WITHOUT_CITY: u64 = 100;
const WITHOUT_TRANSACTIONS: u64 = 30;

/// Writes `records` people, one JSON object a line.
pub fn write_people(out: &mut impl Write, records: u64, seed: u64) -> io::Result<()> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut transaction_id = 0;
    let total_weight: u64 = NAMES.iter().map(|n| n.1).sum();
    for id in 1..=records {
        let mut ticket = below(&mut rng, total_weight);
        let (name, _, typical) = *NAMES
            .iter()
            .find(|n| {
                let hit = ticket < n.1;
                ticket = ticket.saturating_sub(n.1);
                hit
            })
            .expect("the ticket is below the total");
        let mut line = format!("{{\"id\":{id},\"name\":\"{name}\"");
        if below(&mut rng, 1000) >= WITHOUT_AGE {
            line.push_str(&format!(",\"age\":{}", 5 + below(&mut rng, 86)));
        }
        if below(&mut rng, 1000) >= WITHOUT_CITY {
            let city = CITIES[below(&mut rng, CITIES.len() as u64) as usize];
            line.push_str(&format!(",\"city\":\"{city}\""));
        }
        if below(&mut rng, 1000) >= WITHOUT_TRANSACTIONS {
            let count = below(&mut rng, 9);
            let transactions: Vec<String> = (0..count)
                .map(|_| {
                    transaction_id += 1;
                    // One in twenty is a refund.
                    let sign = if below(&mut rng, 20) == 0 { -1 } else { 1 };
                    let amount = sign * (typical / 2 + below(&mut rng, typical as u64) as i64);
                    format!("{{\"id\":{transaction_id},\"amount\":{amount}}}")
                })
                .collect();
            line.push_str(&format!(",\"transactions\":[{}]", transactions.join(",")));
        }
        line.push_str("}\n");
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// A whole number in `0..n` from one draw.
fn below(rng: &mut impl Rng, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Person;

    fn generate(records: u64, seed: u64) -> String {
        let mut out = Vec::new();
        write_people(&mut out, records, seed).expect("writing to memory");
        String::from_utf8(out).expect("ASCII")
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        assert_eq!(generate(500, 7), generate(500, 7));
        assert_ne!(generate(500, 7), generate(500, 8));
    }

    #[test]
    fn every_line_is_a_person_and_some_fields_are_missing() {
        let text = generate(5000, 1);
        let people: Vec<Person> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect(line))
            .collect();
        assert_eq!(people.len(), 5000);
        assert!(people.iter().enumerate().all(|(i, p)| p.id == i as u64 + 1));
        let missing_age = people.iter().filter(|p| p.age.is_none()).count();
        let missing_list = people.iter().filter(|p| p.transactions.is_none()).count();
        let empty_list = people
            .iter()
            .filter(|p| p.transactions.as_ref().is_some_and(Vec::is_empty))
            .count();
        assert!((200..=400).contains(&missing_age), "{missing_age}");
        assert!((80..=230).contains(&missing_list), "{missing_list}");
        assert!(empty_list > 300, "{empty_list}");
        assert!(people.iter().any(|p| p.city.is_none()));
    }
}
