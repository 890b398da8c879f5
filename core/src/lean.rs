//! Small stand-ins for standard-library helpers that would bring large code into the wasm.
//!
//! Each of these replaced a regression found in the bundle: `f64::clamp`'s assertion message links
//! Rust's float formatting, the standard sorts are the largest generic code a module can carry, and
//! `[&str]::join` brings a second copy of the string-joining machinery. `scripts/size.sh --check`
//! fails the build when the families come back (see `bench/size-budget.json`).

/// `x.clamp(lo, hi)` for `lo <= hi` (NaN passes through, as there), without `f64::clamp`'s
/// assertion, whose message would link Rust's float formatting into the wasm.
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// A stable insertion sort by `before(a, b)` (a goes first): the lists sorted here are short.
pub fn sort_small<T>(v: &mut [T], before: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && before(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// `a, b, c`: names for an error message.
pub fn comma_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for n in names {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insertion_sort_is_stable() {
        let mut v = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_small(&mut v, |a, b| a.0 < b.0);
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }

    #[test]
    fn names_are_joined_with_commas() {
        assert_eq!(comma_list(["k12", "xlink"]), "k12, xlink");
        assert_eq!(comma_list([]), "");
    }
}
