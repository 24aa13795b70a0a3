//! Did-you-mean: the closest known name to a misspelt one.

/// The candidate closest to `word` by optimal-string-alignment distance (a transposition
/// counts as one edit), if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let normalised = normalise(word);
    if normalised.is_empty() {
        return None;
    }
    let limit = if normalised.chars().count() >= 5 {
        2
    } else {
        1
    };
    let mut best: Option<(&str, usize)> = None;
    for &candidate in &candidates {
        let distance = strsim::osa_distance(&normalised, &normalise(candidate));
        let squashed = strsim::osa_distance(
            &normalised.replace('_', ""),
            &normalise(candidate).replace('_', ""),
        );
        let distance = distance.min(squashed);
        if distance <= limit && best.is_none_or(|(_, d)| distance < d) {
            best = Some((candidate, distance));
        }
    }
    if best.is_none() {
        // Abbreviations (`langs` for `languages`): the same first three characters, and the
        // rest of the word found in order in the candidate.
        let prefix: String = normalised.chars().take(3).collect();
        return candidates.iter().copied().find(|candidate| {
            let candidate = normalise(candidate);
            normalised.chars().count() >= 3
                && candidate.starts_with(&prefix)
                && is_subsequence(&normalised, &candidate)
        });
    }
    best.map(|(name, _)| name)
}

fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut rest = haystack.chars();
    needle.chars().all(|c| rest.any(|h| h == c))
}

fn normalise(word: &str) -> String {
    word.trim().to_lowercase().replace(['-', ' '], "_")
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_close_names_only() {
        let keys = ["value", "const", "when", "allow"];
        assert_eq!(did_you_mean("valeu", keys), Some("value"));
        assert_eq!(did_you_mean("Value", keys), Some("value"));
        assert_eq!(did_you_mean("whenn", keys), Some("when"));
        assert_eq!(did_you_mean("zzzzzz", keys), None);
        assert_eq!(did_you_mean("", keys), None);
        assert_eq!(
            did_you_mean("langs", ["languages", "tiers"]),
            Some("languages")
        );
        assert_eq!(did_you_mean("lang", ["region"]), None);
    }
}
