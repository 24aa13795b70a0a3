//! Figures as people read them: whole numbers with thousands separators (`1,234,567`) and
//! rates as whole numbers per second. The one formatter of `apply`'s progress and summary,
//! `audit` and `lint --sample`.

use std::time::Duration;

/// `1234567` → `1,234,567`.
#[must_use]
pub fn group<N: TryInto<u64>>(n: N) -> String {
    let digits = n.try_into().unwrap_or(u64::MAX).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `count` over `elapsed` as a whole number per second, grouped: `77,860/s`. Zero while no
/// time has passed.
#[must_use]
pub fn per_second(count: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        (count as f64 / seconds).round() as u64
    } else {
        0
    };
    format!("{}/s", group(rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_rates() {
        assert_eq!(group(0u64), "0");
        assert_eq!(group(999u64), "999");
        assert_eq!(group(1000u64), "1,000");
        assert_eq!(group(1_234_567u64), "1,234,567");
        assert_eq!(group(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(per_second(315_392, Duration::from_millis(4051)), "77,855/s");
        assert_eq!(per_second(5, Duration::ZERO), "0/s");
    }
}
