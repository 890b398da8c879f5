//! Small stand-ins for standard-library helpers that would bring large code into the wasm.
//!
//! Each of these replaced a regression found in the bundle: `f64::clamp`'s assertion message links
//! Rust's float formatting, the standard sorts are the largest generic code a module can carry, and
//! `[&str]::join` brings a second copy of the string-joining machinery, and `format!`,
//! `to_string()` on a number or an error and `write!` bring Rust's formatting machinery
//! (`core::fmt`: the argument walker, padding, the integer `Display`s). Text is built here from
//! pieces (`[a, b, c].concat()`) and [`int`]/[`uint`]. `scripts/size.sh --check` fails the build when the
//! families come back (see `bench/size-budget.json`).

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

/// Appends the decimal digits of `n`, as `n.to_string()` writes them.
pub fn push_uint(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// Appends the decimal digits of `n` (with a `-` when negative), as `n.to_string()` writes them.
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_uint(out, n.unsigned_abs());
}

/// The decimal text of `n`, as `n.to_string()` writes it.
pub fn uint(n: u64) -> String {
    let mut out = String::new();
    push_uint(&mut out, n);
    out
}

/// The decimal text of `n`, as `n.to_string()` writes it.
pub fn int(n: i64) -> String {
    let mut out = String::new();
    push_int(&mut out, n);
    out
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
    fn integers_are_written_as_display_writes_them() {
        for n in [0i64, 1, -1, 9, 10, 99, 100, 12345, -9_007_199_254_740_992, i64::MIN, i64::MAX] {
            assert_eq!(int(n), n.to_string());
        }
        for n in [0u64, 7, 10, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(uint(n), n.to_string());
        }
        let mut s = String::from("HTTP ");
        push_uint(&mut s, 503);
        assert_eq!(s, "HTTP 503");
    }

    #[test]
    fn names_are_joined_with_commas() {
        assert_eq!(comma_list(["k12", "xlink"]), "k12, xlink");
        assert_eq!(comma_list([]), "");
    }
}
