//! Any UTF-8 of any length through the rule-based analyzer: it must answer, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|prompt: &str| {
    let analysis = routix_core::analyzer::analyze(prompt);
    assert!(analysis.confidence.is_finite(), "{analysis:?}");
});
