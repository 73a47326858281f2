//! What is stored of a connection: the submitted input without its password (which lives
//! sealed in `credentials`).

use sluice_contract::distributors::DistributorInput;

pub type Settings = DistributorInput;

/// The input as stored: trimmed, the password taken out.
pub fn normalise(mut input: DistributorInput) -> (Settings, Option<String>) {
    let password = input.password.take().filter(|p| !p.is_empty());
    input.name = input.name.trim().to_string();
    for field in [&mut input.url, &mut input.host, &mut input.username, &mut input.path] {
        *field = field.take().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    }
    input.csv.encoding = input.csv.encoding.to_ascii_lowercase();
    (input, password)
}
