//! Did-you-mean: the closest known name to a misspelt one.

/// The candidate closest to `word` by optimal-string-alignment distance (a transposition
/// counts as one edit), if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let normalised = normalise(word);
    if normalised.is_empty() {
        return None;
    }
    let limit = if normalised.chars().count() >= 5 { 2 } else { 1 };
    let mut best: Option<(&str, usize)> = None;
    for &candidate in &candidates {
        let distance = strsim::osa_distance(&normalised, &normalise(candidate));
        let squashed = strsim::osa_distance(&normalised.replace('_', ""), &normalise(candidate).replace('_', ""));
        let distance = distance.min(squashed);
        if distance <= limit && best.is_none_or(|(_, d)| distance < d) {
            best = Some((candidate, distance));
        }
    }
    if best.is_none() {
        // Abbreviations (`langs` for `languages`): a shared start counts for more.
        let mut scored: Option<(&str, f64)> = None;
        for &candidate in &candidates {
            let score = strsim::jaro_winkler(&normalised, &normalise(candidate));
            if score >= 0.88 && scored.is_none_or(|(_, s)| score > s) {
                scored = Some((candidate, score));
            }
        }
        return scored.map(|(name, _)| name);
    }
    best.map(|(name, _)| name)
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
        assert_eq!(did_you_mean("langs", ["languages", "tiers"]), Some("languages"));
        assert_eq!(did_you_mean("lang", ["region"]), None);
    }
}
