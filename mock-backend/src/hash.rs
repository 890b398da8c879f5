//! The mock's one deterministic hash, for its generated data, its scenarios and its backends'
//! lists: a leaf that everything may use and that uses nothing.

/// SplitMix64's finaliser: a fast, well-mixed deterministic hash.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
