//! What a refused form brings back to the office worker: the rows as typed.

use axum::http::StatusCode;

use crate::error::Failure;

/// The value of a form field by name ("" when absent).
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

/// Whether a refusal is answered with the same page, its message above the form (the
/// input was wrong), rather than the error page (not allowed, or a fault).
pub fn shown_on_the_form(f: &Failure) -> bool {
    f.status.is_client_error() && f.status != StatusCode::FORBIDDEN
}

/// The numbered rows of a form ("name.0", "name.1", …) as typed, counted by the field
/// `counted`, at most `max`: `row` builds one from a getter of its fields.
pub fn rows<T>(
    pairs: &[(String, String)],
    counted: &str,
    max: usize,
    row: impl Fn(&dyn Fn(&str) -> String) -> T,
) -> Vec<T> {
    let prefix = format!("{counted}.");
    let count = pairs.iter().filter(|(k, _)| k.starts_with(&prefix)).count().min(max);
    (0..count).map(|i| row(&|name: &str| field(pairs, &format!("{name}.{i}")).to_string())).collect()
}
