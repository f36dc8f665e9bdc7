//! What the benchmarks' generated suppliers are made of, shared by
//! `search/benches/index.rs` and `tests/benches/load.rs` (both include this
//! file with `#[path]`): a deterministic generator and the word lists both
//! draw from.

/// A small deterministic generator (xorshift): every run makes the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub const NAMES: &[&str] = &[
    "Précimicro",
    "Comtoise",
    "Jura",
    "Doubs",
    "Saône",
    "Morvan",
    "Loue",
    "Lison",
    "Vosges",
    "Bresse",
    "Auxois",
    "Haut-Doubs",
    "Ognon",
    "Vingeanne",
];
pub const SUFFIXES: &[&str] = &[
    "Médical",
    "Technologies",
    "Industrie",
    "Précision",
    "Santé",
    "Plasturgie",
    "Biotech",
    "Analyses",
    "Instruments",
    "Implants",
];
pub const SECTORS: &[&str] = &[
    "medtech",
    "biotech",
    "pharma",
    "cosmetics",
    "nutrition",
    "aerospace",
];
pub const CERTIFICATIONS: &[&str] = &[
    "iso_13485",
    "iso_9001",
    "iso_14001",
    "iso_17025",
    "iso_14644",
    "gmp",
    "hds",
    "iso_11137",
];
